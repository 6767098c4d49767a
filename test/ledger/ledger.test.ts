import t from 'tap';
import Database from 'better-sqlite3';
import { encodeBase64 } from '../../src/core/bytes.js';
import { parseCheckpoint } from '../../src/core/checkpoint.js';
import { GENESIS_PREV, parseEntry } from '../../src/core/entry.js';
import { hashLeaf } from '../../src/core/merkle-hash.js';
import { verifyConsistency, verifyInclusion } from '../../src/core/merkle-verify.js';
import { createNoteVerifier, formatVerifierKey } from '../../src/core/note-keys.js';
import { parseSignedNote, verifyNote } from '../../src/core/signed-note.js';
import { CHECKPOINT_KEYS_TYPE, openLedger } from '../../src/ledger/ledger.js';
import { openDatabase } from '../../src/store/database.js';
import { createLedgerStore } from '../../src/store/ledger-store.js';
import { rejectsCode, throwsCode } from '../support/assert-code.js';
import { TEST_ENTRY_SCHEMAS, TEST_ORIGIN, appendEvents, buildTestLedger, manualClock, openTestLedger, testKey } from '../support/test-ledger.js';

t.test('appends are sequenced into a hash chain and survive reopening', async (t) => {
  const dir = t.testdir();
  const clock = manualClock();
  const { ledger } = openTestLedger(dir, { clock });
  const genesis = await ledger.recordCheckpointKeys();
  t.equal(genesis?.index, 0);
  t.equal(genesis?.entry.prev, encodeBase64(GENESIS_PREV));
  const results = await Promise.all([1, 2, 3].map((n) => ledger.append('test.event', { n })));
  t.same(results.map((r) => r.index), [1, 2, 3]);
  t.equal(results[0]?.entry.prev, encodeBase64(genesis!.leafHash));
  t.equal(results[2]?.entry.prev, encodeBase64(results[1]!.leafHash));
  t.equal(ledger.size(), 4);
  await ledger.close();

  const reopened = openTestLedger(dir, { clock }).ledger;
  t.equal(reopened.size(), 4);
  const stored = reopened.entries(0, 10);
  t.equal(stored.length, 4);
  t.same(hashLeaf(stored[3]!.data), results[2]!.leafHash);
  const next = await reopened.append('test.event', { n: 4 });
  t.equal(next.entry.prev, encodeBase64(results[2]!.leafHash), 'the chain continues after a restart');
  t.equal(await reopened.recordCheckpointKeys(), undefined, 'unchanged keys are not recorded again');
  await reopened.close();
});

t.test('concurrent appends share commits (group commit)', async (t) => {
  const { ledger, store } = openTestLedger(t.testdir());
  let commits = 0;
  const appendBatch = store.appendBatch.bind(store);
  store.appendBatch = (batch) => {
    commits++;
    appendBatch(batch);
  };
  await appendEvents(ledger, 0, 1000);
  t.equal(ledger.size(), 1000);
  t.ok(commits >= 1 && commits <= 5, `1000 concurrent appends took ${commits} commits`);
  await ledger.close();
});

t.test('bad input is refused and writes nothing', async (t) => {
  const { ledger } = openTestLedger(t.testdir());
  await ledger.recordCheckpointKeys();
  await rejectsCode(t, ledger.append('test.unknown', { n: 1 }), 'ENTRY_TYPE_UNKNOWN');
  await rejectsCode(t, ledger.append('test.event', { n: 'one' }), 'ENTRY_BODY_INVALID');
  await rejectsCode(t, ledger.append('test.event', { n: 1, extra: true }), 'ENTRY_BODY_INVALID');
  await rejectsCode(t, ledger.append('test.event', { n: 1.5 }), 'ENTRY_BODY_INVALID');
  await rejectsCode(t, ledger.append('test.event', { n: 1, note: '\ud800' }), 'CANONICAL_JSON_INVALID');
  await rejectsCode(t, ledger.append('__proto__', {}), 'ENTRY_TYPE_UNKNOWN');
  t.equal(ledger.size(), 1);
  // An oversized entry fails alone; the rest of its batch commits.
  const [big, ok] = await Promise.allSettled([
    ledger.append('test.event', { n: 1, note: 'x'.repeat(70_000) }),
    ledger.append('test.event', { n: 2 }),
  ]);
  t.equal(big.status, 'rejected');
  t.equal(ok.status === 'fulfilled' ? ok.value.index : -1, 1);
  t.equal(ledger.size(), 2);
  await ledger.close();
});

