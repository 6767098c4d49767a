/**
 * GET /v1/oversight/* end to end: the production service on 127.0.0.1, prescriptions driven
 * through the lifecycle with real signed statements, read back by a regulator with signed
 * requests. Also who may read (regulators and operators only) and bad queries (precise 400s).
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { pickupCodeHash } from '../../src/client/index.js';
import { OversightAlertSummarySchema, OversightAlertsSchema, OversightStatsSchema } from '../../src/http/oversight-routes.js';
import { dayOf } from '../../src/domain/prescription/calendar.js';
import { DEMO_ACTORS, DEMO_INSTITUTIONS, identifyPatient, item, prescription, randomCode, randomTraceCode, registerCast, rxId, startWorld, type Actor, type PatientRef } from '../../scripts/lib/rx-world.js';
import { rejectsCode } from '../support/assert-code.js';
import { testdirWithStops } from '../support/testdir.js';
import { createReadSigner } from '../../src/client/read-signer.js';

const HOSPITAL = 'hosp-jinan-central';

async function setUp(t: Test) {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const world = await startWorld({
    dataDir: join(dir, 'data'),
    checkpointIntervalMs: 60_000,
    // Low thresholds, so that a handful of prescriptions raise each alert this test looks for.
    env: { OVERSIGHT_DOCTOR_SHOPPING_PRESCRIBERS: '2', OVERSIGHT_FOLD_INTERVAL_MS: '60000' },
  });
  stopBeforeRemoval(() => world.close());
  const cast = await registerCast(world, DEMO_INSTITUTIONS, DEMO_ACTORS);
  return { world, cast };
}

/** Drives one prescription: submit, then the steps asked for. Returns its id and last index. */
async function drive(
  s: Awaited<ReturnType<typeof setUp>>,
  doctor: Actor,
  patient: PatientRef,
  steps: { days?: number; override?: boolean; dispenseCode?: string; deliver?: boolean; collect?: boolean },
) {
  const { cast, world } = s;
  const zhang = cast['rph-zhang']!;
  const courier = cast['courier-zhao']!;
  const id = rxId('ov');
  const days = steps.days ?? 7;
  const rx = prescription(id, { id: doctor.id, institutionId: HOSPITAL }, patient, { now: world.clock(), items: [item(1, { days, quantity: { value: String(days), unit: '片' } })] });
  const submitted = await doctor.act('rx.submit', { prescription: rx as unknown as JsonObject, routing: { mode: 'nominated', pharmacyId: 'pharm-quancheng' } });
  let last = submitted.lastIndex;
  const step = async (actor: Actor, action: string, payload: JsonObject = {}) => (last = (await actor.act(action, { prescriptionId: id, previous: last, ...payload })).lastIndex);
  if (steps.override) {
    const ruleIds = [...new Set(submitted.check!.findings.filter((f) => f.action === 'override').map((f) => f.ruleId))];
    await step(doctor, 'rx.override', { reasons: ruleIds.map((ruleId) => ({ ruleId, code: 'chronic-stable-patient' })) });
  }
  if (steps.dispenseCode !== undefined) {
    await step(zhang, 'rx.claim', { pharmacyId: 'pharm-quancheng', fill: 0 });
    await step(zhang, 'rx.review', { fill: 0, decision: 'approve' });
    try {
      await step(zhang, 'rx.dispense', { fill: 0, lines: [{ line: 1, quantity: String(days), traceabilityCodes: [steps.dispenseCode] }] });
    } catch {
      return { id, last, submitted }; // a reused code: refused and flagged
    }
  }
  if (steps.deliver) {
    const code = randomCode();
    await step(zhang, 'rx.delivery-assign', { fill: 0, courierId: courier.id, pickupCodeHash: pickupCodeHash(code) });
    await step(courier, 'rx.delivery-pickup', { fill: 0 });
    await step(courier, 'rx.delivery-complete', { fill: 0, pickupCode: code });
  }
  if (steps.collect) await step(zhang, 'rx.collect', { fill: 0 });
  return { id, last, submitted };
}

