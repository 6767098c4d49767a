/**
 * The SQLite projection (src/store/state-store.ts, prescription-store.ts) against the in-memory
 * reference (src/domain/memory-state.ts): the same mutations, from a realistic run through
 * admitEntry, must give the same views; the rules judging the same log over SQLite must reach the
 * same verdicts; and the indexed reads (pharmacy queue, courier assignments, a patient's live
 * prescriptions) must return exactly the prescriptions they promise, the last without reading the
 * patient's history.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { isValidEd25519 } from '../../src/core/ed25519.js';
import { admitEntry } from '../../src/domain/admission.js';
import { FINAL_STATES } from '../../src/domain/prescription/prescription-record.js';
import { libraryOf } from '../domain/checker/starter-rule-set.js';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { LIVE_PRESCRIPTION_TERM } from '../../src/store/prescription-store.js';
import { createStateStore, type StateStore } from '../../src/store/state-store.js';
import {
  accessCode,
  ACTORS,
  approve,
  assign,
  byId,
  claim,
  courierStep,
  createRxWorld,
  DAY,
  DAY0,
  dispense,
  freshCode,
  INSTITUTIONS,
  item,
  ORIGIN,
  patient,
  pickupCode,
  T0,
  toDispensed,
  traceCode,
  type RxWorld,
} from '../domain/prescription/test-world.js';
import { testdirWithStops } from '../support/testdir.js';

const ids = (records: ReadonlyArray<{ readonly prescriptionId: string }>) => records.map((r) => r.prescriptionId);

/** A SQLite state store fed the world's mutation batches, one transaction per entry, as the ledger writes them. */
let dbSeq = 0;
function sqliteFrom(t: Test, w: RxWorld): StateStore {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const db = openDatabase(join(dir, `state-${++dbSeq}.sqlite`));
  stopBeforeRemoval(() => db.close());
  const store = createStateStore(db);
  for (const batch of w.batches) db.transaction(() => store.apply(batch))();
  return store;
}

/** Every kind of state, several patients, dispensed codes, a flag, a registry change. */
function realisticRun(w: RxWorld): { codes: string[] } {
  const codes: string[] = [];
  const code = () => {
    const n = freshCode();
    codes.push(traceCode(n));
    return n;
  };
  w.submit('dr-a', 'active', { patient: 1 });
  w.submit('dr-a', 'override', { patient: 1, items: [item(1, { days: 10, quantity: { value: '10', unit: '片' } })] });
  w.submit('dr-b', 'rejected', { patient: 2, items: [1, 2, 3, 4, 5, 6].map((n) => item(n)) });
  const claimed = w.submit('dr-a', 'claimed', { patient: 2 });
  claim(w, 'rph-a', claimed.id, claimed.last);
  const pending = w.submit('dr-a', 'pending', { patient: 3 });
  let last = dispense(w, 'rph-a', pending.id, approve(w, 'rph-a', pending.id, claim(w, 'rph-a', pending.id, pending.last)), '2.5', [code(), code()]);
  w.step('dr-a2', 'rx.cancel', pending.id, last, { reason: 'clinical-change' });
  const open = w.submit('dr-b', 'open', { patient: 3, routing: { mode: 'open' }, accessCodes: [accessCode(1), accessCode(2)] });
  last = w.step('rph-a', 'rx.return', open.id, claim(w, 'rph-a', open.id, open.last, { accessCode: accessCode(1) }), { fill: 0, reason: 'out-of-stock' });
  last = dispense(w, 'rph-b', open.id, approve(w, 'rph-b', open.id, claim(w, 'rph-b', open.id, last, { accessCode: accessCode(2) })), '7', [code()]);
  w.step('rph-b', 'rx.collect', open.id, last, { fill: 0 });
  const delivered = w.submit('dr-a', 'delivered', { patient: 4 });
  last = assign(w, 'rph-a', delivered.id, dispense(w, 'rph-a', delivered.id, approve(w, 'rph-a', delivered.id, claim(w, 'rph-a', delivered.id, delivered.last)), '7', [code()]), 'courier-1', 1);
  courierStep(w, 'courier-1', 'rx.delivery-complete', delivered.id, courierStep(w, 'courier-1', 'rx.delivery-pickup', delivered.id, last), { pickupCode: pickupCode(1) });
  const transit = w.submit('dr-a', 'in-transit', { patient: 5 });
  last = assign(w, 'rph-a', transit.id, dispense(w, 'rph-a', transit.id, approve(w, 'rph-a', transit.id, claim(w, 'rph-a', transit.id, transit.last)), '7', [code()]), 'courier-2', 2);
  courierStep(w, 'courier-2', 'rx.delivery-in-transit', transit.id, courierStep(w, 'courier-2', 'rx.delivery-pickup', transit.id, last));
  const cancelled = w.submit('dr-a', 'cancelled', { patient: 5 });
  w.step('dr-a', 'rx.cancel', cancelled.id, cancelled.last, { reason: 'duplicate' });
  const old = w.submit('dr-a', 'superseded', { patient: 6 });
  w.submit('dr-a', 'revision', { patient: 6, revises: old.id });
  const refused = w.submit('dr-b', 'refused', { patient: 6, routing: { mode: 'directed', pharmacyId: 'ph-b' } });
  w.step('rph-b', 'rx.review', refused.id, claim(w, 'rph-b', refused.id, refused.last), { fill: 0, decision: 'refuse', reason: 'interaction' });
  const long = w.submit('dr-a', 'long', { patient: 7, encounter: { longPrescription: true }, items: [item(1, { days: 28, quantity: { value: '28', unit: '片' }, repeats: { count: 2, intervalDays: 28 } })] });
  last = dispense(w, 'rph-a', long.id, approve(w, 'rph-a', long.id, claim(w, 'rph-a', long.id, long.last)), '28', [code()]);
  w.step('rph-a', 'rx.collect', long.id, last, { fill: 0 });
  // A pack sold twice: the attempt is flagged, nothing changes.
  const second = w.submit('dr-a', 'flagged', { patient: 7 });
  last = approve(w, 'rph-a', second.id, claim(w, 'rph-a', second.id, second.last));
  const flagged = w.admit('rx.dispense', w.body(w.sign('rph-a', 'rx.dispense', { prescriptionId: second.id, previous: last, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [codes[0]!] }] })));
  if (flagged.kind !== 'refuse') throw new Error('expected a flag');
  w.act('op-genesis', 'registry.actor-suspend', { actorId: 'courier-1', reason: 'investigation' });
  return { codes };
}

