/**
 * The oversight projection in SQLite: folding in any batches, across reopenings, equals folding
 * from scratch; a batch that fails leaves counters, alerts and cursor untouched (one
 * transaction); other settings refold from the start; the follower reads stored leaves (and a
 * damaged one stops its batch).
 */
import t from 'tap';
import { join } from 'node:path';
import { encodeEntry, parseEntry } from '../../src/core/entry.js';
import { createOversightFollower, storedEntry } from '../../src/oversight/oversight-follower.js';
import type { DrugClassifier } from '../../src/oversight/drug-classifier.js';
import { DEFAULT_OVERSIGHT_SETTINGS, type OversightSettings } from '../../src/oversight/oversight-settings.js';
import { openDatabase, schemaVersion } from '../../src/store/database.js';
import { createOversightStore, type OversightStore } from '../../src/store/oversight-store.js';
import { HOUR, sampleLog, testClassifier } from '../oversight/memory-projection.js';
import { testdirWithStops } from '../support/testdir.js';

const S: OversightSettings = { ...DEFAULT_OVERSIGHT_SETTINGS, doctorShopping: { ...DEFAULT_OVERSIGHT_SETTINGS.doctorShopping, prescribers: 2 } };

function open(path: string, settings = S, classify: DrugClassifier = testClassifier): { store: OversightStore; close(): void } {
  const db = openDatabase(path);
  return { store: createOversightStore(db, { settings, classify }), close: () => db.close() };
}

/** Everything a reader can see, for comparisons. */
function snapshot(store: OversightStore) {
  const stats = ['total', 'prescriber', 'institution', 'drugClass', 'rule'].flatMap((by) =>
    (['day', 'week', 'month'] as const).map((grain) => store.stats({ by: by as 'total', grain, from: '2026-01-01', to: '2026-12-31', limit: 1000 }).rows),
  );
  return { position: store.position(), stats, alerts: store.alerts({ limit: 500 }).alerts, summary: store.alertSummary() };
}

t.test('migration 7 creates the projection; an empty projection answers empty pages', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { store, close } = open(join(dir, 'o.sqlite'));
  stopBeforeRemoval(close);
  const second = openDatabase(join(dir, 'o.sqlite'));
  t.ok(schemaVersion(second) >= 7);
  second.close();
  t.same(store.position(), { size: 0, time: null });
  t.same(store.stats({ by: 'total', grain: 'day', from: '2026-01-01', to: '2026-12-31', limit: 10 }).rows, []);
  t.same(store.alerts({ limit: 10 }).alerts, []);
  t.equal(store.alertSummary()['doctor-shopping'].count, 0);
});

t.test('folding in batches, reopening in between, equals folding from scratch', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const entries = sampleLog();
  const scratch = open(join(dir, 'scratch.sqlite'));
  scratch.store.fold(entries);
  const expected = snapshot(scratch.store);
  scratch.close();
  t.equal(expected.position.size, entries.length);
  t.ok(expected.alerts.length > 0, 'the sample raises alerts');
  t.ok(expected.stats.some((rows) => rows.length > 1));

  const path = join(dir, 'incremental.sqlite');
  let at = 0;
  for (const size of [1, 2, 3, 7, 13, 50, 1000]) {
    const { store, close } = open(path);
    t.equal(store.position().size, at, 'resumes from its cursor');
    store.fold(entries.slice(at, at + size));
    at = Math.min(entries.length, at + size);
    close();
  }
  const { store, close } = open(path);
  stopBeforeRemoval(close);
  t.same(snapshot(store), expected);
  t.throws(() => store.fold(entries.slice(0, 1)), { code: 'ENTRY_INDEX_MISMATCH' }, 'an entry already folded is refused, not counted twice');
  t.same(snapshot(store), expected);
});

t.test('a batch that fails midway leaves counters, alerts and cursor as they were', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const entries = sampleLog();
  let explode = true;
  const flaky: DrugClassifier = (hash, code, name) => {
    if (explode && code === 'benzo-1') throw new Error('simulated crash inside the batch');
    return testClassifier(hash, code, name);
  };
  const { store, close } = open(join(dir, 'o.sqlite'), S, flaky);
  stopBeforeRemoval(close);
  store.fold(entries.slice(0, 5)); // day 0: amlodipine only
  const before = snapshot(store);
  t.throws(() => store.fold(entries.slice(5)), /simulated crash/);
  t.same(snapshot(store), before, 'nothing of the failed batch is visible');
  explode = false;
  store.fold(entries.slice(5));
  const scratch = open(join(dir, 'scratch.sqlite'));
  stopBeforeRemoval(scratch.close);
  scratch.store.fold(entries);
  t.same(snapshot(store), snapshot(scratch.store), 'retrying the batch gives the from-scratch result');
});

t.test('other settings clear the projection and fold again from the start', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const path = join(dir, 'o.sqlite');
  const entries = sampleLog();
  const first = open(path);
  first.store.fold(entries);
  t.notOk(first.store.rebuilt);
  first.close();
  const same = open(path);
  t.notOk(same.store.rebuilt, 'the same settings keep it');
  t.equal(same.store.position().size, entries.length);
  same.close();
  const other = open(path, { ...S, utcOffsetMinutes: 0 });
  stopBeforeRemoval(other.close);
  t.ok(other.store.rebuilt);
  t.same(other.store.position(), { size: 0, time: null });
  t.same(other.store.alerts({ limit: 10 }).alerts, []);
});

