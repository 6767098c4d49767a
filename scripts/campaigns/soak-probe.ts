/**
 * What the soak reads about the service from outside, as an operator's monitoring would: the
 * process's memory, threads, open descriptors and CPU time from /proc (Linux), and the sizes of
 * the SQLite files in its data directory. Nothing here touches the database itself: another
 * connection could hold a WAL snapshot and keep the service's checkpoints from resetting the WAL.
 */
import { openSync, readdirSync, readFileSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcessSample {
  /** Resident set size (VmRSS), MiB. */
  readonly rssMiB: number;
  /** Peak resident set size so far (VmHWM), MiB. */
  readonly hwmMiB: number;
  readonly threads: number;
  /** Open file descriptors (/proc/<pid>/fd). */
  readonly fds: number;
  /** User + system CPU time since start, s. */
  readonly cpuSeconds: number;
}

/** Linux's USER_HZ, the unit of utime and stime in /proc/<pid>/stat (100 on every mainstream architecture). */
const CLOCK_TICKS_PER_SECOND = 100;
const MIB = 1024 * 1024;

/** One reading of `/proc/<pid>`; undefined once the process is gone (or off Linux). */
export function readProcessSample(pid: number): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
    return {
      rssMiB: kib('VmRSS') / 1024,
      hwmMiB: kib('VmHWM') / 1024,
      threads,
      fds: readdirSync(`/proc/${pid}/fd`).length,
      cpuSeconds: cpuTicks / CLOCK_TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

export interface DataFilesSample {
  /** `ledger.sqlite`, MiB. */
  readonly ledgerMiB: number;
  /** `ledger.sqlite-wal`, MiB (0 when absent). */
  readonly walMiB: number;
  /** `identity.sqlite` plus its WAL, MiB. */
  readonly identityMiB: number;
  /** Every file in the data directory and below, MiB. */
  readonly totalMiB: number;
}

const sizeOf = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

function totalBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? totalBytes(path) : sizeOf(path);
  }
  return total;
}

export function readDataFiles(dataDir: string): DataFilesSample {
  return {
    ledgerMiB: sizeOf(join(dataDir, 'ledger.sqlite')) / MIB,
    walMiB: sizeOf(join(dataDir, 'ledger.sqlite-wal')) / MIB,
    identityMiB: (sizeOf(join(dataDir, 'identity.sqlite')) + sizeOf(join(dataDir, 'identity.sqlite-wal'))) / MIB,
    totalMiB: totalBytes(dataDir) / MIB,
  };
}

/** The database page size a WAL file's header records (bytes 8–11, big-endian; sqlite.org/fileformat2.html §4.1), if it has one. */
export function walPageSize(walPath: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(walPath, 'r');
    const header = Buffer.alloc(32);
    if (readSync(fd, header, 0, 32, 0) < 32) return undefined;
    const magic = header.readUInt32BE(0);
    if (magic !== 0x377f0682 && magic !== 0x377f0683) return undefined;
    return header.readUInt32BE(8);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
