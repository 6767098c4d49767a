/** Export bundles: a verified log round-trips through a bundle into an identical database; damaged bundles are caught. */
import t from 'tap';
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { exportLog } from '../../src/transfer/export-log.js';
import { importBundle } from '../../src/transfer/import-bundle.js';
import { openBundleLogSource } from '../../src/transfer/bundle-log-source.js';
import { BUNDLE_FORMAT } from '../../src/transfer/bundle-format.js';
import { auditLog } from '../../src/audit/audit.js';
import { openDbLogSource } from '../../src/verify/db-log-source.js';
import { syntheticLedger, tamperedCopy } from '../support/synthetic.js';
import { rejectsCode } from '../support/assert-code.js';

let shared: Promise<string> | undefined;
/** The synthetic ledger exported once per process (tests only read it or write altered copies). */
function exported(): Promise<string> {
  shared ??= (async () => {
    const ledger = await syntheticLedger();
    const dir = mkdtempSync(join(tmpdir(), 'rxledger-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const bundle = join(dir, 'log.rxbundle.gz');
    const source = openDbLogSource(ledger.dbPath);
    try {
      await exportLog(source, bundle, { trustedKeys: ledger.verifierKeys, workers: 2, now: () => Date.UTC(2026, 10, 23) });
    } finally {
      await source.close?.();
    }
    return bundle;
  })();
  return shared;
}
const lines = (bundle: string) => gunzipSync(readFileSync(bundle)).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
/** Writes `records` as a bundle; a final end record is recomputed so only the intended damage remains. */
function writeLines(path: string, records: Array<Record<string, unknown>>): void {
  const body = records.filter((r) => r.record !== 'end').map((r) => `${JSON.stringify(r)}\n`).join('');
  const ends = records.at(-1)?.record === 'end';
  const end = ends ? `${JSON.stringify({ record: 'end', records: records.length - 1, sha256: createHash('sha256').update(body).digest('hex') })}\n` : '';
  writeFileSync(path, gzipSync(body + end));
}
const auditBundle = async (bundle: string) => auditLog(await openBundleLogSource(bundle), { trustedKeys: (await syntheticLedger()).verifierKeys, workers: 0 });

/** Every row of `table` in both databases, ordered, as JSON. */
function rows(path: string, table: string, order: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return JSON.stringify(db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all());
  } finally {
    db.close();
  }
}

t.test('a bundle holds the log in format order, and audits offline', async (t) => {
  const ledger = await syntheticLedger();
  const bundle = await exported();
  const records = lines(bundle);
  t.match(records[0], { record: 'header', format: BUNDLE_FORMAT, origin: 'audit.rxledger.example/log', logSize: ledger.size, exportedAt: '2026-11-23T00:00:00.000Z' });
  const kinds = records.map((r) => r.record);
  const firstEntry = kinds.indexOf('entry');
  t.ok(kinds.slice(1, firstEntry).every((k) => k === 'checkpoint' || k === 'rule-set'), 'checkpoints and rule sets before the entries');
  t.ok(kinds.includes('rule-set'));
  t.equal(kinds.filter((k) => k === 'entry').length, ledger.size);
  t.same(kinds.slice(-2), ['registry', 'end']);
  t.equal(records.at(-1)!.records, records.length - 1);
  const report = await auditBundle(bundle);
  t.ok(report.ok, JSON.stringify(report.failures));
  t.equal(report.entriesVerified, ledger.size);
});

t.test('importing a bundle into an empty data directory yields identical roots, proofs and derived state', async (t) => {
  const ledger = await syntheticLedger();
  const dir = t.testdir();
  const bundle = await exported();
  const dataDir = join(dir, 'imported');
  const result = await importBundle(bundle, dataDir, { trustedKeys: ledger.verifierKeys, workers: 2 });
  t.ok(result.report.ok);
  t.equal(result.imported?.entries, ledger.size);
  const imported = join(dataDir, 'ledger.sqlite');
  for (const [table, order] of [
    ['entries', 'idx'],
    ['tree_nodes', 'level, idx'],
    ['registry_institutions', 'institution_id'],
    ['registry_actors', 'actor_id'],
    ['registry_keys', 'key_id'],
    ['registry_statements', '1, 2'],
    ['rx_prescriptions', 'rowid'],
    ['rx_trace_codes', '1'],
    ['rule_set_bundles', 'hash'],
    ['rule_set_activations', 'idx'],
  ]) {
    t.equal(rows(imported, table!, order!), rows(ledger.dbPath, table!, order!), `${table} identical`);
  }
  t.equal(rows(imported, 'checkpoints', 'size').replace(/"published_ms":\d+/g, ''), rows(ledger.dbPath, 'checkpoints', 'size').replace(/"published_ms":\d+/g, ''), 'the same checkpoints');
  const source = openDbLogSource(imported);
  const again = await auditLog(source, { trustedKeys: ledger.verifierKeys, workers: 0 }).finally(() => source.close?.());
  t.ok(again.ok, 'the imported database audits, registry tables included');
  t.equal(again.rootHash, result.report.rootHash);
});

t.test('import refuses a non-empty directory and a bundle that does not verify, writing nothing', async (t) => {
  const ledger = await syntheticLedger();
  const dir = t.testdir();
  const bundle = await exported();
  const busy = join(dir, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'something'), 'x');
  await rejectsCode(t, importBundle(bundle, busy, { trustedKeys: ledger.verifierKeys }), 'REQUEST_INVALID');
  const records = lines(bundle);
  const entry = records.find((r) => r.record === 'entry' && r.index === 100)!;
  entry.data = Buffer.from(Buffer.from(entry.data as string, 'base64').toString('utf8').replace('"time":', '"time":1')).toString('base64');
  const bad = join(dir, 'bad.gz');
  writeLines(bad, records);
  const target = join(dir, 'target');
  const result = await importBundle(bad, target, { trustedKeys: ledger.verifierKeys, workers: 0 });
  t.notOk(result.report.ok);
  t.equal(result.imported, undefined);
  t.notOk(existsSync(join(target, 'ledger.sqlite')), 'nothing written');
});

