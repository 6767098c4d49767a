/**
 * The checker over real HTTP on the production service, with the starter knowledge base: the
 * activation recorded at start-up (and again only when the bundle or policy changes), the active
 * rule set and its bundle by hash, dry runs and CDS Hooks (nothing written, precise refusals), a
 * submission checked against the patient's other live prescriptions, and the verifier re-running
 * every check from the bundle it fetches.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { createReadSigner } from '../../src/client/index.js';
import { bundleHash } from '../../src/domain/checker/knowledge-bundle.js';
import { RULE_SET_TYPE } from '../../src/domain/checker/rule-set-activation.js';
import { createHttpLogSource } from '../../src/verify/http-log-source.js';
import { verifyLog } from '../../src/verify/log-verifier.js';
import { ORDER_SIGN_EXAMPLE } from '../../src/http/openapi/checker-paths.js';
import { MAX_ERROR_PATHS } from '../../src/http/error-handler.js';
import { DEMO_ACTORS, DEMO_INSTITUTIONS, identifyPatient, item, prescription, registerCast, rxId, startWorld, type Actor, type World } from '../../scripts/lib/rx-world.js';
import { testdirWithStops } from '../support/testdir.js';

const HOSPITAL = 'hosp-jinan-central';

/** A world in the test's directory, with the cast; the caller stops it, and whatever else it starts there, through `stopBeforeRemoval` (test/support/testdir.ts). */
async function setUp(t: Test, env: Record<string, string> = {}) {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const world = await startWorld({ dataDir, checkpointIntervalMs: 60_000, env });
  const cast = await registerCast(world, DEMO_INSTITUTIONS, DEMO_ACTORS);
  return { world, cast, dataDir, stopBeforeRemoval };
}

const simvastatin = item(1, { genericName: '辛伐他汀片', strength: { value: '20', unit: 'mg' }, dose: { value: '20', unit: 'mg' } });
const clarithromycin = item(1, { genericName: '克拉霉素片', strength: { value: '250', unit: 'mg' }, dose: { value: '250', unit: 'mg' }, frequency: 'bid' });

