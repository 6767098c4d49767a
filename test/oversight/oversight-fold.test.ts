/**
 * The oversight fold over hand-built entry sequences: every figure a lifecycle produces, expiry,
 * and each alert kind firing at its threshold and not just below it.
 */
import t from 'tap';
import { DEFAULT_OVERSIGHT_SETTINGS as D, type OversightSettings } from '../../src/oversight/oversight-settings.js';
import { DAY, HOUR, MONDAY_CST, entryLog, memoryProjection } from './memory-projection.js';

const P = 'a'.repeat(64); // a patient pseudonym
/** The date in China Standard Time of a log time: a prescription's date of issue on that day. */
const cstDate = (time: number) => new Date(time + 8 * HOUR).toISOString().slice(0, 10);
const settings = (over: Partial<{ [K in keyof OversightSettings]: Partial<OversightSettings[K]> }>): OversightSettings =>
  Object.fromEntries(Object.entries(D).map(([k, v]) => [k, typeof v === 'object' ? { ...v, ...(over as Record<string, object>)[k] } : v])) as unknown as OversightSettings;

function run(log: ReturnType<typeof entryLog>, s: OversightSettings = D) {
  const projection = memoryProjection(s);
  for (const e of log.entries) projection.fold(e);
  return projection;
}

t.test('a prescription through the lifecycle counts each step once, under every dimension', async (t) => {
  const log = entryLog();
  const t0 = MONDAY_CST + 9 * HOUR;
  log.submit(t0, { id: 'rx-000001', prescriber: 'dr-a', patient: P, days: 14, outcome: 'awaiting-override', findings: [{ ruleId: 'reg.days-outpatient', action: 'override' }, { ruleId: 'dup.x', action: 'warn' }] });
  log.step(t0 + 60_000, 'rx.override', 'dr-a', 'rx-000001', { reasons: [{ ruleId: 'reg.days-outpatient', code: 'monitored' }] });
  log.step(t0 + HOUR, 'rx.claim', 'rph-1', 'rx-000001', { pharmacyId: 'ph-1', fill: 0 });
  log.step(t0 + HOUR + 1, 'rx.review', 'rph-1', 'rx-000001', { fill: 0, decision: 'approve' });
  log.step(t0 + 2 * HOUR, 'rx.dispense', 'rph-1', 'rx-000001', { fill: 0, lines: [{ line: 1, quantity: '10', traceabilityCodes: [] }] });
  log.step(t0 + 3 * HOUR, 'rx.dispense', 'rph-1', 'rx-000001', { fill: 0, lines: [{ line: 1, quantity: '4', traceabilityCodes: [] }] });
  log.step(t0 + 4 * HOUR, 'rx.delivery-assign', 'rph-1', 'rx-000001', { fill: 0, courierId: 'cr-1', pickupCodeHash: 'b'.repeat(64) });
  log.step(t0 + 5 * HOUR, 'rx.delivery-fail', 'cr-1', 'rx-000001', { fill: 0, reason: 'patient-unreachable' });
  log.step(t0 + 6 * HOUR, 'rx.delivery-assign', 'rph-1', 'rx-000001', { fill: 0, courierId: 'cr-1', pickupCodeHash: 'b'.repeat(64) });
  log.step(t0 + 7 * HOUR, 'rx.delivery-complete', 'cr-1', 'rx-000001', { fill: 0, pickupCode: 'x'.repeat(22) });
  // A second one, rejected; a third cancelled; a fourth refused by the pharmacist after a return.
  log.submit(t0 + 8 * HOUR, { id: 'rx-000002', prescriber: 'dr-a', patient: 'b'.repeat(64), outcome: 'rejected', findings: [{ ruleId: 'reg.items-max', action: 'block' }] });
  log.submit(t0 + 8 * HOUR, { id: 'rx-000003', prescriber: 'dr-b', patient: 'c'.repeat(64), drugCode: 'benzo-1' });
  log.step(t0 + 9 * HOUR, 'rx.cancel', 'dr-b', 'rx-000003', { reason: 'clinical-change' });
  log.submit(t0 + 9 * HOUR, { id: 'rx-000004', prescriber: 'dr-b', patient: 'd'.repeat(64) });
  log.step(t0 + 9 * HOUR, 'rx.claim', 'rph-1', 'rx-000004', { pharmacyId: 'ph-1', fill: 0 });
  log.step(t0 + 9 * HOUR, 'rx.return', 'rph-1', 'rx-000004', { fill: 0, reason: 'out-of-stock' });
  log.step(t0 + 10 * HOUR, 'rx.claim', 'rph-2', 'rx-000004', { pharmacyId: 'ph-2', fill: 0 });
  log.step(t0 + 10 * HOUR, 'rx.review', 'rph-2', 'rx-000004', { fill: 0, decision: 'refuse', reason: 'interaction' });
  const p = run(log);
  const day = (key: string, figure: string, dim = 'total') => p.count(dim, 'day', '2026-11-23', key, figure);
  t.same(
    Object.fromEntries(['submitted', 'approved', 'warned', 'blocked', 'overrideRequested', 'overridden', 'rejected', 'cancelled', 'claimed', 'reviewApproved', 'refused', 'returned', 'dispensed', 'partiallyDispensed', 'deliveryFailed', 'delivered', 'collected'].map((f) => [f, day('all', f)])),
    { submitted: 4, approved: 2, warned: 1, blocked: 1, overrideRequested: 1, overridden: 1, rejected: 1, cancelled: 1, claimed: 3, reviewApproved: 1, refused: 1, returned: 1, dispensed: 1, partiallyDispensed: 1, deliveryFailed: 1, delivered: 1, collected: 0 },
  );
  t.equal(day('all', 'overrideReasons.monitored'), 1);
  t.equal(day('all', 'deliveryFailureReasons.patient-unreachable'), 1);
  t.equal(day('all', 'refusalReasons.interaction'), 1);
  t.equal(day('all', 'returnReasons.out-of-stock'), 1);
  t.equal(day('all', 'cancelReasons.clinical-change'), 1);
  t.equal(day('dr-a', 'submitted', 'prescriber'), 2);
  t.equal(day('dr-b', 'cancelled', 'prescriber'), 1);
  t.equal(day('hosp-1', 'submitted', 'institution'), 4);
  t.equal(day('benzodiazepine', 'submitted', 'drugClass'), 1);
  t.equal(day('dhp-ccb', 'submitted', 'drugClass'), 3);
  // Under a rule, a prescription counts by what that rule's finding did.
  t.equal(day('reg.days-outpatient', 'overrideRequested', 'rule'), 1);
  t.equal(day('reg.days-outpatient', 'overridden', 'rule'), 1);
  t.equal(day('reg.days-outpatient', 'delivered', 'rule'), 1);
  t.equal(day('dup.x', 'warned', 'rule'), 1);
  t.equal(day('dup.x', 'overridden', 'rule'), 0, 'the override named another rule');
  t.equal(day('reg.items-max', 'blocked', 'rule'), 1);
  // Week and month include the same events.
  t.equal(p.count('total', 'week', '2026-11-23', 'all', 'submitted'), 4);
  t.equal(p.count('total', 'month', '2026-11-01', 'all', 'submitted'), 4);
  // Turnarounds: counts and sums.
  t.equal(day('all', 'turnaround.submitToCheck.count'), 4);
  t.equal(day('all', 'turnaround.submitToClaim.count'), 2, 'first claims only');
  t.equal(day('all', 'turnaround.submitToClaim.sumMs'), HOUR + 0, 'an hour, and a claim the moment it was submitted');
  t.equal(day('all', 'turnaround.submitToDispense.sumMs'), 2 * HOUR);
  t.equal(day('all', 'turnaround.dispenseToDelivered.sumMs'), 4 * HOUR, 'from the last dispensing of the fill');
  t.same(p.alerts, [], 'nothing here is alarming');
});

