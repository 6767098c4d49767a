/**
 * The ledger's narrow storage interface over SQLite. Every write is one IMMEDIATE transaction
 * that either commits whole or leaves nothing behind. A transaction is on disk when it returns
 * (synchronous=FULL), except one run by `transactionDeferred` with a WAL flusher: that one commits
 * with synchronous=NORMAL and says separately when it is on disk (docs/DESIGN.md §"Durability:
 * the WAL flushed off the event loop").
 */
import { RxError } from '../core/errors.js';
import type { TreeNode } from '../core/compact-range.js';
import type { NodeAddress } from '../core/merkle-proof.js';
import type { SqliteDatabase } from './database.js';
import type Database from 'better-sqlite3';

export interface StoredEntry {
  readonly index: number;
  readonly data: Uint8Array;
}

export interface StoredLeaf extends StoredEntry {
  readonly leafHash: Uint8Array;
}

export interface LogState {
  readonly origin: string;
  readonly latestCheckpoint: string | null;
  readonly keysEntryIndex: number | null;
}

export interface AppendBatch {
  /** The log size the batch was sequenced against; the write is refused if the store differs. */
  readonly expectedSize: number;
  readonly entries: readonly StoredLeaf[];
  /** Perfect subtrees completed by the batch; level 0 (the leaf hashes) is stored with the entries. */
  readonly nodes: readonly TreeNode[];
  /** Set when the batch contains a `ledger.checkpoint-keys` entry: the index of the last one. */
  readonly keysEntryIndex?: number;
}

export interface LedgerStore {
  size(): number;
  /** Hash of perfect subtree (level, index); throws LEDGER_INTEGRITY if it is missing. */
  readNode(level: number, index: number): Uint8Array;
  /** Hashes of many perfect subtrees in one query, in the order asked; throws LEDGER_INTEGRITY if one is missing. */
  readNodes(addresses: readonly NodeAddress[]): Uint8Array[];
  readEntry(index: number): StoredEntry | undefined;
  readEntries(start: number, end: number): StoredLeaf[];
  appendBatch(batch: AppendBatch): void;
  /**
   * Runs `fn` in one IMMEDIATE transaction (nested calls become savepoints). When an outermost
   * call returns, the transaction is on disk.
   */
  transaction<T>(fn: () => T): T;
  /**
   * Runs `fn` in one IMMEDIATE transaction and returns once SQLite has committed it; `durable`
   * resolves once it, and every transaction committed before it, is on disk, and rejects if that
   * could not be made sure of (then nothing committed since the last resolved `durable` may be
   * counted on). Without a WAL flusher it is `transaction`, durable on return. Not nestable.
   */
  transactionDeferred<T>(fn: () => T): { readonly value: T; readonly durable: Promise<void> };
  /**
   * `transactionDeferred`, except that when another connection holds the write lock it returns
   * undefined at once, having run nothing, instead of waiting for the lock (busy_timeout) with
   * the event loop held.
   */
  tryTransactionDeferred<T>(fn: () => T): { readonly value: T; readonly durable: Promise<void> } | undefined;
  logState(): LogState | undefined;
  initLogState(origin: string): void;
  /**
   * Replaces the latest checkpoint only if it is still `expected` (compare-and-swap), and records
   * it in the history. Returns false, writing nothing, if another writer got there first.
   */
  publishCheckpoint(expected: string | null, note: string, size: number, nowMs: number): boolean;
  close(): void;
}

const toBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** Flushes the database's write-ahead log to disk (src/platform/wal-sync.ts). */
export interface WalFlusher {
  /** Resolves once everything written to the WAL before the call is on disk. */
  flush(): Promise<void>;
  close(): void;
}

export interface LedgerStoreOptions {
  /**
   * With a flusher of this database's WAL, `transactionDeferred` commits without waiting for the
   * disk and flushes the WAL off the event loop. Every other transaction stays synchronous=FULL.
   */
  readonly walFlusher?: WalFlusher;
}