t.test('the SQLite projection holds what the in-memory state holds, and the rules judge the same log alike over it', async (t) => {
  const w = createRxWorld();
  const { codes } = realisticRun(w);
  const memory = w.state;
  const store = sqliteFrom(t, w);
  const all = memory.prescriptions();
  t.ok(all.length >= 14, `${all.length} prescriptions`);
  t.same(
    [...new Set(all.map((r) => r.state))].sort(),
    ['active', 'awaiting-override', 'cancelled', 'claimed', 'collected', 'delivered', 'approved', 'in-transit', 'partially-dispensed', 'refused', 'rejected', 'superseded'].sort(),
    'the run covers every kind of state',
  );

  const differing = all.filter((r) => JSON.stringify(store.prescription(r.prescriptionId)) !== JSON.stringify(r)).map((r) => r.prescriptionId);
  t.same(differing, [], 'every record reads back identical, field for field');
  for (const r of all) t.same(store.prescription(r.prescriptionId), r, r.prescriptionId);
  t.equal(store.prescription('rx-missing-000'), undefined);

  for (let n = 1; n <= 8; n++) {
    const { pseudonym } = patient(n);
    for (const except of ['rx-none-000', ...all.map((r) => r.prescriptionId)]) {
      const expected = byId(memory.livePrescriptionsOf(pseudonym, except));
      const actual = byId(store.livePrescriptionsOf(pseudonym, except));
      if (JSON.stringify(actual) !== JSON.stringify(expected)) t.fail(`livePrescriptionsOf(patient ${n}, ${except})`);
    }
    t.same(ids(byId(store.livePrescriptionsOf(pseudonym, 'rx-none-000'))), ids(byId(memory.livePrescriptionsOf(pseudonym, 'rx-none-000'))), `patient ${n}'s live prescriptions`);
  }
  t.ok(memory.livePrescriptionsOf(patient(1).pseudonym, 'rx-none-000').length === 2, 'a patient with two live prescriptions is among them');

  t.equal(codes.length, 6);
  for (const code of codes) t.same(store.traceabilityCode(code), memory.traceabilityCode(code), `code ${code}`);
  t.ok(codes.every((c) => store.traceabilityCode(c) !== undefined));
  t.equal(store.traceabilityCode(traceCode(999_999)), undefined, 'an unknown code');

  for (const i of INSTITUTIONS) t.same(store.institution(i.id), memory.institution(i.id), i.id);
  for (const a of ACTORS) t.same(store.actor(a.id), memory.actor(a.id), a.id);
  t.equal(store.actor('courier-1')?.suspended, true);
  const statements = w.log.filter((e) => (e.body as { statement?: unknown }).statement !== undefined && e.type !== 'rx.flag');
  const mismatched = statements.filter((e) => {
    const s = (e.body as unknown as { statement: { actor: string; idempotencyKey: string; nonce: string } }).statement;
    return JSON.stringify(store.idempotency(s.actor, s.idempotencyKey)) !== JSON.stringify(memory.idempotency(s.actor, s.idempotencyKey)) || !store.nonceUsed(s.actor, s.nonce);
  });
  t.same(mismatched, [], 'every statement\'s nonce and idempotency key are spent alike');

  // The ledger judges over SQLite, the verifier over memory: the same log, the same verdicts.
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const db = openDatabase(join(dir, 'judged.sqlite'));
  stopBeforeRemoval(() => db.close());
  const judged = createStateStore(db);
  const ruleSets = libraryOf(w.ruleSet);
  const verdicts: string[] = [];
  for (const [index, entry] of w.log.entries()) {
    const admission = admitEntry(judged, entry.type, entry.body, { origin: ORIGIN, index, time: entry.time, timestampWindowMs: 300_000, verifySignature: isValidEd25519, ruleSets });
    if (admission.kind !== 'append') {
      verdicts.push(`${index} ${entry.type}: ${admission.kind}`);
      continue;
    }
    if (JSON.stringify(admission.mutations) !== JSON.stringify(w.batches[index])) verdicts.push(`${index} ${entry.type}: other mutations`);
    db.transaction(() => judged.apply(admission.mutations))();
  }
  t.same(verdicts, [], `all ${w.log.length} entries judged alike over SQLite`);
  t.same(byId(all.map((r) => judged.prescription(r.prescriptionId)!)), byId(all));
});

