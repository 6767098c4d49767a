/** `npm start`'s entry point as a real process: listens, and shuts down gracefully on SIGTERM. */
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { parseCheckpoint } from '../src/core/checkpoint.js';
import { parseSignedNote } from '../src/core/signed-note.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

t.test('SIGTERM: stop accepting, publish a final checkpoint, close, exit 0', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', CHECKPOINT_INTERVAL_MS: '3600000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve) => {
    let buffer = '';
    child.stdout.on('data', (d) => {
      buffer += String(d);
      for (;;) {
        const nl = buffer.indexOf('\n');
        if (nl < 0) break;
        const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        if (line.msg === 'rxledger listening') resolve(line.url as string);
      }
    });
  });
  const url = await listening;
  t.equal((await fetch(`${url}/healthz`)).status, 200);
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'exit code 0');
  t.ok(lines.some((l) => l.msg === 'stopped'), 'logged its stop');
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
  const note = (db.prepare('SELECT latest_checkpoint AS n FROM log_state').get() as { n: string }).n;
  db.close();
  t.equal(parseCheckpoint(parseSignedNote(note).text).size, 4, 'the final checkpoint covers the log (checkpoint keys, auth policy, rule set, genesis operator)');
  await t.rejects(fetch(`${url}/healthz`), 'no longer accepting connections');
});

t.test('invalid configuration: exit 2 naming the variable', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.equal(code, 2);
  t.match(stderr, /PORT/);
});

t.test('the edge limits come from the environment and are logged at start', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', RATE_LIMIT_ADDRESS_BURST: '2', RATE_LIMIT_ADDRESS_PER_SECOND: '0.01', HTTP_HEADERS_TIMEOUT_MS: '5000', HSTS_MAX_AGE_SECONDS: '600' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const limits = new Promise<{ url: string; line: Record<string, unknown> }>((resolve) => {
    let buffer = '';
    let url = '';
    child.stdout.on('data', (d) => {
      buffer += String(d);
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
        buffer = buffer.slice(nl + 1);
        if (line.msg === 'rxledger listening') url = line.url as string;
        if (line.msg === 'http limits') resolve({ url, line });
      }
    });
  });
  const { url, line } = await limits;
  t.match(line, { rateLimits: { addresses: { perSecond: 0.01, burst: 2 }, writes: { perSecond: 100, burst: 1000 } }, timeouts: { headersTimeoutMs: 5000 }, trustProxy: false, hstsMaxAgeSeconds: 600 });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await fetch(`${url}/healthz`)).status);
  t.same(statuses, [200, 200, 429], 'the process enforces the configured address limit');
  child.kill('SIGTERM');
  t.equal(await exited, 0);
});

t.test('an invalid edge setting: exit 2 naming the variable', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: { ...process.env, TRUST_PROXY: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.equal(code, 2);
  t.match(stderr, /TRUST_PROXY/);
});
