/**
 * The oversight fold on a worker thread (oversight-worker.ts), with its own connection to the
 * ledger's database: the fold took 10–25 % of the event loop's time under a steady load of
 * submissions (docs/BENCHMARKS.md), and the second core was idle meanwhile. The figures are the
 * same: the same fold, over the same entries (those on disk), with its cursor in the same
 * transaction as its writes (oversight-store.ts).
 *
 * Contracts:
 *   - Reads run on the caller's connection after the worker has folded up to the log's size at
 *     the time of the read (at most `maxBatches` batches) and while it holds off folding, so the
 *     position answered is exactly what the figures are as of.
 *   - The worker folds only what `source.size()` covers, which is on disk.
 *   - If the worker cannot start or dies, folding goes on on the event loop from the cursor the
 *     worker left (`fallback`), and an error is logged.
 */
import { Worker } from 'node:worker_threads';
import type { OversightPosition, OversightReads } from '../oversight/oversight-queries.js';
import type { OversightReader, OversightService } from '../oversight/oversight-service.js';
import type { OversightSettings } from '../oversight/oversight-settings.js';
import { siblingWorkerUrl } from '../platform/worker-url.js';
import type { Logger } from './logger.js';

/** What the worker is started with. */
export interface OversightThreadData {
  readonly databasePath: string;
  readonly settings: OversightSettings;
  /** Entries per fold transaction. */
  readonly batchSize: number;
}

const BACKLOG_BATCHES = 4;

/**
 * The fold thread's nice value (src/platform/thread-priority.ts): the statistics may wait while
 * the machine is busy. Near the head the fold needs a few per cent of a core and gets it even
 * when submissions keep both cores busy (CFS gives a nice-10 thread about a tenth of a core
 * shared with one nice-0 thread); a refold of a long log, which would otherwise take a core for
 * as long as it runs, then uses what the service leaves (docs/BENCHMARKS.md).
 */
export const FOLD_THREAD_NICE = 10;

/**
 * Entries per fold transaction when the worker folds on its own (not for a waiting read): four
 * batches' worth while it is far behind (a projection folded from the start, after a settings
 * change or an upgrade of the fold), where a day's counters then take one upsert per 2,000 entries
 * instead of per 500 and the refold runs about 1.6 times as fast (docs/OVERSIGHT.md); one batch
 * near the head of the log, where a longer transaction would only hold SQLite's write lock longer
 * while submissions wait for it. A read's catch-up always folds single batches: it counts them.
 */
export function backgroundFoldSize(backlog: number, batchSize: number): number {
  return backlog > BACKLOG_BATCHES * batchSize ? BACKLOG_BATCHES * batchSize : batchSize;
}

/** Service → worker. */
export type ToOversightWorker =
  | { readonly kind: 'size'; readonly size: number }
  | { readonly kind: 'catch-up'; readonly id: number; readonly size: number; readonly maxBatches: number }
  | { readonly kind: 'release' }
  | { readonly kind: 'close' };

/** Worker → service. */
export type FromOversightWorker =
  | { readonly kind: 'started' }
  | { readonly kind: 'caught-up'; readonly id: number; readonly position: OversightPosition }
  | { readonly kind: 'fold-failed'; readonly at: number; readonly code: string; readonly message: string };

export interface OversightThreadOptions extends Omit<OversightThreadData, 'batchSize'> {
  readonly batchSize?: number;
  /** The log: its size on disk. */
  readonly source: { size(): number };
  /** Reads on the service's connection. */
  readonly reads: OversightReads;
  /** The fold on the event loop, used once the worker is gone. */
  readonly fallback: OversightService;
  readonly logger: Pick<Logger, 'error'>;
}

export interface OversightThread extends OversightReader {
  /** Tells the worker the log's size every `intervalMs`; returns the function that stops it. */
  start(intervalMs: number): () => void;
  /** Stops the worker (it finishes the batch it is writing; one still loading is terminated) and waits for it to exit. */
  close(): Promise<void>;
}

export function createOversightThread(options: OversightThreadOptions): OversightThread {
  const { source, reads, fallback, logger } = options;
  const data: OversightThreadData = { databasePath: options.databasePath, settings: options.settings, batchSize: options.batchSize ?? 500 };
  const worker = new Worker(siblingWorkerUrl(import.meta.url, 'oversight-worker'), { workerData: data });
  // An idle fold must not keep the process alive; a read waiting on it has its request to do so.
  worker.unref();
  const waiting = new Map<number, { resolve(position: OversightPosition): void; reject(err: Error): void }>();
  let nextId = 0;
  /** False once the worker has exited: the fallback folds from then on. */
  let alive = true;
  /** The worker has loaded its modules and opened its connection: it reads messages between batches. */
  let started = false;
  let closing = false;
  let stopFallback: (() => void) | undefined;
  let interval: number | undefined;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const send = (message: ToOversightWorker): void => worker.postMessage(message);

  worker.on('message', (message: FromOversightWorker) => {
    if (message.kind === 'started') {
      started = true;
    } else if (message.kind === 'caught-up') {
      const reader = waiting.get(message.id);
      waiting.delete(message.id);
      if (waiting.size === 0 && !closing) worker.unref();
      reader?.resolve(message.position);
    } else {
      logger.error({ code: message.code, reason: message.message, at: message.at }, 'oversight fold failed');
    }
  });
  worker.on('error', (err) => logger.error({ err }, 'the oversight worker failed'));
  worker.once('exit', () => {
    alive = false;
    for (const reader of waiting.values()) reader.reject(new Error('the oversight worker exited'));
    waiting.clear();
    if (closing) return;
    logger.error({}, 'the oversight worker exited: folding on the event loop');
    if (interval !== undefined) stopFallback = fallback.start(interval);
  });

  return {
    async readAsOf(maxBatches, read) {
      if (!alive) return fallback.readAsOf(maxBatches, read);
      const id = nextId++;
      let position: OversightPosition;
      try {
        position = await new Promise<OversightPosition>((resolve, reject) => {
          waiting.set(id, { resolve, reject });
          worker.ref(); // a read waiting for the worker keeps the process alive (app.inject has no socket)
          send({ kind: 'catch-up', id, size: source.size(), maxBatches: Number.isFinite(maxBatches) ? maxBatches : Number.MAX_SAFE_INTEGER });
        });
      } catch {
        // The worker died meanwhile: whatever it folded is committed, the fallback goes on from there.
        return fallback.readAsOf(maxBatches, read);
      }
      try {
        return read(position, reads);
      } finally {
        if (alive) send({ kind: 'release' });
      }
    },
    start(intervalMs) {
      interval = intervalMs;
      let told = -1;
      const timer = setInterval(() => {
        const size = source.size();
        if (alive && size !== told) send({ kind: 'size', size });
        told = size;
      }, intervalMs);
      timer.unref();
      if (!alive) stopFallback = fallback.start(intervalMs);
      return () => {
        clearInterval(timer);
        interval = undefined;
        stopFallback?.();
        stopFallback = undefined;
      };
    },
    async close() {
      closing = true;
      worker.ref();
      // A started worker finishes the batch it is writing and closes its connection. One still
      // loading (a second or more when run from TypeScript) would read the message only once
      // loaded: it is stopped outright, having written nothing yet (a connection it opened is
      // closed as the thread ends). Either way the thread is gone when this resolves.
      if (alive && started) send({ kind: 'close' });
      else if (alive) void worker.terminate();
      await exited;
    },
  };
}
