/**
 * `npm run demo`: rxledger end to end. Starts the real service on an empty temporary data
 * directory, registers a hospital, two doctors, two pharmacies, a delivery partner and a
 * regulator, and drives prescriptions through every path of the lifecycle over real HTTP with
 * real signatures: approved, warned and overridden, blocked, revised, cancelled, pending
 * cancellation, refused by the pharmacist, returned, partially dispensed, delivered, failed
 * delivery, raced claims, a reused traceability code, and a long prescription with repeats.
 * Then it fetches and checks a receipt offline, runs the independent verifier as the regulator,
 * and prints a summary (last line JSON). The tests run it (test/scripts/demo.test.ts).
 */
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { RxError } from '../src/core/errors.js';
import { HTTP_STATUS } from '../src/http/error-status.js';
import type { JsonObject } from '../src/core/canonical-json.js';
import { accessCodeHash, pickupCodeHash, verifyReceipt } from '../src/client/index.js';
import { createHttpLogSource } from '../src/verify/http-log-source.js';
import { verifyLog } from '../src/verify/log-verifier.js';
import { createReadSigner } from '../src/client/read-signer.js';
import {
  DEMO_ACTORS,
  DEMO_INSTITUTIONS,
  identifyPatient,
  item,
  prescription,
  randomCode,
  randomTraceCode,
  registerCast,
  rxId,
  startWorld,
  type Actor,
  type PatientRef,
  type World,
} from './lib/rx-world.js';

export interface DemoSummary {
  readonly prescriptions: number;
  readonly paths: Record<string, string>;
  readonly finalStates: Record<string, number>;
  readonly refusals: Record<string, number>;
  readonly entries: number;
  readonly receiptVerified: boolean;
  readonly verifier: { ok: boolean; entriesVerified: number; failure?: unknown };
}

const HOSPITAL = 'hosp-jinan-central';

export interface DemoOptions {
  /** The service's logger (default: silent). */
  readonly logger?: Logger;
  /** Run on this data directory and leave it in place (default: a temporary one, removed). */
  readonly dataDir?: string;
}

const DAY_MS = 86_400_000;

