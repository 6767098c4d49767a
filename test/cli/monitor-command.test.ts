/**
 * `rxledger monitor` against logs served over real HTTP on 127.0.0.1: it follows a growing log,
 * keeps its state, and on a split view, an inconsistent proof or a rollback stops with exit 1 and
 * an evidence file that `--check-evidence` (and anyone with the log key) can check.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatVerifierKey } from '../../src/core/note-keys.js';
import { formatCosignatureLine, signCosignature, type CosignerSigningKey } from '../../src/core/cosignature.js';
import { parseSignedNote } from '../../src/core/signed-note.js';
import { runMonitor } from '../../src/cli/monitor-command.js';
import { checkEvidence, parseEvidence } from '../../src/monitor/evidence.js';
import { followLoop } from '../../src/monitor/follow-loop.js';
import { testKey } from '../support/test-ledger.js';
import { LOG_VKEY, WITNESS_KEYS, serveTestLog, sink, witnessVkey } from '../support/witness-fixtures.js';
import { testdirWithStops } from '../support/testdir.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const runChild = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });

async function monitor(...args: string[]) {
  const out = sink();
  const err = sink();
  const status = await runMonitor(args, { stdout: out.stream, stderr: err.stream });
  return { status, stdout: out.text(), stderr: err.text() };
}

const evidenceFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('evidence-'));

t.test('follows a growing log and keeps its last verified checkpoint', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const log = await serveTestLog(dir, 4);
  stopBeforeRemoval(() => log.close());
  const state = join(dir, 'state');
  const first = await monitor('--url', log.url, '--key', LOG_VKEY, '--state-dir', state, '--once');
  t.equal(first.status, 0, first.stderr);
  t.match(first.stdout, /^first\s+test\.example\/ledger size 5/);
  t.equal(statSync(join(state, 'state.json')).mode & 0o777, 0o600);
  t.equal(JSON.parse(readFileSync(join(state, 'state.json'), 'utf8')).checkpoint, log.ledger.latestCheckpoint());
  const same = await monitor('--url', log.url, '--key', LOG_VKEY, '--state-dir', state, '--once', '--json');
  t.equal(JSON.parse(same.stdout).status, 'unchanged');
  await log.grow(4, 7);
  const grown = await monitor('--url', log.url, '--key', LOG_VKEY, '--state-dir', state, '--once', '--json');
  t.same([grown.status, JSON.parse(grown.stdout).status, JSON.parse(grown.stdout).previousSize, JSON.parse(grown.stdout).size], [0, 'advanced', 5, 12]);
  t.equal(evidenceFiles(state).length, 0);

  const wrongKey = await monitor('--url', log.url, '--key', formatVerifierKey(testKey(3)), '--state-dir', state, '--once', '--json');
  t.equal(wrongKey.status, 3, 'a note no trusted key signed is a failure, not evidence');
  t.equal(JSON.parse(wrongKey.stderr).error.code, 'NOTE_UNVERIFIED');
  t.equal(evidenceFiles(state).length, 0);
});

t.test('a split view (same size, other root) stops with exit 1 and checkable evidence', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const honest = await serveTestLog(dir, 4);
  const fork = await serveTestLog(join(dir, 'fork'), 4, { first: 1000 });
  stopBeforeRemoval(async () => {
    await honest.close();
    await fork.close();
  });
  const state = join(dir, 'state');
  t.equal((await monitor('--url', honest.url, '--key', LOG_VKEY, '--state-dir', state, '--once')).status, 0);
  const split = await monitor('--url', fork.url, '--key', LOG_VKEY, '--state-dir', state, '--once');
  t.equal(split.status, 1);
  t.match(split.stderr, /CONFLICT split-view/);
  const [file] = evidenceFiles(state);
  t.ok(file, 'evidence written');
  const path = join(state, file as string);
  const evidence = parseEvidence(readFileSync(path, 'utf8'));
  t.same([evidence.kind, evidence.earlier, evidence.later], ['split-view', honest.ledger.latestCheckpoint(), fork.ledger.latestCheckpoint()]);
  t.equal(JSON.parse(readFileSync(join(state, 'state.json'), 'utf8')).checkpoint, honest.ledger.latestCheckpoint(), 'the conflicting checkpoint is not trusted');
  t.same(checkEvidence(evidence, [LOG_VKEY]).conclusive, true);

  // An independent check, by the command and by a person with only the log key.
  const checked = await monitor('--check-evidence', path, '--key', LOG_VKEY, '--json');
  t.same([checked.status, JSON.parse(checked.stdout).kind, JSON.parse(checked.stdout).conclusive], [0, 'split-view', true]);
  const otherKey = await monitor('--check-evidence', path, '--key', formatVerifierKey(testKey(3)));
  t.equal(otherKey.status, 1);
  t.match(otherKey.stdout, /NOTE_UNVERIFIED/);
  const doctored = join(dir, 'doctored.json');
  writeFileSync(doctored, JSON.stringify({ ...evidence, later: evidence.earlier }));
  t.match((await monitor('--check-evidence', doctored, '--key', LOG_VKEY)).stdout, /EVIDENCE_UNFOUNDED/);
  writeFileSync(doctored, '{"format":"something else"}');
  t.match((await monitor('--check-evidence', doctored, '--key', LOG_VKEY)).stdout, /EVIDENCE_MALFORMED/);
  const tampered = join(dir, 'tampered.json');
  writeFileSync(tampered, JSON.stringify({ ...evidence, later: evidence.later.replace(/\n5\n/, '\n6\n') }));
  t.match((await monitor('--check-evidence', tampered, '--key', LOG_VKEY)).stdout, /NOTE_SIGNATURE_INVALID/, 'a forged checkpoint proves nothing');

  const again = await monitor('--url', fork.url, '--key', LOG_VKEY, '--state-dir', state, '--once');
  t.equal(again.status, 1, `it keeps refusing the fork: ${again.stdout} ${again.stderr}`);
});

t.test('an inconsistent proof and a rollback are evidence too', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const honest = await serveTestLog(dir, 4);
  const longerFork = await serveTestLog(join(dir, 'fork'), 9, { first: 1000 });
  const shorter = await serveTestLog(join(dir, 'short'), 2);
  stopBeforeRemoval(async () => {
    await honest.close();
    await longerFork.close();
    await shorter.close();
  });
  const state = join(dir, 'state');
  t.equal((await monitor('--url', honest.url, '--key', LOG_VKEY, '--state-dir', state, '--once')).status, 0);
  const inconsistent = await monitor('--url', longerFork.url, '--key', LOG_VKEY, '--state-dir', state, '--once', '--json');
  t.same([inconsistent.status, JSON.parse(inconsistent.stdout).conflict], [1, 'inconsistent-proof']);
  const proofEvidence = parseEvidence(readFileSync(JSON.parse(inconsistent.stdout).evidencePath, 'utf8'));
  t.same([proofEvidence.proof?.from, proofEvidence.proof?.to], [5, 10]);
  const finding = checkEvidence(proofEvidence, [LOG_VKEY]);
  t.same([finding.kind, finding.conclusive], ['inconsistent-proof', false]);

  const rollback = await monitor('--url', shorter.url, '--key', LOG_VKEY, '--state-dir', state, '--once', '--json');
  t.same([rollback.status, JSON.parse(rollback.stdout).conflict, JSON.parse(rollback.stdout).size], [1, 'rollback', 3]);
  t.equal(checkEvidence(parseEvidence(readFileSync(JSON.parse(rollback.stdout).evidencePath, 'utf8')), [LOG_VKEY]).kind, 'rollback');
  t.equal(evidenceFiles(state).length, 2);
});

t.test('with --witness it follows only checkpoints k of n witnesses cosigned', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const log = await serveTestLog(dir, 4, { witnessKeys: [witnessVkey(0), witnessVkey(1)] });
  stopBeforeRemoval(() => log.close());
  const state = join(dir, 'state');
  const witnessArgs = ['--witness', witnessVkey(0), '--witness', witnessVkey(1)];
  const none = await monitor('--url', log.url, '--key', LOG_VKEY, '--state-dir', state, '--once', ...witnessArgs, '--json');
  t.same([none.status, JSON.parse(none.stderr).error.code], [3, 'WITNESS_THRESHOLD_NOT_MET']);
  const note = log.ledger.latestCheckpoint() as string;
  const cosign = (k: CosignerSigningKey) => fetch(`${log.url}/v1/checkpoint/cosignatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ checkpoint: note, cosignature: formatCosignatureLine(signCosignature(parseSignedNote(note).text, k, Math.floor(Date.now() / 1000))) }) });
  await cosign(WITNESS_KEYS[0] as CosignerSigningKey);
  const oneOfTwo = await monitor('--url', log.url, '--key', LOG_VKEY, '--state-dir', state, '--once', ...witnessArgs, '--witness-threshold', '1', '--json');
  t.same([oneOfTwo.status, JSON.parse(oneOfTwo.stdout).witnesses.length], [0, 1]);
  t.equal((await monitor('--url', log.url, '--key', LOG_VKEY, '--state-dir', state, '--once', ...witnessArgs)).status, 3, 'default threshold: all given');
  await cosign(WITNESS_KEYS[1] as CosignerSigningKey);
  const both = await monitor('--url', log.url, '--key', LOG_VKEY, '--state-dir', state, '--once', ...witnessArgs);
  t.equal(both.status, 0);
  t.match(both.stdout, /cosigned by witness\.test\.example\/w1, witness\.test\.example\/w2/);
});

t.test('usage errors exit 2; the loop runs until stopped; main.ts wires the command', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const state = join(dir, 'state');
  for (const args of [[], ['--url', 'http://127.0.0.1:1', '--state-dir', state], ['--key', LOG_VKEY, '--state-dir', state], ['--url', 'x', '--key', 'nonsense', '--state-dir', state], ['--url', 'x', '--key', LOG_VKEY, '--state-dir', state, '--witness-threshold', '1'], ['--url', 'x', '--key', LOG_VKEY, '--state-dir', state, '--witness', witnessVkey(0), '--witness-threshold', '2'], ['--url', 'x', '--key', LOG_VKEY, '--state-dir', state, '--witness', LOG_VKEY], ['--url', 'x', '--key', LOG_VKEY, '--state-dir', state, '--interval-ms', '0'], ['--bogus']]) {
    t.equal((await monitor(...args)).status, 2, args.join(' '));
  }
  t.equal((await monitor('--url', 'http://127.0.0.1:1', '--key', LOG_VKEY, '--state-dir', state, '--once')).status, 3, 'unreachable');

  // The loop: errors are retried, a conflict stops it, an abort ends it cleanly; sleeping is injected.
  const reports: string[] = [];
  const statuses = ['first', 'error', 'unchanged', 'conflict', 'advanced'];
  let i = 0;
  const end = await followLoop({
    step: async () => {
      const s = statuses[i++] as string;
      if (s === 'error') throw new Error('unreachable');
      return { status: s };
    },
    intervalMs: 5,
    once: false,
    onReport: (r) => reports.push(r.status),
    onError: () => reports.push('error'),
    sleep: async () => undefined,
  });
  t.same([end, reports], ['conflict', ['first', 'error', 'unchanged', 'conflict']]);
  const stop = new AbortController();
  const stopped = await followLoop({ step: async () => ({ status: 'unchanged' }), intervalMs: 5, once: false, signal: stop.signal, onReport: () => stop.abort(), onError: () => undefined, sleep: async () => undefined });
  t.equal(stopped, 'stopped');

  const log = await serveTestLog(dir, 2);
  stopBeforeRemoval(() => log.close());
  const child = await runChild('monitor', '--url', log.url, '--key', LOG_VKEY, '--state-dir', join(dir, 'child'), '--once');
  t.equal(child.status, 0, child.stderr);
  t.match(child.stdout, /^first/);
});
