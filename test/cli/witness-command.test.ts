/**
 * `rxledger witness` against logs served over real HTTP on 127.0.0.1: key creation, cosigning a
 * growing log, witnesses converging on one checkpoint, refusing rollbacks and split views with
 * evidence, and state that is durable before the cosignature leaves.
 */
import t from 'tap';
import { chmodSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseCheckpoint } from '../../src/core/checkpoint.js';
import { parseCosignatureLine, parseCosignerVerifierKey } from '../../src/core/cosignature.js';
import { createNoteVerifier, parseVerifierKey } from '../../src/core/note-keys.js';
import { parseSignedNote } from '../../src/core/signed-note.js';
import { verifyCosignedCheckpoint } from '../../src/core/witness-quorum.js';
import { runWitness } from '../../src/cli/witness-command.js';
import { createLedgerClient } from '../../src/client/ledger-client.js';
import { checkEvidence, parseEvidence } from '../../src/monitor/evidence.js';
import { createWitness } from '../../src/witness/witness.js';
import { readWitnessKey } from '../../src/witness/witness-key-file.js';
import { LOG_VKEY, serveTestLog, sink } from '../support/witness-fixtures.js';
import { testdirWithStops } from '../support/testdir.js';

async function witness(...args: string[]) {
  const out = sink();
  const err = sink();
  const status = await runWitness(args, { stdout: out.stream, stderr: err.stream });
  return { status, stdout: out.text(), stderr: err.text() };
}

async function initWitness(dir: string, name: string): Promise<string> {
  const res = await witness('--init', '--name', name, '--state-dir', dir, '--json');
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout).verifierKey as string;
}

const logVerifiers = [createNoteVerifier(parseVerifierKey(LOG_VKEY))];
const sizeOf = (note: string) => parseCheckpoint(parseSignedNote(note).text).size;

t.test('--init creates a private key once; --show-key prints its vkey', async (t) => {
  const base = t.testdir();
  const dir = join(base, 'w');
  const init = await witness('--init', '--name', 'witness.nhc.example/w1', '--state-dir', dir);
  t.equal(init.status, 0, init.stderr);
  const vkey = /\n(witness\.nhc\.example\/w1\+[0-9a-f]{8}\+\S+)\n/.exec(init.stdout)?.[1] as string;
  t.ok(parseCosignerVerifierKey(vkey));
  t.equal(statSync(join(dir, 'witness.key')).mode & 0o777, 0o600);
  t.equal(statSync(dir).mode & 0o777, 0o700);
  t.match(readFileSync(join(dir, 'witness.key'), 'utf8'), /^PRIVATE\+KEY\+witness\.nhc\.example\/w1\+[0-9a-f]{8}\+B[A-P]/);
  const show = await witness('--show-key', '--state-dir', dir);
  t.equal(show.stdout, `${vkey}\n`);
  const again = await witness('--init', '--name', 'witness.nhc.example/w1', '--state-dir', dir);
  t.equal(again.status, 3, 'never replaces a key');
  t.match(again.stderr, /exists already/);
  t.equal((await witness('--init', '--state-dir', dir)).status, 2, 'no name');
  t.equal((await witness('--init', '--name', 'bad name', '--state-dir', join(base, 'x'))).status, 2);
  chmodSync(join(dir, 'witness.key'), 0o644);
  t.equal((await witness('--show-key', '--state-dir', dir)).status, 3, 'a readable key file is refused');
});

t.test('cosigns a growing log after checking consistency, and the ledger collects it', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const stateDir = join(dir, 'w1');
  const vkey = await initWitness(stateDir, 'witness.nhc.example/w1');
  const log = await serveTestLog(join(dir, 'log'), 4, { witnessKeys: [vkey] });
  stopBeforeRemoval(() => log.close());
  const args = ['--url', log.url, '--key', LOG_VKEY, '--state-dir', stateDir, '--once', '--json'];
  const first = await witness(...args);
  t.equal(first.status, 0, first.stderr);
  const report = JSON.parse(first.stdout);
  t.same([report.status, report.size, report.submitted], ['first', 5, true]);
  const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8'));
  t.same([state.checkpoint, state.cosignature], [log.ledger.latestCheckpoint(), report.cosignature], 'the state names what was cosigned');
  const cosigned = await (await fetch(`${log.url}/checkpoint/cosigned`)).text();
  t.equal(cosigned, `${log.ledger.latestCheckpoint()}${report.cosignature}`);
  t.ok(verifyCosignedCheckpoint(cosigned, logVerifiers, { witnesses: [parseCosignerVerifierKey(vkey)], threshold: 1 }));

  await log.grow(4, 6);
  const grown = JSON.parse((await witness(...args)).stdout);
  t.same([grown.status, grown.previousSize, grown.size, grown.submitted], ['advanced', 5, 11, true]);
  const again = JSON.parse((await witness(...args)).stdout);
  t.same([again.status, again.size], ['unchanged', 11], 'an unchanged log is cosigned again, with a fresh time');
  t.ok(again.timestamp >= grown.timestamp);
  t.equal(readdirSync(stateDir).filter((f) => f.startsWith('evidence-')).length, 0);
});

