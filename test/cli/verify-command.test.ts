/**
 * The `rxledger verify` and `init` commands against real databases and a real service: once each
 * as a real process (exit codes, output streams, the command dispatch), the other cases in this
 * process with the output captured (a process start costs seconds here, the checks the same).
 */
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatVerifierKey } from '../../src/core/note-keys.js';
import { buildTestLedger, testKey } from '../support/test-ledger.js';
import { pino } from 'pino';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/service.js';
import { runVerify, type CommandIo } from '../../src/cli/verify-command.js';
import { runInit } from '../../src/cli/init-command.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' });
/** Asynchronous, so this process can keep serving the HTTP requests the child makes. */
/** In this process, with stdout and stderr captured together. */
const inProcess = async (command: (args: string[], io: CommandIo) => Promise<number>, ...args: string[]) => {
  let text = '';
  const stream = { write: (chunk: string) => ((text += chunk), true), isTTY: false } as unknown as NodeJS.WriteStream;
  const status = await command(args, { stdout: stream, stderr: stream });
  return { status, stdout: text };
};
const verify = (...args: string[]) => inProcess(runVerify, ...args);
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
  const unsigned = await verify('--url', service.url, '--key', key);
  t.equal(unsigned.status, 1, 'entry content needs a signed read');
  t.match(unsigned.stdout, /AUTH_REQUIRED/);
  const overHttp = await runAsync('verify', '--url', service.url, '--key', key, '--actor-key', operatorKeyFile, '--json');
  t.equal(overHttp.status, 0, overHttp.stderr);
  t.equal(JSON.parse(overHttp.stdout).ok, true);
  await service.stop();

  const ok = run('verify', '--db', join(dataDir, 'ledger.sqlite'), '--key', key);
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /result:\s+OK/);
  const wrongKey = await verify('--db', join(dataDir, 'ledger.sqlite'), '--key', formatVerifierKey(testKey(3, 'rxledger.localhost/ledger')));
  t.equal(wrongKey.status, 1);
  t.match(wrongKey.stdout, /FAILED: NOTE_UNVERIFIED/);
  t.equal((await verify('--db', join(dataDir, 'ledger.sqlite'))).status, 2, 'no key');
  t.equal((await verify('--key', key)).status, 2, 'no source');
  t.equal((await verify('--bogus')).status, 2);
  t.equal((await verify('--db', join(dataDir, 'missing.sqlite'), '--key', key)).status, 1);
  const unknown = run('frobnicate');
  t.equal(unknown.status, 2, 'an unknown command');
  t.match(unknown.stderr, /unknown command 'frobnicate'/);
});

t.test('verify names the first failing index', async (t) => {
  const { ledger, dbPath } = await buildTestLedger(t.testdir(), 5);
  await ledger.close();
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(dbPath);
  db.prepare('DELETE FROM entries WHERE idx = 3').run();
  db.close();
  // The CLI knows only production entry types; index 1 (a test.event) fails first as unknown type.
  const res = await verify('--db', dbPath, '--key', formatVerifierKey(testKey()));
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
  const init = (...args: string[]) => inProcess((a, io) => runInit(a, io, env), ...args);
  const again = await init();
  t.equal(again.status, 0);
  t.match(again.stdout, /log size:\s+4/, 'nothing written twice');
  t.equal((await init('--bogus')).status, 2);
});
