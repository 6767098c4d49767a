/**
 * Flushes a SQLite database's write-ahead log to disk from the libuv thread pool, so the event
 * loop does not wait in fdatasync. The ledger commits a batch with `synchronous = NORMAL` (SQLite
 * writes the batch's WAL frames to the OS without syncing them) and acknowledges the batch only
 * once `flush()`, called after the COMMIT returned, has resolved. docs/DESIGN.md §"Durability:
 * the WAL flushed off the event loop" gives the whole argument. What this module guarantees:
 *
 *   - `flush()` MUST NOT resolve before every byte written to the WAL file before the call is on
 *     disk. It calls fdatasync on a descriptor of its own: Linux (and POSIX) flush a file's dirty
 *     pages whichever descriptor wrote them, and fdatasync also persists the file size that WAL
 *     appends grow.
 *   - It flushes the file that is at `<database>-wal` at the time of the call. SQLite deletes the
 *     WAL only when the last connection closes (after checkpointing it into the database with its
 *     own syncs) and creates a new one on the next open; every flush compares the inode behind its
 *     descriptor with the one at the path and reopens on any difference. Whenever it opens a WAL
 *     file it fsyncs the directory, so the file's directory entry is durable (SQLite does that
 *     itself only at its first sync of a WAL it created, which with NORMAL is the first
 *     checkpoint); when the file changed under it, it also fsyncs the database file.
 *   - Any failure rejects. After a failed fdatasync the kernel may have dropped the dirty pages,
 *     and a later fdatasync can succeed without them: the caller MUST treat a rejection as fatal
 *     for everything committed since the last successful flush (the ledger halts).
 */
import { closeSync, constants, fdatasync, fdatasyncSync, fstatSync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface WalSync {
  /** Resolves once everything written to the WAL file before this call is on disk. */
  flush(): Promise<void>;
  /** The same, blocking (for the rare writes that must be durable when they return). */
  flushSync(): void;
  /** Closes the descriptor (once flushes in flight have finished). */
  close(): void;
}

/** The flushing system calls; tests wrap the real ones to observe what was on disk when. */
export interface WalSyncFs {
  fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
  fdatasyncSync(fd: number): void;
}

export const nodeWalSyncFs: WalSyncFs = { fdatasync, fdatasyncSync };

interface Descriptor {
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
  /** fdatasync calls in flight on the thread pool: the descriptor is closed only when none is. */
  inFlight: number;
  retired: boolean;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function createWalSync(databasePath: string, fs: WalSyncFs = nodeWalSyncFs): WalSync {
  const walPath = `${databasePath}-wal`;
  let current: Descriptor | undefined;
  let closed = false;

  const release = (d: Descriptor): void => {
    if (d.retired && d.inFlight === 0) closeSync(d.fd);
  };

  /** The descriptor of the WAL file at the path now; opens it (and syncs its directory) if new. */
  const descriptor = (): Descriptor => {
    if (closed) throw new Error('the WAL sync is closed');
    const atPath = statSync(walPath);
    const previous = current;
    if (previous !== undefined) {
      const mine = fstatSync(previous.fd);
      if (mine.nlink > 0 && mine.ino === atPath.ino && mine.dev === atPath.dev) return previous;
      previous.retired = true;
      current = undefined;
      release(previous);
    }
    const fd = openSync(walPath, constants.O_RDONLY);
    try {
      const opened = fstatSync(fd);
      if (opened.ino !== atPath.ino || opened.dev !== atPath.dev) throw new Error('the WAL file was replaced while it was being opened');
      // The directory entry of a WAL file SQLite just created must be durable before its frames count.
      fsyncPath(dirname(walPath));
      // The WAL changed under us: SQLite checkpointed the old one into the database before deleting it.
      if (previous !== undefined) fsyncPath(databasePath);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    const stat = fstatSync(fd);
    current = { fd, dev: stat.dev, ino: stat.ino, inFlight: 0, retired: false };
    return current;
  };

  return {
    flush() {
      let d: Descriptor;
      try {
        d = descriptor();
      } catch (err) {
        return Promise.reject(err as Error);
      }
      d.inFlight += 1;
      return new Promise<void>((resolve, reject) =>
        fs.fdatasync(d.fd, (err) => {
          d.inFlight -= 1;
          release(d);
          if (err) reject(err);
          else resolve();
        }),
      );
    },
    flushSync() {
      fs.fdatasyncSync(descriptor().fd);
    },
    close() {
      if (closed) return;
      closed = true;
      if (current !== undefined) {
        current.retired = true;
        release(current);
        current = undefined;
      }
    },
  };
}