async function raw(world: World, method: string, path: string, body?: unknown, signer?: Actor) {
  const headers: Record<string, string> = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(signer ? createReadSigner({ seed: signer.seed })(method, `${world.url}${path}`) : {}) };
  const res = await fetch(`${world.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; paths: string[] } } & Record<string, unknown> };
}

t.test('the active rule set is recorded at start-up, served with its bundle, and re-recorded only on change', async (t) => {
  const { world, dataDir, stopBeforeRemoval } = await setUp(t);
  const active = await world.operator.client.activeRuleSet();
  t.match(active, { name: 'rxledger-starter', engine: 'rxledger-checker/1', policy: { critical: 'block', major: 'override', moderate: 'warn', minor: 'inform' } });
  t.match(active.hash, /^[0-9a-f]{64}$/);
  t.ok(active.counts.ingredients! >= 300 && active.counts.interactions! >= 150, 'the starter set is large enough');

  const res = await fetch(`${world.url}/v1/rulesets/${active.hash}`);
  t.equal(res.status, 200);
  t.equal(bundleHash(new Uint8Array(await res.arrayBuffer())), active.hash, 'the bytes served hash to the rule set’s hash');
  t.match(await raw(world, 'GET', `/v1/rulesets/${'0'.repeat(64)}`), { status: 404, body: { error: { code: 'RULE_SET_UNKNOWN' } } });
  t.match(await raw(world, 'GET', '/v1/rulesets/not-a-hash'), { status: 400, body: { error: { code: 'REQUEST_INVALID', paths: ['params.hash'] } } });

  type Entry = { type: string; body: Record<string, unknown> };
  const activations = async (w: World) => (await w.operator.client.entries(0, w.service.ledger.size())).entries.map((e) => e.entry as Entry).filter((e) => e.type === RULE_SET_TYPE);
  t.equal((await activations(world)).length, 1, 'one activation');
  await world.close();

  // Same knowledge and policy: nothing new. Another policy: a new activation naming it.
  const again = await startWorld({ dataDir, checkpointIntervalMs: 60_000 });
  t.equal((await activations(again)).length, 1, 'a restart with the same rule set records nothing');
  await again.close();
  const strict = await startWorld({ dataDir, checkpointIntervalMs: 60_000, env: { CHECK_POLICY: 'critical=block,major=block,moderate=override,minor=inform' } });
  stopBeforeRemoval(() => strict.close());
  const after = await activations(strict);
  t.equal(after.length, 2, 'a changed policy is a new activation');
  t.match(after[1]!.body, { hash: active.hash, policy: { major: 'block', moderate: 'override' } });
  t.match(await strict.operator.client.activeRuleSet(), { policy: { major: 'block' } });
});

t.test('a submission is checked against the patient’s other live prescriptions; the verifier re-runs it from the fetched bundle', async (t) => {
  const { world, cast, stopBeforeRemoval } = await setUp(t);
  stopBeforeRemoval(() => world.close());
  const patient = await identifyPatient(cast['dr-li']!, 1);
  const submit = (doctor: Actor, items: ReturnType<typeof item>[]) =>
    doctor.act('rx.submit', { prescription: prescription(rxId('chk'), { id: doctor.id, institutionId: HOSPITAL }, patient, { now: world.clock(), items }) as unknown as JsonObject, routing: { mode: 'nominated', pharmacyId: 'pharm-quancheng' } });
  const first = await submit(cast['dr-wang']!, [clarithromycin]);
  t.equal(first.check?.outcome, 'active');
  const second = await submit(cast['dr-li']!, [simvastatin]);
  t.equal(second.check?.outcome, 'rejected', 'simvastatin with another doctor’s clarithromycin is contraindicated');
  t.match(second.check?.findings, [{ ruleId: 'ddi.simvastatin.clarithromycin', tier: 'critical', action: 'block', lines: [1] }]);

  world.service.ledger.publishCheckpoint();
  const source = createHttpLogSource(world.url, { signRead: createReadSigner({ seed: cast['inspector-sun']!.seed }) });
  const report = await verifyLog(source, { trustedKeys: world.service.ledger.verifierKeys });
  t.equal(report.failure, undefined, 'the verifier fetched the bundle by hash and reproduced every check');
  t.ok(report.ok);
});

t.test('POST /v1/checks: the prescriber’s dry run, nothing written; refusals name the rule', async (t) => {
  const { world, cast, stopBeforeRemoval } = await setUp(t);
  stopBeforeRemoval(() => world.close());
  const patient = await identifyPatient(cast['dr-li']!, 2);
  const draft = (doctor: string, items = [simvastatin, { ...clarithromycin, line: 2 }]) => prescription(rxId('dry'), { id: doctor, institutionId: HOSPITAL }, patient, { now: world.clock(), items });
  const size = world.service.ledger.size();

  const result = await cast['dr-li']!.client.check(draft('dr-li'));
  t.match(result, { recorded: false, outcome: 'rejected', findings: [{ ruleId: 'ddi.simvastatin.clarithromycin', lines: [1, 2] }] });
  t.equal(result.ruleSet, (await world.operator.client.activeRuleSet()).hash);

  t.match(await raw(world, 'POST', '/v1/checks', { prescription: draft('dr-li') }), { status: 401 }, 'unsigned');
  t.match(await raw(world, 'POST', '/v1/checks', { prescription: draft('dr-li') }, cast['dr-wang']), { status: 403, body: { error: { code: 'AUTH_ROLE_FORBIDDEN', paths: ['body.prescription.prescriberId'] } } }, 'for another prescriber');
  t.match(await raw(world, 'POST', '/v1/checks', { prescription: { ...draft('dr-li'), institutionId: 'hosp-elsewhere' } }, cast['dr-li']), { status: 403, body: { error: { code: 'AUTH_ROLE_FORBIDDEN', paths: ['body.prescription.institutionId'] } } }, 'for another institution');
  t.match(await raw(world, 'POST', '/v1/checks', { prescription: draft('rph-zhang') }, cast['rph-zhang']), { status: 403, body: { error: { code: 'AUTH_ROLE_FORBIDDEN' } } }, 'by a pharmacist');
  const bad = await raw(world, 'POST', '/v1/checks', { prescription: { ...draft('dr-li'), items: [{ ...simvastatin, dose: { value: '2e1', unit: 'mg' } }] } }, cast['dr-li']);
  t.match(bad, { status: 400, body: { error: { code: 'REQUEST_INVALID', paths: ['body.prescription.items.0.dose.value'] } } }, 'a float-like dose');
  t.equal(world.service.ledger.size(), size, 'nothing was written');
});

t.test('CDS Hooks: discovery and order-sign cards', async (t) => {
  const { world, cast, stopBeforeRemoval } = await setUp(t);
  stopBeforeRemoval(() => world.close());
  const patient = await identifyPatient(cast['dr-li']!, 3);
  const discovery = await raw(world, 'GET', '/cds-services');
  t.match(discovery.body, { services: [{ hook: 'order-sign', id: 'rxledger-order-sign' }] });

  // The patient is allergic to penicillin and the draft order is amoxicillin.
  const order = structuredClone(ORDER_SIGN_EXAMPLE) as unknown as { context: { patientId: string; draftOrders: { entry: Array<{ resource: { medicationCodeableConcept: { text: string }; dosageInstruction: Array<{ doseAndRate: Array<{ doseQuantity: { value: number } }> }> } }> } } };
  order.context.patientId = patient.pseudonym;
  const mr = order.context.draftOrders.entry[0]!.resource;
  mr.medicationCodeableConcept.text = '阿莫西林胶囊';
  mr.dosageInstruction[0]!.doseAndRate[0]!.doseQuantity.value = 500;
  const size = world.service.ledger.size();
  const res = await raw(world, 'POST', '/cds-services/rxledger-order-sign', order, cast['dr-li']);
  t.equal(res.status, 200);
  const cards = res.body.cards as Array<Record<string, unknown>>;
  t.match(cards[0], {
    indicator: 'critical',
    source: { topic: { code: 'allergy.group.penicillin' } },
    suggestions: [{ actions: [{ type: 'delete', resourceId: ['MedicationRequest/mr-1'] }] }],
  });
  t.ok((cards[0]!.summary as string).length <= 140);

  // The example itself (amlodipine for a hypertensive patient) gives no card that blocks.
  const plain = await raw(world, 'POST', '/cds-services/rxledger-order-sign', { ...ORDER_SIGN_EXAMPLE, context: { ...ORDER_SIGN_EXAMPLE.context, patientId: patient.pseudonym } }, cast['dr-li']);
  t.equal(plain.status, 200);
  t.notOk((plain.body.cards as Array<{ indicator: string }>).some((c) => c.indicator === 'critical'));

  t.match(await raw(world, 'POST', '/cds-services/rxledger-order-sign', order), { status: 401 }, 'unsigned');
  t.match(await raw(world, 'POST', '/cds-services/rxledger-order-sign', order, cast['rph-zhang']), { status: 403, body: { error: { code: 'AUTH_ROLE_FORBIDDEN' } } }, 'by a pharmacist');
  t.match(await raw(world, 'POST', '/cds-services/rxledger-order-sign', { ...order, hook: 'patient-view' }, cast['dr-li']), { status: 400, body: { error: { code: 'REQUEST_INVALID', paths: ['body.hook'] } } });
  t.equal(world.service.ledger.size(), size, 'nothing was written');
});

t.test('an order-sign request with thousands of draft orders is refused by its bound, in one small answer (fuzz campaign)', async (t) => {
  const { world, cast, stopBeforeRemoval } = await setUp(t);
  stopBeforeRemoval(() => world.close());
  // Every element used to be its own schema fault: the answer listed all their paths (megabytes
  // for a one-megabyte request) and validating them held the event loop for seconds.
  const order = structuredClone(ORDER_SIGN_EXAMPLE) as unknown as { context: { draftOrders: { entry: unknown[] } } };
  order.context.draftOrders.entry = Array.from({ length: 20_000 }, () => ({}));
  const res = await raw(world, 'POST', '/cds-services/rxledger-order-sign', order, cast['dr-li']);
  t.equal(res.status, 400);
  t.equal(res.body.error?.code, 'REQUEST_INVALID');
  t.same(res.body.error?.paths, ['body.context.draftOrders.entry'], 'one fault: more draft orders than a prescription may hold');
  t.ok(JSON.stringify(res.body).length < 4096, 'a small answer');
  t.ok(MAX_ERROR_PATHS < 100, 'answers name a bounded number of paths');
});
