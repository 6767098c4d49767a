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
}

export function createReadNonceStore(db: SqliteDatabase): ReadNonceStore {
  const q = {
    all: db.prepare<[number], { nonce_key: string; until: number }>('SELECT nonce_key, until FROM read_nonces WHERE until >= ? ORDER BY until'),
    clear: db.prepare('DELETE FROM read_nonces'),
    insert: db.prepare<[string, number]>('INSERT OR REPLACE INTO read_nonces (nonce_key, until) VALUES (?, ?)'),
    mark: db.prepare<[number]>('INSERT OR REPLACE INTO read_nonce_handover (id, saved_ms) VALUES (1, ?)'),
    takeMark: db.prepare<[], { saved_ms: number }>('DELETE FROM read_nonce_handover RETURNING saved_ms'),
  };
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
  };
}