t.test('damaged bundles are reported, never accepted', async (t) => {
  const dir = t.testdir();
  const bundle = await exported();
  const records = lines(bundle);
  const variant = (name: string, edit: (r: Array<Record<string, unknown>>) => Array<Record<string, unknown>>) => {
    const path = join(dir, `${name}.gz`);
    writeLines(path, edit(records.map((r) => ({ ...r }))));
    return path;
  };
  const withoutEnd = await auditBundle(variant('truncated', (r) => r.slice(0, r.length - 40)));
  t.equal(withoutEnd.failure?.code, 'BUNDLE_MALFORMED', 'a truncated bundle');
  const digestPath = join(dir, 'digest.gz');
  writeFileSync(digestPath, gzipSync(records.map((x) => `${JSON.stringify(x.record === 'end' ? { ...x, sha256: '0'.repeat(64) } : x)}\n`).join('')));
  const digest = await auditBundle(digestPath);
  t.equal(digest.failure?.code, 'BUNDLE_MALFORMED', 'a wrong end digest');
  const flipped = await auditBundle(
    variant('flipped', (r) =>
      r.map((x) => (x.record === 'entry' && x.index === 50 ? { ...x, data: Buffer.from(Buffer.from(x.data as string, 'base64').toString('utf8').replace('"prev":"', '"prev":"B')).toString('base64') } : x)),
    ),
  );
  t.notOk(flipped.ok, 'an altered entry');
  t.equal(flipped.failures?.find((k) => k.first.index !== undefined)?.first.index, 50);
  const registry = await auditBundle(
    variant('registry', (r) => r.map((x) => (x.record === 'registry' ? { ...x, snapshot: { ...(x.snapshot as object), institutions: [] } } : x))),
  );
  t.equal(registry.failure?.code, 'REGISTRY_SNAPSHOT_MISMATCH', 'a registry record that the log does not derive');
  await rejectsCode(t, openBundleLogSource(variant('headless', (r) => r.slice(1))), 'BUNDLE_MALFORMED');
  const checkpoints = records.filter((x) => x.record === 'checkpoint');
  t.ok(checkpoints.length >= 2, 'the fixture has a checkpoint history');
  const reordered = await auditBundle(
    variant('reordered', (r) => {
      // A larger checkpoint moved before a smaller one: its root would never be compared.
      const at = r.findIndex((x) => x.record === 'checkpoint');
      return [r[0]!, r[at + 1]!, r[at]!, ...r.slice(at + 2)];
    }),
  );
  t.equal(reordered.failure?.code, 'CHECKPOINT_INCONSISTENT', 'checkpoints out of ascending order');
  const late = join(dir, 'late.gz');
  writeLines(late, [...records.slice(0, -2), records.find((x) => x.record === 'checkpoint')!, ...records.slice(-2)]);
  t.equal((await auditBundle(late)).failure?.code, 'BUNDLE_MALFORMED', 'a checkpoint among the entries');
  const garbage = join(dir, 'garbage.gz');
  writeFileSync(garbage, 'not gzip at all');
  await rejectsCode(t, openBundleLogSource(garbage), 'BUNDLE_MALFORMED');
});

t.test('a file that cannot be read or decompressed is refused by code, on opening and part-way through the entries', async (t) => {
  const dir = t.testdir();
  const bytes = readFileSync(await exported());
  const { size } = await syntheticLedger();
  const drain = async (entries: AsyncIterable<unknown>) => {
    for await (const _ of entries);
  };
  // A file stream's error used to be an unhandled 'error' event: the process crashed.
  await rejectsCode(t, openBundleLogSource(join(dir, 'missing.gz')), 'SOURCE_UNAVAILABLE', 'a missing file');
  await rejectsCode(t, openBundleLogSource(dir), 'SOURCE_UNAVAILABLE', 'a directory');
  const cut = join(dir, 'cut.gz');
  writeFileSync(cut, bytes.subarray(0, 2000));
  await rejectsCode(t, openBundleLogSource(cut), 'BUNDLE_MALFORMED', 'a gzip stream cut off before the first entry');
  // Opened on the whole file, which is then cut off, then removed: the entries stream fails.
  const changing = join(dir, 'changing.gz');
  writeFileSync(changing, bytes);
  const source = await openBundleLogSource(changing);
  writeFileSync(changing, bytes.subarray(0, bytes.length >> 1));
  await rejectsCode(t, drain(source.entries(0, size)), 'BUNDLE_MALFORMED', 'a gzip stream cut off among the entries');
  rmSync(changing);
  await rejectsCode(t, drain(source.entries(0, size)), 'SOURCE_UNAVAILABLE', 'the file gone once opened');
});

t.test('a log that fails its audit is still exported as evidence, and the report says so', async (t) => {
  const { dbPath } = await syntheticLedger();
  const dir = t.testdir();
  const broken = tamperedCopy(dir, dbPath, "UPDATE registry_actors SET suspended = 1 WHERE actor_id = 'courier-0'");
  const ledger = await syntheticLedger();
  const source = openDbLogSource(broken);
  const { report, entries } = await exportLog(source, join(dir, 'evidence.gz'), { trustedKeys: ledger.verifierKeys, workers: 0 }).finally(() => source.close?.());
  t.notOk(report.ok);
  t.equal(entries, ledger.size);
  t.ok((await auditBundle(join(dir, 'evidence.gz'))).ok, 'the bundle carries the derived registry, not the edited table');
});