t.test('a body checked at the edge is appended as checked; anything else is validated on append', async (t) => {
  const { ledger } = openTestLedger(t.testdir());
  await ledger.recordCheckpointKeys();
  t.equal(ledger.checkBody('test.event', { n: 'one' }), undefined, 'a body its schema refuses');
  t.equal(ledger.checkBody('test.unknown', { n: 1 }), undefined, 'a type not in the union');
  t.equal(ledger.checkBody(CHECKPOINT_KEYS_TYPE, { origin: TEST_ORIGIN, keys: [] }), undefined, 'a reserved type');
  const checked = ledger.checkBody('test.event', { n: 1 });
  t.same(checked, { n: 1 });
  const viaEdge = await ledger.append('test.event', checked);
  const direct = await ledger.append('test.event', { n: 1 });
  t.same(viaEdge.entry.body, direct.entry.body);
  // Checked for one type, a body is validated again when appended as another.
  const other = ledger.checkBody('test.event', { n: 2 });
  await rejectsCode(t, ledger.append('test.unknown', other), 'ENTRY_TYPE_UNKNOWN');
  t.equal(ledger.size(), 3);
  await ledger.close();
});

t.test('a failed commit rejects its batch and leaves no trace', async (t) => {
  const { ledger, store } = openTestLedger(t.testdir());
  await appendEvents(ledger, 0, 3);
  const appendBatch = store.appendBatch.bind(store);
  store.appendBatch = () => {
    throw new Error('disk full');
  };
  const failed = await Promise.allSettled([ledger.append('test.event', { n: 3 }), ledger.append('test.event', { n: 4 })]);
  t.same(failed.map((r) => r.status), ['rejected', 'rejected']);
  t.equal(ledger.size(), 3);
  store.appendBatch = appendBatch;
  const next = await ledger.append('test.event', { n: 5 });
  t.equal(next.index, 3, 'the index is reused: nothing of the failed batch was sequenced');
  t.equal(ledger.publishCheckpoint() !== null, true);
  await ledger.close();
});

t.test('time along the log never decreases', async (t) => {
  const clock = manualClock(5_000_000);
  const { ledger } = openTestLedger(t.testdir(), { clock });
  const a = await ledger.append('test.event', { n: 1 });
  clock.set(4_000_000);
  const b = await ledger.append('test.event', { n: 2 });
  t.equal(a.entry.time, 5_000_000);
  t.equal(b.entry.time, 5_000_000, 'a clock that went back does not move entry time back');
  clock.set(6_000_000);
  t.equal((await ledger.append('test.event', { n: 3 })).entry.time, 6_000_000);
  await ledger.close();
});

t.test('close drains in-flight appends, publishes a final checkpoint, then refuses appends', async (t) => {
  const { ledger, dbPath } = openTestLedger(t.testdir());
  await ledger.recordCheckpointKeys();
  ledger.publishCheckpoint();
  const inflight = Array.from({ length: 50 }, (_, n) => ledger.append('test.event', { n }));
  await ledger.close();
  const settled = await Promise.allSettled(inflight);
  t.ok(settled.every((s) => s.status === 'fulfilled'), 'every in-flight append was committed');
  await rejectsCode(t, ledger.append('test.event', { n: 99 }), 'LEDGER_CLOSED');
  const db = new Database(dbPath, { readonly: true });
  const note = (db.prepare('SELECT latest_checkpoint AS n FROM log_state').get() as { n: string }).n;
  db.close();
  t.equal(parseCheckpoint(parseSignedNote(note).text).size, 51, 'the final checkpoint covers everything');
});

t.test('proofs from the ledger verify against its roots', async (t) => {
  const { ledger } = await buildTestLedger(t.testdir(), 300);
  const size = ledger.size();
  for (const index of [0, 1, 150, 299, 300]) {
    verifyInclusion(ledger.leafHash(index), index, size, ledger.inclusionProof(index, size), ledger.root());
    verifyInclusion(ledger.leafHash(index), index, 301, ledger.inclusionProof(index, 301), ledger.root(301));
  }
  for (const from of [1, 7, 64, 200, 301]) verifyConsistency(from, size, ledger.consistencyProof(from, size), ledger.root(from), ledger.root());
  throwsCode(t, () => ledger.inclusionProof(0, size + 1), 'PROOF_RANGE_INVALID');
  throwsCode(t, () => ledger.root(size + 1), 'PROOF_RANGE_INVALID');
  throwsCode(t, () => ledger.leafHash(size), 'LOG_INDEX_NOT_FOUND');
  t.pass('proofs verify');
  await ledger.close();
});

t.test('checkpoints: signed, published only on growth, consistent with the previous one', async (t) => {
  const { ledger } = await buildTestLedger(t.testdir(), 10);
  const first = ledger.latestCheckpoint()!;
  const verifier = createNoteVerifier(testKey());
  const cp = parseCheckpoint(verifyNote(first, [verifier]).note.text);
  t.equal(cp.origin, TEST_ORIGIN);
  t.equal(cp.size, 11);
  t.same(cp.rootHash, ledger.root());
  t.equal(ledger.publishCheckpoint(), null, 'no new entries, no new checkpoint');
  await appendEvents(ledger, 10, 5);
  const second = parseCheckpoint(verifyNote(ledger.publishCheckpoint()!, [verifier]).note.text);
  t.equal(second.size, 16);
  await ledger.close();
});

