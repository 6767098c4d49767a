/**
 * The ledger's start-up checks (src/ledger/ledger-recovery.ts) on stores altered behind its back:
 * entries without a log state, and a last entry whose bytes match its leaf hash but which is not
 * at its place in the chain (a copy of an earlier entry over a last entry no checkpoint covers
 * yet, rows swapped or appended at the end). Each is refused with LEDGER_INTEGRITY before
 * anything is sequenced on top; a pristine store still opens. The first two were accepted before
 * these checks existed.
 */
import t from 'tap';
import Database from 'better-sqlite3';
import { throwsCode } from '../support/assert-code.js';
import { buildTestLedger, openTestLedger } from '../support/test-ledger.js';

/** A closed ledger of 1 + 20 entries, altered with `sql` (constraints off, as anyone editing the file could). */
async function altered(dir: string, ...sql: string[]): Promise<void> {
  const { ledger, dbPath } = await buildTestLedger(dir, 20);
  await ledger.close();
  const raw = new Database(dbPath);
  raw.pragma('ignore_check_constraints = ON');
  for (const statement of sql) raw.prepare(statement).run();
  raw.close();
}

t.test('a pristine store opens, and the next entry follows its last one', async (t) => {
  const dir = t.testdir();
  await altered(dir);
  const { ledger } = openTestLedger(dir);
  t.equal(ledger.size(), 21);
  t.equal((await ledger.append('test.event', { n: 99 })).index, 21);
  await ledger.close();
});

t.test('entries without a log state are refused, not adopted under a fresh one', async (t) => {
  const dir = t.testdir();
  await altered(dir, 'DELETE FROM log_state');
  throwsCode(t, () => openTestLedger(dir), 'LEDGER_INTEGRITY');
});

t.test('a last entry that matches its leaf hash but not its place is refused', async (t) => {
  // After a crash the last entries may not be covered by a checkpoint yet, and a lone leaf at the
  // right edge is in no stored subtree: only its own envelope can say it is out of place.
  const dir = t.testdir();
  const { ledger, dbPath } = await buildTestLedger(dir, 19);
  await ledger.append('test.event', { n: 19 });
  await ledger.close();
  const raw = new Database(dbPath);
  const covered = raw.prepare<[], { note: string }>('SELECT note FROM checkpoints WHERE size = 20').get()!.note;
  raw.prepare('DELETE FROM checkpoints WHERE size = 21').run();
  raw.prepare('UPDATE log_state SET latest_checkpoint = ?').run(covered);
  const crashed = raw.prepare<[], { data: Buffer; leaf_hash: Buffer }>('SELECT data, leaf_hash FROM entries WHERE idx = 20').get()!;
  raw.prepare('UPDATE entries SET data = (SELECT data FROM entries WHERE idx = 5), leaf_hash = (SELECT leaf_hash FROM entries WHERE idx = 5) WHERE idx = 20').run();
  raw.close();
  throwsCode(t, () => openTestLedger(dir), 'LEDGER_INTEGRITY', 'an earlier entry copied over the last one, with its leaf hash');

  // With its own last entry back, the same store opens: the crash itself was harmless.
  const repaired = new Database(dbPath);
  repaired.prepare('UPDATE entries SET data = ?, leaf_hash = ? WHERE idx = 20').run(crashed.data, crashed.leaf_hash);
  repaired.close();
  const reopened = openTestLedger(dir).ledger;
  t.equal(reopened.size(), 21, 'the crashed store reopens');
  await reopened.close();
});

t.test('rows swapped or appended at the end are refused', async (t) => {
  const cases: Record<string, string[]> = {
    'the last two entries swapped, with their leaf hashes': [
      'UPDATE entries SET idx = -1 WHERE idx = 20',
      'UPDATE entries SET idx = 20 WHERE idx = 19',
      'UPDATE entries SET idx = 19 WHERE idx = -1',
    ],
    'a copy of an earlier entry appended, with its leaf hash': ['INSERT INTO entries (idx, leaf_hash, data) SELECT 21, leaf_hash, data FROM entries WHERE idx = 5'],
  };
  for (const [what, sql] of Object.entries(cases)) {
    const dir = t.testdir();
    await altered(dir, ...sql);
    throwsCode(t, () => openTestLedger(dir), 'LEDGER_INTEGRITY', what);
  }
});
