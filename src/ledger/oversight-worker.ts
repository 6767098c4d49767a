/**
 * Worker-thread side of the oversight thread (oversight-thread.ts): folds the log into the
 * oversight projection on its own connection to the ledger's database, so the fold's CPU (parsing
 * entries, the detectors, the statistics) is spent on another core than the event loop's.
 *
 * It folds only up to the size the service says is on disk (the ledger's `size()`), reads those
 * entries from the `entries` table (immutable once there) and reads them exactly as the follower
 * on the event loop does (`storedEntry`). A reader's catch-up is answered with the position
 * reached, and from then until that reader releases it nothing is folded, so the figures it reads
 * are exactly those of that position.
 */
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { RxError } from '../core/errors.js';
import { createRuleSetLibrary } from '../domain/checker/rule-set-library.js';
import type { KnowledgeRuleSet } from '../domain/checker/knowledge-rule-set.js';
import { createDrugClassifier } from '../oversight/drug-classifier.js';
import { openDatabase } from '../store/database.js';
import { createLedgerStore } from '../store/ledger-store.js';
import { createOversightStore } from '../store/oversight-store.js';
import { storedEntry } from '../oversight/oversight-follower.js';
import { createRuleSetStore } from '../store/rule-set-store.js';
import { lowerThreadPriority } from '../platform/thread-priority.js';
import { backgroundFoldSize, FOLD_THREAD_NICE, type OversightThreadData, type ToOversightWorker, type FromOversightWorker } from './oversight-thread.js';

const port = parentPort;
if (port === null) throw new Error('oversight-worker.ts runs only as a worker thread');
const { databasePath, settings, batchSize } = workerData as OversightThreadData;
// The statistics yield to submissions when the machine is busy (FOLD_THREAD_NICE).
lowerThreadPriority(FOLD_THREAD_NICE);

// The service's own database, never a new one: a worker folding an empty file would answer reads
// with a projection of nothing. Failing here hands the fold to the event loop (oversight-thread.ts).
if (!existsSync(databasePath)) throw new Error('the oversight worker found no ledger database');
// Its page cache is smaller than the ledger's: the fold reads entries just written (in the
// operating system's cache already) and updates small tables, so 8 MiB holds its working set, and
// the service's memory is bounded by two caches, not two ledger-sized ones.
const db = openDatabase(databasePath, { cacheMib: 8 });
// This connection's commits checkpoint the WAL at SQLite's default of 1,000 pages, here, off the
// event loop; the ledger's connection keeps its own at 8,000 (ledger-store.ts), which then has
// little left to copy when it comes round. Checkpoints are PASSIVE and do not block the ledger.
db.pragma('wal_autocheckpoint = 1000');
const entries = createLedgerStore(db);
const bundles = createRuleSetStore(db);
// Drug classes come from the rule set each prescription was checked with, by the hash the log
// names; every rule set the log activated has its bundle stored (rule-set-startup.ts).
const ruleSets = createRuleSetLibrary((hash) => bundles.bundle(hash));
const projection = createOversightStore(db, {
  settings,
  classify: createDrugClassifier((hash) => (ruleSets.get(hash) as Partial<KnowledgeRuleSet> | undefined)?.knowledge),
});

const post = (message: FromOversightWorker): void => port.postMessage(message);

/** The log's size on disk, as last told. */
let known = 0;
/** Readers holding the projection still (nothing is folded while any does). */
let holds = 0;
const waiting: Array<{ id: number; size: number; maxBatches: number; batches: number }> = [];
let scheduled = false;
let closed = false;

/** Folds one batch of up to `size` entries towards `limit`; false when there is nothing to fold or the fold failed. */
const step = (limit: number, size = batchSize): boolean => {
  const from = projection.position().size;
  const to = Math.min(limit, from + size);
  if (to <= from) return false;
  try {
    projection.fold(entries.readEntries(from, to).map((leaf) => storedEntry(leaf.data)));
    return true;
  } catch (err) {
    // The cursor did not move (the batch's transaction rolled back): the next size retries.
    // Strings only: an error object may hold what cannot be posted (or logged).
    post({ kind: 'fold-failed', at: from, code: err instanceof RxError ? err.code : 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
    return false;
  }
};

/** One batch per turn of the worker's loop, so messages (releases, sizes) are read between batches. */
const schedule = (): void => {
  if (scheduled || closed) return;
  scheduled = true;
  setImmediate(pump);
};

function pump(): void {
  scheduled = false;
  if (closed) return;
  while (waiting.length > 0) {
    const reader = waiting[0]!;
    if (reader.batches < reader.maxBatches && projection.position().size < reader.size) {
      if (holds > 0) return; // another reader is reading: its release pumps again
      reader.batches++;
      if (step(reader.size)) return schedule();
      reader.batches = reader.maxBatches; // the fold failed: answer with what there is
      continue;
    }
    waiting.shift();
    holds++;
    post({ kind: 'caught-up', id: reader.id, position: projection.position() });
  }
  if (holds === 0 && step(known, backgroundFoldSize(known - projection.position().size, batchSize))) schedule();
}

port.on('message', (message: ToOversightWorker) => {
  switch (message.kind) {
    case 'size':
      known = Math.max(known, message.size);
      schedule();
      break;
    case 'catch-up':
      known = Math.max(known, message.size);
      waiting.push({ id: message.id, size: message.size, maxBatches: message.maxBatches, batches: 0 });
      schedule();
      break;
    case 'release':
      holds = Math.max(0, holds - 1);
      schedule();
      break;
    case 'close':
      closed = true;
      db.close();
      port.close();
      break;
  }
});

// Set up: from now on a 'close' is read between two batches (until then the thread stops it outright).
post({ kind: 'started' });
