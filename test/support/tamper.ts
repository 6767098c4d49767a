/** Copies of a ledger database altered behind the ledger's back, for tamper tests. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

let copies = 0;
/** A copy of the database at `original` in its own folder under `base`, with `sql` run behind the ledger's back. */
export function tamperedCopy(base: string, original: string, sql = 'SELECT 1', ...params: unknown[]): string {
  const dir = join(base, `copy-${copies++}`);
  mkdirSync(dir);
  const path = join(dir, 'ledger.sqlite');
  copyFileSync(original, path);
  const db = new Database(path);
  db.prepare(sql).run(...params);
  db.close();
  return path;
}
