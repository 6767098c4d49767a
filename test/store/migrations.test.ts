/**
 * Migrations that rebuild a table keep its rows: a database written before the prescription
 * projection moved to a rowid table reads back the same records, through the same indexed queries,
 * after migrating, prescription ids stay unique, and the check summaries added later are filled
 * in from the records; spent nonces and idempotency keys stay spent
 * through their reordering.
 */
import t from 'tap';
import { join } from 'node:path';
import { livePrescriptionFixedPart, livePrescriptionOf, type PrescriptionRecord } from '../../src/domain/prescription/prescription-record.js';
import { byId } from '../domain/prescription/test-world.js';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { createPrescriptionStore } from '../../src/store/prescription-store.js';
import { createRegistryStore } from '../../src/store/registry-store.js';
import { prescription } from '../../scripts/lib/rx-world.js';
import { testdirWithStops } from '../support/testdir.js';

const NOW = 1_767_225_600_000;

function record(n: number, state: PrescriptionRecord['state'], extra: Partial<PrescriptionRecord> = {}): PrescriptionRecord {
  const rx = prescription(`rx-mig-${n}`, { id: 'dr-a', institutionId: 'hosp-a' }, { pseudonym: `${n % 2}`.repeat(64), identityCommitment: 'c'.repeat(64) }, { now: NOW });
  return {
    prescriptionId: rx.prescriptionId, prescriberId: 'dr-a', institutionId: 'hosp-a', city: '3701', pseudonym: rx.patient.pseudonym, identityCommitment: rx.patient.identityCommitment,
    routing: { mode: 'nominated', pharmacyId: 'ph-a' }, accessCodes: [], spentAccessCodes: [], state, submittedAt: 10 * n, lastIndex: 10 * n + 1,
    fills: [{ number: 0, opensAt: NOW - 1000, closesAt: NOW + 86_400_000, lines: [{ line: 1, prescribed: 7_000_000, dispensed: 0 }] }], fill: 0,
    holder: null, cancelPending: false, delivery: null, overrideRequired: [], parties: ['ph-a'], revises: null, supersededBy: null, prescription: rx, ...extra,
  };
}

/** The row the store wrote before migration 13, with every column of that time, from the record. */
function rowBefore13(r: PrescriptionRecord): unknown[] {
  const routePharmacy = r.routing.mode === 'open' ? null : r.routing.pharmacyId;
  return [r.prescriptionId, r.pseudonym, r.state, routePharmacy, r.holder, r.delivery?.courierId ?? null, r.submittedAt, r.fills[r.fill]!.opensAt, r.fills.at(-1)!.closesAt, JSON.stringify(r)];
}

