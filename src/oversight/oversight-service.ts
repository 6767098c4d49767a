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

export interface OversightService extends OversightReads {
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
    start: (intervalMs) => follower.start(intervalMs),
    stats: (query) => projection.stats(query),
    alerts: (query) => projection.alerts(query),
    alertSummary: (since) => projection.alertSummary(since),
  };
}