t.test('a claimable prescription expires when its last window closes, counted in that period', async (t) => {
  const log = entryLog();
  log.submit(MONDAY_CST + HOUR, { id: 'rx-000001', prescriber: 'dr-a', patient: P, date: '2026-11-23' });
  log.submit(MONDAY_CST + HOUR, { id: 'rx-000002', prescriber: 'dr-a', patient: P, date: '2026-11-23' });
  log.step(MONDAY_CST + 2 * HOUR, 'rx.claim', 'rph-1', 'rx-000002', { pharmacyId: 'ph-1', fill: 0 });
  // Anything after the day of issue (validity 1 day) makes the log pass the first one's window.
  log.submit(MONDAY_CST + 2 * DAY, { id: 'rx-000003', prescriber: 'dr-b', patient: 'b'.repeat(64), date: '2026-11-25' });
  const p = run(log);
  t.equal(p.count('total', 'day', '2026-11-24', 'all', 'expired'), 1, 'expired at 00:00 on the 24th, never claimed');
  t.equal(p.count('total', 'day', '2026-11-23', 'all', 'expired'), 0);
  t.equal(p.count('prescriber', 'month', '2026-11-01', 'dr-a', 'expired'), 1, 'the claimed one did not expire');
});

t.test('doctor shopping: N prescribers of one class within the window', async (t) => {
  const s = settings({ doctorShopping: { prescribers: 3, windowDays: 30 } });
  const shop = (prescribers: string[], gapDays: number) => {
    const log = entryLog();
    prescribers.forEach((dr, n) => log.submit(MONDAY_CST + n * gapDays * DAY, { id: `rx-00000${n}`, prescriber: dr, patient: P, drugCode: 'benzo-1' }));
    return run(log, s).alerts;
  };
  const fired = shop(['dr-a', 'dr-b', 'dr-c'], 10);
  t.equal(fired.filter((a) => a.kind === 'doctor-shopping').length, 2, 'one per class the drug is in');
  const benzo = fired.find((a) => (a.details as { drugClass: string }).drugClass === 'benzodiazepine')!;
  t.same(benzo.subject, { kind: 'patient', id: P });
  t.same(benzo.entries, [0, 2, 4], 'the three submissions');
  t.match(benzo.id, /^doctor-shopping-4-[0-9a-f]{8}$/);
  t.same(shop(['dr-a', 'dr-b', 'dr-b'], 1), [], 'two distinct prescribers are below the threshold');
  t.same(shop(['dr-a', 'dr-b', 'dr-c'], 15), [], 'the first is outside the 30-day window by the third');
  t.same(run(entryLog(), settings({ doctorShopping: { prescribers: 3, classes: ['opioid'] } })).alerts, []);
  const log = entryLog();
  ['dr-a', 'dr-b', 'dr-c'].forEach((dr, n) => log.submit(MONDAY_CST + n, { id: `rx-00000${n}`, prescriber: dr, patient: P, drugCode: 'benzo-1' }));
  t.same(run(log, settings({ doctorShopping: { prescribers: 3, classes: ['benzodiazepine'] } })).alerts.map((a) => a.details.drugClass), ['benzodiazepine'], 'restricted to the configured classes');
  const again = entryLog();
  ['dr-a', 'dr-b', 'dr-c', 'dr-d'].forEach((dr, n) => again.submit(MONDAY_CST + n, { id: `rx-00000${n}`, prescriber: dr, patient: P, drugCode: 'benzo-1' }));
  t.equal(run(again, settings({ doctorShopping: { classes: ['benzodiazepine'] } })).alerts.length, 1, 'a fourth prescriber within the window raises nothing new');
});