t.test('the ledger refuses to sign a checkpoint inconsistent with the last one', async (t) => {
  // 17 entries; checkpoint at 9. An insider rewrites a stored subtree hash that the consistency
  // proof from 9 to 17 uses (leaves 0..7), or the one the new root is made of (leaves 0..15).
  const cases = [
    { level: 3, code: 'CHECKPOINT_INCONSISTENT' as const },
    { level: 4, code: 'LEDGER_INTEGRITY' as const },
  ];
  for (const { level, code } of cases) {
    const { ledger, dbPath } = await buildTestLedger(t.testdir(), 8);
    await appendEvents(ledger, 8, 8);
    const raw = new Database(dbPath);
    raw.prepare('UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = ? AND idx = 0').run(level);
    raw.close();
    throwsCode(t, () => ledger.publishCheckpoint(), code, `node at level ${level} rewritten`);
    throwsCode(t, () => ledger.publishCheckpoint(), 'CHECKPOINT_INCONSISTENT', 'and publishing stays halted');
    await ledger.close();
  }
});

t.test('publishing is compare-and-swap: a concurrent writer is detected', async (t) => {
  const { ledger, dbPath } = await buildTestLedger(t.testdir(), 4);
  await appendEvents(ledger, 4, 2);
  const raw = new Database(dbPath);
  raw.prepare("UPDATE log_state SET latest_checkpoint = latest_checkpoint || ' '").run();
  raw.close();
  throwsCode(t, () => ledger.publishCheckpoint(), 'CHECKPOINT_CONFLICT');
  await ledger.close().catch(() => undefined);
});

t.test('start-up checks the head in O(log n) and refuses a damaged store', async (t) => {
  const cases: Record<string, string> = {
    'last entry altered': "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), '\"n\":19', '\"n\":91') AS BLOB) WHERE idx = (SELECT max(idx) FROM entries)",
    'right-edge node altered': 'UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 4 AND idx = 0',
    'right-edge node deleted': 'DELETE FROM tree_nodes WHERE level = 2 AND idx = 4',
    'last leaf hash altered': 'UPDATE entries SET leaf_hash = zeroblob(32) WHERE idx = (SELECT max(idx) FROM entries)',
    'checkpoint replaced by one of another log': "UPDATE log_state SET latest_checkpoint = replace(latest_checkpoint, 'test.example', 'evil.example')",
  };
  for (const [what, sql] of Object.entries(cases)) {
    const dir = t.testdir();
    const { ledger, dbPath } = await buildTestLedger(dir, 20);
    await ledger.close();
    const raw = new Database(dbPath);
    raw.prepare(sql).run();
    raw.close();
    t.throws(() => openTestLedger(dir), what);
  }
  const dir = t.testdir();
  const { ledger } = await buildTestLedger(dir, 3);
  await ledger.close();
  throwsCode(t, () => openTestLedger(dir, { origin: 'other.example/log' }), 'LEDGER_ORIGIN_MISMATCH');
});

t.test('key rotation: every key signs, and each change of the set is recorded in the log', async (t) => {
  const dir = t.testdir();
  const k1 = testKey(1);
  const k2 = testKey(2);
  const first = await buildTestLedger(dir, 2, { signingKeys: [k1] });
  await first.ledger.close();

  const open = (keys: typeof k1[]) => {
    const store = createLedgerStore(openDatabase(first.dbPath));
    return openLedger({ store, origin: TEST_ORIGIN, signingKeys: keys, clock: manualClock(), entryBodySchemas: TEST_ENTRY_SCHEMAS });
  };
  const both = open([k1, k2]);
  const recorded = await both.recordCheckpointKeys();
  t.equal(recorded?.entry.type, CHECKPOINT_KEYS_TYPE);
  t.same(recorded?.entry.body.keys, [formatVerifierKey(k1), formatVerifierKey(k2)].sort());
  const note = both.publishCheckpoint()!;
  t.equal(verifyNote(note, [createNoteVerifier(k1)]).verifiedBy.length, 1, 'old verifiers still accept');
  t.equal(verifyNote(note, [createNoteVerifier(k2)]).verifiedBy.length, 1, 'new verifiers accept');
  await both.close();

  const onlyNew = open([k2]); // the old key is retired; the last checkpoint was signed by both
  const rotated = await onlyNew.recordCheckpointKeys();
  t.same(rotated?.entry.body.keys, [formatVerifierKey(k2)]);
  const last = onlyNew.publishCheckpoint()!;
  t.equal(parseSignedNote(last).signatures.length, 1);
  t.equal(parseEntry(onlyNew.entries(0, 1)[0]!.data).type, CHECKPOINT_KEYS_TYPE, 'the genesis entry records the first key set');
  await onlyNew.close();
});

t.test('appenders cannot write the ledger\'s own key records', async (t) => {
  const { ledger } = openTestLedger(t.testdir());
  await rejectsCode(t, ledger.append(CHECKPOINT_KEYS_TYPE, { origin: TEST_ORIGIN, keys: [formatVerifierKey(testKey(5))] }), 'ENTRY_TYPE_RESERVED');
  t.equal(ledger.size(), 0);
  await ledger.close();
});