t.test('the queue: routed to the pharmacy, active, claimable now, oldest first, paged by a cursor', async (t) => {
  const w = createRxWorld();
  const a1 = w.submit('dr-a', 'a1', { patient: 1 });
  const a2 = w.submit('dr-b', 'a2', { patient: 2, routing: { mode: 'directed', pharmacyId: 'ph-a' } });
  const b1 = w.submit('dr-a', 'b1', { patient: 3, routing: { mode: 'nominated', pharmacyId: 'ph-b' } });
  w.submit('dr-a', 'open', { patient: 4, routing: { mode: 'open' }, accessCodes: [accessCode(1)] });
  const c1 = w.submit('dr-a', 'claimed', { patient: 5 });
  claim(w, 'rph-a', c1.id, c1.last);
  w.submit('dr-a', 'awaiting', { patient: 6, items: [item(1, { days: 9, quantity: { value: '9', unit: '片' } })] });
  const l1 = w.submit('dr-a', 'long', { patient: 7, encounter: { longPrescription: true }, items: [item(1, { days: 28, quantity: { value: '28', unit: '片' }, repeats: { count: 2, intervalDays: 28 } })] });
  w.step('rph-a', 'rx.collect', l1.id, toDispensed(w, 'rph-a', l1.id, l1.last, '28'), { fill: 0 });
  const r1 = w.submit('dr-a', 'returned', { patient: 8 });
  w.step('rph-a', 'rx.return', r1.id, claim(w, 'rph-a', r1.id, r1.last), { fill: 0, reason: 'out-of-stock' });
  const a3 = w.submit('dr-a', 'a3', { patient: 9 });
  const v3 = w.submit('dr-a', 'v3', { patient: 10, encounter: { validityDays: 3 } });
  const x1 = w.submit('dr-a', 'cancelled', { patient: 11 });
  w.step('dr-a', 'rx.cancel', x1.id, x1.last, { reason: 'patient-request' });
  const d1 = w.submit('dr-a', 'dispensed', { patient: 12 });
  toDispensed(w, 'rph-a', d1.id, d1.last);

  const { prescriptions } = sqliteFrom(t, w);
  const now = T0;
  const queue = (pharmacy: string, at: number, after = -1, limit = 100) => prescriptions.queue(pharmacy, at, after, limit);

  t.same(ids(queue('ph-a', now).items), [a1.id, a2.id, r1.id, a3.id, v3.id], 'routed to ph-a, active and claimable: oldest submission first');
  for (const r of queue('ph-a', now).items) t.same(r, w.rx(r.prescriptionId), `${r.prescriptionId} as in memory`);
  t.equal(queue('ph-a', now).next, undefined, 'one page: no cursor');
  t.same(ids(queue('ph-b', now).items), [b1.id], 'the other pharmacy sees only its own');
  t.same(ids(queue('ph-far', now).items), [], 'a pharmacy nothing is routed to');

  // Paging.
  const p1 = queue('ph-a', now, -1, 2);
  t.same(ids(p1.items), [a1.id, a2.id]);
  t.equal(p1.next, a2.submitIndex, 'the cursor is the last item\'s submission index');
  const p2 = queue('ph-a', now, p1.next!, 2);
  t.same(ids(p2.items), [r1.id, a3.id]);
  t.equal(p2.next, a3.submitIndex);
  const p3 = queue('ph-a', now, p2.next!, 2);
  t.same(ids(p3.items), [v3.id]);
  t.equal(p3.next, undefined, 'the last page has no cursor');
  t.equal(queue('ph-a', now, -1, 5).next, undefined, 'a page that exactly fits has no cursor');
  t.equal(queue('ph-a', now, -1, 4).next, a3.submitIndex);
  t.same(ids(queue('ph-a', now, a1.submitIndex, 100).items), [a2.id, r1.id, a3.id, v3.id], 'after is exclusive');
  t.same(ids(queue('ph-a', now, v3.submitIndex, 100).items), []);

  // Windows: single-fill ones until their validity ends, the long one only inside its next fill's window.
  t.same(ids(queue('ph-a', DAY0 + DAY - 1).items), [a1.id, a2.id, r1.id, a3.id, v3.id], 'the last millisecond of the day of issue');
  t.same(ids(queue('ph-a', DAY0 + DAY).items), [v3.id], 'from midnight CST only the extended validity remains');
  t.same(ids(queue('ph-a', DAY0 + 3 * DAY).items), [], 'and after three days none');
  t.same(ids(queue('ph-a', DAY0 + 28 * DAY - 1).items), [], 'the repeat is not claimable a millisecond early');
  t.same(ids(queue('ph-a', DAY0 + 28 * DAY).items), [l1.id], 'the repeat appears when its window opens');
  t.same(ids(queue('ph-a', DAY0 + 84 * DAY - 1).items), [l1.id]);
  t.same(ids(queue('ph-a', DAY0 + 84 * DAY).items), [], 'gone once the last window has closed');
  t.same(ids(queue('ph-a', DAY0 - 1).items), [], 'nothing before the day of issue');
});

