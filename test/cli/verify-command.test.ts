/** The `rxledger verify` command, run as a real process against a real database. */
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatVerifierKey } from '../../src/core/note-keys.js';
import { buildTestLedger, testKey } from '../support/test-ledger.js';
import { pino } from 'pino';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/service.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' });
/** Asynchronous, so this process can keep serving the HTTP requests the child makes. */
const runAsync = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

t.test('verify --db and --url: exit 0 when it verifies, 1 on failure, 2 on usage', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger: pino({ level: 'silent' }) });
  const key = service.ledger.verifierKeys[0]!;
  const operatorKeyFile = join(dataDir, 'operator', 'op-genesis.key');
  const unsigned = await runAsync('verify', '--url', service.url, '--key', key);
  t.equal(unsigned.status, 1, 'entry content needs a signed read');
  t.match(unsigned.stdout, /AUTH_REQUIRED/);
  const overHttp = await runAsync('verify', '--url', service.url, '--key', key, '--actor-key', operatorKeyFile, '--json');
  t.equal(overHttp.status, 0, overHttp.stderr);
  t.equal(JSON.parse(overHttp.stdout).ok, true);
  await service.stop();

  const ok = run('verify', '--db', join(dataDir, 'ledger.sqlite'), '--key', key);
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /result:\s+OK/);
  const wrongKey = run('verify', '--db', join(dataDir, 'ledger.sqlite'), '--key', formatVerifierKey(testKey(3, 'rxledger.localhost/ledger')));
  t.equal(wrongKey.status, 1);
  t.match(wrongKey.stdout, /FAILED: NOTE_UNVERIFIED/);
  t.equal(run('verify', '--db', join(dataDir, 'ledger.sqlite')).status, 2, 'no key');
  t.equal(run('verify', '--key', key).status, 2, 'no source');
  t.equal(run('verify', '--bogus').status, 2);
  t.equal(run('frobnicate').status, 2);
  t.equal(run('verify', '--db', join(dataDir, 'missing.sqlite'), '--key', key).status, 1);
});

t.test('verify names the first failing index', async (t) => {
  const { ledger, dbPath } = await buildTestLedger(t.testdir(), 5);
  await ledger.close();
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(dbPath);
  db.prepare('DELETE FROM entries WHERE idx = 3').run();
  db.close();
  // The CLI knows only production entry types; index 1 (a test.event) fails first as unknown type.
  const res = run('verify', '--db', dbPath, '--key', formatVerifierKey(testKey()));
  t.equal(res.status, 1);
  t.match(res.stdout, /FAILED at index 1: ENTRY_TYPE_UNKNOWN/);
});

t.test('rxledger init prepares a data directory and is safe to re-run', async (t) => {
  const dataDir = join(t.testdir(), 'fresh');
  const env = { ...process.env, DATA_DIR: dataDir };
  const first = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'init'], { encoding: 'utf8', env });
  t.equal(first.status, 0, first.stderr);
  t.match(first.stdout, /genesis operator key:\s+.*op-genesis\.key \(mode 0600/);
  t.match(first.stdout, /log size:\s+4/);
  const again = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'init'], { encoding: 'utf8', env });
  t.equal(again.status, 0);
  t.match(again.stdout, /log size:\s+4/, 'nothing written twice');
  t.equal(spawnSync(process.execPath, ['--import', 'tsx', CLI, 'init', '--bogus'], { encoding: 'utf8', env }).status, 2);
});