export async function runDemo(say: (line: string) => void = console.log, options: DemoOptions = {}): Promise<DemoSummary> {
  // One calendar for the service and every signer: real time, moved forward once, near the end,
  // so the long prescription's next fill can be shown in its window (28 days on).
  let daysAhead = 0;
  const clock = () => Date.now() + daysAhead * DAY_MS;
  const world = await startWorld({ checkpointIntervalMs: 100, clock, ...(options.logger ? { logger: options.logger } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  try {
    return await drive(world, say, (days) => void (daysAhead += days));
  } finally {
    await world.close();
  }
}

async function drive(world: World, say: (line: string) => void, advanceDays: (days: number) => void): Promise<DemoSummary> {
  say(`rxledger demo — service at ${world.url}, data in ${world.dataDir}`);
  const cast = await registerCast(world, DEMO_INSTITUTIONS, DEMO_ACTORS);
  const drLi = cast['dr-li']!;
  const drWang = cast['dr-wang']!;
  const zhang = cast['rph-zhang']!; // 泉城大药房, delivers
  const chen = cast['rph-chen']!; // 历下社区药房
  const courier = cast['courier-zhao']!;
  const regulator = cast['inspector-sun']!;
  say(`registered ${DEMO_INSTITUTIONS.length} institutions and ${DEMO_ACTORS.length} actors`);

  const patients: PatientRef[] = [];
  for (let n = 1; n <= 8; n++) patients.push(await identifyPatient(n % 2 === 0 ? drWang : drLi, n));
  say(`identified ${patients.length} patients (identities in the erasable store, pseudonyms in the ledger)`);

  const paths: Record<string, string> = {};
  const refusals: Record<string, number> = {};
  const ids: string[] = [];
  const refuse = async (what: string, expected: string, attempt: () => Promise<unknown>) => {
    try {
      await attempt();
    } catch (err) {
      if (err instanceof RxError && err.code === expected) {
        refusals[expected] = (refusals[expected] ?? 0) + 1;
        return;
      }
      throw err;
    }
    throw new Error(`demo: ${what} should have been refused with ${expected}`);
  };
  /** Submits and returns the id and the index the next statement names as `previous`. */
  const submit = async (label: string, doctor: Actor, patient: PatientRef, extra: { items?: ReturnType<typeof item>[]; encounter?: JsonObject; routing?: JsonObject; accessCodes?: string[]; revises?: string } = {}) => {
    const id = rxId(label);
    ids.push(id);
    const rx = prescription(id, { id: doctor.id, institutionId: HOSPITAL }, patient, {
      now: world.clock(),
      ...(extra.items ? { items: extra.items } : {}),
      ...(extra.encounter ? { encounter: extra.encounter as never } : {}),
    });
    const routing = extra.routing ?? { mode: 'nominated', pharmacyId: 'pharm-quancheng' };
    const result = await doctor.act('rx.submit', {
      prescription: rx as unknown as JsonObject,
      routing,
      ...(extra.accessCodes ? { accessCodes: extra.accessCodes.map(accessCodeHash) } : {}),
      ...(extra.revises ? { revises: extra.revises } : {}),
    });
    return { id, last: result.lastIndex, outcome: result.check!.outcome, submitIndex: result.index, leafHash: result.leafHash };
  };
  const step = async (actor: Actor, action: string, id: string, previous: number, payload: JsonObject = {}) => (await actor.act(action, { prescriptionId: id, previous, ...payload })).lastIndex;
  const claim = (pharmacist: Actor, pharmacyId: string, id: string, previous: number, extra: JsonObject = {}) => step(pharmacist, 'rx.claim', id, previous, { pharmacyId, fill: 0, ...extra });
  const dispenseAll = (pharmacist: Actor, id: string, previous: number, quantity = '7', fill = 0) =>
    step(pharmacist, 'rx.dispense', id, previous, { fill, lines: [{ line: 1, quantity, traceabilityCodes: [randomTraceCode()] }] });
  /** Claim (routed), approve, dispense in full. */
  const throughDispensing = async (pharmacist: Actor, pharmacyId: string, id: string, previous: number) => {
    let last = await claim(pharmacist, pharmacyId, id, previous);
    last = await step(pharmacist, 'rx.review', id, last, { fill: 0, decision: 'approve' });
    return dispenseAll(pharmacist, id, last);
  };
  const deliver = async (id: string, previous: number, fill = 0) => {
    const code = randomCode();
    let last = await step(zhang, 'rx.delivery-assign', id, previous, { fill, courierId: courier.id, pickupCodeHash: pickupCodeHash(code) });
    last = await step(courier, 'rx.delivery-pickup', id, last, { fill });
    last = await step(courier, 'rx.delivery-in-transit', id, last, { fill });
    return step(courier, 'rx.delivery-complete', id, last, { fill, pickupCode: code });
  };

  // 1. Approved, nominated pharmacy, delivered to the patient's home.
  const p1 = await submit('approved-delivered', drLi, patients[0]!);
  await deliver(p1.id, await throughDispensing(zhang, 'pharm-quancheng', p1.id, p1.last));
  paths[p1.id] = 'approved → claimed → reviewed → dispensed → delivered';

  // 2. Warned and overridden (双签): 14 days of supply needs a stated reason; collected in store.
  const p2 = await submit('override', drWang, patients[1]!, { items: [item(1, { days: 14, quantity: { value: '14', unit: '片' } })], routing: { mode: 'directed', pharmacyId: 'pharm-lixia' } });
  if (p2.outcome !== 'awaiting-override') throw new Error('demo: expected an override to be required');
  await refuse('a colleague’s override', 'RX_PARTY_MISMATCH', () => drLi.act('rx.override', { prescriptionId: p2.id, previous: p2.last, reasons: [{ ruleId: 'reg.days-outpatient', code: 'chronic-stable-patient' }] }));
  let last = await step(drWang, 'rx.override', p2.id, p2.last, { reasons: [{ ruleId: 'reg.days-outpatient', code: 'chronic-stable-patient', note: '病情稳定，需两周用量' }] });
  last = await claim(chen, 'pharm-lixia', p2.id, last);
  last = await step(chen, 'rx.review', p2.id, last, { fill: 0, decision: 'approve' });
  last = await dispenseAll(chen, p2.id, last, '14');
  await step(chen, 'rx.collect', p2.id, last, { fill: 0 });
  paths[p2.id] = 'awaiting override → overridden (双签) → directed pharmacy → collected';

  // 3. Blocked: six drugs on one prescription.
  const p3 = await submit('blocked', drLi, patients[2]!, { items: [1, 2, 3, 4, 5, 6].map((n) => item(n)) });
  if (p3.outcome !== 'rejected') throw new Error('demo: expected a block');
  await refuse('claiming a rejected prescription', 'RX_STATE_CONFLICT', () => claim(zhang, 'pharm-quancheng', p3.id, p3.last));
  paths[p3.id] = 'blocked by the checker (≤ 5 drugs)';

  // 4. Revised: an awaiting-override prescription replaced by a corrected one.
  const p4 = await submit('revised', drWang, patients[3]!, { items: [item(1, { days: 10, quantity: { value: '10', unit: '片' } })] });
  const p4b = await submit('revision', drWang, patients[3]!, { revises: p4.id });
  paths[p4.id] = 'superseded by a revision';
  paths[p4b.id] = 'revision → active';

  // 5. Cancelled by the prescriber while active.
  const p5 = await submit('cancelled', drLi, patients[4]!);
  await step(drLi, 'rx.cancel', p5.id, p5.last, { reason: 'clinical-change' });
  await refuse('claiming a cancelled prescription', 'RX_STATE_CONFLICT', () => claim(zhang, 'pharm-quancheng', p5.id, p5.last + 1));
  paths[p5.id] = 'cancelled by the prescriber';

  // 6. Pending cancellation: cancelled while the pharmacy holds it; no dispensing; the return settles it.
  const p6 = await submit('pending-cancel', drLi, patients[5]!);
  last = await claim(zhang, 'pharm-quancheng', p6.id, p6.last);
  last = await step(zhang, 'rx.review', p6.id, last, { fill: 0, decision: 'approve' });
  last = await step(drLi, 'rx.cancel', p6.id, last, { reason: 'patient-request' });
  await refuse('dispensing under pending cancellation', 'RX_CANCEL_PENDING', () => dispenseAll(zhang, p6.id, last));
  await step(zhang, 'rx.return', p6.id, last, { fill: 0, reason: 'patient-request' });
  paths[p6.id] = 'claimed → cancellation pending → returned → cancelled';

  // 7. Open routing with access codes: claimed, returned (out of stock), claimed elsewhere with the next code.
  const codes7 = [randomCode(), randomCode()];
  const p7 = await submit('returned', drWang, patients[6]!, { routing: { mode: 'open' }, accessCodes: codes7 });
  last = await claim(zhang, 'pharm-quancheng', p7.id, p7.last, { accessCode: codes7[0]! });
  last = await step(zhang, 'rx.return', p7.id, last, { fill: 0, reason: 'out-of-stock' });
  await refuse('reusing a spent access code', 'RX_ACCESS_CODE_SPENT', () => claim(chen, 'pharm-lixia', p7.id, last, { accessCode: codes7[0]! }));
  last = await claim(chen, 'pharm-lixia', p7.id, last, { accessCode: codes7[1]! });
  last = await step(chen, 'rx.review', p7.id, last, { fill: 0, decision: 'approve' });
  await step(chen, 'rx.collect', p7.id, await dispenseAll(chen, p7.id, last), { fill: 0 });
  paths[p7.id] = 'open → claimed → returned (out of stock) → claimed elsewhere → collected';

  // 8. Partially dispensed: 4 of 7 now, the balance owed, then the rest.
  const p8 = await submit('partial', drLi, patients[7]!);
  last = await claim(zhang, 'pharm-quancheng', p8.id, p8.last);
  last = await step(zhang, 'rx.review', p8.id, last, { fill: 0, decision: 'approve' });
  last = await dispenseAll(zhang, p8.id, last, '4');
  await refuse('dispensing more than is owed', 'RX_QUANTITY_EXCEEDS_OWING', () => dispenseAll(zhang, p8.id, last, '4'));
  last = await step(zhang, 'rx.collect', p8.id, last, { fill: 0 });
  last = await dispenseAll(zhang, p8.id, last, '3');
  await step(zhang, 'rx.collect', p8.id, last, { fill: 0 });
  paths[p8.id] = 'partially dispensed (4 of 7, 3 owed) → collected → balance dispensed → collected';

  // 9. Failed delivery: back to the pharmacy, assigned again, delivered.
  const p9 = await submit('failed-delivery', drWang, patients[0]!);
  last = await throughDispensing(zhang, 'pharm-quancheng', p9.id, p9.last);
  last = await step(zhang, 'rx.delivery-assign', p9.id, last, { fill: 0, courierId: courier.id, pickupCodeHash: pickupCodeHash(randomCode()) });
  last = await step(courier, 'rx.delivery-pickup', p9.id, last, { fill: 0 });
  last = await step(courier, 'rx.delivery-fail', p9.id, last, { fill: 0, reason: 'patient-unreachable' });
  await deliver(p9.id, last);
  paths[p9.id] = 'delivery failed (patient unreachable) → back to pharmacy → delivered';

  // 10. Raced claims: two pharmacies, each with one of the patient's codes, claim at once.
  const codes10 = [randomCode(), randomCode()];
  const p10 = await submit('raced', drLi, patients[1]!, { routing: { mode: 'open' }, accessCodes: codes10 });
  const race = await Promise.allSettled([
    claim(zhang, 'pharm-quancheng', p10.id, p10.last, { accessCode: codes10[0]! }),
    claim(chen, 'pharm-lixia', p10.id, p10.last, { accessCode: codes10[1]! }),
  ]);
  const winners = race.filter((r) => r.status === 'fulfilled');
  const losers = race.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (winners.length !== 1 || !(losers[0]?.reason instanceof RxError) || losers[0].reason.code !== 'RX_HELD_BY_ANOTHER_PHARMACY') throw new Error('demo: a raced claim must have exactly one winner');
  refusals.RX_HELD_BY_ANOTHER_PHARMACY = (refusals.RX_HELD_BY_ANOTHER_PHARMACY ?? 0) + 1;
  paths[p10.id] = 'raced claims: exactly one pharmacy wins, the other hears 409 RX_HELD_BY_ANOTHER_PHARMACY';

  // 11. A pack sold twice: the second dispensing is refused and the attempt flagged in the ledger.
  const p11 = await submit('trace-reuse', drWang, patients[2]!);
  last = await claim(zhang, 'pharm-quancheng', p11.id, p11.last);
  last = await step(zhang, 'rx.review', p11.id, last, { fill: 0, decision: 'approve' });
  const sold = randomTraceCode();
  last = await step(zhang, 'rx.dispense', p11.id, last, { fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [sold] }] });
  await step(zhang, 'rx.collect', p11.id, last, { fill: 0 });
  const p11b = await submit('trace-reuse-2', drWang, patients[2]!);
  last = await claim(zhang, 'pharm-quancheng', p11b.id, p11b.last);
  last = await step(zhang, 'rx.review', p11b.id, last, { fill: 0, decision: 'approve' });
  await refuse('a reused traceability code', 'RX_TRACE_CODE_DUPLICATE', () => step(zhang, 'rx.dispense', p11b.id, last, { fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [sold] }] }));
  last = await dispenseAll(zhang, p11b.id, last);
  await step(zhang, 'rx.collect', p11b.id, last, { fill: 0 });
  paths[p11.id] = 'dispensed → collected';
  paths[p11b.id] = 'reused traceability code refused and flagged → dispensed with a fresh pack → collected';

  // 12. Refused by the pharmacist, back to the prescriber.
  const p12 = await submit('pharmacist-refused', drLi, patients[3]!);
  last = await claim(zhang, 'pharm-quancheng', p12.id, p12.last);
  await step(zhang, 'rx.review', p12.id, last, { fill: 0, decision: 'refuse', reason: 'interaction', note: '与患者在用药物存在相互作用' });
  paths[p12.id] = 'refused by the pharmacist (interaction) → back to the prescriber';

  // 13. Long prescription with repeats: three fills of 28 days; the next fill is not claimable early.
  const p13 = await submit('long-repeats', drWang, patients[4]!, {
    encounter: { longPrescription: true },
    items: [item(1, { days: 28, quantity: { value: '28', unit: '片' }, repeats: { count: 2, intervalDays: 28 } })],
  });
  last = await claim(zhang, 'pharm-quancheng', p13.id, p13.last);
  last = await step(zhang, 'rx.review', p13.id, last, { fill: 0, decision: 'approve' });
  last = await dispenseAll(zhang, p13.id, last, '28');
  last = await step(zhang, 'rx.collect', p13.id, last, { fill: 0 });
  await refuse('claiming a repeat before its window', 'RX_FILL_WINDOW_NOT_OPEN', () => step(zhang, 'rx.claim', p13.id, last, { pharmacyId: 'pharm-quancheng', fill: 1 }));
  const p13Collected = last; // its second fill, 28 days on, is the demo's last step before the summary

  // 14–22. The everyday case: approved, pulled from the pharmacy's queue, delivered or collected.
  const routine: Array<{ id: string }> = [];
  for (let n = 0; n < 9; n++) routine.push(await submit(`routine-${n}`, n % 2 === 0 ? drLi : drWang, patients[n % patients.length]!));
  const queue = await zhang.client.queue('pharm-quancheng', { limit: 5 });
  const rest = queue.next === undefined ? [] : (await zhang.client.queue('pharm-quancheng', { after: queue.next, limit: 100 })).items;
  const pulled = [...queue.items, ...rest].filter((q) => routine.some((r) => r.id === q.prescriptionId));
  for (const [n, q] of pulled.entries()) {
    last = await throughDispensing(zhang, 'pharm-quancheng', q.prescriptionId, q.lastIndex);
    if (n % 2 === 0) await deliver(q.prescriptionId, last);
    else await step(zhang, 'rx.collect', q.prescriptionId, last, { fill: 0 });
    paths[q.prescriptionId] = n % 2 === 0 ? 'pulled from the queue → delivered' : 'pulled from the queue → collected';
  }
  if (pulled.length !== routine.length) throw new Error('demo: the queue must return every routed prescription');

  // The courier sees its open assignments, with the address, and nothing else.
  const code = randomCode();
  const p23 = await submit('out-for-delivery', drLi, patients[5]!);
  last = await throughDispensing(zhang, 'pharm-quancheng', p23.id, p23.last);
  last = await step(zhang, 'rx.delivery-assign', p23.id, last, { fill: 0, courierId: courier.id, pickupCodeHash: pickupCodeHash(code) });
  const assignments = await courier.client.assignments(courier.id);
  if (assignments.items.length !== 1 || assignments.items[0]!.address === null) throw new Error('demo: the courier must see its one assignment with the address');
  await refuse('a wrong pickup code', 'RX_PICKUP_CODE_INVALID', async () => {
    const l = await step(courier, 'rx.delivery-pickup', p23.id, last, { fill: 0 });
    last = l;
    return step(courier, 'rx.delivery-complete', p23.id, l, { fill: 0, pickupCode: randomCode() });
  });
  await step(courier, 'rx.delivery-complete', p23.id, last, { fill: 0, pickupCode: code });
  paths[p23.id] = 'courier sees its assignment with the address; wrong pickup code refused; delivered';

  // 13, continued: 28 days later the second fill's window is open. (Every other path is done; on
  // this calendar the prescriptions still active expire, as they would.)
  advanceDays(28);
  last = await claim(zhang, 'pharm-quancheng', p13.id, p13Collected, { fill: 1 });
  last = await step(zhang, 'rx.review', p13.id, last, { fill: 1, decision: 'approve' });
  last = await dispenseAll(zhang, p13.id, last, '28', 1);
  last = await step(zhang, 'rx.collect', p13.id, last, { fill: 1 });
  const p13State = await regulator.client.prescription(p13.id);
  paths[p13.id] = `long prescription (3 × 28 days): fill 1 collected; fill 2 refused before its window, then, 28 days on, claimed, dispensed and collected; now ${p13State.state}, fill 3 of 3 next`;

  // Final states, as the regulator reads them.
  const finalStates: Record<string, number> = {};
  for (const id of ids) {
    const status = await regulator.client.prescription(id);
    finalStates[status.state] = (finalStates[status.state] ?? 0) + 1;
  }

  // A receipt for the first submission, checked offline against the log's key.
  const info = await regulator.client.log();
  let receiptVerified = false;
  for (let attempt = 0; attempt < 100 && !receiptVerified; attempt++) {
    try {
      const receipt = await drLi.client.receipt(p1.submitIndex);
      verifyReceipt(receipt.proof, p1.leafHash, info.verifierKey, info.origin);
      receiptVerified = true;
    } catch (err) {
      if (!(err instanceof RxError && err.code === 'RECEIPT_PENDING')) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // The regulator's independent verification over the read API: every signature, every transition,
  // every check result re-run.
  world.service.ledger.publishCheckpoint();
  const source = createHttpLogSource(world.url, { signRead: createReadSigner({ seed: regulator.seed, clock: world.clock }) });
  const report = await verifyLog(source, { trustedKeys: info.verifierKeys });
  const summary: DemoSummary = {
    prescriptions: ids.length,
    paths,
    finalStates,
    refusals,
    entries: report.logSize ?? 0,
    receiptVerified,
    verifier: { ok: report.ok, entriesVerified: report.entriesVerified, ...(report.failure ? { failure: report.failure } : {}) },
  };
  say('');
  say('prescription paths:');
  for (const [id, path] of Object.entries(paths)) say(`  ${id.padEnd(34)} ${path}`);
  say('');
  say(`final states:   ${Object.entries(finalStates).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  say(`refused as expected: ${Object.entries(refusals).map(([c, n]) => `${c} (${HTTP_STATUS[c as keyof typeof HTTP_STATUS]}) ×${n}`).join(', ')}`);
  say(`receipt:        ${receiptVerified ? 'inclusion proof verified offline against the signed checkpoint' : 'NOT verified'}`);
  say(`verifier:       ${report.ok ? `OK — ${report.entriesVerified} entries, every signature, transition and check re-judged` : `FAILED ${JSON.stringify(report.failure)}`}`);
  say(JSON.stringify({ prescriptions: summary.prescriptions, entries: summary.entries, finalStates, receiptVerified, verified: report.ok }));
  return summary;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runDemo().then(
    (s) => process.exit(s.verifier.ok && s.receiptVerified ? 0 : 1),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
