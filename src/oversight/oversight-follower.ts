/**
 * Keeps the oversight projection up with the log: on a short timer, and before every read, it
 * folds the entries from the projection's cursor to the log's size, reading them through the
 * ledger's public interface (`storedEntry`). The submission path never waits for it: folding
 * happens in batches off the append path, a few thousand entries per turn of the event loop.
 */
import { decodeUtf8 } from '../core/bytes.js';
import type { LedgerEntry } from '../core/entry.js';

/**
 * An entry as the fold reads it from the ledger's own table: `JSON.parse` alone. The ledger
 * validated every entry and wrote its canonical bytes when it appended it; proving that again is
 * the verifier's job (docs/AUDIT.md), not the statistics', and the validating parser (`parseEntry`:
 * canonical form, envelope schema) took about a sixth of the fold. Bytes that are not JSON, or an
 * entry out of place, still fail the batch, whose cursor then does not move.
 */
export function storedEntry(data: Uint8Array): LedgerEntry {
  return JSON.parse(decodeUtf8(data)) as LedgerEntry;
}

export interface EntrySource {
  size(): number;
  /** Stored leaves [start, end). */
  entries(start: number, end: number): ReadonlyArray<{ readonly index: number; readonly data: Uint8Array }>;
}

export interface FoldTarget {
  position(): { readonly size: number; readonly time: number | null };
  fold(entries: readonly LedgerEntry[]): void;
}

export interface FollowerLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface OversightFollower {
  /** Folds everything the log holds now, synchronously; answers the new position. */
  /** Folds up to `maxBatches` batches (all that is new by default) and says where the projection stands. */
  catchUp(maxBatches?: number): { readonly size: number; readonly time: number | null };
  /** Starts the timer; returns the function that stops it. */
  start(intervalMs: number): () => void;
}

export interface FollowerOptions {
  readonly source: EntrySource;
  readonly target: FoldTarget;
  /** Entries per transaction. */
  readonly batchSize?: number;
  readonly logger?: FollowerLogger;
}

export function createOversightFollower(options: FollowerOptions): OversightFollower {
  const { source, target } = options;
  // About 80 ms of folding on a busy 2-core machine: short enough not to stall requests between batches.
  const batchSize = options.batchSize ?? 500;

  /** Folds one batch; false when there was nothing to fold. */
  const step = (): boolean => {
    const from = target.position().size;
    const to = Math.min(source.size(), from + batchSize);
    if (to <= from) return false;
    target.fold(source.entries(from, to).map((leaf) => storedEntry(leaf.data)));
    return true;
  };

  return {
    catchUp(maxBatches = Number.POSITIVE_INFINITY) {
      for (let n = 0; n < maxBatches && step(); n++);
      return target.position();
    },
    start(intervalMs) {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const tick = () => {
        timer = undefined;
        if (stopped) return;
        let more = false;
        try {
          more = step();
        } catch (err) {
          // The cursor did not move (the batch's transaction rolled back): the next tick retries.
          options.logger?.error({ err, at: target.position().size }, 'oversight fold failed');
        }
        // A backlog is folded a batch per turn of the event loop, so requests are served between batches.
        if (more) timer = setTimeout(tick, 0);
        else timer = setTimeout(tick, intervalMs);
        timer.unref();
      };
      timer = setTimeout(tick, intervalMs);
      timer.unref();
      return () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
      };
    },
  };
}
