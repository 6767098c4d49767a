/**
 * Witness cosignatures of the ledger's published checkpoints (migration 6). The HTTP layer verifies
 * a cosignature before it reaches this store; the store keeps, per (checkpoint size, witness), the
 * line with the latest timestamp, and answers which checkpoint the most recent quorum cosigned.
 *
 * Every write is one SQL statement: it is whole or absent, and the compare on `timestamp` inside
 * the statement means two concurrent submissions by one witness cannot move its row backwards.
 */
import type { SqliteDatabase } from './database.js';

export interface StoredCosignature {
  readonly size: number;
  /** The witness's C2SP vkey (type 0x04). */
  readonly witness: string;
  /** POSIX seconds, from the cosignature. */
  readonly timestamp: number;
  /** The signature line, ending in a newline. */
  readonly line: string;
  readonly receivedMs: number;
}

export interface CosignedCheckpointRow {
  /** The checkpoint as the ledger published it: the signed note, byte for byte. */
  readonly note: string;
  readonly size: number;
  /** Cosignature lines by the given witnesses, ordered by witness key. */
  readonly lines: readonly string[];
}

export interface CosignatureStore {
  /** The signed note the ledger published at `size`, if it published one. */
  publishedCheckpoint(size: number): string | undefined;
  /** Stores `c` unless the witness's row for that size has the same or a later timestamp; true if stored. */
  put(c: StoredCosignature): boolean;
  /**
   * The largest checkpoint cosigned by at least `min` of `witnesses` (vkeys), with those
   * witnesses' lines; undefined if there is none. Rows of witnesses no longer configured are ignored.
   */
  newestCosigned(witnesses: readonly string[], min: number): CosignedCheckpointRow | undefined;
}

export function createCosignatureStore(db: SqliteDatabase): CosignatureStore {
  const q = {
    published: db.prepare<[number], { note: string }>('SELECT note FROM checkpoints WHERE size = ?'),
    put: db.prepare<[number, string, number, string, number]>(
      `INSERT INTO checkpoint_cosignatures (size, witness, timestamp, line, received_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (size, witness) DO UPDATE SET timestamp = excluded.timestamp, line = excluded.line, received_ms = excluded.received_ms
       WHERE excluded.timestamp > checkpoint_cosignatures.timestamp`,
    ),
    // json_each turns the configured witness list into a set SQLite can join on.
    newest: db.prepare<[string, number], { size: number }>(
      `SELECT size FROM checkpoint_cosignatures WHERE witness IN (SELECT value FROM json_each(?))
       GROUP BY size HAVING count(*) >= ? ORDER BY size DESC LIMIT 1`,
    ),
    lines: db.prepare<[number, string], { line: string }>(
      'SELECT line FROM checkpoint_cosignatures WHERE size = ? AND witness IN (SELECT value FROM json_each(?)) ORDER BY witness',
    ),
  };
  return {
    publishedCheckpoint: (size) => q.published.get(size)?.note,
    put: (c) => q.put.run(c.size, c.witness, c.timestamp, c.line, c.receivedMs).changes > 0,
    newestCosigned(witnesses, min) {
      const list = JSON.stringify(witnesses);
      // One snapshot for both reads: the row set cannot change between them.
      return db.transaction(() => {
        const row = q.newest.get(list, Math.max(1, min));
        if (row === undefined) return undefined;
        const note = q.published.get(row.size)?.note;
        if (note === undefined) return undefined;
        return { note, size: row.size, lines: q.lines.all(row.size, list).map((r) => r.line) };
      })();
    },
  };
}
