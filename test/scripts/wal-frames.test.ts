/** The WAL reader of the diagnostics (scripts/lib/wal-frames.ts), on a real SQLite WAL. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { walCommits } from '../../scripts/lib/wal-frames.js';
import { testdirWithStops } from '../support/testdir.js';

t.test('each commit and the pages it wrote, in order; an unfinished tail is not a commit', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const path = join(dir, 'w.sqlite');
  const db = new Database(path);
  stopBeforeRemoval(() => db.close());
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE small (n INTEGER PRIMARY KEY, pad TEXT)');
  const insert = db.prepare('INSERT INTO small VALUES (?, ?)');
  insert.run(1, 'x');
  db.transaction(() => {
    for (let n = 2; n < 40; n++) insert.run(n, 'y'.repeat(400));
  })();
  const pageOf = (n: number) => (db.prepare('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno').all('small') as Array<{ pageno: number }>).map((r) => r.pageno)[n];
  const { pageSize, commits } = walCommits(readFileSync(`${path}-wal`));
  t.equal(pageSize, db.pragma('page_size', { simple: true }));
  t.equal(commits.length, 3, 'the CREATE, the single insert, the transaction of 38');
  t.ok(commits[0]!.includes(1), 'the schema page is written by the CREATE');
  t.ok(commits[2]!.length > 4, "38 rows of 400 bytes fill several of the table's pages");
  t.ok(commits[2]!.includes(pageOf(0)!), "the table's root is among them");
  const wal = readFileSync(`${path}-wal`);
  const frame = 24 + pageSize;
  const cut = wal.subarray(0, wal.length - frame);
  t.equal(walCommits(cut).commits.length, 2, 'without its last frame the last commit is not complete');
  t.same(walCommits(new Uint8Array(0)), { pageSize: 0, commits: [] });
  t.throws(() => walCommits(new Uint8Array(64)), /not a SQLite WAL file/);
});
