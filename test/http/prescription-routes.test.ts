/**
 * The lifecycle over real HTTP on 127.0.0.1, with real signatures, on the production service:
 * raced claims, idempotent retries, a table of bad inputs (each a precise 4xx, nothing written),
 * who may read what, receipts, identity erasure, and an insider's illegal transition caught by the
 * verifier.
 */
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { RxError } from '../../src/core/errors.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { accessCodeHash, pickupCodeHash, verifyReceipt } from '../../src/client/index.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { loadOrCreateSigningKeys } from '../../src/keys/key-files.js';
import { DATABASE_FILE } from '../../src/service.js';
import { openDatabase } from '../../src/store/database.js';
import { createLedgerStore } from '../../src/store/ledger-store.js';
import { openDbLogSource } from '../../src/verify/db-log-source.js';
import { verifyLog } from '../../src/verify/log-verifier.js';
import { DEMO_ACTORS, DEMO_INSTITUTIONS, identifyPatient, prescription, randomCode, randomTraceCode, registerCast, rxId, startWorld, type Actor, type World } from '../../scripts/lib/rx-world.js';
import { rejectsCode } from '../support/assert-code.js';
import { testdirWithStops } from '../support/testdir.js';

const HOSPITAL = 'hosp-jinan-central';

async function setUp(t: Test) {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const world = await startWorld({ dataDir: join(dir, 'data'), checkpointIntervalMs: 60_000 });
  stopBeforeRemoval(() => world.close());
  const cast = await registerCast(world, DEMO_INSTITUTIONS, DEMO_ACTORS);
  const patient = await identifyPatient(cast['dr-li']!, 1);
  return { world, cast, patient };
}
type Setup = Awaited<ReturnType<typeof setUp>>;

async function submit(s: Setup, extra: JsonObject = {}, doctor: Actor = s.cast['dr-li']!) {
  const id = rxId('t');
  const rx = prescription(id, { id: doctor.id, institutionId: HOSPITAL }, s.patient, { now: s.world.clock() });
  const result = await doctor.act('rx.submit', { prescription: rx as unknown as JsonObject, routing: { mode: 'nominated', pharmacyId: 'pharm-quancheng' }, ...extra });
  return { id, result };
}