t.test('a courier\'s assignments are its open deliveries only', async (t) => {
  const w = createRxWorld();
  const out = (label: string, n: number, courier: string) => {
    const s = w.submit('dr-a', label, { patient: n });
    return { id: s.id, last: assign(w, 'rph-a', s.id, toDispensed(w, 'rph-a', s.id, s.last), courier, n) };
  };
  const assigned = out('assigned', 1, 'courier-1');
  const picked = out('picked', 2, 'courier-1');
  courierStep(w, 'courier-1', 'rx.delivery-pickup', picked.id, picked.last);
  const transit = out('transit', 3, 'courier-1');
  courierStep(w, 'courier-1', 'rx.delivery-in-transit', transit.id, courierStep(w, 'courier-1', 'rx.delivery-pickup', transit.id, transit.last));
  const delivered = out('delivered', 4, 'courier-1');
  courierStep(w, 'courier-1', 'rx.delivery-complete', delivered.id, courierStep(w, 'courier-1', 'rx.delivery-pickup', delivered.id, delivered.last), { pickupCode: pickupCode(4) });
  const failed = out('failed', 5, 'courier-1');
  const back = courierStep(w, 'courier-1', 'rx.delivery-fail', failed.id, failed.last, { reason: 'patient-unreachable' });
  const other = out('other', 6, 'courier-2');
  const partial = w.submit('dr-a', 'partial', { patient: 7 });
  const partialLast = assign(w, 'rph-a', partial.id, dispense(w, 'rph-a', partial.id, approve(w, 'rph-a', partial.id, claim(w, 'rph-a', partial.id, partial.last)), '3'), 'courier-1', 7);

  let store = sqliteFrom(t, w);
  t.same(ids(store.prescriptions.assignments('courier-1')), [assigned.id, picked.id, transit.id, partial.id], 'assigned, picked up, in transit (also of a partial dispensing); not delivered, not failed');
  for (const r of store.prescriptions.assignments('courier-1')) t.same(r, w.rx(r.prescriptionId), `${r.prescriptionId} as in memory`);
  t.same(ids(store.prescriptions.assignments('courier-2')), [other.id]);
  t.same(ids(store.prescriptions.assignments('courier-x')), []);

  // Reassigned after the failure, delivered by the other courier: it moves lists, then leaves them.
  const again = assign(w, 'rph-a', failed.id, back, 'courier-2', 8);
  store = sqliteFrom(t, w);
  t.same(ids(store.prescriptions.assignments('courier-2')), [failed.id, other.id], 'oldest submission first');
  t.notOk(ids(store.prescriptions.assignments('courier-1')).includes(failed.id));
  courierStep(w, 'courier-2', 'rx.delivery-complete', failed.id, courierStep(w, 'courier-2', 'rx.delivery-pickup', failed.id, again), { pickupCode: pickupCode(8) });
  courierStep(w, 'courier-1', 'rx.delivery-fail', partial.id, partialLast, { reason: 'damaged' });
  store = sqliteFrom(t, w);
  t.same(ids(store.prescriptions.assignments('courier-2')), [other.id]);
  t.same(ids(store.prescriptions.assignments('courier-1')), [assigned.id, picked.id, transit.id]);
});

