/** `npm start`'s entry point as a real process: listens, shuts down gracefully on SIGTERM, and survives SIGKILL. */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createReadSigner } from '../src/client/read-signer.js';
import { parseCheckpoint } from '../src/core/checkpoint.js';
import { parseSignedNote } from '../src/core/signed-note.js';
import { readActorKey } from '../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../src/ledger/genesis-operator.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Starts `src/main.ts` with `env` added; its JSON log lines are collected as they come. */
function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiting: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let buffer = '';
  child.stdout.on('data', (d) => {
    buffer += String(d);
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of waiting.filter((w) => w.msg === line.msg)) w.resolve(line);
    }
  });
  /** The first line logged with `msg`, whenever it comes. */
  const logged = (msg: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) resolve(seen);
      else waiting.push({ msg, resolve });
    });
  const url = logged('rxledger listening').then((line) => line.url as string);
  return { child, lines, exited, logged, url };
}

t.test('SIGKILL, then a restart that refuses the reads the killed process may have answered (signed before the start, or ahead of it and recorded); SIGTERM: stop accepting, publish a final checkpoint, close, exit 0', async (t) => {
  // One data directory, three processes (each start costs seconds here): the first two are
  // killed, the third stopped gracefully.
  const dataDir = join(t.testdir(), 'data');
  const env = { DATA_DIR: dataDir, PORT: '0', CHECKPOINT_INTERVAL_MS: '3600000' };
  const first = startMain(env);
  const firstUrl = await first.url;
  const signRead = createReadSigner({ seed: readActorKey(genesisOperatorKeyPath(dataDir)).seed });
  const path = '/v1/log/entries?start=0&end=1';
  const captured = signRead('GET', path);
  t.equal((await fetch(`${firstUrl}${path}`, { headers: captured })).status, 200, 'a signed read, answered');
  first.child.kill('SIGKILL');
  t.equal(await first.exited, null, 'killed: nothing saved');

  const second = startMain(env);
  const url = await second.url;
  t.ok(second.lines.some((l) => l.msg === 'the last process did not hand over its read nonces (it crashed, or predates the handover): reads signed before this start are refused'));
  const replay = await fetch(`${url}${path}`, { headers: captured });
  t.equal(replay.status, 401);
  t.match(await replay.json(), { error: { code: 'AUTH_TIMESTAMP_OUT_OF_WINDOW', paths: ['headers.signature-input'] } }, 'its replay: its nonce died with the process, its time did not');
  t.equal((await fetch(`${url}${path}`, { headers: signRead('GET', path) })).status, 200, 'a read signed once it answers is answered (it listens from the second after its start)');

  // A client whose clock runs a minute ahead (inside the timestamp window): its read's `created`
  // is after the next start, so only what was recorded before it was answered can refuse it.
  const signAhead = createReadSigner({ seed: readActorKey(genesisOperatorKeyPath(dataDir)).seed, clock: () => Date.now() + 60_000 });
  const capturedAhead = signAhead('GET', path);
  t.equal((await fetch(`${url}${path}`, { headers: capturedAhead })).status, 200, 'a read signed a minute ahead, answered');
  second.child.kill('SIGKILL');
  t.equal(await second.exited, null, 'killed again');

  const third = startMain(env);
  const thirdUrl = await third.url;
  const replayAhead = await fetch(`${thirdUrl}${path}`, { headers: capturedAhead });
  t.equal(replayAhead.status, 401);
  t.match(await replayAhead.json(), { error: { code: 'AUTH_TIMESTAMP_OUT_OF_WINDOW' } }, 'its replay is refused, though signed "after" this start');
  t.equal((await fetch(`${thirdUrl}${path}`, { headers: signAhead('GET', path) })).status, 200, 'that client\'s next read, signed later on its clock, is answered');

  t.equal((await fetch(`${thirdUrl}/healthz`)).status, 200);
  third.child.kill('SIGTERM');
  t.equal(await third.exited, 0, 'SIGTERM: exit code 0');
  t.ok(third.lines.some((l) => l.msg === 'stopped'), 'logged its stop');
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
  const note = (db.prepare('SELECT latest_checkpoint AS n FROM log_state').get() as { n: string }).n;
  db.close();
  t.equal(parseCheckpoint(parseSignedNote(note).text).size, 4, 'the final checkpoint covers the log (checkpoint keys, auth policy, rule set, genesis operator)');
  await t.rejects(fetch(`${thirdUrl}/healthz`), 'no longer accepting connections');
});

t.test('invalid configuration: exit 2 naming the variable', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.equal(code, 2);
  t.match(stderr, /PORT/);
});

t.test('a setting invalid against the knowledge set (an unknown drug class): exit 2 naming the variable, nothing created', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const { exited, logged } = startMain({ DATA_DIR: dataDir, PORT: '0', OVERSIGHT_DOCTOR_SHOPPING_CLASSES: 'opiod' });
  const line = await logged('start-up failed');
  t.match(line, { code: 'CONFIG_INVALID', message: /OVERSIGHT_DOCTOR_SHOPPING_CLASSES/ });
  t.equal(await exited, 2);
  t.notOk(existsSync(dataDir), 'no data directory left behind');
});

t.test('a KNOWLEDGE_DIR that is not a directory: exit 2 naming the variable, nothing created', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const { exited, logged } = startMain({ DATA_DIR: dataDir, PORT: '0', KNOWLEDGE_DIR: join(dataDir, 'no-such-knowledge') });
  const line = await logged('start-up failed');
  t.match(line, { code: 'CONFIG_INVALID', message: /KNOWLEDGE_DIR: .*no-such-knowledge is not a directory/ });
  t.equal(await exited, 2);
  t.notOk(existsSync(dataDir), 'no data directory left behind');
});

t.test('the edge limits come from the environment and are logged at start', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const { child, exited, logged, url: listening } = startMain({
    DATA_DIR: dataDir,
    PORT: '0',
    RATE_LIMIT_ADDRESS_BURST: '2',
    RATE_LIMIT_ADDRESS_PER_SECOND: '0.01',
    HTTP_HEADERS_TIMEOUT_MS: '5000',
    HSTS_MAX_AGE_SECONDS: '600',
    WRITES_IN_FLIGHT_MAX: '500',
  });
  const line = await logged('http limits');
  const url = await listening;
  t.match(line, { rateLimits: { addresses: { perSecond: 0.01, burst: 2 }, writes: { perSecond: 100, burst: 1000 } }, writesInFlightMax: 500, timeouts: { headersTimeoutMs: 5000 }, trustProxy: false, hstsMaxAgeSeconds: 600 });
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
