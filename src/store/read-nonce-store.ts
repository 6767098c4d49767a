/**
 * Signed reads' spent nonces across a restart (src/http/read-auth.ts remembers them for two
 * timestamp windows): saved when the service stops, taken back when it starts, so a read captured
 * shortly before a restart cannot be replayed once more after it. Outside the log (docs/FORMAT.md
 * §9): nothing signs them.
 *
 * A save also writes the handover mark (`read_nonce_handover`), and a start takes it with the
 * nonces. A start that finds no mark knows the last process saved nothing (it crashed, or this is
 * the first start), so it cannot tell which reads were answered before it: the service then
 * refuses every read signed before its start (`signedFrom` in read-auth.ts).
 *
 * A read signed ahead of the service's clock can carry a `created` after that start, so for those
 * the store keeps, per key, the latest `created` (`read_ahead_horizons`), written before such a read
 * is answered; after a crash the start refuses each key's reads up to it (`aheadReads` in
 * read-auth.ts). A record is a transaction of its own with synchronous=FULL, as every write of
 * the ledger's connection but the batch commit: on disk before the read is answered. It is
 * written only when a key's ahead `created` grows (about once a second per client whose clock runs
 * ahead), never for a read signed by a clock that is not ahead.
 */
import type { SqliteDatabase } from './database.js';

export interface ReadNonceHandover {
  /** Whether the last process saved its nonces when it stopped; false after a crash and at a first start. */
  readonly handedOver: boolean;
  /** The saved nonces (`keyId\nnonce`) not yet expired, earliest expiry first. */
  readonly nonces: Array<readonly [nonceKey: string, until: number]>;
}

export interface ReadNonceStore {
  /** What the last stop saved, the nonces not yet expired at `now`; the table and the mark are emptied (one stop hands over to one start). */
  take(now: number): ReadNonceHandover;
  /** Replaces what is saved with `nonces` and marks the handover, at `now`, in one transaction. */
  save(nonces: Iterable<readonly [nonceKey: string, until: number]>, now: number): void;
  /**
   * The latest `created` (seconds) recorded per key for reads signed ahead, dropping those a read
   * signed then could no longer be answered for (`created` more than `windowMs` before `now`).
   */
  aheadHorizons(now: number, windowMs: number): Map<string, number>;
  /** Records `created` for `keyId`, unless a later one is recorded. */
  recordAhead(keyId: string, created: number): void;
}

export function createReadNonceStore(db: SqliteDatabase): ReadNonceStore {
  const q = {
    all: db.prepare<[number], { nonce_key: string; until: number }>('SELECT nonce_key, until FROM read_nonces WHERE until >= ? ORDER BY until'),
    clear: db.prepare('DELETE FROM read_nonces'),
    insert: db.prepare<[string, number]>('INSERT OR REPLACE INTO read_nonces (nonce_key, until) VALUES (?, ?)'),
    mark: db.prepare<[number]>('INSERT OR REPLACE INTO read_nonce_handover (id, saved_ms) VALUES (1, ?)'),
    takeMark: db.prepare<[], { saved_ms: number }>('DELETE FROM read_nonce_handover RETURNING saved_ms'),
    dropStaleHorizons: db.prepare<[number]>('DELETE FROM read_ahead_horizons WHERE created * 1000 < ?'),
    horizons: db.prepare<[], { key_id: string; created: number }>('SELECT key_id, created FROM read_ahead_horizons'),
    recordAhead: db.prepare<[string, number]>(
      'INSERT INTO read_ahead_horizons (key_id, created) VALUES (?, ?) ON CONFLICT (key_id) DO UPDATE SET created = max(created, excluded.created)',
    ),
  };
  const aheadHorizons = db.transaction((now: number, windowMs: number) => {
    q.dropStaleHorizons.run(now - windowMs);
    return new Map(q.horizons.all().map((r) => [r.key_id, r.created] as const));
  });
  const take = db.transaction((now: number): ReadNonceHandover => {
    const handedOver = q.takeMark.all().length > 0;
    const nonces = q.all.all(now).map((r) => [r.nonce_key, r.until] as const);
    q.clear.run();
    return { handedOver, nonces };
  });
  const save = db.transaction((nonces: Iterable<readonly [string, number]>, now: number) => {
    q.clear.run();
    for (const [nonceKey, until] of nonces) q.insert.run(nonceKey, until);
    q.mark.run(now);
  });
  return {
    take: (now) => take.immediate(now),
    save: (nonces, now) => save.immediate(nonces, now),
    aheadHorizons: (now, windowMs) => aheadHorizons.immediate(now, windowMs),
    recordAhead: (keyId, created) => void q.recordAhead.run(keyId, created),
  };
}