t.test('held writes: a submission and its check result write the record once, to the same rows as written twice', async (t) => {
  const w = createRxWorld();
  realisticRun(w);
  const rows = (db: ReturnType<typeof openDatabase>) => db.prepare('SELECT rowid, * FROM rx_prescriptions ORDER BY rowid').all();
  const changes = (db: ReturnType<typeof openDatabase>) => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

  // As before: every entry's mutations in their own transaction, each record put written at once.
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const eachDb = openDatabase(join(dir, 'each.sqlite'));
  stopBeforeRemoval(() => eachDb.close());
  const each = createStateStore(eachDb);
  for (const batch of w.batches) eachDb.transaction(() => each.apply(batch))();

  // As the ledger now writes them: a submission and its check result held and written together.
  const heldDb = openDatabase(join(dir, 'held.sqlite'));
  stopBeforeRemoval(() => heldDb.close());
  const held = createStateStore(heldDb);
  let submissions = 0;
  let revisions = 0;
  for (let i = 0; i < w.batches.length; i++) {
    if (w.log[i]!.type === 'rx.submit' && w.log[i + 1]?.type === 'rx.checked') {
      const revises = (w.log[i]!.body as { statement: { payload: { revises?: string } } }).statement.payload.revises;
      if (revises === undefined) submissions++;
      else revisions++;
      const id = w.batches[i]!.flatMap((m) => (m.kind === 'rx-put' ? [m.record.prescriptionId] : [])).at(-1)!;
      heldDb.transaction(() =>
        held.prescriptions.deferWrites(() => {
          held.apply(w.batches[i]!);
          const record = held.prescription(id)!;
          t.equal(record.state, 'submitted', 'reads inside see the held record');
          // What the check reads before its result is put: the patient's other live prescriptions.
          const others = held.livePrescriptionsOf(record.pseudonym, id).map((r) => r.prescriptionId);
          if (revises !== undefined) t.notOk(others.includes(revises), 'a revision\'s original, held as superseded, is not read as live from the table');
          held.apply(w.batches[i + 1]!);
        }),
      )();
      i++;
    } else {
      heldDb.transaction(() => held.apply(w.batches[i]!))();
    }
  }
  t.ok(submissions >= 10 && revisions >= 1, `${submissions} submissions and ${revisions} revision(s) in the run`);
  t.same(rows(heldDb), rows(eachDb), 'the same rows, in the same rowid order, with the same text');
  t.equal(changes(eachDb) - changes(heldDb), submissions, 'one row write fewer per submission; a revision writes its original before the check reads the patient');
});