t.test('stats pages continue by (period, key); a key filter narrows them', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { store, close } = open(join(dir, 'o.sqlite'));
  stopBeforeRemoval(close);
  store.fold(sampleLog());
  const q = { by: 'prescriber' as const, grain: 'day' as const, from: '2026-11-23', to: '2026-12-31', limit: 3 };
  const seen: string[] = [];
  let page = store.stats(q);
  for (;;) {
    seen.push(...page.rows.map((r) => `${r.period} ${r.key}`));
    if (page.next === undefined) break;
    page = store.stats({ ...q, after: page.next });
  }
  t.equal(seen.length, 20, '10 days × 2 prescribers');
  t.same(seen, [...seen].sort());
  t.same(store.stats({ ...q, key: 'dr-b', limit: 100 }).rows.map((r) => r.key), Array(10).fill('dr-b'));
  const row = store.stats({ ...q, limit: 1 }).rows[0]!;
  t.equal(row.turnaround.submitToDispense.count, 1);
  t.equal(row.turnaround.submitToDispense.meanMs, 2 * HOUR);
  t.ok(Math.abs(row.turnaround.submitToDispense.p50Ms! - 2 * HOUR) / (2 * HOUR) < 0.05);
});

t.test('the follower folds stored leaves from the cursor, a batch at a time', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const entries = sampleLog();
  const leaves = entries.map((e) => ({ index: e.index, data: encodeEntry(e) }));
  let size = 10;
  const source = { size: () => size, entries: (start: number, end: number) => leaves.slice(start, Math.min(end, size)) };
  const { store, close } = open(join(dir, 'o.sqlite'));
  stopBeforeRemoval(close);
  const follower = createOversightFollower({ source, target: store, batchSize: 4 });
  t.same(follower.catchUp(), { size: 10, time: entries[9]!.time });
  size = entries.length;
  t.equal(follower.catchUp().size, entries.length);
  const scratch = open(join(dir, 'scratch.sqlite'));
  stopBeforeRemoval(scratch.close);
  scratch.store.fold(entries);
  t.same(snapshot(store), snapshot(scratch.store));
});

t.test('the follower reads a stored leaf as the entry the ledger encoded; a leaf that is not JSON fails its batch and moves nothing', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const entries = sampleLog();
  t.same(entries.map((e) => storedEntry(encodeEntry(e))), entries.map((e) => parseEntry(encodeEntry(e))), 'every entry of the sample log reads as the validating parser reads it');
  const leaves = entries.map((e) => ({ index: e.index, data: encodeEntry(e) }));
  leaves[6] = { index: 6, data: new TextEncoder().encode('{"body":{},"index":6,') };
  const source = { size: () => leaves.length, entries: (start: number, end: number) => leaves.slice(start, end) };
  const { store, close } = open(join(dir, 'o.sqlite'));
  stopBeforeRemoval(close);
  const follower = createOversightFollower({ source, target: store, batchSize: 4 });
  t.throws(() => follower.catchUp(), SyntaxError);
  t.equal(store.position().size, 4, 'the batch holding the damaged leaf is not folded');
  t.throws(() => follower.catchUp(), SyntaxError, 'and is tried again');
  t.equal(store.position().size, 4);
});

t.test('state the fold reads as none is deleted with the batch that passes it, the same however the log is batched', async (t) => {
  const entries = sampleLog();
  const rows = (path: string) => {
    const db = openDatabase(path);
    try {
      return db.prepare<[], { ns: string; key: string; value: string; forget_at: number | null }>('SELECT ns, key, value, forget_at FROM ov_state ORDER BY ns, key').all();
    } finally {
      db.close();
    }
  };
  const dir = t.testdir();
  const whole = join(dir, 'whole.sqlite');
  const one = open(whole);
  one.store.fold(entries);
  one.close();
  const stepwise = join(dir, 'stepwise.sqlite');
  const each = open(stepwise);
  for (const e of entries) each.store.fold([e]);
  each.close();
  const left = rows(whole);
  t.same(rows(stepwise), left, 'one entry per batch leaves the same rows as one batch');
  const lastTime = entries[entries.length - 1]!.time;
  t.notOk(
    left.some((r) => r.forget_at !== null && r.forget_at <= lastTime),
    'nothing the log has passed',
  );
  t.ok(left.some((r) => r.ns === 'doctor-shopping' && r.forget_at !== null && r.forget_at > lastTime), 'open shopping windows are kept, with their time');
  // The sample collects every odd day's prescriptions (finished: forgotten) and leaves the others dispensed.
  const rx = left.filter((r) => r.ns === 'rx').map((r) => r.key);
  t.equal(rx.length, 10, 'the ten prescriptions still held, not the ten collected');
  // The early sample days' supplies (7 days each) have run out by the last entry.
  t.ok(left.filter((r) => r.ns === 'supply').length < entries.filter((e) => e.type === 'rx.dispense').length);
});

t.test('migration 10 adds when a state value may be forgotten, and indexes it', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const db = openDatabase(join(dir, 'm.sqlite'));
  stopBeforeRemoval(() => db.close());
  t.ok(schemaVersion(db) >= 10);
  t.ok((db.pragma('table_info(ov_state)') as Array<{ name: string }>).some((c) => c.name === 'forget_at'));
  const plan = db.prepare('EXPLAIN QUERY PLAN DELETE FROM ov_state WHERE forget_at IS NOT NULL AND forget_at <= ?').all(1) as Array<{ detail: string }>;
  t.match(plan.map((p) => p.detail).join('\n'), /ov_state_forget_at/, 'the deletion uses the index');
});
