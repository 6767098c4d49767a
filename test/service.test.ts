/** End to end: the real service on 127.0.0.1, first start, restart, graceful shutdown. */
import t from 'tap';
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
import { genesisOperatorKeyPath } from '../src/ledger/genesis-operator.js';
import { readActorKey } from '../src/keys/actor-key-file.js';
import { createReadSigner } from '../src/client/read-signer.js';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { parseCheckpoint } from '../src/core/checkpoint.js';
import { createNoteVerifier, parseVerifierKey } from '../src/core/note-keys.js';
import { verifyNote } from '../src/core/signed-note.js';
import { DATABASE_FILE, openServiceLedger, startService } from '../src/service.js';
import { createStatementSigner } from '../src/client/statement-signer.js';
import { encodeBase64 } from '../src/core/bytes.js';
import { createHttpLogSource } from '../src/verify/http-log-source.js';
import { verifyLog } from '../src/verify/log-verifier.js';
import { testdirWithStops } from './support/testdir.js';

const logger = pino({ level: 'silent' });

t.test('first start creates data, keys and a genesis checkpoint; restart keeps them', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', CHECKPOINT_INTERVAL_MS: '20' });
  const service = await startService(config, { logger });
  t.ok(existsSync(join(dataDir, DATABASE_FILE)));
  const info = (await (await fetch(`${service.url}/v1/log`)).json()) as { origin: string; verifierKey: string; size: number };
  t.equal(info.size, 4, 'genesis entries: checkpoint keys, auth policy, rule set, genesis operator');
  t.equal(statSync(genesisOperatorKeyPath(dataDir)).mode & 0o777, 0o600, 'the genesis operator key is private');
  const note = await (await fetch(`${service.url}/checkpoint`)).text();
  const cp = parseCheckpoint(verifyNote(note, [createNoteVerifier(parseVerifierKey(info.verifierKey))]).note.text);
  t.equal(cp.size, 4);
  t.equal(cp.origin, config.logOrigin);
  const operator = readActorKey(genesisOperatorKeyPath(dataDir));
  const report = await verifyLog(createHttpLogSource(service.url, { signRead: createReadSigner({ seed: operator.seed }) }), { trustedKeys: [info.verifierKey] });
  t.ok(report.ok, JSON.stringify(report.failure));
  await service.stop();
  await service.stop(); // idempotent

  const again = await startService(config, { logger });
  const info2 = (await (await fetch(`${again.url}/v1/log`)).json()) as { verifierKey: string; size: number };
  t.equal(info2.verifierKey, info.verifierKey, 'same key after restart');
  t.equal(info2.size, 4, 'no second genesis, no second activation');
  await again.stop();
});

t.test('a store whose registry rows were deleted is refused, not given a second genesis operator', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0' });
  const first = await startService(config, { logger });
  await first.stop();
  const raw = new Database(join(dataDir, DATABASE_FILE));
  raw.exec('DELETE FROM registry_keys; DELETE FROM registry_actors;');
  const size = (raw.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
  raw.close();
  await t.rejects(startService(config, { logger }), { code: 'LEDGER_INTEGRITY', message: /registry\.genesis-operator at index 3/ });
  const after = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  t.equal((after.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n, size, 'nothing was written on top');
  after.close();
});

t.test('a data directory of another origin is refused at start-up', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const first = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger });
  await first.stop();
  const lines: Array<{ msg: string }> = [];
  const capture = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  await t.rejects(startService(loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_ORIGIN: 'other.example/log' }), { logger: capture }), { code: 'LEDGER_ORIGIN_MISMATCH' });
  // The refused start closed the statement workers it had begun to start: nothing failed there.
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(lines.filter((l) => /worker/.test(l.msg)), [], 'no warning about workers the refused start closed');
});