t.test('held writes: nothing held is written when the work throws, and reads outside see the table', async (t) => {
  const w = createRxWorld();
  const first = w.submit('dr-a', 'first', { patient: 1 });
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const db = openDatabase(join(dir, 'throw.sqlite'));
  stopBeforeRemoval(() => db.close());
  const store = createStateStore(db);
  for (const batch of w.batches) db.transaction(() => store.apply(batch))();
  const before = store.prescription(first.id);
  const changed = { ...before!, state: 'cancelled' as const };
  t.throws(() =>
    store.prescriptions.deferWrites(() => {
      store.apply([{ kind: 'rx-put', record: changed }]);
      t.equal(store.prescription(first.id)?.state, 'cancelled');
      throw new Error('refused part-way');
    }),
  );
  t.same(store.prescription(first.id), before, 'the held record was dropped');
  store.prescriptions.deferWrites(() => store.prescriptions.deferWrites(() => store.apply([{ kind: 'rx-put', record: changed }])));
  t.equal(store.prescription(first.id)?.state, 'cancelled', 'nested: written when the outermost returns');
  t.equal((db.prepare('SELECT state FROM rx_prescriptions WHERE prescription_id = ?').get(first.id) as { state: string }).state, 'cancelled');
});

t.test("a patient's live prescriptions are read through their own index, never from the patient's history", async (t) => {
  t.same(
    [...LIVE_PRESCRIPTION_TERM.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]).sort(),
    ['submitted', ...FINAL_STATES].sort(),
    'the term excludes exactly the prescriptions awaiting their check and the final ones',
  );
  const migration = MIGRATIONS.find((m) => m.sql.includes('CREATE INDEX rx_prescriptions_live'));
  t.ok(migration?.sql.replace(/\s+/g, ' ').includes(`WHERE ${LIVE_PRESCRIPTION_TERM}`), "the index's WHERE term is the store's, word for word");

  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const db = openDatabase(join(dir, 'live.sqlite'));
  stopBeforeRemoval(() => db.close());
  const store = createStateStore(db);
  const plan = db
    .prepare<[string, string], { detail: string }>(`EXPLAIN QUERY PLAN SELECT prescription_id, state, claim_until, check_summary FROM rx_prescriptions WHERE pseudonym = ? AND prescription_id <> ? AND ${LIVE_PRESCRIPTION_TERM}`)
    .all('p', 'x')
    .map((r) => r.detail);
  t.match(plan.join('\n'), /USING INDEX rx_prescriptions_live/, `the plan: ${plan.join('; ')}`);

  // Years of history for one patient, stored as text no parser accepts: reading it would throw.
  // The live ones' records are not JSON either: the check reads only their own column.
  const insert = db.prepare('INSERT INTO rx_prescriptions VALUES (?, ?, ?, NULL, NULL, NULL, ?, 0, ?, ?, ?)');
  const pseudonym = 'a'.repeat(64);
  let n = 0;
  for (const state of FINAL_STATES) for (let k = 0; k < 10; k++) insert.run(`rx-old-${++n}`, pseudonym, state, n, 0, 'history: never read', 'never read');
  insert.run('rx-checking', pseudonym, 'submitted', ++n, 0, 'awaiting its check: never read', 'never read');
  const summary = (drug: string) => ({ institutionId: 'hosp-a', prescriberId: 'dr-a', items: [{ drugCode: drug, genericName: `g-${drug}`, route: 'oral', days: 7 }] });
  const closing: Record<string, number> = {};
  for (const [id, state] of [['rx-live-1', 'active'], ['rx-live-2', 'claimed'], ['rx-live-3', 'awaiting-override']] as const) {
    closing[id] = 1000 + ++n;
    insert.run(id, pseudonym, state, n, closing[id], 'live, but its record is not what the check reads', JSON.stringify(summary(id)));
  }
  insert.run('rx-other-patient', 'b'.repeat(64), 'active', ++n, 0, 'another patient: never read', 'never read');
  t.same(store.livePrescriptionsOf(pseudonym, 'rx-live-2').map((r) => r.prescriptionId).sort(), ['rx-live-1', 'rx-live-3']);
  t.same(
    byId(store.livePrescriptionsOf(pseudonym, 'rx-none')),
    [
      { prescriptionId: 'rx-live-1', state: 'active', closesAt: closing['rx-live-1'], ...summary('rx-live-1') },
      { prescriptionId: 'rx-live-2', state: 'claimed', closesAt: closing['rx-live-2'], ...summary('rx-live-2') },
      { prescriptionId: 'rx-live-3', state: 'awaiting-override', closesAt: closing['rx-live-3'], ...summary('rx-live-3') },
    ],
    'each as its state, the end of its last window and its own column say',
  );
});