t.test('early refills: a new fill while more than the tolerance of the last supply remains', async (t) => {
  const refill = (afterDays: number) => {
    const log = entryLog();
    log.submit(MONDAY_CST, { id: 'rx-000001', prescriber: 'dr-a', patient: P, days: 8 });
    log.step(MONDAY_CST, 'rx.dispense', 'rph-1', 'rx-000001', { fill: 0, lines: [{ line: 1, quantity: '8', traceabilityCodes: [] }] });
    const t1 = MONDAY_CST + afterDays * DAY;
    log.submit(t1, { id: 'rx-000002', prescriber: 'dr-b', patient: P, days: 8, date: cstDate(t1) });
    log.step(t1, 'rx.dispense', 'rph-2', 'rx-000002', { fill: 0, lines: [{ line: 1, quantity: '8', traceabilityCodes: [] }] });
    return run(log).alerts.filter((a) => a.kind === 'early-refill');
  };
  // 8 days of supply, tolerance 25 %: early when more than 2 days remain.
  const early = refill(5.9);
  t.equal(early.length, 1, '2.1 days left');
  t.same(early[0]!.entries, [2, 5]);
  t.match(early[0]!.details, { drug: 'amlodipine', remainingDays: 2.1, previousSupplyDays: 8 });
  t.same(refill(6), [], 'exactly 2 days left is within the tolerance');
  // Completing a partial dispensing is not a refill.
  const log = entryLog();
  log.submit(MONDAY_CST, { id: 'rx-000001', prescriber: 'dr-a', patient: P, days: 8 });
  log.step(MONDAY_CST, 'rx.dispense', 'rph-1', 'rx-000001', { fill: 0, lines: [{ line: 1, quantity: '4', traceabilityCodes: [] }] });
  log.step(MONDAY_CST + DAY, 'rx.dispense', 'rph-1', 'rx-000001', { fill: 0, lines: [{ line: 1, quantity: '4', traceabilityCodes: [] }] });
  t.same(run(log).alerts, []);
});