async function post(world: World, body: unknown, raw = false): Promise<{ status: number; body: { error?: { code: string; paths: string[] } } & Record<string, unknown> }> {
  const res = await fetch(`${world.url}/v1/statements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ? (body as string) : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as never };
}

t.test('50 pharmacies race for one claim: exactly one wins, the others hear which rule', async (t) => {
  const s = await setUp(t);
  const institutions = Array.from({ length: 50 }, (_, n) => ({ id: `race-pharm-${n}`, kind: 'pharmacy' as const, region: '370102', name: `药房${n}`, delivers: false }));
  const actors = institutions.map((i, n) => ({ id: `race-rph-${n}`, role: 'pharmacist' as const, institutionId: i.id, name: `药师${n}` }));
  const racers = await registerCast(s.world, institutions, actors);
  const codes = Array.from({ length: 50 }, randomCode);
  const { id, result } = await submit(s, { routing: { mode: 'open' }, accessCodes: codes.slice(0, 12).map(accessCodeHash) });
  // Twelve codes are valid; every racer presents one (the first twelve distinct, the rest reuse).
  const size = s.world.service.ledger.size();
  const outcomes = await Promise.allSettled(
    actors.map((a, n) => racers[a.id]!.act('rx.claim', { prescriptionId: id, previous: result.lastIndex, pharmacyId: a.institutionId, fill: 0, accessCode: codes[n % 12]! })),
  );
  const winners = outcomes.filter((o) => o.status === 'fulfilled');
  t.equal(winners.length, 1, 'exactly one claim succeeds');
  const codesHeard = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as RxError).code] : []));
  t.ok(codesHeard.every((c) => c === 'RX_HELD_BY_ANOTHER_PHARMACY' || c === 'RX_ACCESS_CODE_SPENT'), `every loser hears the rule: ${[...new Set(codesHeard)].join(', ')}`);
  t.ok(codesHeard.includes('RX_HELD_BY_ANOTHER_PHARMACY'));
  t.equal(s.world.service.ledger.size(), size + 1, 'one entry written');
  const status = await s.cast['inspector-sun']!.client.prescription(id);
  t.equal(status.state, 'claimed');
});

t.test('identical retries answer the original; a changed retry under the same key is refused', async (t) => {
  const s = await setUp(t);
  const doctor = s.cast['dr-li']!;
  const rx = prescription(rxId('idem'), { id: doctor.id, institutionId: HOSPITAL }, s.patient, { now: s.world.clock() });
  const signed = doctor.signer.sign('rx.submit', { prescription: rx as unknown as JsonObject, routing: { mode: 'nominated', pharmacyId: 'pharm-quancheng' } }, { idempotencyKey: 'submit-0001' });
  const first = await post(s.world, signed);
  const size = s.world.service.ledger.size();
  const again = await post(s.world, signed);
  t.equal(first.status, 201);
  t.equal(again.status, 200);
  t.same({ ...again.body, replayed: true }, { ...first.body, replayed: true }, 'same index, records and check');
  t.equal(s.world.service.ledger.size(), size, 'nothing written by the retry');
  const changed = doctor.signer.sign('rx.submit', { prescription: { ...rx, notes: '改' } as unknown as JsonObject, routing: { mode: 'nominated', pharmacyId: 'pharm-quancheng' } }, { idempotencyKey: 'submit-0001' });
  const conflict = await post(s.world, changed);
  t.equal(conflict.status, 409);
  t.equal(conflict.body.error?.code, 'IDEMPOTENCY_KEY_CONFLICT');
  // A claim retried after it succeeded is answered, not refused as stale.
  const zhang = s.cast['rph-zhang']!;
  const claim = zhang.signer.sign('rx.claim', { prescriptionId: rx.prescriptionId, previous: first.body.lastIndex as number, pharmacyId: 'pharm-quancheng', fill: 0 });
  t.equal((await post(s.world, claim)).status, 201);
  t.equal((await post(s.world, claim)).status, 200);
});

t.test('bad input: a precise 4xx with field paths, and nothing written', async (t) => {
  const s = await setUp(t);
  const doctor = s.cast['dr-li']!;
  const zhang = s.cast['rph-zhang']!;
  const { id, result } = await submit(s);
  const good = prescription(rxId('bad'), { id: doctor.id, institutionId: HOSPITAL }, s.patient, { now: s.world.clock() }) as unknown as JsonObject;
  const routing = { mode: 'nominated', pharmacyId: 'pharm-quancheng' };
  const withRx = (patch: (rx: Record<string, unknown>) => void) => {
    const rx = structuredClone(good) as Record<string, unknown>;
    patch(rx);
    return doctor.sign('rx.submit', { prescription: rx as JsonObject, routing });
  };
  const tampered = (signed: ReturnType<Actor['sign']>, patch: (rx: Record<string, unknown>) => void) => {
    const copy = structuredClone(signed) as unknown as { statement: { payload: { prescription: Record<string, unknown> } } };
    patch(copy.statement.payload.prescription);
    return copy;
  };
  const rxItem = (rx: Record<string, unknown>) => (rx.items as Array<Record<string, unknown>>)[0]!;
  // signedStatementBody (src/domain/registry/registry-entry-types.ts) re-adds the payload's issues as custom
  // ones, dropping the unknown members' names: until it keeps them, the answer names their parent.
  const cases: Array<{ what: string; body: unknown; raw?: boolean; status: number; code: string; path?: string; paths?: string[] }> = [
    { what: 'not JSON', body: '{"statement":', raw: true, status: 400, code: 'REQUEST_INVALID' },
    { what: 'no statement', body: { signature: 'x' }, status: 400, code: 'REQUEST_INVALID', path: 'body.statement' },
    { what: 'an unknown member at the top of the body', body: { ...withRx(() => undefined), extra: 1 }, status: 400, code: 'REQUEST_INVALID', paths: ['body.extra'] },
    { what: 'two unknown members at the top of the body', body: { ...withRx(() => undefined), extra: 1, more: 2 }, status: 400, code: 'REQUEST_INVALID', paths: ['body.extra', 'body.more'] },
    { what: 'unknown action', body: doctor.sign('rx.teleport', { prescriptionId: id }), status: 400, code: 'ENTRY_TYPE_UNKNOWN', paths: ['body.statement.action'] },
    { what: 'a ledger record type', body: doctor.sign('rx.checked', { prescriptionId: id }), status: 400, code: 'ENTRY_TYPE_RESERVED', paths: ['body.statement.action'] },
    { what: 'missing prescription', body: doctor.sign('rx.submit', { routing }), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.prescription' },
    { what: 'an unknown field', body: withRx((rx) => (rx.colour = 'red')), status: 400, code: 'ENTRY_BODY_INVALID', paths: ['body.statement.payload.prescription.colour'] },
    { what: 'two unknown fields', body: withRx((rx) => Object.assign(rx, { colour: 'red', size: 'L' })), status: 400, code: 'ENTRY_BODY_INVALID', paths: ['body.statement.payload.prescription.colour', 'body.statement.payload.prescription.size'] },
    // Floats cannot even be signed (canonical JSON has integers only); a hostile client sends one anyway.
    { what: 'a float quantity', body: tampered(withRx(() => undefined), (rx) => (rxItem(rx).quantity = { value: 7.5, unit: '片' })), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.prescription.items.0.quantity.value' },
    { what: 'a malformed date', body: withRx((rx) => ((rx.encounter as Record<string, unknown>).date = '23/11/2026')), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.prescription.encounter.date' },
    { what: 'no items', body: withRx((rx) => (rx.items = [])), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.prescription.items' },
    { what: 'a bad ICD-10 code', body: withRx((rx) => ((rx.patient as Record<string, unknown>).diagnoses = [{ icd10: 'hypertension', text: 'x' }])), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.prescription.patient.diagnoses.0.icd10' },
    { what: 'repeats without a long prescription', body: withRx((rx) => (rxItem(rx).repeats = { count: 2, intervalDays: 28 })), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.prescription.items' },
    { what: 'open routing without access codes', body: doctor.sign('rx.submit', { prescription: good, routing: { mode: 'open' } }), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.accessCodes' },
    { what: 'another day', body: withRx((rx) => ((rx.encounter as Record<string, unknown>).date = '2020-01-01')), status: 422, code: 'RX_DATE_MISMATCH', path: 'body.statement.payload.prescription.encounter.date' },
    { what: 'another prescriber', body: withRx((rx) => (rx.prescriberId = 'dr-wang')), status: 422, code: 'RX_PRESCRIBER_MISMATCH', path: 'body.statement.payload.prescription.prescriberId' },
    { what: 'an unknown pharmacy', body: doctor.sign('rx.submit', { prescription: good, routing: { mode: 'nominated', pharmacyId: 'pharm-nowhere' } }), status: 422, code: 'REGISTRY_REFERENCE_UNKNOWN', path: 'body.statement.payload.routing.pharmacyId' },
    { what: 'a short access code', body: zhang.sign('rx.claim', { prescriptionId: id, previous: result.lastIndex, pharmacyId: 'pharm-quancheng', fill: 0, accessCode: 'abc' }), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.accessCode' },
    { what: 'a negative previous', body: zhang.sign('rx.claim', { prescriptionId: id, previous: -1, pharmacyId: 'pharm-quancheng', fill: 0 }), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.previous' },
    { what: 'a refusal without reason', body: zhang.sign('rx.review', { prescriptionId: id, previous: result.lastIndex, fill: 0, decision: 'refuse' }), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.reason' },
    { what: 'a bad traceability code', body: zhang.sign('rx.dispense', { prescriptionId: id, previous: result.lastIndex, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: ['123'] }] }), status: 400, code: 'ENTRY_BODY_INVALID', path: 'body.statement.payload.lines.0.traceabilityCodes.0' },
    { what: 'an unknown prescription', body: zhang.sign('rx.claim', { prescriptionId: 'rx-nowhere-000', previous: 0, pharmacyId: 'pharm-quancheng', fill: 0 }), status: 404, code: 'RX_NOT_FOUND', path: 'body.statement.payload.prescriptionId' },
    { what: 'a stale previous', body: zhang.sign('rx.claim', { prescriptionId: id, previous: result.index, pharmacyId: 'pharm-quancheng', fill: 0 }), status: 409, code: 'RX_PREVIOUS_MISMATCH', path: 'body.statement.payload.previous' },
    { what: 'a courier submitting', body: s.cast['courier-zhao']!.sign('rx.submit', { prescription: good, routing }), status: 403, code: 'AUTH_ROLE_FORBIDDEN', path: 'body.statement.action' },
    { what: 'a pharmacist of another pharmacy', body: s.cast['rph-chen']!.sign('rx.claim', { prescriptionId: id, previous: result.lastIndex, pharmacyId: 'pharm-lixia', fill: 0 }), status: 409, code: 'RX_ROUTED_ELSEWHERE', path: 'body.statement.payload.pharmacyId' },
    { what: 'claiming for someone else’s pharmacy', body: s.cast['rph-chen']!.sign('rx.claim', { prescriptionId: id, previous: result.lastIndex, pharmacyId: 'pharm-quancheng', fill: 0 }), status: 403, code: 'RX_PARTY_MISMATCH', path: 'body.statement.payload.pharmacyId' },
  ];
  const size = s.world.service.ledger.size();
  for (const c of cases) {
    const res = await post(s.world, c.body, c.raw);
    t.equal(res.status, c.status, `${c.what}: status`);
    t.equal(res.body.error?.code, c.code, `${c.what}: code`);
    if (c.path !== undefined) t.ok(res.body.error?.paths.includes(c.path), `${c.what}: path ${c.path} in ${JSON.stringify(res.body.error?.paths)}`);
    if (c.paths !== undefined) t.same(res.body.error?.paths, c.paths, `${c.what}: paths`);
  }
  t.equal(s.world.service.ledger.size(), size, 'nothing was written');
  const big = await post(s.world, JSON.stringify({ statement: { pad: 'x'.repeat(2_000_000) } }), true);
  t.equal(big.status, 413);
  t.equal(big.body.error?.code, 'REQUEST_TOO_LARGE');
});

t.test('reads: parties only, queues per pharmacy, assignments per courier with the address, receipts', async (t) => {
  const s = await setUp(t);
  const { id, result } = await submit(s);
  const zhang = s.cast['rph-zhang']!;
  const chen = s.cast['rph-chen']!;
  const courier = s.cast['courier-zhao']!;
  await rejectsCode(t, chen.client.prescription(id), 'RX_NOT_FOUND', 'another pharmacy does not learn it exists');
  await rejectsCode(t, courier.client.prescription(id), 'RX_NOT_FOUND', 'nor does a courier without the delivery');
  t.equal((await zhang.client.prescription(id)).state, 'active', 'the routed pharmacy reads it');
  t.equal((await s.cast['dr-wang']!.client.prescription(id)).state, 'active', 'a colleague at the prescribing hospital reads it');
  await rejectsCode(t, chen.client.queue('pharm-quancheng'), 'AUTH_ROLE_FORBIDDEN', 'a pharmacy queue is its own');
  t.same((await zhang.client.queue('pharm-quancheng')).items.map((i) => i.prescriptionId), [id]);
  let last = (await zhang.act('rx.claim', { prescriptionId: id, previous: result.lastIndex, pharmacyId: 'pharm-quancheng', fill: 0 })).lastIndex;
  t.same((await zhang.client.queue('pharm-quancheng')).items, [], 'a claimed prescription leaves the queue');
  last = (await zhang.act('rx.review', { prescriptionId: id, previous: last, fill: 0, decision: 'approve' })).lastIndex;
  last = (await zhang.act('rx.dispense', { prescriptionId: id, previous: last, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [randomTraceCode()] }] })).lastIndex;
  await zhang.act('rx.delivery-assign', { prescriptionId: id, previous: last, fill: 0, courierId: courier.id, pickupCodeHash: pickupCodeHash(randomCode()) });
  const assignments = await courier.client.assignments(courier.id);
  t.equal(assignments.items.length, 1);
  t.match(assignments.items[0]!.address, { region: '370102', line: '历下区测试路1号', recipient: '测试患者1' });
  t.notOk(JSON.stringify(assignments).includes('370102197'), 'the national id is not in the courier’s view');
  await rejectsCode(t, s.cast['courier-zhao']!.client.assignments('courier-other'), 'AUTH_ROLE_FORBIDDEN');
  // Its read of the prescription is the delivery's view: where it stands and who holds it, never the drugs.
  const seenByCourier = (await courier.client.prescription(id)) as unknown as Record<string, unknown>;
  t.match(seenByCourier, { prescriptionId: id, state: 'delivery-assigned', holder: 'pharm-quancheng', courierId: courier.id });
  t.same(Object.keys(seenByCourier).sort(), ['cancelPending', 'courierId', 'fill', 'fillCount', 'holder', 'lastIndex', 'prescriptionId', 'routing', 'state', 'submittedAt'], 'no prescription, fills or prescriber in the courier’s view');
  t.ok('prescription' in ((await zhang.client.prescription(id)) as object), 'the holding pharmacy still reads the prescription');
  // The courier reads the delivery steps only, not the prescription itself.
  const entries = await courier.client.entries(result.index, s.world.service.ledger.size());
  const visible = entries.entries.filter((e) => e.data !== null).map((e) => (e.entry as { type: string }).type);
  t.same(visible, ['rx.delivery-assign']);

  await rejectsCode(t, zhang.client.receipt(result.index), 'RECEIPT_PENDING', 'no checkpoint covers it yet');
  s.world.service.ledger.publishCheckpoint();
  const receipt = await zhang.client.receipt(result.index);
  const info = await zhang.client.log();
  t.equal(verifyReceipt(receipt.proof, result.leafHash, info.verifierKey, info.origin).proof.index, result.index);
  t.throws(() => verifyReceipt(receipt.proof, result.records[0]!.leafHash, info.verifierKey), 'a receipt proves its own entry only');
  const text = await (await fetch(`${s.world.url}/v1/receipts/${result.index}?format=tlog-proof`)).text();
  t.equal(text, receipt.proof);
  t.ok(text.startsWith(`c2sp.org/tlog-proof@v1\nindex ${result.index}\n`));
});

t.test('erasing an identity: a ledger entry names the commitment, the store forgets, the ledger verifies', async (t) => {
  const s = await setUp(t);
  const { result } = await submit(s);
  await rejectsCode(t, s.cast['dr-li']!.act('patient.erase-identity', { identityCommitment: s.patient.identityCommitment, reason: 'patient-request' }), 'AUTH_ROLE_FORBIDDEN');
  const erased = await s.world.operator.act('patient.erase-identity', { identityCommitment: s.patient.identityCommitment, reason: 'patient-request' });
  t.equal(erased.type, 'patient.erase-identity');
  t.equal(erased.identityRecord, 'erased', 'the answer says a record was removed');
  const again = await s.world.operator.act('patient.erase-identity', { identityCommitment: s.patient.identityCommitment, reason: 'patient-request' });
  t.equal(again.identityRecord, 'none-held', 'a second erasure of it is recorded, and says there was nothing left to remove');
  const typo = await s.world.operator.act('patient.erase-identity', { identityCommitment: 'ab'.repeat(32), reason: 'patient-request' });
  t.equal(typo.identityRecord, 'none-held', 'so does one naming a commitment never identified here: not confirmed like a real erasure');
  t.equal(result.identityRecord, undefined, 'other statements carry no such member');
  const stored = s.world.service.ledger.entries(erased.index, erased.index + 1)[0]!;
  t.notOk(Buffer.from(stored.data).toString().includes('测试患者'), 'the entry holds no identifier');
  s.world.service.ledger.publishCheckpoint();
  const info = await s.world.operator.client.log();
  await s.world.close();
  const identities = new Database(join(s.world.dataDir, 'identity.sqlite'), { readonly: true });
  const row = identities.prepare('SELECT identity, salt, erased_at FROM identities WHERE commitment = ?').get(s.patient.identityCommitment) as { identity: unknown; salt: unknown; erased_at: number };
  identities.close();
  t.same([row.identity, row.salt, typeof row.erased_at], [null, null, 'number'], 'the identity store erased the record and its salt');
  const source = openDbLogSource(join(s.world.dataDir, DATABASE_FILE));
  const report = await verifyLog(source, { trustedKeys: info.verifierKeys });
  await source.close?.();
  t.ok(report.ok, `the ledger still verifies: ${JSON.stringify(report.failure)}`);
  t.ok(report.entriesVerified > result.index);
});

t.test('an insider’s illegal transition or altered check result is caught by the verifier at its index', async (t) => {
  const s = await setUp(t);
  const { id, result } = await submit(s);
  const zhang = s.cast['rph-zhang']!;
  const claimed = await zhang.act('rx.claim', { prescriptionId: id, previous: result.lastIndex, pharmacyId: 'pharm-quancheng', fill: 0 });
  const info = await zhang.client.log();
  // Signed before the service stops, appended afterwards behind its back.
  const dispenseUnreviewed = zhang.sign('rx.dispense', { prescriptionId: id, previous: claimed.lastIndex, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [randomTraceCode()] }] });
  await s.world.service.stop();
  const dataDir = s.world.dataDir;
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  const ledger = openLedger({ store: createLedgerStore(db), origin: s.world.origin, signingKeys: loadOrCreateSigningKeys(dataDir, s.world.origin).keys });
  const forged = await ledger.append('rx.dispense', dispenseUnreviewed);
  ledger.publishCheckpoint();
  await ledger.close();
  const source = openDbLogSource(join(dataDir, DATABASE_FILE));
  const report = await verifyLog(source, { trustedKeys: info.verifierKeys });
  await source.close?.();
  t.equal(report.failure?.code, 'RX_STATE_CONFLICT', 'dispensing before the pharmacist’s review is illegal');
  t.equal(report.failure?.index, forged.index);
});
