/** The full audit: same verdict on worker threads as inline, every kind of failure reported once with its first index. */
import t from 'tap';
import Database from 'better-sqlite3';
import { auditLog, formatAuditSummary, AUDIT_REPORT_FORMAT, type AuditReport } from '../../src/audit/audit.js';
import { openDbLogSource } from '../../src/verify/db-log-source.js';
import { syntheticLedger, tamperedCopy } from '../support/synthetic.js';

const audit = async (path: string, workers: number): Promise<AuditReport> => {
  const { verifierKeys } = await syntheticLedger();
  const source = openDbLogSource(path);
  return auditLog(source, { trustedKeys: verifierKeys, workers }).finally(() => source.close?.());
};
/** What must not depend on where preflight ran. */
const verdict = (r: AuditReport) => ({ ok: r.ok, entriesVerified: r.entriesVerified, failures: r.failures, entryTypes: r.entryTypes, rootHash: r.rootHash });

/** The index of the first entry of `type` at or after `from`. */
function indexOf(path: string, type: string, from = 0): number {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare<[number, string], { idx: number }>("SELECT idx FROM entries WHERE idx >= ? AND CAST(data AS TEXT) LIKE '%\"type\":\"' || ? || '\",\"v\":1}' ORDER BY idx LIMIT 1").get(from, type);
    if (row === undefined) throw new Error(`no ${type} entry`);
    return row.idx;
  } finally {
    db.close();
  }
}

t.test('a pristine realistic log passes, with the same report on worker threads as inline', async (t) => {
  const { dbPath, size } = await syntheticLedger();
  const [pooled, inline] = [await audit(dbPath, 2), await audit(dbPath, 0)];
  t.ok(pooled.ok, JSON.stringify(pooled.failures));
  t.equal(pooled.format, AUDIT_REPORT_FORMAT);
  t.equal(pooled.entriesVerified, size);
  t.same(pooled.failures, []);
  t.ok((pooled.entryTypes?.['rx.dispense'] ?? 0) > 0 && (pooled.entryTypes?.['rx.checked'] ?? 0) > 0, 'the log holds the lifecycle');
  t.ok(pooled.checks.length >= 8);
  t.same(verdict(pooled), verdict(inline));
  t.match(formatAuditSummary(pooled), /result:\s+OK/);
});

t.test('every kind of failure is reported with its first index and count, identically with and without workers', async (t) => {
  const { dbPath } = await syntheticLedger();
  const base = t.testdir();
  const claim = indexOf(dbPath, 'rx.claim', 200);
  const review = indexOf(dbPath, 'rx.review', 300);
  // A claim whose signature is lengthened (a canonical edit: the bytes stay valid JSON), a review
  // carrying another statement's signature, and an actor edited in the registry tables.
  const path = tamperedCopy(base, dbPath, "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), '\"signature\":\"', '\"signature\":\"A') AS BLOB) WHERE idx = ?", claim);
  const db = new Database(path);
  const signatureOf = (idx: number) => /"signature":"([^"]+)"/.exec(db.prepare<[number], { d: string }>('SELECT CAST(data AS TEXT) AS d FROM entries WHERE idx = ?').get(idx)!.d)![1]!;
  const other = signatureOf(indexOf(dbPath, 'rx.claim', claim + 1));
  db.prepare("UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), ?, ?) AS BLOB) WHERE idx = ?").run(signatureOf(review), other, review);
  db.prepare("UPDATE registry_actors SET suspended = 1 WHERE actor_id = 'dr-0-0'").run();
  db.close();

  const pooled = await audit(path, 2);
  const inline = await audit(path, 0);
  t.notOk(pooled.ok);
  t.same(verdict(pooled), verdict(inline), 'workers change nothing in the verdict');
  const kinds = new Map(pooled.failures!.map((k) => [k.first.code, k]));
  t.equal(kinds.get('ENTRY_CHAIN_BROKEN')?.first.index, claim + 1, 'the next entry no longer links to the altered one');
  t.equal(kinds.get('ENTRY_CHAIN_BROKEN')?.count, 2, 'both altered entries break the next link');
  t.equal(kinds.get('TREE_NODE_MISMATCH')?.first.index, claim, 'the stored leaf hash no longer matches');
  t.ok(kinds.has('TREE_ROOT_MISMATCH'), 'the checkpoints no longer match');
  t.equal(kinds.get('ENTRY_BODY_INVALID')?.first.index, claim, 'the lengthened signature no longer fits its schema, where it is');
  t.same(kinds.get('ENTRY_BODY_INVALID')?.first.paths, ['body.signature']);
  t.equal(kinds.get('AUTH_SIGNATURE_INVALID')?.first.index, review, 'the swapped signature does not verify, where it is');
  t.equal(kinds.get('AUTH_SIGNATURE_INVALID')?.count, 1);
  t.ok(kinds.has('RX_STATE_CONFLICT'), 'steps after the refused claim no longer follow the lifecycle');
  t.ok(kinds.has('REGISTRY_SNAPSHOT_MISMATCH'), 'the edited registry table is found');
  t.match(kinds.get('REGISTRY_SNAPSHOT_MISMATCH')?.first.message, /disagree on actor dr-0-0/);
  const summary = formatAuditSummary(pooled);
  for (const code of kinds.keys()) t.match(summary, new RegExp(`${code} ×\\d+`), `the summary names ${code}`);
  t.equal(pooled.failure?.index, Math.min(...pooled.failures!.map((k) => k.first.index ?? Infinity)), 'the headline failure is the earliest');
});

t.test('a source missing entries ends the audit there, with what was found before', async (t) => {
  const { dbPath } = await syntheticLedger();
  const report = await audit(tamperedCopy(t.testdir(), dbPath, 'DELETE FROM entries WHERE idx = 150'), 2);
  t.notOk(report.ok);
  t.equal(report.entriesVerified, 150);
  t.ok(report.failures!.some((k) => k.first.code === 'ENTRY_MISSING' && k.first.index === 150));
});