t.test('the prescription projection survives its rebuild and the new column, read through the same queries', async (t) => {
  const rebuild = MIGRATIONS.find((m) => m.description.startsWith('prescription projection: rows in submission order'));
  if (rebuild === undefined) throw new Error('the rebuild migration is missing');
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const path = join(dir, 'state.sqlite');
  const records = [
    record(1, 'active'),
    record(2, 'claimed', { holder: 'ph-a' }),
    record(3, 'delivery-assigned', { holder: 'ph-a', delivery: { courierId: 'courier-1', pickupCodeHash: 'f'.repeat(64) } }),
    record(4, 'active'),
    record(5, 'rejected'),
  ];
  // A name with characters JSON escapes: SQLite's JSON text must match JSON.stringify's for them too.
  const odd = records[2]!;
  records[2] = { ...odd, prescription: { ...odd.prescription, items: odd.prescription.items.map((i) => ({ ...i, genericName: `"引号" \\ \u0001 ${i.genericName}` })) } };
  // Written as the store wrote them before the rebuild (the same ten columns until migration 13).
  const before = openDatabase(path, { migrations: MIGRATIONS.filter((m) => m.version < rebuild.version) });
  const insert = before.prepare('INSERT INTO rx_prescriptions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  before.transaction(() => records.forEach((r) => insert.run(...rowBefore13(r))))();
  before.close();

  const after = openDatabase(path);
  stopBeforeRemoval(() => after.close());
  const store = createPrescriptionStore(after);
  t.same(records.map((r) => store.prescription(r.prescriptionId)), records, 'every record reads back');
  t.same(store.queue('ph-a', NOW, -1, 10).items, [records[0], records[3]], 'the queue holds the active ones');
  t.same(store.assignments('courier-1'), [records[2]], "the courier's assignment");
  // Patient 1…: records 1 and 3 are live, 5 is final. Their check summaries were filled in by
  // migration 13 from the records, with exactly the text the store writes for a new row.
  t.same(byId(store.livePrescriptionsOf(records[0]!.pseudonym, 'rx-none')), [records[0]!, records[2]!].map(livePrescriptionOf), "the patient's live prescriptions, as the check reads them");
  const summaries = after.prepare<[], { prescription_id: string; check_summary: string }>('SELECT prescription_id, check_summary FROM rx_prescriptions ORDER BY prescription_id').all();
  t.same(
    summaries.map((r) => r.check_summary),
    records.map((r) => JSON.stringify(livePrescriptionFixedPart(r))),
    'the filled-in column is byte for byte what the store would have written',
  );
  store.applyPrescription({ kind: 'rx-put', record: { ...records[0]!, state: 'claimed', holder: 'ph-a' } });
  t.same(store.queue('ph-a', NOW, -1, 10).items.map((r) => r.prescriptionId), ['rx-mig-4'], 'an update moves a row out of the queue');
  t.same(after.prepare('SELECT count(*) AS n FROM rx_prescriptions').get(), { n: 5 }, 'an upsert updates in place');
  t.throws(() => after.prepare('INSERT INTO rx_prescriptions SELECT * FROM rx_prescriptions LIMIT 1').run(), /UNIQUE/, 'prescription ids stay unique');
});

t.test('spent nonces and idempotency keys survive their reordering, found through the new keys', async (t) => {
  const reorder = MIGRATIONS.find((m) => m.description.startsWith('spent nonces and idempotency keys ordered by the key'));
  if (reorder === undefined) throw new Error('the reordering migration is missing');
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const path = join(dir, 'state.sqlite');
  const rows = [
    ['dr-a', 'a'.repeat(32), 'idem-1-aaaaaaaa', '1'.repeat(64), 3],
    ['dr-b', 'a'.repeat(32), 'idem-1-aaaaaaaa', '2'.repeat(64), 4],
    ['dr-a', 'b'.repeat(32), 'idem-2-bbbbbbbb', '3'.repeat(64), 5],
  ] as const;
  const before = openDatabase(path, { migrations: MIGRATIONS.filter((m) => m.version < reorder.version) });
  const insert = before.prepare('INSERT INTO registry_statements VALUES (?, ?, ?, ?, ?)');
  before.transaction(() => rows.forEach((r) => insert.run(...r)))();
  before.close();

  const after = openDatabase(path);
  stopBeforeRemoval(() => after.close());
  const store = createRegistryStore(after);
  t.ok(store.nonceUsed('dr-a', 'a'.repeat(32)) && store.nonceUsed('dr-b', 'a'.repeat(32)) && store.nonceUsed('dr-a', 'b'.repeat(32)), 'every spent nonce is still spent');
  t.notOk(store.nonceUsed('dr-b', 'b'.repeat(32)), 'for its own actor only');
  t.same(store.idempotency('dr-b', 'idem-1-aaaaaaaa'), { requestHash: '2'.repeat(64), index: 4 });
  t.same(store.idempotency('dr-a', 'idem-2-bbbbbbbb'), { requestHash: '3'.repeat(64), index: 5 });
  t.equal(store.idempotency('dr-b', 'idem-2-bbbbbbbb'), undefined);
  const again = after.prepare('INSERT INTO registry_statements VALUES (?, ?, ?, ?, ?)');
  t.throws(() => again.run('dr-a', 'a'.repeat(32), 'idem-3-cccccccc', '4'.repeat(64), 6), /UNIQUE/, 'a nonce is still unique per actor');
  t.throws(() => again.run('dr-a', 'c'.repeat(32), 'idem-1-aaaaaaaa', '4'.repeat(64), 6), /UNIQUE/, 'an idempotency key is still unique per actor');
  // The lookups are searches of the primary key and of the unique index, not scans.
  const plan = (sql: string) => (after.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');
  t.match(plan("SELECT 1 FROM registry_statements WHERE actor_id = 'dr-a' AND nonce = 'x'"), /SEARCH registry_statements USING PRIMARY KEY \(nonce=\? AND actor_id=\?\)/);
  t.match(plan("SELECT request_hash, idx FROM registry_statements WHERE actor_id = 'dr-a' AND idempotency_key = 'x'"), /SEARCH registry_statements USING INDEX registry_statements_idempotency \(idempotency_key=\? AND actor_id=\?\)/);
});
