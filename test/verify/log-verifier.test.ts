import t from 'tap';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { formatVerifierKey } from '../../src/core/note-keys.js';
import { createApp } from '../../src/http/app.js';
import { openDbLogSource } from '../../src/verify/db-log-source.js';
import { createHttpLogSource } from '../../src/verify/http-log-source.js';
import { verifyLog, type VerifyReport } from '../../src/verify/log-verifier.js';
import { testReaders } from '../support/test-readers.js';
import { tamperedCopy as tampered } from '../support/tamper.js';
import { TEST_VERIFY_OPTIONS, appendEvents, buildTestLedger, openTestLedger, testKey } from '../support/test-ledger.js';
import { testdirWithStops } from '../support/testdir.js';

const KEY = formatVerifierKey(testKey());
const verifyDb = (path: string, extra: Partial<Parameters<typeof verifyLog>[1]> = {}): Promise<VerifyReport> => {
  const source = openDbLogSource(path);
  return verifyLog(source, { trustedKeys: [KEY], ...TEST_VERIFY_OPTIONS, ...extra }).finally(() => source.close?.());
};

/** A closed ledger of 1 + n entries with checkpoints at several sizes; returns its database path. */
async function pristine(base: string, n = 40): Promise<{ path: string; checkpoints: string[] }> {
  const dir = join(base, 'pristine');
  mkdirSync(dir);
  const { ledger, dbPath } = await buildTestLedger(dir, n / 2);
  const checkpoints = [ledger.latestCheckpoint()!];
  await appendEvents(ledger, n / 2, n / 2);
  checkpoints.push(ledger.publishCheckpoint()!);
  await ledger.close();
  return { path: dbPath, checkpoints };
}

t.test('a pristine ledger verifies from its database file', async (t) => {
  const base = t.testdir();
  const { path } = await pristine(base);
  const progress: number[] = [];
  const report = await verifyDb(path, { onProgress: (done) => progress.push(done) });
  t.ok(report.ok, JSON.stringify(report.failure));
  t.equal(report.entriesVerified, 41);
  t.equal(report.checkpointSize, 41);
  t.equal(progress.at(-1), 41);
});

