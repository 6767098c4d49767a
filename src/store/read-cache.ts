/**
 * Derived-state records kept in memory once read from SQLite, without ever answering with a value
 * the database would not give at that moment. Used for what nearly every statement reads and
 * rarely changes: the registry's institutions, actors, keys and timestamp window
 * (registry-store.ts) and the active rule set (rule-set-store.ts).
 *
 * Those records change only through their store's `apply`, on the ledger's one connection (one
 * service per data directory, held by its lock), and those writes happen inside transactions that
 * may still roll back: a savepoint refusing one entry, or a whole batch whose commit fails. So:
 *   - a write to a record first drops it from the cache and marks it written; until the
 *     connection is next seen outside any transaction, that record is read from SQLite every time
 *     and not kept, so a read sees the transaction's own write, and nothing it returns can
 *     outlive a rollback;
 *   - any other record read inside a transaction has not been written since the last commit, so
 *     SQLite answers with its committed value, which is what the cache keeps;
 *   - a read outside any transaction, when everything is committed or rolled back, forgets the
 *     marks (the written records are not in the cache: their next read fetches them).
 * A read that finds nothing is kept too (an unknown key id stays unknown until it is written);
 * each kind keeps at most MAX_ANSWERS answers and is emptied when full, so a stream of unknown
 * ids cannot grow it.
 *
 * Cached values are shared between callers and never changed (records are values).
 */
import type { SqliteDatabase } from './database.js';

/** Answers kept per kind at most: a province's registry, not a stream of unknown ids. */
const MAX_ANSWERS = 50_000;

export interface ReadCache<Kind extends string> {
  /** `read` through the cache, for one kind of record. */
  reader<V>(kind: Kind, read: (id: string) => V): (id: string) => V;
  /** Called before every write to the record `id` of `kind`. */
  written(kind: Kind, id: string): void;
}

export function createReadCache<Kind extends string>(db: Pick<SqliteDatabase, 'inTransaction'>): ReadCache<Kind> {
  const kinds = new Map<Kind, { readonly answers: Map<string, unknown>; readonly written: Set<string> }>();
  let anyWritten = false;
  const forgetWrites = () => {
    for (const k of kinds.values()) k.written.clear();
    anyWritten = false;
  };
  const kindOf = (kind: Kind) => {
    let k = kinds.get(kind);
    if (k === undefined) kinds.set(kind, (k = { answers: new Map(), written: new Set() }));
    return k;
  };
  return {
    reader<V>(kind: Kind, read: (id: string) => V) {
      const { answers, written } = kindOf(kind);
      return (id) => {
        if (anyWritten) {
          if (!db.inTransaction) forgetWrites();
          else if (written.has(id)) return read(id);
        }
        if (answers.has(id)) return answers.get(id) as V;
        const value = read(id);
        if (answers.size >= MAX_ANSWERS) answers.clear();
        answers.set(id, value);
        return value;
      };
    },
    written(kind, id) {
      const k = kindOf(kind);
      k.answers.delete(id);
      if (db.inTransaction) {
        k.written.add(id);
        anyWritten = true;
      }
    },
  };
}