t.test('a regulator reads figures and alerts folded from the lifecycle', async (t) => {
  const s = await setUp(t);
  const { cast, world } = s;
  const [drLi, drWang, regulator] = [cast['dr-li']!, cast['dr-wang']!, cast['inspector-sun']!];
  const patientA = await identifyPatient(drLi, 1);
  const patientB = await identifyPatient(drLi, 2);
  const reused = randomTraceCode();

  await drive(s, drLi, patientA, { dispenseCode: reused, deliver: true });
  // The same drug for the same patient from a second doctor, for 14 days (an override: 双签):
  // doctor shopping (2 prescribers), and an early refill when it is dispensed the same day.
  const second = await drive(s, drWang, patientA, { days: 14, override: true, dispenseCode: randomTraceCode(), collect: true });
  t.equal(second.submitted.check!.outcome, 'awaiting-override');
  // A pack already dispensed: refused and flagged.
  await drive(s, drLi, patientB, { dispenseCode: reused });

  const size = world.service.ledger.size();
  const today = dayOf(world.clock());
  const total = OversightStatsSchema.parse(await regulator.client.oversightStats());
  t.same(total.asOf.index, size - 1, 'as of the last entry: everything the log holds when the request came');
  t.equal(total.by, 'total');
  t.equal(total.utcOffset, '+08:00');
  t.equal(total.rows.length, 1);
  const row = total.rows[0]!;
  t.equal(row.period, today);
  t.equal(row.key, 'all');
  t.match(row.counts, { submitted: 3, approved: 2, overrideRequested: 1, overridden: 1, claimed: 3, reviewApproved: 3, dispensed: 2, delivered: 1, collected: 1, flagged: 1, rejected: 0 });
  t.same(row.overrideReasons, { 'chronic-stable-patient': new Set(second.submitted.check!.findings.filter((f) => f.action === 'override').map((f) => f.ruleId)).size });
  t.equal(row.turnaround.submitToCheck.count, 3);
  t.equal(row.turnaround.submitToClaim.count, 3);
  t.equal(row.turnaround.submitToDispense.count, 2);
  t.equal(row.turnaround.dispenseToDelivered.count, 1);
  t.ok(row.turnaround.dispenseToDelivered.p90Ms! >= row.turnaround.dispenseToDelivered.p50Ms!);

  const byPrescriber = OversightStatsSchema.parse(await regulator.client.oversightStats({ by: 'prescriber', period: 'week' }));
  t.same(byPrescriber.rows.map((r) => [r.key, r.counts.submitted]), [['dr-li', 2], ['dr-wang', 1]], 'one row per prescriber, by key');
  const byClass = OversightStatsSchema.parse(await regulator.client.oversightStats({ by: 'drugClass', period: 'month' }));
  t.ok(byClass.rows.some((r) => r.key === 'dhp-ccb' && r.counts.submitted === 3), 'amlodipine counts under its class from the rule set');
  const byRule = OversightStatsSchema.parse(await regulator.client.oversightStats({ by: 'rule' }));
  t.ok(byRule.rows.some((r) => r.counts.overridden === 1 && r.counts.overrideRequested === 1), 'the duplicate rule was overridden');

  const paged = OversightStatsSchema.parse(await regulator.client.oversightStats({ by: 'prescriber', limit: 1 }));
  t.equal(paged.rows.length, 1);
  t.ok(paged.next);
  const rest = OversightStatsSchema.parse(await regulator.client.oversightStats({ by: 'prescriber', limit: 1, cursor: paged.next! }));
  t.same(rest.rows.map((r) => r.key), ['dr-wang']);
  t.notOk(rest.next);

  const alerts = OversightAlertsSchema.parse(await regulator.client.oversightAlerts());
  const kinds = alerts.alerts.map((a) => a.kind).sort();
  t.same(kinds, ['doctor-shopping', 'early-refill', 'trace-code-reuse']);
  const shopping = alerts.alerts.find((a) => a.kind === 'doctor-shopping')!;
  t.same(shopping.subject, { kind: 'patient', id: patientA.pseudonym });
  t.same((shopping.details as { prescribers: string[] }).prescribers, ['dr-li', 'dr-wang']);
  t.equal(shopping.entries.length, 2);
  const flag = alerts.alerts.find((a) => a.kind === 'trace-code-reuse')!;
  t.same(flag.subject, { kind: 'traceCode', id: reused });
  const flagEntry = (await regulator.client.entries(flag.entries[1]!, flag.entries[1]! + 1)).entries[0]!.entry as { type: string };
  t.equal(flagEntry.type, 'rx.flag', 'the alert links to the entry behind it');
  t.notMatch(JSON.stringify(alerts), /测试患者|1390000|历下区测试路/, 'no name, phone or address anywhere');

  const onlyShopping = OversightAlertsSchema.parse(await regulator.client.oversightAlerts({ kind: 'doctor-shopping' }));
  t.same(onlyShopping.alerts.map((a) => a.id), [shopping.id]);
  const firstPage = OversightAlertsSchema.parse(await regulator.client.oversightAlerts({ limit: 2 }));
  const secondPage = OversightAlertsSchema.parse(await regulator.client.oversightAlerts({ limit: 2, cursor: firstPage.next! }));
  t.same([...firstPage.alerts, ...secondPage.alerts].map((a) => a.id), alerts.alerts.map((a) => a.id), 'pages continue newest first');
  t.same(OversightAlertsSchema.parse(await regulator.client.oversightAlerts({ since: world.clock() + 86_400_000 })).alerts, []);

  const summary = OversightAlertSummarySchema.parse(await regulator.client.oversightAlertSummary());
  t.equal(summary.total, 3);
  t.equal(summary.kinds['doctor-shopping'].count, 1);
  t.equal(summary.kinds['volume-spike'].count, 0);
  t.equal(summary.kinds['volume-spike'].latest, null);

  // Operators read too.
  const operatorView = OversightAlertSummarySchema.parse(await world.operator.client.oversightAlertSummary(today));
  t.equal(operatorView.total, 3);
});