t.test('one process per data directory; a killed holder leaves no stale lock', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0' });
  const first = await startService(config, { logger });
  await t.rejects(startService(config, { logger }), { code: 'LEDGER_LOCKED' }, 'a second service on the same directory is refused');
  await first.stop();
  const again = await startService(config, { logger });
  t.pass('released on stop: the directory can be opened again');
  await again.stop();
  // A process killed while holding the lock: the kernel releases it with the process.
  const holder = spawnSync(process.execPath, ['-e', `const D=require(${JSON.stringify(require.resolve('better-sqlite3'))});const d=new D(${JSON.stringify(join(dataDir, 'rxledger.lock'))});d.exec('BEGIN EXCLUSIVE');process.kill(process.pid,'SIGKILL')`]);
  t.equal(holder.signal, 'SIGKILL');
  const afterKill = await startService(config, { logger });
  t.pass('a lock held by a killed process is gone with it');
  await afterKill.stop();
});

t.test('the authentication policy is recorded in the log when it changes', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const first = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger });
  const size = first.ledger.size();
  await first.stop();
  const same = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger });
  t.equal(same.ledger.size(), size, 'unchanged policy: nothing recorded');
  await same.stop();
  const wider = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0', AUTH_TIMESTAMP_WINDOW_MS: '600000' }), { logger });
  t.equal(wider.ledger.size(), size + 1, 'a new window is recorded');
  const last = wider.ledger.entries(size, size + 1)[0]!;
  t.same(JSON.parse(Buffer.from(last.data).toString('utf8')).body, { timestampWindowMs: 600000 });
  await wider.stop();
});

t.test('the rate limiter’s statement check: the actor only when its own live key signed', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0' });
  const opened = await openServiceLedger(config, { logger });
  stopBeforeRemoval(() => opened.close());
  const key = readActorKey(genesisOperatorKeyPath(dataDir));
  const operator = createStatementSigner({ origin: config.logOrigin, actorId: key.actorId, seed: key.seed });
  const payload = { institutionId: 'h-1', kind: 'hospital', name: 'H', region: '370100', licence: 'L' };
  const signed = operator.sign('registry.institution-register', payload);
  t.equal(opened.statementActor(signed), 'op-genesis', 'a genuine statement names its signer');
  t.equal(opened.statementActor({ ...signed, statement: { ...signed.statement, payload: { ...payload, name: 'other' } } }), undefined, 'a signature over other bytes');
  t.equal(opened.statementActor({ ...signed, statement: { ...signed.statement, actor: 'dr-li' } }), undefined, 'another actor named');
  const stranger = createStatementSigner({ origin: config.logOrigin, actorId: 'op-genesis', seed: new Uint8Array(32).fill(9) });
  t.equal(opened.statementActor(stranger.sign('registry.institution-register', payload)), undefined, 'an unregistered key');
  const elsewhere = createStatementSigner({ origin: 'other.example/log', actorId: key.actorId, seed: key.seed });
  t.equal(opened.statementActor(elsewhere.sign('registry.institution-register', payload)), undefined, 'a statement for another log');
  for (const junk of [undefined, null, 'x', {}, { statement: {} }]) t.equal(opened.statementActor(junk), undefined, `not a statement: ${JSON.stringify(junk)}`);

  // A second operator key, then revoked: its statements no longer count as the operator's.
  const second = createStatementSigner({ origin: config.logOrigin, actorId: key.actorId, seed: new Uint8Array(32).fill(11) });
  await opened.ledger.append('registry.key-add', operator.sign('registry.key-add', { actorId: key.actorId, publicKey: encodeBase64(second.publicKey), notBefore: Date.now() - 1000 }));
  t.equal(opened.statementActor(second.sign('registry.institution-register', payload)), 'op-genesis', 'the new key is the operator’s');
  await opened.ledger.append('registry.key-revoke', operator.sign('registry.key-revoke', { actorId: key.actorId, keyId: second.keyId, reason: 'compromised' }));
  t.equal(opened.statementActor(second.sign('registry.institution-register', payload)), undefined, 'a revoked key is nobody’s');
});

