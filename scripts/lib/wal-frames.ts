/**
 * Reads SQLite's write-ahead log file format (https://sqlite.org/fileformat2.html#walformat): the
 * pages each complete commit wrote. For diagnostics (scripts/wal-pages.ts), never for recovery.
 */

export interface WalContents {
  readonly pageSize: number;
  /** Page numbers of each complete commit's frames, in the order written. */
  readonly commits: readonly (readonly number[])[];
}

const HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

export function walCommits(wal: Uint8Array): WalContents {
  const bytes = Buffer.from(wal.buffer, wal.byteOffset, wal.byteLength);
  if (bytes.length < HEADER_BYTES) return { pageSize: 0, commits: [] };
  const magic = bytes.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) throw new Error('not a SQLite WAL file');
  const pageSize = bytes.readUInt32BE(8);
  const salt1 = bytes.readUInt32BE(16);
  const salt2 = bytes.readUInt32BE(20);
  const commits: number[][] = [];
  let frames: number[] = [];
  for (let at = HEADER_BYTES; at + FRAME_HEADER_BYTES + pageSize <= bytes.length; at += FRAME_HEADER_BYTES + pageSize) {
    // Frames left from an earlier generation of the file carry other salts: the log ends there.
    if (bytes.readUInt32BE(at + 8) !== salt1 || bytes.readUInt32BE(at + 12) !== salt2) break;
    frames.push(bytes.readUInt32BE(at));
    // The frame that records the database's size after the commit is the commit's last.
    if (bytes.readUInt32BE(at + 4) !== 0) {
      commits.push(frames);
      frames = [];
    }
  }
  return { pageSize, commits };
}