export function createLedgerStore(db: SqliteDatabase, options: LedgerStoreOptions = {}): LedgerStore {
  const flusher = options.walFlusher;
  if (flusher !== undefined && (db.memory || String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal')) {
    throw new RxError('CONFIG_INVALID', 'a WAL flusher needs a database file in WAL mode');
  }
  // Checkpoints (WAL into the database file, with SQLite's own syncs) run inside a COMMIT on the
  // event loop. Every 8,000 pages (about 32 MiB of WAL) instead of SQLite's 1,000: a page that
  // many batches change (upper tree levels, index pages) is copied once per checkpoint, so fewer
  // pages are written in all, and less often. Recovery after a crash reads at most that much WAL.
  if (flusher !== undefined) db.pragma('wal_autocheckpoint = 8000');
  const stmt = {
    maxIndex: db.prepare<[], { m: number | null }>('SELECT max(idx) AS m FROM entries'),
    node: db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?'),
    leaf: db.prepare<[number], { hash: Buffer }>('SELECT leaf_hash AS hash FROM entries WHERE idx = ?'),
    entry: db.prepare<[number], { idx: number; data: Buffer }>('SELECT idx, data FROM entries WHERE idx = ?'),
    entries: db.prepare<[number, number], { idx: number; leaf_hash: Buffer; data: Buffer }>(
      'SELECT idx, leaf_hash, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx',
    ),
    insertEntry: db.prepare<[number, Uint8Array, Uint8Array]>('INSERT INTO entries (idx, leaf_hash, data) VALUES (?, ?, ?)'),
    insertNode: db.prepare<[number, number, Uint8Array]>('INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)'),
    state: db.prepare<[], { origin: string; latest_checkpoint: string | null; keys_entry_index: number | null }>(
      'SELECT origin, latest_checkpoint, keys_entry_index FROM log_state WHERE id = 1',
    ),
    initState: db.prepare<[string]>('INSERT INTO log_state (id, origin) VALUES (1, ?)'),
    setKeysEntry: db.prepare<[number]>('UPDATE log_state SET keys_entry_index = ? WHERE id = 1'),
    casCheckpoint: db.prepare<[string, string | null]>('UPDATE log_state SET latest_checkpoint = ? WHERE id = 1 AND latest_checkpoint IS ?'),
    insertCheckpoint: db.prepare<[number, string, number]>('INSERT INTO checkpoints (size, note, published_ms) VALUES (?, ?, ?)'),
    // The sync level is read when a transaction commits: NORMAL only around a deferred one.
    syncNormal: db.prepare('PRAGMA synchronous = NORMAL'),
    syncFull: db.prepare('PRAGMA synchronous = FULL'),
  };
  // The connection's wait for another connection's lock (busy_timeout), as found when the store was
  // made: none while a batch tries to begin without waiting, then this again. Set through
  // db.pragma, which prepares the statement anew: SQLite applies busy_timeout while preparing it,
  // so a statement prepared once and run again does not reliably set it.
  const lockWaitMs = Number(db.pragma('busy_timeout', { simple: true }));
  const setLockWait = (ms: number): void => {
    db.pragma(`busy_timeout = ${ms}`);
  };

  // One statement per shape (leaves asked, interior nodes asked), prepared on first use: a proof
  // is one query, not one per node.
  type NodeRow = { level: number; idx: number; hash: Buffer };
  const batchStatements = new Map<string, Database.Statement<number[], NodeRow>>();
  const batchStatement = (leaves: number, interior: number) => {
    const shape = `${leaves}/${interior}`;
    let s = batchStatements.get(shape);
    if (s === undefined) {
      const parts: string[] = [];
      if (leaves > 0) {
        parts.push(`SELECT 0 AS level, idx, leaf_hash AS hash FROM entries WHERE idx IN (${Array(leaves).fill('?').join(', ')})`);
      }
      if (interior > 0) {
        parts.push(`SELECT level, idx, hash FROM tree_nodes WHERE (level, idx) IN (VALUES ${Array(interior).fill('(?, ?)').join(', ')})`);
      }
      s = db.prepare<number[], NodeRow>(parts.join(' UNION ALL '));
      batchStatements.set(shape, s);
    }
    return s;
  };
  const readOneNode = (level: number, index: number): Uint8Array => {
    const row = level === 0 ? stmt.leaf.get(index) : stmt.node.get(level, index);
    if (row === undefined) throw new RxError('LEDGER_INTEGRITY', `tree node (${level}, ${index}) is missing`);
    return toBytes(row.hash);
  };

  const size = (): number => {
    const m = stmt.maxIndex.get()?.m;
    return m === null || m === undefined ? 0 : m + 1;
  };

  // One transaction function for every `transaction(fn)`: better-sqlite3 builds four wrapper
  // functions each time `db.transaction` is called, which cost about 20 µs per call, and the
  // sequencer runs one (a savepoint) for every entry. The wrapper passes its arguments through,
  // and opens a savepoint instead of a transaction when called inside one, as each new one did.
  const runInTransaction = db.transaction((fn: () => unknown) => fn()).immediate as <T>(fn: () => T) => T;

  function transactionDeferred<T>(fn: () => T): { readonly value: T; readonly durable: Promise<void> } {
    if (flusher === undefined) return { value: runInTransaction(fn), durable: Promise.resolve() };
    if (db.inTransaction) throw new RxError('LEDGER_INTEGRITY', 'a deferred transaction cannot be nested');
    stmt.syncNormal.run();
    let value: T;
    try {
      value = runInTransaction(fn);
    } finally {
      stmt.syncFull.run();
    }
    // Called after COMMIT returned: the batch's frames are in the WAL file, so this flush covers them.
    return { value, durable: flusher.flush() };
  }

  const append = db.transaction((batch: AppendBatch) => {
    const current = size();
    if (current !== batch.expectedSize) {
      throw new RxError('LEDGER_INTEGRITY', `store holds ${current} entries, batch expected ${batch.expectedSize}`);
    }
    for (const e of batch.entries) stmt.insertEntry.run(e.index, e.leafHash, e.data);
    for (const n of batch.nodes) if (n.level > 0) stmt.insertNode.run(n.level, n.index, n.hash);
    if (batch.keysEntryIndex !== undefined) stmt.setKeysEntry.run(batch.keysEntryIndex);
  });

  const publish = db.transaction((expected: string | null, note: string, cpSize: number, nowMs: number): boolean => {
    if (stmt.casCheckpoint.run(note, expected).changes !== 1) return false;
    stmt.insertCheckpoint.run(cpSize, note, nowMs);
    return true;
  });

  return {
    size,
    readNode: readOneNode,
    readNodes(addresses) {
      if (addresses.length === 0) return [];
      if (addresses.length === 1) {
        const only = addresses[0] as NodeAddress;
        return [readOneNode(only.level, only.index)];
      }
      const leaves = addresses.filter((a) => a.level === 0);
      const interior = addresses.filter((a) => a.level > 0);
      const params = [...leaves.map((a) => a.index), ...interior.flatMap((a) => [a.level, a.index])];
      const rows = batchStatement(leaves.length, interior.length).all(...params);
      const found = new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
      return addresses.map((a) => {
        const hash = found.get(`${a.level}/${a.index}`);
        if (hash === undefined) throw new RxError('LEDGER_INTEGRITY', `tree node (${a.level}, ${a.index}) is missing`);
        return toBytes(hash);
      });
    },
    readEntry(index) {
      const row = stmt.entry.get(index);
      return row === undefined ? undefined : { index: row.idx, data: toBytes(row.data) };
    },
    readEntries(start, end) {
      return stmt.entries.all(start, end).map((row) => ({ index: row.idx, leafHash: toBytes(row.leaf_hash), data: toBytes(row.data) }));
    },
    appendBatch(batch) {
      append.immediate(batch);
    },
    transaction(fn) {
      return runInTransaction(fn);
    },
    transactionDeferred,
    tryTransactionDeferred(fn) {
      let began = false;
      setLockWait(0);
      try {
        return transactionDeferred(() => {
          began = true;
          setLockWait(lockWaitMs);
          return fn();
        });
      } catch (err) {
        if (!began && (err as { code?: unknown }).code === 'SQLITE_BUSY') return undefined;
        throw err;
      } finally {
        if (!began) setLockWait(lockWaitMs);
      }
    },
    logState() {
      const row = stmt.state.get();
      return row === undefined
        ? undefined
        : { origin: row.origin, latestCheckpoint: row.latest_checkpoint, keysEntryIndex: row.keys_entry_index };
    },
    initLogState(origin) {
      stmt.initState.run(origin);
    },
    publishCheckpoint(expected, note, cpSize, nowMs) {
      return publish.immediate(expected, note, cpSize, nowMs);
    },
    close() {
      try {
        db.close();
      } finally {
        flusher?.close();
      }
    },
  };
}