t.test('duplicate traceability codes: every flag is an alert linking the first dispensing', async (t) => {
  const log = entryLog();
  log.submit(MONDAY_CST, { id: 'rx-000001', prescriber: 'dr-a', patient: P });
  log.step(MONDAY_CST, 'rx.claim', 'rph-1', 'rx-000001', { pharmacyId: 'ph-1', fill: 0 });
  const attempt = { statement: { v: 1, origin: 'o', actor: 'rph-1', keyId: 'key-rph-1', action: 'rx.dispense', payload: { prescriptionId: 'rx-000001', previous: 2, fill: 0, lines: [] }, timestamp: 0, nonce: 'n', idempotencyKey: 'i' }, signature: 's' };
  log.push(MONDAY_CST, 'rx.flag', { reason: 'traceability-code-reused', attempt, firstDispensed: [{ code: '12345678901234567890', prescriptionId: 'rx-000000', index: 0 }] });
  const p = run(log);
  t.equal(p.alerts.length, 1);
  t.match(p.alerts[0], { id: 'trace-code-reuse-3', kind: 'trace-code-reuse', subject: { kind: 'traceCode', id: '12345678901234567890' }, entries: [0, 3], details: { pharmacistId: 'rph-1', pharmacyId: 'ph-1' } });
  t.equal(p.count('total', 'day', '2026-11-23', 'all', 'flagged'), 1);
});

t.test('volume spikes: a day far above the prescriber’s own baseline', async (t) => {
  const s = settings({ volumeSpike: { minCount: 6, factor: 3, baselineDays: 28 } });
  const spike = (today: number) => {
    const log = entryLog();
    let n = 0;
    for (let d = 0; d < 4; d++) for (let k = 0; k < 2; k++) log.submit(MONDAY_CST + d * DAY + k, { id: `rx-${String(n++).padStart(6, '0')}`, prescriber: 'dr-a', patient: P });
    for (let k = 0; k < today; k++) log.submit(MONDAY_CST + 4 * DAY + k, { id: `rx-${String(n++).padStart(6, '0')}`, prescriber: 'dr-a', patient: P });
    return run(log, s).alerts.filter((a) => a.kind === 'volume-spike');
  };
  const fired = spike(6);
  t.equal(fired.length, 1, '6 against a baseline of 2 a day');
  t.match(fired[0], { subject: { kind: 'prescriber', id: 'dr-a' }, details: { count: 6, baselineMeanPerDay: 2, baselineDays: 4, day: '2026-11-27' } });
  t.equal(fired[0]!.entries.length, 6);
  t.same(spike(5), [], 'below the minimum count');
  t.same(spike(12).length, 1, 'once per day');
  const high = settings({ volumeSpike: { minCount: 6, factor: 4, baselineDays: 28 } });
  const log = entryLog();
  for (let d = 0; d < 5; d++) for (let k = 0; k < (d < 4 ? 2 : 7); k++) log.submit(MONDAY_CST + d * DAY + k, { id: `rx-${d}-${k}-xxxx`, prescriber: 'dr-a', patient: P });
  t.same(run(log, high).alerts, [], '7 is below 4 × a baseline of 2');
});

