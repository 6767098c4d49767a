/**
 * Signed reads' spent nonces across a restart (src/http/read-auth.ts remembers them for two
 * timestamp windows): saved when the service stops, taken back when it starts, so a read captured
 * shortly before a restart cannot be replayed once more after it. Outside the log (docs/FORMAT.md
 * §9): nothing signs them, and a crash, which saves nothing, leaves the window it always had.
 */
import type { SqliteDatabase } from './database.js';

export interface ReadNonceStore {
  /** The saved nonces not yet expired at `now`; the table is emptied (a nonce is saved by one stop and taken by one start). */
  take(now: number): Array<readonly [nonceKey: string, until: number]>;
  /** Replaces what is saved with `nonces`, in one transaction. */
  save(nonces: Iterable<readonly [nonceKey: string, until: number]>): void;
}

export function createReadNonceStore(db: SqliteDatabase): ReadNonceStore {
  const q = {
    all: db.prepare<[number], { nonce_key: string; until: number }>('SELECT nonce_key, until FROM read_nonces WHERE until >= ? ORDER BY until'),
    clear: db.prepare('DELETE FROM read_nonces'),
    insert: db.prepare<[string, number]>('INSERT OR REPLACE INTO read_nonces (nonce_key, until) VALUES (?, ?)'),
  };
  const take = db.transaction((now: number) => {
    const rows = q.all.all(now).map((r) => [r.nonce_key, r.until] as const);
    q.clear.run();
    return rows;
  });
  const save = db.transaction((nonces: Iterable<readonly [string, number]>) => {
    q.clear.run();
    for (const [nonceKey, until] of nonces) q.insert.run(nonceKey, until);
  });
  return {
    take: (now) => take.immediate(now),
    save: (nonces) => save.immediate(nonces),
  };
}
