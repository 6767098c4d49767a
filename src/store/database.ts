/**
 * Opens the ledger's SQLite file with the durability settings the ledger's promises rest on:
 * WAL journaling and synchronous=FULL, so a committed transaction survives power loss.
 */
import Database from 'better-sqlite3';
import { RxError } from '../core/errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type SqliteDatabase = Database.Database;

/**
 * SQLite's page cache, in MiB. Proofs read one stored subtree per tree level; the upper levels of
 * the tree are small and clustered (tree_nodes is keyed by level first), so a cache of this size
 * keeps them in memory at any realistic log size while memory stays bounded: the cache is a cap,
 * not a function of the log's size.
 */
export const DEFAULT_CACHE_MIB = 32;

export interface OpenDatabaseOptions {
  readonly readonly?: boolean;
  readonly cacheMib?: number;
  readonly migrations?: readonly Migration[];
  /**
   * Told before an existing file (schema above 0) is migrated, and again when it is, with the
   * time it took: some migrations rewrite every prescription, which takes a while on a large
   * ledger, and an operator should see why a start is slow. A new file is not reported.
   */
  readonly onUpgrade?: (upgrade: SchemaUpgrade) => void;
}

export interface SchemaUpgrade {
  readonly from: number;
  readonly to: number;
  /** Absent before the migrations run; their duration once they have. */
  readonly tookMs?: number;
}

/** The ledger database's file name inside a data directory. */
export const DATABASE_FILE = 'ledger.sqlite';

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  try {
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma(`cache_size = -${Math.round((options.cacheMib ?? DEFAULT_CACHE_MIB) * 1024)}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, options.migrations ?? MIGRATIONS, options.readonly ?? false, options.onUpgrade);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: SqliteDatabase, migrations: readonly Migration[], readonly: boolean, onUpgrade?: (upgrade: SchemaUpgrade) => void): void {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const current = schemaVersion(db);
  if (current > latest) {
    throw new RxError('STORE_SCHEMA_UNSUPPORTED', `database schema ${current} is newer than this build (${latest})`);
  }
  if (readonly) {
    if (current !== latest) throw new RxError('STORE_SCHEMA_UNSUPPORTED', `database schema ${current} needs migrating to ${latest}`);
    return;
  }
  const pending = migrations.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  const reported = current > 0 && pending.length > 0 ? onUpgrade : undefined;
  const started = performance.now();
  reported?.({ from: current, to: latest });
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  reported?.({ from: current, to: latest, tookMs: Math.round(performance.now() - started) });
}