t.test('off-hours bursts: N submissions in one off-hours span', async (t) => {
  const s = settings({ offHours: { startHour: 22, endHour: 6, count: 3 } });
  const burst = (hours: number[]) => {
    const log = entryLog();
    hours.forEach((h, n) => log.submit(MONDAY_CST + h * HOUR, { id: `rx-00000${n}`, prescriber: 'dr-a', patient: P }));
    return run(log, s).alerts.filter((a) => a.kind === 'off-hours-burst');
  };
  const fired = burst([22.5, 23.5, 25]); // 22:30, 23:30 on Monday, 01:00 on Tuesday: one night
  t.equal(fired.length, 1);
  t.match(fired[0], { subject: { kind: 'prescriber', id: 'dr-a' }, details: { spanStartDay: '2026-11-23', count: 3 } });
  t.same(burst([22.5, 23.5]), [], 'two are below the threshold');
  t.same(burst([22.5, 23.5, 30.5]), [], '06:30 is working hours');
  t.same(burst([1, 2, 22.5]), [], 'two spans: Sunday night and Monday night');
});

t.test('override concentration: one prescriber’s share of all overrides', async (t) => {
  const s = settings({ overrideConcentration: { sharePercent: 50, minCount: 3, windowDays: 30 } });
  const overrides = (order: string[]) => {
    const log = entryLog();
    order.forEach((dr, n) => {
      const id = `rx-00000${n}`;
      log.submit(MONDAY_CST + n, { id, prescriber: dr, patient: P, outcome: 'awaiting-override', findings: [{ ruleId: 'r', action: 'override' }] });
      log.step(MONDAY_CST + n, 'rx.override', dr, id, { reasons: [{ ruleId: 'r', code: 'other' }] });
    });
    return run(log, s).alerts.filter((a) => a.kind === 'override-concentration');
  };
  const fired = overrides(['dr-b', 'dr-b', 'dr-a', 'dr-a', 'dr-a']);
  t.equal(fired.length, 1, '3 of 5 is 60 %');
  t.match(fired[0], { subject: { kind: 'prescriber', id: 'dr-a' }, details: { count: 3, total: 5, sharePercent: 60 } });
  t.same(overrides(['dr-b', 'dr-b', 'dr-c', 'dr-c', 'dr-a', 'dr-a', 'dr-a']), [], '3 of 7 is 43 %');
  t.same(overrides(['dr-a', 'dr-a']), [], 'below the minimum count');
});

t.test('keys: use after revocation, and recent use of a key revoked as compromised', async (t) => {
  const s = settings({ revokedKey: { compromisedLookbackHours: 24 } });
  const log = entryLog();
  log.submit(MONDAY_CST - 30 * HOUR, { id: 'rx-000001', prescriber: 'dr-a', patient: P }); // outside the look-back
  log.submit(MONDAY_CST - 2 * HOUR, { id: 'rx-000002', prescriber: 'dr-a', patient: P });
  log.signed(MONDAY_CST, 'registry.key-revoke', 'op-1', { actorId: 'dr-a', keyId: 'key-dr-a', reason: 'compromised' });
  log.submit(MONDAY_CST + HOUR, { id: 'rx-000003', prescriber: 'dr-a', patient: P }); // only an insider could write this
  const p = run(log, s);
  t.same(p.alerts.map((a) => [a.kind, a.subject, a.entries]), [
    ['compromised-key-use', { kind: 'key', id: 'key-dr-a' }, [2, 4]],
    ['revoked-key-use', { kind: 'key', id: 'key-dr-a' }, [4, 5]],
  ]);
  const superseded = entryLog();
  superseded.submit(MONDAY_CST - HOUR, { id: 'rx-000001', prescriber: 'dr-a', patient: P });
  superseded.signed(MONDAY_CST, 'registry.key-revoke', 'op-1', { actorId: 'dr-a', keyId: 'key-dr-a', reason: 'superseded' });
  superseded.submit(MONDAY_CST + HOUR, { id: 'rx-000002', prescriber: 'dr-a', patient: P });
  t.same(run(superseded, s).alerts.map((a) => a.kind), ['revoked-key-use'], 'no look-back unless compromised');
  const before = entryLog();
  before.submit(MONDAY_CST - HOUR, { id: 'rx-000001', prescriber: 'dr-a', patient: P });
  before.signed(MONDAY_CST, 'registry.key-revoke', 'op-1', { actorId: 'dr-b', keyId: 'key-dr-b', reason: 'compromised' });
  t.same(run(before, s).alerts, [], 'another key, never used: nothing');
});