t.test('two witnesses converge on one checkpoint so that 2 of 2 can be met', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const [d1, d2] = [join(dir, 'w1'), join(dir, 'w2')];
  const keys = [await initWitness(d1, 'witness.nhc.example/w1'), await initWitness(d2, 'witness.sd.example/w2')];
  const log = await serveTestLog(join(dir, 'log'), 4, { witnessKeys: keys });
  stopBeforeRemoval(() => log.close());
  const run = (d: string) => witness('--url', log.url, '--key', LOG_VKEY, '--state-dir', d, '--once', '--json');
  t.equal(JSON.parse((await run(d1)).stdout).size, 5);
  await log.grow(4, 3);
  // w2 sees a checkpoint w1 cosigned and it has not: it cosigns that one, not the latest.
  t.equal(JSON.parse((await run(d2)).stdout).size, 5);
  const quorum = await (await fetch(`${log.url}/checkpoint/cosigned?min=2`)).text();
  const policy = { witnesses: keys.map(parseCosignerVerifierKey), threshold: 2 };
  t.equal(verifyCosignedCheckpoint(quorum, logVerifiers, policy).witnessedBy.length, 2);
  // w1 already cosigned that one: it moves on to the latest; then w2 follows again.
  t.equal(JSON.parse((await run(d1)).stdout).size, 8);
  t.equal(JSON.parse((await run(d2)).stdout).size, 8);
  t.equal(sizeOf(await (await fetch(`${log.url}/checkpoint/cosigned?min=2`)).text()), 8);
});

t.test('refuses a split view and a rollback: evidence, nothing cosigned, state unchanged', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const stateDir = join(dir, 'w1');
  const vkey = await initWitness(stateDir, 'witness.nhc.example/w1');
  const honest = await serveTestLog(join(dir, 'honest'), 4, { witnessKeys: [vkey] });
  const fork = await serveTestLog(join(dir, 'fork'), 4, { first: 1000, witnessKeys: [vkey] });
  const shorter = await serveTestLog(join(dir, 'short'), 1, { witnessKeys: [vkey] });
  stopBeforeRemoval(async () => {
    await honest.close();
    await fork.close();
    await shorter.close();
  });
  t.equal((await witness('--url', honest.url, '--key', LOG_VKEY, '--state-dir', stateDir, '--once')).status, 0);
  const before = readFileSync(join(stateDir, 'state.json'), 'utf8');
  const split = await witness('--url', fork.url, '--key', LOG_VKEY, '--state-dir', stateDir, '--once');
  t.equal(split.status, 1);
  t.match(split.stderr, /CONFLICT split-view.*nothing cosigned/);
  t.equal((await fetch(`${fork.url}/checkpoint/cosigned`)).status, 404, 'the fork got no cosignature');
  const rollback = await witness('--url', shorter.url, '--key', LOG_VKEY, '--state-dir', stateDir, '--once', '--json');
  t.same([rollback.status, JSON.parse(rollback.stdout).conflict], [1, 'rollback']);
  t.equal((await fetch(`${shorter.url}/checkpoint/cosigned`)).status, 404);
  t.equal(readFileSync(join(stateDir, 'state.json'), 'utf8'), before, 'the state is what it cosigned before');
  const files = readdirSync(stateDir).filter((f) => f.startsWith('evidence-')).sort();
  t.equal(files.length, 2);
  for (const f of files) t.ok(checkEvidence(parseEvidence(readFileSync(join(stateDir, f), 'utf8')), [LOG_VKEY]), `${f} checks out`);
});

t.test('the state is durable before submission; a refused submission is reported; time never goes back', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const stateDir = join(dir, 'w1');
  await initWitness(stateDir, 'witness.nhc.example/w1');
  const log = await serveTestLog(join(dir, 'log'), 4); // the ledger does not know this witness
  stopBeforeRemoval(() => log.close());
  const res = await witness('--url', log.url, '--key', LOG_VKEY, '--state-dir', stateDir, '--once', '--json');
  t.equal(res.status, 3);
  const report = JSON.parse(res.stdout);
  t.equal(report.submitError.code, 'WITNESS_UNKNOWN');
  t.equal(JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')).cosignature, report.cosignature, 'recorded anyway: it was cosigned');

  let now = Date.now();
  const w = createWitness({ source: createLedgerClient(log.url), sourceName: log.url, logKeys: [LOG_VKEY], key: readWitnessKey(stateDir), stateDir, clock: () => now });
  const a = await w.cosign();
  now -= 3_600_000;
  const b = await w.cosign();
  t.ok((b.timestamp as number) >= (a.timestamp as number), 'a clock stepping back does not date a cosignature earlier');
  t.equal(parseCosignatureLine(b.cosignature as string).timestamp, b.timestamp);

  t.equal((await witness('--url', log.url, '--state-dir', stateDir, '--once')).status, 2, 'no log key');
  t.equal((await witness('--url', log.url, '--key', LOG_VKEY, '--state-dir', join(dir, 'nokey'), '--once')).status, 3, 'no witness key');
  t.equal((await witness('--bogus')).status, 2);
});
