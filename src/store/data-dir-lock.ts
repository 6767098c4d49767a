/**
 * One process per data directory. Two writers on one ledger would race each other's checkpoints
 * (the compare-and-swap makes the loser halt) and interleave start-up records, so the service and
 * `rxledger init` hold an exclusive SQLite lock on `<DATA_DIR>/rxledger.lock` for their lifetime.
 * The lock is the operating system's (POSIX advisory record lock, as SQLite takes it): it is
 * released by the kernel when its process ends however it ends, so a killed or crashed process
 * never leaves a stale lock behind, whatever process ids are reused (PID 1 in a container). A live
 * holder — another process, or another open in this one — is refused with LEDGER_LOCKED.
 * Read-only verification (`rxledger verify --db`) takes no lock.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RxError } from '../core/errors.js';

export interface DataDirLock {
  release(): void;
}

export const LOCK_FILE = 'rxledger.lock';

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const db = new Database(join(dataDir, LOCK_FILE));
  try {
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (cause) {
    db.close();
    if ((cause as { code?: string }).code === 'SQLITE_BUSY') {
      throw new RxError('LEDGER_LOCKED', 'the data directory is in use by another rxledger process', { cause });
    }
    throw cause;
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