t.test('the same log folds to the same alerts and figures', async (t) => {
  const log = entryLog();
  ['dr-a', 'dr-b', 'dr-c'].forEach((dr, n) => log.submit(MONDAY_CST + n * HOUR, { id: `rx-00000${n}`, prescriber: dr, patient: P, drugCode: 'benzo-1' }));
  const a = run(log);
  const b = run(log);
  t.same(a.alerts, b.alerts);
  t.same([...a.counts], [...b.counts]);
});

t.test('a finished prescription’s facts are forgotten, one that can still change is kept', async (t) => {
  const log = entryLog();
  const t0 = MONDAY_CST + 10 * HOUR;
  const full = { fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [] }] };
  const claim = (time: number, id: string) => log.step(time, 'rx.claim', 'rph-1', id, { pharmacyId: 'ph-1', fill: 0 });
  log.submit(t0, { id: 'rx-collected', prescriber: 'dr-a', patient: P });
  claim(t0 + 1, 'rx-collected');
  log.step(t0 + 2, 'rx.review', 'rph-1', 'rx-collected', { fill: 0, decision: 'approve' });
  log.step(t0 + 3, 'rx.dispense', 'rph-1', 'rx-collected', full);
  log.step(t0 + 4, 'rx.collect', 'rph-1', 'rx-collected', { fill: 0 });
  log.submit(t0, { id: 'rx-rejected', prescriber: 'dr-a', patient: P, outcome: 'rejected', findings: [{ ruleId: 'r.x', action: 'block' }] });
  log.submit(t0, { id: 'rx-cancelled', prescriber: 'dr-a', patient: P });
  log.step(t0 + 1, 'rx.cancel', 'dr-a', 'rx-cancelled', { reason: 'patient-request' });
  log.submit(t0, { id: 'rx-pending-cancel', prescriber: 'dr-a', patient: P });
  claim(t0 + 1, 'rx-pending-cancel');
  log.step(t0 + 2, 'rx.cancel', 'dr-a', 'rx-pending-cancel', { reason: 'patient-request' });
  log.submit(t0, { id: 'rx-refused', prescriber: 'dr-a', patient: P });
  claim(t0 + 1, 'rx-refused');
  log.step(t0 + 2, 'rx.review', 'rph-1', 'rx-refused', { fill: 0, decision: 'refuse', reason: 'interaction' });
  log.submit(t0, { id: 'rx-revised', prescriber: 'dr-a', patient: P });
  log.submit(t0 + 5, { id: 'rx-revision', prescriber: 'dr-a', patient: P, revises: 'rx-revised' });
  log.submit(t0, { id: 'rx-override', prescriber: 'dr-a', patient: P, outcome: 'awaiting-override', findings: [{ ruleId: 'r.x', action: 'override' }] });
  log.submit(t0, { id: 'rx-partial', prescriber: 'dr-a', patient: P });
  claim(t0 + 1, 'rx-partial');
  log.step(t0 + 3, 'rx.dispense', 'rph-1', 'rx-partial', { fill: 0, lines: [{ line: 1, quantity: '3', traceabilityCodes: [] }] });
  log.submit(t0, { id: 'rx-unclaimed', prescriber: 'dr-a', patient: P });
  const rxKeys = (p: ReturnType<typeof run>) => [...p.state().keys()].filter((k) => k.startsWith('rx\n')).map((k) => k.slice(3)).sort();
  const before = run(log);
  t.same(rxKeys(before), ['rx-override', 'rx-partial', 'rx-pending-cancel', 'rx-revision', 'rx-unclaimed'], 'rejected, cancelled, refused, superseded and collected ones are gone');
  t.equal(before.count('total', 'day', '2026-11-23', 'all', 'collected'), 1, 'and still counted');
  // The pending cancellation settles when the pharmacy returns it; the unclaimed ones expire.
  log.step(t0 + 6, 'rx.return', 'rph-1', 'rx-pending-cancel', { reason: 'out-of-stock' });
  log.submit(MONDAY_CST + 3 * DAY, { id: 'rx-later', prescriber: 'dr-b', patient: 'b'.repeat(64), date: '2026-11-26' });
  const after = run(log);
  t.same(rxKeys(after), ['rx-later', 'rx-override', 'rx-partial', 'rx-revision', 'rx-unclaimed'], 'the returned-while-cancelled one is gone');
  t.equal(after.count('total', 'day', '2026-11-24', 'all', 'expired'), 2, 'the unclaimed one and the revision expired, and counted');
  t.equal(after.state().get('rx\nrx-unclaimed'), undefined, 'an expired one is kept, with no time to forget it:');
  // its prescriber may still cancel it (the lifecycle stores it as active), which counts.
  log.step(MONDAY_CST + 4 * DAY, 'rx.cancel', 'dr-a', 'rx-unclaimed', { reason: 'patient-request' });
  const cancelled = run(log);
  t.same(rxKeys(cancelled), ['rx-later', 'rx-override', 'rx-partial', 'rx-revision'], 'then it is gone');
  t.equal(cancelled.count('prescriber', 'day', '2026-11-27', 'dr-a', 'cancelled'), 1, 'counted under its prescriber');
});

