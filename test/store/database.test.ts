import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { throwsCode } from '../support/assert-code.js';

t.test('opens with WAL, synchronous=FULL and the latest schema', async (t) => {
  const db = openDatabase(join(t.testdir(), 'l.sqlite'));
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL');
  t.equal(schemaVersion(db), Math.max(...MIGRATIONS.map((m) => m.version)));
  db.close();
});

t.test('migrations are versioned and applied once, each atomically', async (t) => {
  const path = join(t.testdir(), 'l.sqlite');
  const latest = Math.max(...MIGRATIONS.map((m) => m.version));
  const extra = [...MIGRATIONS, { version: latest + 1, description: 'test', sql: 'CREATE TABLE extra (x INTEGER);' }];
  openDatabase(path).close();
  const db = openDatabase(path, { migrations: extra });
  t.equal(schemaVersion(db), latest + 1);
  db.close();
  openDatabase(path, { migrations: extra }).close(); // not applied twice (CREATE TABLE would fail)
  const broken = [...extra, { version: latest + 2, description: 'fails halfway', sql: 'CREATE TABLE y (x INTEGER); SELECT * FROM missing;' }];
  t.throws(() => openDatabase(path, { migrations: broken }));
  const raw = new Database(path);
  t.equal(raw.pragma('user_version', { simple: true }), latest + 1, 'failed migration left the version alone');
  t.equal(raw.prepare("SELECT count(*) AS c FROM sqlite_master WHERE name = 'y'").get()?.constructor, Object);
  t.same(raw.prepare("SELECT count(*) AS c FROM sqlite_master WHERE name = 'y'").get(), { c: 0 }, 'and its half-done work was rolled back');
  raw.close();
});

t.test('a database from a newer build is refused', async (t) => {
  const path = join(t.testdir(), 'l.sqlite');
  openDatabase(path).close();
  const raw = new Database(path);
  raw.pragma('user_version = 99');
  raw.close();
  throwsCode(t, () => openDatabase(path), 'STORE_SCHEMA_UNSUPPORTED');
});

t.test('an existing file brought up to date is reported before and after, with the time it took; a new one is not', async (t) => {
  const path = join(t.testdir(), 'l.sqlite');
  const latest = Math.max(...MIGRATIONS.map((m) => m.version));
  const fresh: unknown[] = [];
  openDatabase(path, { migrations: MIGRATIONS.filter((m) => m.version <= 5), onUpgrade: (u) => fresh.push(u) }).close();
  t.same(fresh, [], 'creating a file is not an upgrade');
  const upgrades: Array<{ from: number; to: number; tookMs?: number }> = [];
  openDatabase(path, { onUpgrade: (u) => upgrades.push(u) }).close();
  t.same(upgrades.map(({ from, to }) => ({ from, to })), [{ from: 5, to: latest }, { from: 5, to: latest }]);
  t.equal(upgrades[0]!.tookMs, undefined, 'told before it starts');
  t.ok(Number.isInteger(upgrades[1]!.tookMs) && upgrades[1]!.tookMs! >= 0, 'and when done, with its duration');
  const none: unknown[] = [];
  openDatabase(path, { onUpgrade: (u) => none.push(u) }).close();
  t.same(none, [], 'nothing to do, nothing reported');
});