t.test('only regulators and operators read oversight; bad queries are precise 400s', async (t) => {
  const s = await setUp(t);
  const { cast, world } = s;
  for (const who of ['rph-zhang', 'dr-li', 'courier-zhao']) {
    await rejectsCode(t, cast[who]!.client.oversightStats(), 'AUTH_ROLE_FORBIDDEN', `${who}: stats`);
    await rejectsCode(t, cast[who]!.client.oversightAlerts(), 'AUTH_ROLE_FORBIDDEN', `${who}: alerts`);
    await rejectsCode(t, cast[who]!.client.oversightAlertSummary(), 'AUTH_ROLE_FORBIDDEN', `${who}: summary`);
  }
  const unsigned = await fetch(`${world.url}/v1/oversight/stats`);
  t.equal(unsigned.status, 401);
  t.equal(((await unsigned.json()) as { error: { code: string } }).error.code, 'AUTH_REQUIRED');

  const regulator = cast['inspector-sun']!;
  const bad: Array<[string, Record<string, string | number>, string[]]> = [
    ['stats', { by: 'patient' }, ['query.by']],
    ['stats', { period: 'year' }, ['query.period']],
    ['stats', { from: '2026-02-30' }, ['query.from']],
    ['stats', { to: '20260101' }, ['query.to']],
    ['stats', { from: '2026-03-01', to: '2026-02-01' }, ['query.from']],
    ['stats', { from: '2020-01-01', to: '2026-01-01' }, ['query.to']],
    ['stats', { period: 'month', from: '2010-01-01', to: '2026-01-01' }, ['query.to']],
    ['stats', { limit: 0 }, ['query.limit']],
    ['stats', { limit: 1001 }, ['query.limit']],
    ['stats', { cursor: 'bm90LWEtY3Vyc29y' }, ['query.cursor']],
    ['stats', { colour: 'blue' }, ['query.colour']],
    ['stats', { colour: 'blue', size: 'L' }, ['query.colour', 'query.size']],
    ['alerts', { kind: 'fraud' }, ['query.kind']],
    ['alerts', { since: 'yesterday' }, ['query.since']],
    ['alerts', { limit: 501 }, ['query.limit']],
    ['alerts', { cursor: '!!' }, ['query.cursor']],
    ['alerts', { cursor: 'WyJ4IiwxXQ' }, ['query.cursor']],
  ];
  for (const [what, params, paths] of bad) {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
    const path = `/v1/oversight/${what}?${query}`;
    const res = await fetch(`${world.url}${path}`, { headers: createReadSigner({ seed: regulator.seed })('GET', path) });
    const body = (await res.json()) as { error: { code: string; paths: string[] } };
    t.same([res.status, body.error.code, body.error.paths], [400, 'REQUEST_INVALID', paths], `${path}`);
  }
});