t.test('closed detector windows and supplies that ran out are forgotten when the log passes them', async (t) => {
  const s = settings({ doctorShopping: { prescribers: 3, windowDays: 30 } });
  const log = entryLog();
  log.submit(MONDAY_CST, { id: 'rx-000001', prescriber: 'dr-a', patient: P, drugCode: 'benzo-1', days: 8 });
  log.step(MONDAY_CST + HOUR, 'rx.dispense', 'rph-1', 'rx-000001', { fill: 0, lines: [{ line: 1, quantity: '8', traceabilityCodes: [] }] });
  const p = memoryProjection(s);
  for (const e of log.entries) p.fold(e);
  const windows = [...p.state()].filter(([k]) => !k.startsWith('rx\n') && !k.startsWith('meta\n'));
  const byNs = Object.fromEntries(windows.map(([k, at]) => [k.split('\n')[0], at]));
  t.equal(byNs['doctor-shopping'], MONDAY_CST + 30 * DAY, 'the shopping window closes 30 days after the submission');
  t.equal(byNs['supply'], MONDAY_CST + HOUR + 8 * DAY, 'the supply runs out after its 8 days');
  t.equal(byNs['volume'], undefined, 'per-prescriber state is not forgotten');
  // An entry of another patient 10 days on: the supply is gone, the shopping window is not.
  const later = entryLog();
  later.entries.push(...log.entries);
  const next = { ...log.entries[0]!, index: log.entries.length, time: MONDAY_CST + 10 * DAY, type: 'rx.unknown', body: {} };
  p.fold(next);
  const left = [...p.state().keys()].map((k) => k.split('\n')[0]);
  t.notOk(left.includes('supply'));
  t.ok(left.includes('doctor-shopping'));
  p.fold({ ...next, index: next.index + 1, time: MONDAY_CST + 30 * DAY });
  t.notOk([...p.state().keys()].some((k) => k.startsWith('doctor-shopping\n')), 'gone once the window closed');
});

