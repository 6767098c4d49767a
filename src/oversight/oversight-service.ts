/**
 * The oversight projection as the service runs it: a timer keeps folding new entries, and a
 * reader calls `catchUp()` right before reading, so a regulator never reads figures older than
 * the request. Both are synchronous, so nothing is folded between the catch-up and the read: the
 * position it answers is exactly what the figures are as of.
 */
import { createOversightFollower, type EntrySource, type FollowerLogger } from './oversight-follower.js';
import type { OversightPosition, OversightReads } from './oversight-queries.js';
import type { LedgerEntry } from '../core/entry.js';

export interface OversightProjection extends OversightReads {
  position(): OversightPosition;
  fold(entries: readonly LedgerEntry[]): void;
}

/**
 * What the oversight routes read through. `readAsOf` folds up to the log's size now (at most
 * `maxBatches` batches), then runs `read` with the position reached; nothing is folded until
 * `read` returns, so the figures it reads are exactly those of that position. It settles once
 * the fold has run, wherever it runs (the event loop here, a worker thread in the service).
 */
export interface OversightReader {
  readAsOf<T>(maxBatches: number, read: (position: OversightPosition, reads: OversightReads) => T): Promise<T>;
}

export interface OversightService extends OversightReads, OversightReader {
  /** Folds up to the log's size now; answers what the figures are as of. */
  catchUp(maxBatches?: number): OversightPosition;
  /** Folds on a timer until the returned function is called. */
  start(intervalMs: number): () => void;
}

export function createOversightService(options: { projection: OversightProjection; source: EntrySource; logger?: FollowerLogger; batchSize?: number }): OversightService {
  const { projection } = options;
  const follower = createOversightFollower({ source: options.source, target: projection, ...(options.logger ? { logger: options.logger } : {}), ...(options.batchSize ? { batchSize: options.batchSize } : {}) });
  return {
    catchUp: (maxBatches) => follower.catchUp(maxBatches),
    readAsOf: async (maxBatches, read) => read(follower.catchUp(maxBatches), projection),
    start: (intervalMs) => follower.start(intervalMs),
    stats: (query) => projection.stats(query),
    alerts: (query) => projection.alerts(query),
    alertSummary: (since) => projection.alertSummary(since),
  };
}
