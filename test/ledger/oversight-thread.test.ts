/**
 * The oversight fold on a worker thread: over entries stored in a real SQLite file, it reaches
 * exactly the projection a fold on the event loop reaches; a read answers the position it was
 * caught up to and sees the figures of that position (the worker holds off folding meanwhile);
 * it folds only what the source says is on disk; and it closes cleanly. (The service's own
 * oversight reads run through it too: test/http/oversight-routes.test.ts.)
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { encodeEntry, type LedgerEntry } from '../../src/core/entry.js';
import { backgroundFoldSize, createOversightThread, FOLD_THREAD_NICE } from '../../src/ledger/oversight-thread.js';
import { createRuleSetLibrary } from '../../src/domain/checker/rule-set-library.js';
import type { KnowledgeRuleSet } from '../../src/domain/checker/knowledge-rule-set.js';
import { createDrugClassifier } from '../../src/oversight/drug-classifier.js';
import { createOversightService } from '../../src/oversight/oversight-service.js';
import { DEFAULT_OVERSIGHT_SETTINGS, type OversightSettings } from '../../src/oversight/oversight-settings.js';
import type { OversightReads } from '../../src/oversight/oversight-queries.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { createOversightStore } from '../../src/store/oversight-store.js';
import { createRuleSetStore } from '../../src/store/rule-set-store.js';
import { sampleLog } from '../oversight/memory-projection.js';
import { niceOf, threadNices } from '../support/thread-nice.js';
import { testdirWithStops } from '../support/testdir.js';

const S: OversightSettings = { ...DEFAULT_OVERSIGHT_SETTINGS, doctorShopping: { ...DEFAULT_OVERSIGHT_SETTINGS.doctorShopping, prescribers: 2 } };

/** The classifier the service and the worker both use: rule sets from the bundles in the database. */
function classifierOf(db: SqliteDatabase) {
  const bundles = createRuleSetStore(db);
  const ruleSets = createRuleSetLibrary((hash) => bundles.bundle(hash));
  return createDrugClassifier((hash) => (ruleSets.get(hash) as Partial<KnowledgeRuleSet> | undefined)?.knowledge);
}

/** A database holding `entries` in its entries table, as the ledger stores them. */
function storedLog(path: string, entries: readonly LedgerEntry[]): SqliteDatabase {
  const db = openDatabase(path);
  const insert = db.prepare('INSERT INTO entries (idx, leaf_hash, data) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const e of entries) insert.run(e.index, new Uint8Array(32), encodeEntry(e));
  })();
  return db;
}

function snapshot(reads: OversightReads) {
  const stats = ['total', 'prescriber', 'drugClass'].flatMap((by) =>
    (['day', 'week', 'month'] as const).map((grain) => reads.stats({ by: by as 'total', grain, from: '2026-01-01', to: '2026-12-31', limit: 1000 }).rows),
  );
  return { stats, alerts: reads.alerts({ limit: 500 }).alerts, summary: reads.alertSummary() };
}

/**
 * The sample log stored in a ledger database of the test's directory, with an empty projection on
 * it; `dir` is that directory, for the test's other files (a second t.testdir() would empty it), and
 * what is opened there is closed through `stopBeforeRemoval` (test/support/testdir.ts).
 */
function sampleProjection(t: Test) {
  const entries = sampleLog();
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const path = join(dir, 'ledger.sqlite');
  const db = storedLog(path, entries);
  stopBeforeRemoval(() => db.close());
  return { entries, dir, path, stopBeforeRemoval, projection: createOversightStore(db, { settings: S, classify: classifierOf(db) }) };
}

t.test('the worker folds what is on disk, and a read sees exactly the position it is answered', async (t) => {
  const { entries, dir, path, projection, stopBeforeRemoval } = sampleProjection(t);
  const errors: object[] = [];
  const logger = { error: (fields: object) => void errors.push(fields), warn: () => undefined };
  let size = 12;
  const source = { size: () => size, entries: () => [] };
  const fallback = createOversightService({ projection, source, logger });
  const thread = createOversightThread({ databasePath: path, settings: S, batchSize: 5, source, reads: projection, fallback, logger });

  // Each scratch database folds a prefix on the event loop, for comparison.
  const scratch = (n: number) => {
    const other = openDatabase(join(dir, `scratch-${n}.sqlite`));
    stopBeforeRemoval(() => other.close());
    const store = createOversightStore(other, { settings: S, classify: classifierOf(other) });
    store.fold(entries.slice(0, n));
    return snapshot(store);
  };

  const first = await thread.readAsOf(Number.POSITIVE_INFINITY, (position, reads) => ({ position, figures: snapshot(reads) }));
  t.same(first.position, { size: 12, time: entries[11]!.time }, 'folded up to the size on disk, no further');
  t.same(first.figures, scratch(12));

  // At most two batches of five: the read answers where that got to, with exactly its figures.
  size = entries.length;
  const partial = await thread.readAsOf(2, (position, reads) => ({ position, figures: snapshot(reads) }));
  t.equal(partial.position.size, 22);
  t.same(partial.figures, scratch(22));

  const all = await thread.readAsOf(Number.POSITIVE_INFINITY, (position, reads) => ({ position, figures: snapshot(reads) }));
  t.equal(all.position.size, entries.length);
  t.same(all.figures, scratch(entries.length));
  t.ok(all.figures.stats.flat().length > 0 && all.figures.alerts.length > 0, 'figures and alerts to compare');
  t.same(projection.position(), all.position);

  // Reads at once from several callers each hold the projection still; all are answered.
  const concurrent = await Promise.all([1, 2, 3].map(() => thread.readAsOf(4, (position) => position.size)));
  t.same(concurrent, [entries.length, entries.length, entries.length]);

  await thread.close();
  t.same(errors, []);
});

