/**
 * One process per data directory. Two writers on one ledger would race each other's checkpoints
 * (the compare-and-swap makes the loser halt) and interleave start-up records, so the service, and
 * `rxledger init`, take `<DATA_DIR>/rxledger.lock` holding their process id. A lock left by a
 * process that no longer exists (killed, crashed) is taken over; a live holder is refused with
 * LEDGER_LOCKED. Read-only verification (`rxledger verify --db`) takes no lock.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RxError } from '../core/errors.js';

export interface DataDirLock {
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = join(dataDir, 'rxledger.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            unlinkSync(path);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isSafeInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new RxError('LEDGER_LOCKED', `the data directory is in use by process ${holder}`);
      }
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new RxError('LEDGER_LOCKED', 'could not take the data directory lock');
}