t.test('a ledger file from an older build is upgraded at start, and the operator is told', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0' });
  const first = await startService(config, { logger });
  const lines: Array<{ msg: string; from?: number; to?: number; tookMs?: number }> = [];
  const capture = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  await first.stop();
  // As schema 12 left it: no check summaries (13), no records of reads signed ahead (14).
  const raw = new Database(join(dataDir, DATABASE_FILE));
  const latest = raw.pragma('user_version', { simple: true }) as number;
  t.equal(latest, 14, 'the latest schema (the lines below undo 13 and 14)');
  raw.exec('ALTER TABLE rx_prescriptions DROP COLUMN check_summary; DROP TABLE read_ahead_horizons; PRAGMA user_version = 12;');
  raw.close();
  const again = await startService(config, { logger: capture });
  stopBeforeRemoval(() => again.stop());
  t.match(
    lines.filter((l) => l.msg.includes('ledger database schema')),
    [
      { msg: /^upgrading the ledger database schema/, from: 12, to: latest },
      { msg: 'upgraded the ledger database schema', from: 12, to: latest, tookMs: Number },
    ],
  );
  t.equal(((await (await fetch(`${again.url}/v1/log`)).json()) as { size: number }).size, 4, 'and it serves the same log');
});

t.test('a projection far behind the log is folded in the background, not before the service listens', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const first = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger });
  await first.stop();
  const lines: Array<{ msg: string; size?: number; logSize?: number }> = [];
  const capture = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  // Other oversight settings: the projection is cleared and refolded from the start of the log.
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', OVERSIGHT_EARLY_REFILL_TOLERANCE_PERCENT: '40' });
  const opened = await openServiceLedger(config, { logger: capture, oversightStartupBatches: 0 });
  stopBeforeRemoval(() => opened.close());
  const behind = lines.find((l) => l.msg === 'oversight projection behind the log: folding the rest in the background');
  t.match(behind, { size: 0, logSize: opened.ledger.size() }, 'nothing folded before listening, and said so');
  t.notOk(lines.some((l) => l.msg === 'oversight projection caught up with the log'));
  t.equal(opened.oversight.catchUp().size, opened.ledger.size(), 'the rest folds afterwards');
  lines.length = 0;
  await opened.close();
  const again = await openServiceLedger(config, { logger: capture });
  stopBeforeRemoval(() => again.close());
  t.match(lines.find((l) => l.msg === 'oversight projection caught up with the log'), { size: again.ledger.size() }, 'a projection up to date is caught up at start-up');
});

t.test('a signed read captured before a restart cannot be replayed after it', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0' });
  const first = await startService(config, { logger });
  const operator = readActorKey(genesisOperatorKeyPath(dataDir));
  const path = '/v1/log/entries?start=0&end=1';
  const headers = createReadSigner({ seed: operator.seed })('GET', path);
  t.equal((await fetch(`${first.url}${path}`, { headers })).status, 200, 'the read, answered');
  const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
  t.equal(await codeOf(await fetch(`${first.url}${path}`, { headers })), 'AUTH_NONCE_REUSED', 'its replay refused');
  const signedBeforeStop = createReadSigner({ seed: operator.seed })('GET', path);
  await first.stop();
  const again = await startService(config, { logger });
  stopBeforeRemoval(() => again.stop());
  const replay = await fetch(`${again.url}${path}`, { headers });
  t.same([replay.status, await codeOf(replay)], [401, 'AUTH_NONCE_REUSED'], 'refused after the restart too');
  t.equal((await fetch(`${again.url}${path}`, { headers: createReadSigner({ seed: operator.seed })('GET', path) })).status, 200, 'a fresh read is answered');
  t.equal((await fetch(`${again.url}${path}`, { headers: signedBeforeStop })).status, 200, 'and so is one signed before the stop but first sent after it: the stop handed its nonces over (test/main.test.ts: a crash does not)');
  const raw = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  stopBeforeRemoval(() => raw.close());
  t.equal((raw.prepare('SELECT count(*) AS n FROM read_nonces').get() as { n: number }).n, 0, 'taken back at start: nothing saved while running');
  t.equal((raw.prepare('SELECT count(*) AS n FROM read_nonce_handover').get() as { n: number }).n, 0, 'nor the mark of a handover');
});