t.test('forgetting changes no figure and no alert', async (t) => {
  // Three months: one patient's benzodiazepines every three days from two prescribers, some
  // dispensed in two parts, and a new patient's amlodipine each time. Doctor-shopping windows open
  // and close, supplies run out and are renewed early and on time.
  const log = entryLog();
  const s = settings({ doctorShopping: { prescribers: 2, windowDays: 10 } });
  let n = 0;
  for (let d = 0; d < 90; d += 3) {
    const t0 = MONDAY_CST + d * DAY + 9 * HOUR;
    for (const [patient, dr, drugCode] of [
      [P, d % 9 === 0 ? 'dr-a' : 'dr-b', 'benzo-1'],
      [String(d).padStart(64, 'b'), 'dr-c', 'ccb-1'],
    ] as const) {
      const id = `rx-${String(n++).padStart(6, '0')}`;
      log.submit(t0, { id, prescriber: dr, patient, drugCode, days: d % 2 ? 4 : 7, date: cstDate(t0) });
      log.step(t0 + HOUR, 'rx.claim', 'rph-1', id, { pharmacyId: 'ph-1', fill: 0 });
      log.step(t0 + HOUR, 'rx.review', 'rph-1', id, { fill: 0, decision: 'approve' });
      log.step(t0 + 2 * HOUR, 'rx.dispense', 'rph-1', id, { fill: 0, lines: [{ line: 1, quantity: '2', traceabilityCodes: [] }] });
      if (d % 6 === 0) log.step(t0 + DAY, 'rx.dispense', 'rph-1', id, { fill: 0, lines: [{ line: 1, quantity: '5', traceabilityCodes: [] }] });
      log.step(t0 + DAY + HOUR, 'rx.collect', 'rph-1', id, { fill: 0 });
    }
  }
  const kept = memoryProjection(s, undefined, { forget: false });
  const forgetting = memoryProjection(s);
  for (const e of log.entries) {
    kept.fold(e);
    forgetting.fold(e);
  }
  t.ok(kept.alerts.some((a) => a.kind === 'doctor-shopping') && kept.alerts.some((a) => a.kind === 'early-refill'), 'the log raises both kinds of alert');
  t.same(forgetting.alerts, kept.alerts);
  t.same([...forgetting.counts], [...kept.counts]);
  t.same([...forgetting.histograms], [...kept.histograms]);
  const windows = (p: typeof kept) => [...p.state().keys()].filter((k) => k.startsWith('supply\n') || k.startsWith('doctor-shopping\n')).length;
  t.equal(windows(kept), 63, 'kept: every patient’s supply and shopping windows (2 + 1, and 30 × 2)');
  t.ok(windows(forgetting) <= 10, `forgetting: only those of the last ten days (${windows(forgetting)})`);
});

t.test('early refills: the balance of a fill is not a new supply, even after another prescription’s', async (t) => {
  const log = entryLog();
  log.submit(MONDAY_CST, { id: 'rx-000001', prescriber: 'dr-a', patient: P, days: 8 });
  log.step(MONDAY_CST, 'rx.dispense', 'rph-1', 'rx-000001', { fill: 0, lines: [{ line: 1, quantity: '4', traceabilityCodes: [] }] });
  // Another prescription of the same drug, dispensed at once (itself an early refill), then the balance of the first.
  log.submit(MONDAY_CST + DAY, { id: 'rx-000002', prescriber: 'dr-b', patient: P, days: 8, date: cstDate(MONDAY_CST + DAY) });
  log.step(MONDAY_CST + DAY, 'rx.dispense', 'rph-2', 'rx-000002', { fill: 0, lines: [{ line: 1, quantity: '8', traceabilityCodes: [] }] });
  log.step(MONDAY_CST + 2 * DAY, 'rx.dispense', 'rph-1', 'rx-000001', { fill: 0, lines: [{ line: 1, quantity: '4', traceabilityCodes: [] }] });
  const alerts = run(log).alerts.filter((a) => a.kind === 'early-refill');
  t.equal(alerts.length, 1, 'only the second prescription’s dispensing');
  t.same(alerts[0]!.entries, [2, 5], 'its dispensing against the first one’s');
});
