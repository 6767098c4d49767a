/**
 * What each commit writes: builds a synthetic ledger (scripts/lib/synthetic-ledger.ts: the
 * production ledger, SQLite and state machine, driven in-process with real signed statements),
 * copies its database and write-ahead log part-way, and counts the WAL's pages per commit by the
 * table or index they belong to (SQLite's dbstat). Every page a commit dirties is written to the
 * WAL at the commit and copied again at the next checkpoint, so this says where a commit's disk
 * writes, and much of its COMMIT's time on the event loop, come from (docs/BENCHMARKS.md).
 *
 *   npm run diag:wal-pages -- --lanes 8        # 8 statements in flight: commits of a few statements
 *   npm run diag:wal-pages -- --lanes 64       # 64 in flight: larger commits
 *
 * Options:
 *   --entries N   size of the ledger to build (default 40000); the copy is taken at three quarters
 *   --lanes N     prescriptions driven concurrently, one statement in flight each (default 8)
 *
 * Prints a table, then as its last line one JSON object.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../src/store/database.js';
import { buildSyntheticLedger } from './lib/synthetic-ledger.js';
import { walCommits } from './lib/wal-frames.js';

const { values: args } = parseArgs({
  options: { entries: { type: 'string', default: '40000' }, lanes: { type: 'string', default: '8' } },
  strict: true,
});
const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return n;
};
const ENTRIES = positive('entries', args.entries!);
const LANES = positive('lanes', args.lanes!);

const work = mkdtempSync(join(tmpdir(), 'rxledger-wal-pages-'));
const dataDir = join(work, 'data');
const copy = join(work, 'copy');
try {
  let copiedAt: number | undefined;
  process.stderr.write(`building a ledger of ${ENTRIES.toLocaleString('en-US')} entries with ${LANES} in flight…\n`);
  await buildSyntheticLedger({
    dataDir,
    entries: ENTRIES,
    concurrency: LANES,
    onProgress: (size) => {
      if (copiedAt !== undefined || size < (ENTRIES * 3) / 4) return;
      // Between two appends (this runs on the event loop, which commits): both files are whole.
      mkdirSync(copy);
      for (const suffix of ['', '-wal']) copyFileSync(join(dataDir, DATABASE_FILE + suffix), join(copy, DATABASE_FILE + suffix));
      copiedAt = size;
    },
  });
  if (copiedAt === undefined) throw new Error('the ledger was never copied: use more --entries');
  const { pageSize, commits } = walCommits(readFileSync(join(copy, DATABASE_FILE + '-wal')));
  if (commits.length === 0) throw new Error('the copied WAL holds no complete commit (it had just been checkpointed): run again');
  const db = new Database(join(copy, DATABASE_FILE));
  const owner = new Map<number, string>();
  for (const row of db.prepare('SELECT name, pageno, pagetype FROM dbstat').all() as Array<{ name: string; pageno: number; pagetype: string }>) {
    owner.set(row.pageno, row.pagetype === 'internal' ? `${row.name} (interior)` : row.pagetype === 'overflow' ? `${row.name} (overflow)` : row.name);
  }
  db.close();
  const pagesBy = new Map<string, number>();
  let pages = 0;
  for (const commit of commits) {
    for (const page of new Set(commit)) {
      const name = owner.get(page) ?? '(new pages)';
      pagesBy.set(name, (pagesBy.get(name) ?? 0) + 1);
      pages += 1;
    }
  }
  const perCommit = (n: number): number => Math.round((n / commits.length) * 100) / 100;
  const rows = [...pagesBy].sort((a, b) => b[1] - a[1]);
  const lines = [
    `pages written per commit, ${commits.length} commits of the WAL copied at ${copiedAt.toLocaleString('en-US')} entries, ${LANES} statements in flight`,
    '',
    `${'pages'.padStart(8)}  table or index`,
    ...rows.map(([name, n]) => `${perCommit(n).toFixed(2).padStart(8)}  ${name}`),
    `${perCommit(pages).toFixed(2).padStart(8)}  all (${((perCommit(pages) * pageSize) / 1024).toFixed(0)} KiB in pages of ${pageSize} bytes)`,
  ];
  console.log(lines.join('\n'));
  console.log(JSON.stringify({ diag: 'wal-pages', entries: ENTRIES, lanes: LANES, copiedAt, commits: commits.length, pagesPerCommit: perCommit(pages), byTable: Object.fromEntries(rows.map(([name, n]) => [name, perCommit(n)])) }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