t.test('a pristine ledger verifies over HTTP on 127.0.0.1, with consistency from a trusted checkpoint', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { ledger } = await buildTestLedger(dir, 30);
  const trusted = ledger.latestCheckpoint()!;
  await appendEvents(ledger, 30, 2500); // more than one entries page
  ledger.publishCheckpoint();
  const readers = testReaders();
  const app = await createApp({ ledger, entriesPageMax: 1000, bodyLimitBytes: 1024, readAuth: readers.readAuth, logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  stopBeforeRemoval(async () => {
    await app.close();
    await ledger.close();
  });
  const report = await verifyLog(createHttpLogSource(url, { signRead: readers.regulator }), { trustedKeys: [KEY], previousCheckpoint: trusted, ...TEST_VERIFY_OPTIONS });
  t.ok(report.ok, JSON.stringify(report.failure));
  t.equal(report.entriesVerified, 2531);
  const unreachable = await verifyLog(createHttpLogSource('http://127.0.0.1:1'), { trustedKeys: [KEY] });
  t.equal(unreachable.failure?.code, 'SOURCE_UNAVAILABLE');
});

t.test('tampering with any entry row is pinpointed to its index', async (t) => {
  const base = t.testdir();
  const { path } = await pristine(base);
  const cases: { what: string; sql: string; params: unknown[]; index: number; codes: string[] }[] = [];
  for (const index of [0, 1, 13, 20, 21, 40]) {
    // One altered byte inside a JSON value (the digit of n, or of the genesis key's base64).
    cases.push({
      what: `byte changed in entry ${index}`,
      sql: "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), '\"index\":' || idx || ',', '\"index\":' || idx || ' ,') AS BLOB) WHERE idx = ?",
      params: [index],
      index,
      codes: ['ENTRY_NOT_CANONICAL'],
    });
  }
  cases.push(
    { what: 'value edited canonically', sql: "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), '\"n\":9}', '\"n\":8}') AS BLOB) WHERE idx = 10", params: [], index: 10, codes: ['TREE_NODE_MISMATCH'] },
    { what: 'row deleted', sql: 'DELETE FROM entries WHERE idx = ?', params: [17], index: 17, codes: ['ENTRY_MISSING'] },
    { what: 'last row deleted', sql: 'DELETE FROM entries WHERE idx = ?', params: [40], index: 40, codes: ['ENTRY_MISSING'] },
    {
      what: 'rows swapped',
      sql: 'UPDATE entries SET data = CASE idx WHEN 5 THEN (SELECT data FROM entries WHERE idx = 6) ELSE (SELECT data FROM entries WHERE idx = 5) END WHERE idx IN (5, 6)',
      params: [],
      index: 5,
      codes: ['ENTRY_INDEX_MISMATCH'],
    },
    { what: 'row duplicated over its successor', sql: 'UPDATE entries SET data = (SELECT data FROM entries WHERE idx = 11) WHERE idx = 12', params: [], index: 12, codes: ['ENTRY_INDEX_MISMATCH'] },
    { what: 'stored tree node deleted', sql: 'DELETE FROM tree_nodes WHERE level = 2 AND idx = 3', params: [], index: 15, codes: ['TREE_NODE_MISMATCH'] },
    { what: 'stored tree node edited', sql: 'UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 9', params: [], index: 19, codes: ['TREE_NODE_MISMATCH'] },
    { what: 'stored leaf hash edited', sql: 'UPDATE entries SET leaf_hash = zeroblob(32) WHERE idx = 3', params: [], index: 3, codes: ['TREE_NODE_MISMATCH'] },
  );
  for (const c of cases) {
    const report = await verifyDb(tampered(base, path, c.sql, ...c.params));
    t.notOk(report.ok, c.what);
    t.equal(report.failure?.index, c.index, `${c.what}: index`);
    t.ok(c.codes.includes(report.failure?.code ?? ''), `${c.what}: ${report.failure?.code}`);
  }
});

t.test('a row inserted in the middle (later rows shifted) is found where it was inserted', async (t) => {
  const base = t.testdir();
  const { path } = await pristine(base);
  const copy = tampered(base, path, 'SELECT 1');
  const db = new Database(copy);
  db.transaction(() => {
    for (let i = 40; i >= 8; i--) db.prepare('UPDATE entries SET idx = idx + 1 WHERE idx = ?').run(i);
    db.prepare('INSERT INTO entries (idx, leaf_hash, data) SELECT 8, leaf_hash, data FROM entries WHERE idx = 7').run();
  })();
  db.close();
  const report = await verifyDb(copy);
  t.equal(report.failure?.index, 8);
  t.equal(report.failure?.code, 'ENTRY_INDEX_MISMATCH');
});

t.test('an entry appended behind the ledger\'s back is detected', async (t) => {
  const base = t.testdir();
  const { path } = await pristine(base);
  const report = await verifyDb(tampered(base, path, 'INSERT INTO entries (idx, leaf_hash, data) SELECT 41, leaf_hash, data FROM entries WHERE idx = 40'));
  t.notOk(report.ok);
  t.equal(report.failure?.index, 41);
});

t.test('checkpoint attacks', async (t) => {
  const base = t.testdir();
  const { path, checkpoints } = await pristine(base);
  const older = checkpoints[0]!;
  const rolledBack = await verifyDb(tampered(base, path, 'UPDATE log_state SET latest_checkpoint = ?', older));
  t.equal(rolledBack.failure?.code, 'CHECKPOINT_INCONSISTENT', 'latest replaced by an older genuine checkpoint');
  const forged = await verifyDb(tampered(base, path, "UPDATE log_state SET latest_checkpoint = replace(latest_checkpoint, char(10) || '41' || char(10), char(10) || '40' || char(10))"));
  t.equal(forged.failure?.code, 'NOTE_SIGNATURE_INVALID', 'checkpoint text edited');
  const history = await verifyDb(tampered(base, path, "UPDATE checkpoints SET note = replace(note, char(10) || '21' || char(10), char(10) || '20' || char(10)) WHERE size = 21"));
  t.equal(history.failure?.code, 'TREE_ROOT_MISMATCH', 'a historical checkpoint edited');
  const historySig = await verifyDb(tampered(base, path, "UPDATE checkpoints SET note = substr(note, 1, length(note) - 6) || 'AAAA=' || char(10) WHERE size = 21"));
  t.equal(historySig.failure?.code, 'NOTE_SIGNATURE_INVALID', 'a historical checkpoint signature edited');
  const wrongKey = await verifyDb(path, { trustedKeys: [formatVerifierKey(testKey(99))] });
  t.equal(wrongKey.failure?.code, 'NOTE_UNVERIFIED', 'signed by a key the verifier does not trust');
  const wrongOrigin = await verifyDb(path, { origin: 'other.example/log' });
  t.equal(wrongOrigin.failure?.code, 'CHECKPOINT_ORIGIN_MISMATCH');
  // A verifier that trusted the newer checkpoint sees a log served at the older one as a rollback.
  const rollback = await verifyDb(tampered(base, path, 'UPDATE log_state SET latest_checkpoint = ?', older), {
    previousCheckpoint: checkpoints[1]!,
  });
  t.equal(rollback.failure?.code, 'CHECKPOINT_INCONSISTENT');
  const noCheckpoint = await verifyDb(tampered(base, path, 'UPDATE log_state SET latest_checkpoint = NULL'));
  t.equal(noCheckpoint.failure?.code, 'CHECKPOINT_MISSING');
});

t.test('one altered byte anywhere in any entry is found at that entry', async (t) => {
  const base = t.testdir();
  const { path } = await pristine(base);
  const copy = tampered(base, path, 'SELECT 1');
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let index = 0; index <= 40; index++) {
    const db = new Database(copy);
    const original = (db.prepare('SELECT data FROM entries WHERE idx = ?').get(index) as { data: Buffer }).data;
    const altered = Buffer.from(original);
    const at = random(altered.length);
    altered[at] = (altered[at] as number) ^ (1 + random(255));
    db.prepare('UPDATE entries SET data = ? WHERE idx = ?').run(altered, index);
    db.close();
    const report = await verifyDb(copy);
    t.equal(report.failure?.index, index, `byte ${at} of entry ${index}: ${report.failure?.code}`);
    const restore = new Database(copy);
    restore.prepare('UPDATE entries SET data = ? WHERE idx = ?').run(original, index);
    restore.close();
  }
  t.ok((await verifyDb(copy)).ok, 'restored copy verifies again');
});

t.test('after a key rotation, older checkpoints verify through the keys the log announced', async (t) => {
  const dir = t.testdir();
  const k1 = testKey(1);
  const k2 = testKey(2);
  const first = await buildTestLedger(dir, 3, { signingKeys: [k1] });
  await first.ledger.close();
  const second = openTestLedger(dir, { signingKeys: [k2] });
  await second.ledger.recordCheckpointKeys();
  second.ledger.publishCheckpoint();
  await second.ledger.close();
  const report = await verifyDb(first.dbPath, { trustedKeys: [formatVerifierKey(k2)] });
  t.ok(report.ok, JSON.stringify(report.failure));
  const untrusted = await verifyDb(first.dbPath, { trustedKeys: [formatVerifierKey(k1)] });
  t.equal(untrusted.failure?.code, 'NOTE_UNVERIFIED', 'the latest checkpoint must be signed by a trusted key');
});

t.test('a log whose first entry is not the genesis key record is refused', async (t) => {
  const base = t.testdir();
  const { path } = await pristine(base);
  const report = await verifyDb(tampered(base, path, 'DELETE FROM entries WHERE idx = 0'));
  t.equal(report.failure?.index, 0);
});