t.test('a worker that cannot start hands the fold to the event loop, from the same cursor', async (t) => {
  const { entries, dir, projection } = sampleProjection(t);
  const errors: string[] = [];
  const logger = { error: (_fields: object, message: string) => void errors.push(message), warn: () => undefined };
  const leaves = entries.map((e) => ({ index: e.index, data: encodeEntry(e) }));
  const source = { size: () => entries.length, entries: (start: number, end: number) => leaves.slice(start, end) };
  const fallback = createOversightService({ projection, source, logger });
  // No database at this path: the worker refuses to start rather than fold a new, empty one.
  const thread = createOversightThread({ databasePath: join(dir, 'missing.sqlite'), settings: S, source, reads: projection, fallback, logger });
  const read = await thread.readAsOf(Number.POSITIVE_INFINITY, (position, reads) => ({ position, figures: snapshot(reads) }));
  t.equal(read.position.size, entries.length);
  t.ok(read.figures.stats.flat().length > 0);
  t.ok(errors.includes('the oversight worker exited: folding on the event loop') || errors.includes('the oversight worker failed'));
  await thread.close();
});

t.test('folding on its own, the worker takes four batches at a time while far behind, one near the head', async (t) => {
  t.equal(backgroundFoldSize(100_000, 500), 2000, 'a refold from the start');
  t.equal(backgroundFoldSize(2001, 500), 2000);
  t.equal(backgroundFoldSize(2000, 500), 500, 'four batches behind or less: one at a time');
  t.equal(backgroundFoldSize(700, 500), 500);
  t.equal(backgroundFoldSize(3, 500), 500, 'the step stops at the log anyway');
});

t.test('far behind, the worker folds on its own in larger batches, to the same figures', async (t) => {
  const { entries, dir, path, projection, stopBeforeRemoval } = sampleProjection(t);
  const logger = { error: () => undefined, warn: () => undefined };
  const source = { size: () => entries.length, entries: () => [] };
  const fallback = createOversightService({ projection, source, logger });
  // 112 entries behind with batches of 5: folded 20 at a time by the timer, no read involved.
  const thread = createOversightThread({ databasePath: path, settings: S, batchSize: 5, source, reads: projection, fallback, logger });
  const stop = thread.start(5);
  const deadline = Date.now() + 20_000;
  while (projection.position().size < entries.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  stop();
  await thread.close();
  t.equal(projection.position().size, entries.length, 'caught up with the log');
  const other = openDatabase(join(dir, 'scratch.sqlite'));
  stopBeforeRemoval(() => other.close());
  const scratch = createOversightStore(other, { settings: S, classify: classifierOf(other) });
  scratch.fold(entries);
  t.same(snapshot(projection), snapshot(scratch), 'the same figures and alerts as one fold of the whole log');
});

t.test('closed while it is still loading, the worker is stopped outright, having written nothing; the next one folds', async (t) => {
  const { entries, path, projection } = sampleProjection(t);
  const errors: object[] = [];
  const logger = { error: (fields: object) => void errors.push(fields), warn: () => undefined };
  const source = { size: () => entries.length, entries: () => [] };
  const fallback = createOversightService({ projection, source, logger });
  const early = createOversightThread({ databasePath: path, settings: S, source, reads: projection, fallback, logger });
  early.start(1);
  await early.close(); // at once: it has not loaded yet
  t.same(projection.position().size, 0, 'nothing folded');
  const next = createOversightThread({ databasePath: path, settings: S, source, reads: projection, fallback, logger });
  const size = await next.readAsOf(Number.POSITIVE_INFINITY, (position) => position.size);
  await next.close();
  t.equal(size, entries.length, 'a new worker on the same file folds everything');
  t.same(errors, [], 'no error: the stop was intended');
});

const linux = process.platform === 'linux';
t.test('the fold runs at a lower priority than the service, in its own thread only', { skip: !linux ? 'per-thread nice values are Linux only' : niceOf(process.pid) >= FOLD_THREAD_NICE ? 'the test process already runs at that priority or lower' : false }, async (t) => {
  const base = niceOf(process.pid);
  const { entries, path, projection } = sampleProjection(t);
  const logger = { error: () => undefined, warn: () => undefined };
  const source = { size: () => entries.length, entries: () => [] };
  const niceBefore = threadNices();
  const thread = createOversightThread({ databasePath: path, settings: S, source, reads: projection, fallback: createOversightService({ projection, source, logger }), logger });
  await thread.readAsOf(1, () => undefined); // the worker is running and has folded
  const lowered = [...threadNices()].filter(([tid, nice]) => nice === FOLD_THREAD_NICE && !niceBefore.has(tid));
  t.equal(lowered.length, 1, `one new thread at nice ${FOLD_THREAD_NICE}: the fold's`);
  t.equal(threadNices().get(process.pid), base, 'the event loop keeps its priority');
  await thread.close();
});
