/**
 * Versioned schema migrations. `PRAGMA user_version` records the last applied version; each
 * migration runs in its own transaction together with the version bump, so a crash leaves the
 * database at a whole version. Released migrations are never edited: add a new one.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'ledger entries, stored perfect subtrees, checkpoints',
    sql: `
      -- One row per leaf: the exact canonical bytes that were hashed, and their leaf hash (the
      -- tree's level 0, kept here rather than in tree_nodes to save one insert per entry).
      CREATE TABLE entries (
        idx       INTEGER PRIMARY KEY CHECK (idx >= 0),
        leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
        data      BLOB NOT NULL
      );
      -- Hash of every complete perfect subtree above the leaves (level >= 1).
      CREATE TABLE tree_nodes (
        level INTEGER NOT NULL CHECK (level >= 1 AND level < 64),
        idx   INTEGER NOT NULL CHECK (idx >= 0),
        hash  BLOB NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      ) WITHOUT ROWID;
      -- Every checkpoint ever published, keyed by tree size.
      CREATE TABLE checkpoints (
        size         INTEGER PRIMARY KEY CHECK (size >= 0),
        note         TEXT NOT NULL,
        published_ms INTEGER NOT NULL
      );
      -- Single-row log state; the latest checkpoint is replaced only by compare-and-swap.
      CREATE TABLE log_state (
        id                 INTEGER PRIMARY KEY CHECK (id = 1),
        origin             TEXT NOT NULL,
        latest_checkpoint  TEXT,
        keys_entry_index   INTEGER
      );
    `,
  },
];
