/**
 * The prescription lifecycle as the ledger judges it: every legal transition of the table in
 * src/domain/prescription/lifecycle-rules.ts, and the illegal ones with their exact codes, driven
 * through admitEntry over an in-memory state (test-world.ts). Each test ends by replaying its log
 * through the verifier's state replay, which must reach the same state.
 */
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../../src/core/canonical-json.js';
import { nodeVerifySignature } from '../../support/node-signatures.js';
import { RxError } from '../../../src/core/errors.js';
import { admitEntry, type EntryContext } from '../../../src/domain/admission.js';
import { checkInputHash } from '../../../src/domain/prescription/checker.js';
import { accessCodeHash, pickupCodeHash } from '../../../src/domain/prescription/patient-codes.js';
import { effectiveState } from '../../../src/domain/prescription/prescription-record.js';
import { refusalRecordedBy } from '../../../src/domain/prescription/lifecycle-records.js';
import { libraryOf, starterRuleSet } from '../checker/starter-rule-set.js';
import type { Prescription } from '../../../schemas/prescription.js';
import { throwsCode } from '../../support/assert-code.js';
import {
  accessCode,
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
  item,
  ORIGIN,
  pickupCode,
  replayLog,
  T0,
  toDispensed,
  traceCode,
  type RxWorld,
} from './test-world.js';

type T = Test;

/** t.match only checks the elements a pattern lists; a list of findings must also have exactly that many. */
function matchFindings(t: Test, findings: unknown, patterns: object[], what = 'findings'): void {
  t.equal(Array.isArray(findings) ? findings.length : -1, patterns.length, `${what}: exactly ${patterns.length}`);
  t.match(findings, patterns, what);
}

// ---------------------------------------------------------------------------------------------
// Helpers: one line per lifecycle step; every refusal must also leave the log untouched.

const entryContext = (w: RxWorld): EntryContext => ({
  origin: ORIGIN,
  index: w.log.length,
  time: w.clock(),
  timestampWindowMs: 300_000,
  verifySignature: nodeVerifySignature,
  ruleSets: libraryOf(w.ruleSet),
});

/** The prescriber's privileges as the check saw them (part of its input). */
const privilegesOf = (w: RxWorld, id: string) => w.state.actor(w.rx(id).prescriberId)!.privileges;

function refuses(t: T, w: RxWorld, fn: () => unknown, code: Parameters<typeof throwsCode>[2], what: string): void {
  const before = w.log.length;
  throwsCode(t, fn, code, what);
  t.equal(w.log.length, before, `${what}: nothing recorded`);
}

/** The verifier, replaying the log from scratch, reaches exactly this state. */
function replays(t: T, w: RxWorld): void {
  const replayed = replayLog(w);
  t.same(byId(replayed.prescriptions()), byId(w.state.prescriptions()), 'the verifier replays the log to the same prescriptions');
}

const days = (n: number) => item(1, { days: n, quantity: { value: String(n), unit: '片' } });
const longItem = (overrides: Parameters<typeof item>[1] = {}) => item(1, { days: 28, quantity: { value: '28', unit: '片' }, repeats: { count: 2, intervalDays: 28 }, ...overrides });

// ---------------------------------------------------------------------------------------------

t.test('a submission is followed by its check result, which decides active, awaiting-override or rejected', async (t) => {
  const w = createRxWorld();
  const ok = w.submit('dr-a', 'plain');
  t.equal(w.log[ok.submitIndex]!.type, 'rx.submit');
  t.equal(w.log[ok.submitIndex + 1]!.type, 'rx.checked', 'the check result is the very next entry');
  t.equal(ok.outcome, 'active');
  t.same(ok.check.findings, []);
  t.equal(ok.check.submission, ok.submitIndex);
  t.equal(ok.check.prescriptionId, ok.id);
  t.equal(ok.check.ruleSet, starterRuleSet().hash);
  t.equal(ok.last, ok.submitIndex + 1, 'the check result is the prescription\'s latest entry');
  const rec = w.rx(ok.id);
  t.match(rec, { state: 'active', submittedAt: ok.submitIndex, holder: null, city: '3701', fill: 0, cancelPending: false, delivery: null, revises: null, supersededBy: null });
  t.same(rec.parties, ['ph-a'], 'a routed prescription is readable by its pharmacy');
  t.same(rec.overrideRequired, []);
  t.same(rec.fills, [{ number: 0, opensAt: DAY0, closesAt: DAY0 + DAY, lines: [{ line: 1, prescribed: 7_000_000, dispensed: 0 }] }], 'one fill, valid on the day of issue (CST)');

  const informed = w.submit('dr-a', 'extended', { patient: 2, encounter: { validityDays: 3 } });
  t.equal(informed.outcome, 'active', 'a minor finding only informs');
  matchFindings(t, informed.check.findings, [{ ruleId: 'reg.validity-extended', tier: 'minor', action: 'inform' }]);
  t.equal(w.rx(informed.id).fills[0]!.closesAt, DAY0 + 3 * DAY, 'extended validity extends the window');

  const held = w.submit('dr-a', 'needs-override', { patient: 3, items: [days(8)] });
  t.equal(held.outcome, 'awaiting-override');
  matchFindings(t, held.check.findings, [{ ruleId: 'reg.days-outpatient', tier: 'major', action: 'override', lines: [1] }]);
  t.equal(w.rx(held.id).state, 'awaiting-override');
  t.same(w.rx(held.id).overrideRequired, ['reg.days-outpatient']);

  const blocked = w.submit('dr-a', 'blocked', { patient: 4, items: [1, 2, 3, 4, 5, 6].map((n) => item(n)) });
  t.equal(blocked.outcome, 'rejected');
  matchFindings(t, blocked.check.findings, [{ ruleId: 'reg.items-max', tier: 'critical', action: 'block' }]);
  t.equal(w.rx(blocked.id).state, 'rejected');
  t.same(w.rx(blocked.id).overrideRequired, []);
  replays(t, w);
});

t.test('the check sees the patient\'s other live prescriptions, and its input hash says so', async (t) => {
  const w = createRxWorld();
  const first = w.submit('dr-a', 'first', { patient: 7 });
  const second = w.submit('dr-b', 'second', { patient: 7 });
  const p1 = w.rx(first.id).prescription;
  const others = [{ prescriptionId: first.id, institutionId: 'hosp-a', prescriberId: 'dr-a', items: p1.items.map((i) => ({ drugCode: i.drugCode, genericName: i.genericName, route: i.route, days: i.days })) }];
  const instant = w.log[second.submitIndex + 1]!.time;
  t.equal(second.check.inputHash, checkInputHash({ prescription: w.rx(second.id).prescription, prescriberPrivileges: privilegesOf(w, second.id), others, instant }), 'the other prescription is part of the input');
  t.not(second.check.inputHash, checkInputHash({ prescription: w.rx(second.id).prescription, prescriberPrivileges: privilegesOf(w, second.id), others: [], instant }));

  // A rejected (final) prescription is not a live one.
  const blocked = w.submit('dr-a', 'blocked', { patient: 8, items: [1, 2, 3, 4, 5, 6].map((n) => item(n)) });
  t.equal(blocked.outcome, 'rejected');
  const after = w.submit('dr-a', 'after-block', { patient: 8 });
  t.equal(after.check.inputHash, checkInputHash({ prescription: w.rx(after.id).prescription, prescriberPrivileges: privilegesOf(w, after.id), others: [], instant: w.log[after.submitIndex + 1]!.time }));
  replays(t, w);
});

t.test('submissions the rules refuse', async (t) => {
  const w = createRxWorld();
  const sub = (actor: string, label: string, o: Parameters<RxWorld['submit']>[2] = {}) => () => w.submit(actor, label, o);
  refuses(t, w, sub('dr-a', 'yesterday', { edit: (p) => ({ ...p, encounter: { ...p.encounter, date: '2026-03-01' } }) }), 'RX_DATE_MISMATCH', 'dated another day');
  refuses(t, w, sub('dr-a', 'tomorrow', { edit: (p) => ({ ...p, encounter: { ...p.encounter, date: '2026-03-03' } }) }), 'RX_DATE_MISMATCH', 'dated tomorrow');
  refuses(t, w, sub('dr-a', 'colleague', { edit: (p) => ({ ...p, prescriberId: 'dr-a2' }) }), 'RX_PRESCRIBER_MISMATCH', 'names a colleague as prescriber');
  refuses(t, w, sub('dr-a', 'elsewhere', { edit: (p) => ({ ...p, institutionId: 'hosp-b' }) }), 'RX_PRESCRIBER_MISMATCH', 'names another institution');
  refuses(t, w, sub('dr-a', 'nopharm', { routing: { mode: 'nominated', pharmacyId: 'ph-none' } }), 'REGISTRY_REFERENCE_UNKNOWN', 'routed to an unknown pharmacy');
  refuses(t, w, sub('dr-a', 'tohosp', { routing: { mode: 'directed', pharmacyId: 'hosp-b' } }), 'REGISTRY_REFERENCE_UNKNOWN', 'routed to a hospital');
  refuses(t, w, sub('dr-a', 'opennocode', { routing: { mode: 'open' } }), 'ENTRY_BODY_INVALID', 'open routing without access codes');
  refuses(t, w, sub('dr-a', 'routedcode', { accessCodes: [accessCode(1)] }), 'ENTRY_BODY_INVALID', 'access codes on a routed prescription');
  refuses(t, w, sub('dr-a', 'revunknown', { revises: 'rx-unknown-000' }), 'RX_NOT_FOUND', 'revising an unknown prescription');

  // Roles: only prescribers submit.
  const p = w.build('dr-a', 'byothers');
  refuses(t, w, () => w.act('courier-1', 'rx.submit', w.submitPayload({ ...p, prescriberId: 'courier-1' })), 'AUTH_ROLE_FORBIDDEN', 'a courier submitting');
  refuses(t, w, () => w.act('rph-a', 'rx.submit', w.submitPayload({ ...p, prescriberId: 'rph-a' })), 'AUTH_ROLE_FORBIDDEN', 'a pharmacist submitting');

  // The rules re-check the payload even when a caller skips the entry union.
  const bad = w.sign('dr-a', 'rx.submit', { prescription: {}, routing: { mode: 'open' } });
  throwsCode(t, () => admitEntry(w.state, 'rx.submit', w.body(bad), entryContext(w)), 'ENTRY_BODY_INVALID', 'payload checked by the rules themselves');

  // Ids are unique in the ledger.
  const first = w.submit('dr-a', 'taken');
  const again = w.rx(first.id).prescription;
  refuses(t, w, () => w.act('dr-a', 'rx.submit', w.submitPayload(again)), 'RX_ID_TAKEN', 'the same prescription id again');
  refuses(t, w, () => w.act('dr-b', 'rx.submit', w.submitPayload({ ...again, prescriberId: 'dr-b', institutionId: 'hosp-b' })), 'RX_ID_TAKEN', 'another hospital reusing the id');
  t.equal(w.state.prescriptions().length, 1, 'only the one prescription exists');
  replays(t, w);
});

t.test('the day of issue is the China Standard Time day', async (t) => {
  // 2026-03-01T15:59:59.999Z is 23:59:59.999 on 1 March in CST; one millisecond later it is 2 March.
  const w = createRxWorld({ start: Date.UTC(2026, 2, 1, 15, 59, 59, 999) });
  const dated = (date: string) => (p: Prescription) => ({ ...p, encounter: { ...p.encounter, date } });
  refuses(t, w, () => w.submit('dr-a', 'utc-day', { edit: dated('2026-03-02') }), 'RX_DATE_MISMATCH', '2 March, one millisecond before midnight CST');
  const before = w.submit('dr-a', 'before-midnight', { edit: dated('2026-03-01') });
  t.equal(w.rx(before.id).fills[0]!.opensAt, Date.UTC(2026, 1, 28, 16), 'day 0 starts at 00:00 CST');
  t.equal(w.rx(before.id).fills[0]!.closesAt, Date.UTC(2026, 2, 1, 16), 'and ends at the next 00:00 CST');
  w.clock.advance(1);
  refuses(t, w, () => w.submit('dr-a', 'after-midnight', { edit: dated('2026-03-01') }), 'RX_DATE_MISMATCH', '1 March (still the UTC date) one millisecond after midnight CST');
  const after = w.submit('dr-a', 'after-midnight', { edit: dated('2026-03-02') });
  t.equal(w.rx(after.id).fills[0]!.opensAt, DAY0);
  // The prescription written at 23:59:59.999 expired at midnight.
  t.equal(effectiveState(w.rx(before.id), w.clock()), 'expired');
  refuses(t, w, () => claim(w, 'rph-a', before.id, before.last), 'RX_EXPIRED', 'claimed after midnight');
  replays(t, w);
});

t.test('override (双签): only the prescriber, with a reason for exactly the rules that need one', async (t) => {
  const w = createRxWorld();
  const s = w.submit('dr-a', 'override', { items: [days(10)], encounter: { validityDays: 2 } });
  t.equal(s.outcome, 'awaiting-override');
  const reason = (ruleId: string) => ({ ruleId, code: 'chronic-stable-patient' });
  const over = (who: string, previous: number, reasons: JsonObject[]) => () => w.step(who, 'rx.override', s.id, previous, { reasons });
  refuses(t, w, over('dr-a2', s.last, [reason('reg.days-outpatient')]), 'RX_PARTY_MISMATCH', 'a colleague cannot give the second signature');
  refuses(t, w, over('dr-b', s.last, [reason('reg.days-outpatient')]), 'RX_PARTY_MISMATCH', 'a prescriber of another hospital');
  refuses(t, w, () => w.step('rph-a', 'rx.override', s.id, s.last, { reasons: [reason('reg.days-outpatient')] }), 'AUTH_ROLE_FORBIDDEN', 'a pharmacist');
  refuses(t, w, over('dr-a', s.last, [reason('reg.validity-extended')]), 'RX_OVERRIDE_INCOMPLETE', 'a reason for a rule that needs none, none for the one that does');
  refuses(t, w, over('dr-a', s.last, [reason('reg.days-outpatient'), reason('reg.validity-extended')]), 'RX_OVERRIDE_INCOMPLETE', 'an extra reason for an informational finding');
  refuses(t, w, over('dr-a', s.last, [reason('reg.days-outpatient'), reason('reg.days-outpatient')]), 'ENTRY_BODY_INVALID', 'two reasons for one rule');
  refuses(t, w, over('dr-a', s.last - 1, [reason('reg.days-outpatient')]), 'RX_PREVIOUS_MISMATCH', 'a stale previous');
  refuses(t, w, () => claim(w, 'rph-a', s.id, s.last), 'RX_STATE_CONFLICT', 'not claimable while awaiting the override');
  refuses(t, w, () => w.step('dr-a', 'rx.override', 'rx-unknown-000', s.last, { reasons: [reason('reg.days-outpatient')] }), 'RX_NOT_FOUND', 'an unknown prescription');

  const last = w.step('dr-a', 'rx.override', s.id, s.last, { reasons: [{ ...reason('reg.days-outpatient'), note: '病情稳定' }] });
  t.equal(last, w.log.length - 1);
  t.equal(w.rx(s.id).state, 'active', 'overridden → active');
  refuses(t, w, over('dr-a', last, [reason('reg.days-outpatient')]), 'RX_STATE_CONFLICT', 'overriding twice');
  t.equal(w.rx(s.id).state, 'active');
  claim(w, 'rph-a', s.id, last);
  t.equal(w.rx(s.id).state, 'claimed', 'and then claimable');

  const plain = w.submit('dr-a', 'plain', { patient: 2 });
  refuses(t, w, () => w.step('dr-a', 'rx.override', plain.id, plain.last, { reasons: [reason('reg.days-outpatient')] }), 'RX_STATE_CONFLICT', 'overriding an active prescription');
  const blocked = w.submit('dr-a', 'blocked', { patient: 3, items: [1, 2, 3, 4, 5, 6].map((n) => item(n)) });
  refuses(t, w, () => w.step('dr-a', 'rx.override', blocked.id, blocked.last, { reasons: [reason('reg.items-max')] }), 'RX_STATE_CONFLICT', 'a block cannot be overridden');
  replays(t, w);
});

t.test('cancel: immediate while nobody holds it, pending while a pharmacy does, refused after dispensing', async (t) => {
  const w = createRxWorld();
  const cancel = (who: string, id: string, previous: number) => w.step(who, 'rx.cancel', id, previous, { reason: 'clinical-change' });

  // active → cancelled, by a colleague at the prescribing hospital.
  const a = w.submit('dr-a', 'active');
  refuses(t, w, () => cancel('dr-b', a.id, a.last), 'RX_PARTY_MISMATCH', 'a prescriber of another institution');
  refuses(t, w, () => cancel('rph-a', a.id, a.last), 'AUTH_ROLE_FORBIDDEN', 'a pharmacist');
  refuses(t, w, () => cancel('dr-a', a.id, a.last - 1), 'RX_PREVIOUS_MISMATCH', 'a stale previous');
  const aLast = cancel('dr-a2', a.id, a.last);
  t.match(w.rx(a.id), { state: 'cancelled', cancelPending: false, lastIndex: aLast });
  refuses(t, w, () => cancel('dr-a', a.id, aLast), 'RX_NOT_CANCELLABLE', 'cancelling twice');
  refuses(t, w, () => claim(w, 'rph-a', a.id, aLast), 'RX_STATE_CONFLICT', 'claiming a cancelled prescription');

  // awaiting-override → cancelled.
  const o = w.submit('dr-a', 'awaiting', { patient: 2, items: [days(9)] });
  cancel('dr-a', o.id, o.last);
  t.equal(w.rx(o.id).state, 'cancelled');

  // rejected is final.
  const r = w.submit('dr-a', 'rejected', { patient: 3, items: [1, 2, 3, 4, 5, 6].map((n) => item(n)) });
  refuses(t, w, () => cancel('dr-a', r.id, r.last), 'RX_NOT_CANCELLABLE', 'a rejected prescription');

  // claimed → pending; the pharmacist's refusal settles it as cancelled.
  const c = w.submit('dr-a', 'claimed', { patient: 4 });
  let last = claim(w, 'rph-a', c.id, c.last);
  last = cancel('dr-a', c.id, last);
  t.match(w.rx(c.id), { state: 'claimed', cancelPending: true, holder: 'ph-a' }, 'the holder keeps it until it hands it back');
  refuses(t, w, () => cancel('dr-a', c.id, last), 'RX_CANCEL_PENDING', 'cancelling while a cancellation is pending');
  last = w.step('rph-a', 'rx.review', c.id, last, { fill: 0, decision: 'refuse', reason: 'other' });
  t.match(w.rx(c.id), { state: 'cancelled', holder: null }, 'refused under a pending cancellation → cancelled, not refused');

  // claimed → pending → approved (still pending) → no dispensing → return → cancelled.
  const d = w.submit('dr-a', 'approved', { patient: 5 });
  last = claim(w, 'rph-a', d.id, d.last);
  last = cancel('dr-a', d.id, last);
  last = approve(w, 'rph-a', d.id, last);
  t.match(w.rx(d.id), { state: 'approved', cancelPending: true });
  refuses(t, w, () => dispense(w, 'rph-a', d.id, last, '7'), 'RX_CANCEL_PENDING', 'dispensing under a pending cancellation');
  last = w.step('rph-a', 'rx.return', d.id, last, { fill: 0, reason: 'patient-request' });
  t.match(w.rx(d.id), { state: 'cancelled', holder: null });

  // approved → pending → return → cancelled.
  const e = w.submit('dr-a', 'approved-first', { patient: 6 });
  last = approve(w, 'rph-a', e.id, claim(w, 'rph-a', e.id, e.last));
  last = cancel('dr-a', e.id, last);
  t.match(w.rx(e.id), { state: 'approved', cancelPending: true });
  w.step('rph-a', 'rx.return', e.id, last, { fill: 0, reason: 'patient-request' });
  t.equal(w.rx(e.id).state, 'cancelled');

  // partially-dispensed → pending → the balance is not dispensed → return → cancelled.
  const f = w.submit('dr-a', 'partial', { patient: 7 });
  last = dispense(w, 'rph-a', f.id, approve(w, 'rph-a', f.id, claim(w, 'rph-a', f.id, f.last)), '3');
  last = cancel('dr-a', f.id, last);
  t.match(w.rx(f.id), { state: 'partially-dispensed', cancelPending: true });
  refuses(t, w, () => dispense(w, 'rph-a', f.id, last, '4'), 'RX_CANCEL_PENDING', 'dispensing the balance under a pending cancellation');
  w.step('rph-a', 'rx.return', f.id, last, { fill: 0, reason: 'patient-request' });
  t.match(w.rx(f.id), { state: 'cancelled', holder: null });

  // dispensed, out for delivery, collected: not cancellable.
  const g = w.submit('dr-a', 'dispensed', { patient: 8 });
  last = toDispensed(w, 'rph-a', g.id, g.last);
  refuses(t, w, () => cancel('dr-a', g.id, last), 'RX_NOT_CANCELLABLE', 'a dispensed prescription');
  last = assign(w, 'rph-a', g.id, last);
  refuses(t, w, () => cancel('dr-a', g.id, last), 'RX_NOT_CANCELLABLE', 'a prescription out for delivery');
  last = courierStep(w, 'courier-1', 'rx.delivery-fail', g.id, last, { reason: 'patient-unreachable' });
  last = w.step('rph-a', 'rx.collect', g.id, last, { fill: 0 });
  refuses(t, w, () => cancel('dr-a', g.id, last), 'RX_NOT_CANCELLABLE', 'a collected prescription');
  replays(t, w);
});

t.test('claim: nominated and directed routing', async (t) => {
  const w = createRxWorld();
  const n = w.submit('dr-a', 'nominated');
  refuses(t, w, () => claim(w, 'rph-b', n.id, n.last), 'RX_ROUTED_ELSEWHERE', 'another pharmacy than the nominated one');
  refuses(t, w, () => claim(w, 'rph-b', n.id, n.last, { pharmacyId: 'ph-a' }), 'RX_PARTY_MISMATCH', 'claiming for a pharmacy one does not work for');
  refuses(t, w, () => claim(w, 'rph-a', n.id, n.last, { accessCode: accessCode(1) }), 'RX_ACCESS_CODE_INVALID', 'an access code on a routed claim');
  refuses(t, w, () => claim(w, 'rph-a', n.id, n.last, { fill: 1 }), 'RX_FILL_NOT_CURRENT', 'a fill the prescription does not have');
  refuses(t, w, () => claim(w, 'rph-a', n.id, n.last - 1), 'RX_PREVIOUS_MISMATCH', 'a stale previous');
  refuses(t, w, () => claim(w, 'rph-a', n.id, n.last + 5), 'RX_PREVIOUS_MISMATCH', 'a previous from the future');
  refuses(t, w, () => claim(w, 'rph-a', 'rx-unknown-000', n.last), 'RX_NOT_FOUND', 'an unknown prescription');
  refuses(t, w, () => w.step('courier-1', 'rx.claim', n.id, n.last, { pharmacyId: 'ph-a', fill: 0 }), 'AUTH_ROLE_FORBIDDEN', 'a courier');
  refuses(t, w, () => w.step('dr-a', 'rx.claim', n.id, n.last, { pharmacyId: 'ph-a', fill: 0 }), 'AUTH_ROLE_FORBIDDEN', 'a prescriber');
  const last = claim(w, 'rph-a', n.id, n.last);
  t.match(w.rx(n.id), { state: 'claimed', holder: 'ph-a', fill: 0, lastIndex: last });
  t.same(w.rx(n.id).parties, ['ph-a'], 'no party added twice');
  refuses(t, w, () => claim(w, 'rph-a2', n.id, last), 'RX_HELD_BY_ANOTHER_PHARMACY', 'claimed again by a colleague: already held');
  refuses(t, w, () => claim(w, 'rph-b', n.id, last), 'RX_HELD_BY_ANOTHER_PHARMACY', 'claimed by another pharmacy: held');

  const d = w.submit('dr-a', 'directed', { patient: 2, routing: { mode: 'directed', pharmacyId: 'ph-b' } });
  refuses(t, w, () => claim(w, 'rph-a', d.id, d.last), 'RX_ROUTED_ELSEWHERE', 'directed to another pharmacy');
  claim(w, 'rph-b', d.id, d.last);
  t.match(w.rx(d.id), { state: 'claimed', holder: 'ph-b' });

  const o = w.submit('dr-a', 'awaiting', { patient: 3, items: [days(8)] });
  refuses(t, w, () => claim(w, 'rph-a', o.id, o.last), 'RX_STATE_CONFLICT', 'awaiting override');
  const r = w.submit('dr-a', 'rejected', { patient: 4, items: [1, 2, 3, 4, 5, 6].map((i) => item(i)) });
  refuses(t, w, () => claim(w, 'rph-a', r.id, r.last), 'RX_STATE_CONFLICT', 'rejected');
  replays(t, w);
});

t.test('claim: open routing needs a pharmacy in the prescribing city and an unspent access code', async (t) => {
  const w = createRxWorld();
  const codes = [accessCode(1), accessCode(2)];
  const s = w.submit('dr-a', 'open', { routing: { mode: 'open' }, accessCodes: codes });
  t.same(w.rx(s.id).parties, [], 'no pharmacy is a party before a claim');
  t.same(w.rx(s.id).accessCodes, codes.map(accessCodeHash), 'only the hashes are recorded');
  refuses(t, w, () => claim(w, 'rph-far', s.id, s.last, { accessCode: codes[0]! }), 'RX_REGION_MISMATCH', 'a pharmacy in another city (320102)');
  refuses(t, w, () => claim(w, 'rph-a', s.id, s.last), 'RX_ACCESS_CODE_INVALID', 'no access code');
  refuses(t, w, () => claim(w, 'rph-a', s.id, s.last, { accessCode: accessCode(9) }), 'RX_ACCESS_CODE_INVALID', 'a wrong access code');
  refuses(t, w, () => claim(w, 'rph-a', s.id, s.last, { accessCode: accessCodeHash(codes[0]!).slice(0, 64) }), 'RX_ACCESS_CODE_INVALID', 'the recorded hash presented as the code');
  let last = claim(w, 'rph-a', s.id, s.last, { accessCode: codes[0]! });
  t.match(w.rx(s.id), { state: 'claimed', holder: 'ph-a' });
  t.same(w.rx(s.id).spentAccessCodes, [accessCodeHash(codes[0]!)], 'the code is spent by the claim');
  t.same(w.rx(s.id).parties, ['ph-a']);
  last = w.step('rph-a', 'rx.return', s.id, last, { fill: 0, reason: 'out-of-stock' });
  t.match(w.rx(s.id), { state: 'active', holder: null });
  refuses(t, w, () => claim(w, 'rph-b', s.id, last, { accessCode: codes[0]! }), 'RX_ACCESS_CODE_SPENT', 'a spent code');
  last = claim(w, 'rph-b', s.id, last, { accessCode: codes[1]! });
  t.match(w.rx(s.id), { state: 'claimed', holder: 'ph-b' });
  t.same(w.rx(s.id).parties, ['ph-a', 'ph-b'], 'both pharmacies that held it may read it');

  // A prescription of the other hospital (370103) is open to the same city, 3701.
  const other = w.submit('dr-b', 'open-b', { patient: 2, routing: { mode: 'open' }, accessCodes: [accessCode(3)] });
  t.equal(w.rx(other.id).city, '3701');
  refuses(t, w, () => claim(w, 'rph-far', other.id, other.last, { accessCode: accessCode(3) }), 'RX_REGION_MISMATCH', 'still not from 南京');
  claim(w, 'rph-b', other.id, other.last, { accessCode: accessCode(3) });
  t.equal(w.rx(other.id).holder, 'ph-b');
  replays(t, w);
});

t.test('raced claims: the loser hears RX_HELD_BY_ANOTHER_PHARMACY, not a stale previous', async (t) => {
  const w = createRxWorld();
  const s = w.submit('dr-a', 'race-open', { routing: { mode: 'open' }, accessCodes: [accessCode(1), accessCode(2), accessCode(3)] });
  const fromA = w.sign('rph-a', 'rx.claim', { prescriptionId: s.id, previous: s.last, pharmacyId: 'ph-a', fill: 0, accessCode: accessCode(1) });
  const fromB = w.sign('rph-b', 'rx.claim', { prescriptionId: s.id, previous: s.last, pharmacyId: 'ph-b', fill: 0, accessCode: accessCode(2) });
  t.equal(w.admit('rx.claim', w.body(fromA)).kind, 'append');
  refuses(t, w, () => w.admit('rx.claim', w.body(fromB)), 'RX_HELD_BY_ANOTHER_PHARMACY', 'the second of two claims against the same previous');
  t.equal(w.rx(s.id).holder, 'ph-a');
  t.same(w.rx(s.id).spentAccessCodes, [accessCodeHash(accessCode(1))], 'the loser\'s code is not spent');

  // Once handed back, a claim signed against the old state is merely stale.
  const returned = w.step('rph-a', 'rx.return', s.id, w.rx(s.id).lastIndex, { fill: 0, reason: 'pharmacy-closed' });
  refuses(t, w, () => w.admit('rx.claim', w.body(fromB)), 'RX_PREVIOUS_MISMATCH', 'the same statement after the return');
  claim(w, 'rph-b', s.id, returned, { accessCode: accessCode(2) });
  t.equal(w.rx(s.id).holder, 'ph-b', 'the loser\'s unspent code still works');

  // Two pharmacists of the nominated pharmacy race too.
  const n = w.submit('dr-a', 'race-routed', { patient: 2 });
  const one = w.sign('rph-a', 'rx.claim', { prescriptionId: n.id, previous: n.last, pharmacyId: 'ph-a', fill: 0 });
  const two = w.sign('rph-a2', 'rx.claim', { prescriptionId: n.id, previous: n.last, pharmacyId: 'ph-a', fill: 0 });
  w.admit('rx.claim', w.body(one));
  refuses(t, w, () => w.admit('rx.claim', w.body(two)), 'RX_HELD_BY_ANOTHER_PHARMACY', 'a colleague\'s simultaneous claim');
  replays(t, w);
});

t.test('review: approve or refuse, by the holding pharmacy', async (t) => {
  const w = createRxWorld();
  const s = w.submit('dr-a', 'review');
  refuses(t, w, () => approve(w, 'rph-a', s.id, s.last), 'RX_HELD_BY_ANOTHER_PHARMACY', 'reviewing an unclaimed prescription');
  const last = claim(w, 'rph-a', s.id, s.last);
  refuses(t, w, () => approve(w, 'rph-b', s.id, last), 'RX_HELD_BY_ANOTHER_PHARMACY', 'another pharmacy');
  refuses(t, w, () => approve(w, 'rph-a', s.id, last, 1), 'RX_FILL_NOT_CURRENT', 'the wrong fill');
  refuses(t, w, () => approve(w, 'rph-a', s.id, last - 1), 'RX_PREVIOUS_MISMATCH', 'a stale previous');
  refuses(t, w, () => w.step('rph-a', 'rx.review', s.id, last, { fill: 0, decision: 'refuse' }), 'ENTRY_BODY_INVALID', 'a refusal without a reason');
  refuses(t, w, () => w.step('rph-a', 'rx.review', s.id, last, { fill: 0, decision: 'approve', reason: 'other' }), 'ENTRY_BODY_INVALID', 'an approval with a reason');
  refuses(t, w, () => w.step('courier-1', 'rx.review', s.id, last, { fill: 0, decision: 'approve' }), 'AUTH_ROLE_FORBIDDEN', 'a courier');
  const approved = approve(w, 'rph-a2', s.id, last);
  t.match(w.rx(s.id), { state: 'approved', holder: 'ph-a', lastIndex: approved }, 'a colleague at the holding pharmacy may review');
  refuses(t, w, () => approve(w, 'rph-a', s.id, approved), 'RX_STATE_CONFLICT', 'reviewing twice');

  const r = w.submit('dr-a', 'refused', { patient: 2 });
  let rl = claim(w, 'rph-a', r.id, r.last);
  rl = w.step('rph-a', 'rx.review', r.id, rl, { fill: 0, decision: 'refuse', reason: 'interaction', note: '相互作用' });
  t.match(w.rx(r.id), { state: 'refused', holder: null, cancelPending: false }, 'refused → back with the prescriber');
  refuses(t, w, () => claim(w, 'rph-a', r.id, rl), 'RX_STATE_CONFLICT', 'claiming a refused prescription');
  refuses(t, w, () => w.step('dr-a', 'rx.cancel', r.id, rl, { reason: 'other' }), 'RX_NOT_CANCELLABLE', 'cancelling a refused prescription');
  replays(t, w);
});

t.test('return: back to active; what was dispensed stays dispensed and the next claimant dispenses the balance', async (t) => {
  const w = createRxWorld();
  const a = w.submit('dr-a', 'return-claimed');
  let last = claim(w, 'rph-a', a.id, a.last);
  refuses(t, w, () => w.step('rph-b', 'rx.return', a.id, last, { fill: 0, reason: 'other' }), 'RX_HELD_BY_ANOTHER_PHARMACY', 'another pharmacy');
  refuses(t, w, () => w.step('rph-a', 'rx.return', a.id, last, { fill: 1, reason: 'other' }), 'RX_FILL_NOT_CURRENT', 'the wrong fill');
  refuses(t, w, () => w.step('rph-a', 'rx.return', a.id, last - 1, { fill: 0, reason: 'other' }), 'RX_PREVIOUS_MISMATCH', 'a stale previous');
  refuses(t, w, () => w.step('rph-a', 'rx.return', a.id, last, { fill: 0, reason: 'bored' }), 'ENTRY_BODY_INVALID', 'an uncoded reason');
  last = w.step('rph-a', 'rx.return', a.id, last, { fill: 0, reason: 'out-of-stock' });
  t.match(w.rx(a.id), { state: 'active', holder: null, fill: 0 });
  t.same(w.rx(a.id).fills[0]!.lines, [{ line: 1, prescribed: 7_000_000, dispensed: 0 }]);
  refuses(t, w, () => w.step('rph-a', 'rx.return', a.id, last, { fill: 0, reason: 'other' }), 'RX_HELD_BY_ANOTHER_PHARMACY', 'returning what nobody holds');
  last = claim(w, 'rph-a', a.id, last);
  t.equal(w.rx(a.id).state, 'claimed', 'claimable again');

  // From approved.
  const b = w.submit('dr-a', 'return-approved', { patient: 2 });
  last = approve(w, 'rph-a', b.id, claim(w, 'rph-a', b.id, b.last));
  w.step('rph-a', 'rx.return', b.id, last, { fill: 0, reason: 'pharmacy-closed' });
  t.match(w.rx(b.id), { state: 'active', holder: null });

  // With a balance owed: 4 of 7 at one pharmacy, 3 at the next.
  const c = w.submit('dr-a', 'return-owing', { patient: 3, routing: { mode: 'open' }, accessCodes: [accessCode(1), accessCode(2)] });
  last = dispense(w, 'rph-a', c.id, approve(w, 'rph-a', c.id, claim(w, 'rph-a', c.id, c.last, { accessCode: accessCode(1) })), '4');
  t.equal(w.rx(c.id).state, 'partially-dispensed');
  last = w.step('rph-a', 'rx.return', c.id, last, { fill: 0, reason: 'out-of-stock' });
  t.match(w.rx(c.id), { state: 'active', holder: null });
  t.same(w.rx(c.id).fills[0]!.lines, [{ line: 1, prescribed: 7_000_000, dispensed: 4_000_000 }], 'the dispensed 4 stay on the record');
  last = approve(w, 'rph-b', c.id, claim(w, 'rph-b', c.id, last, { accessCode: accessCode(2) }));
  refuses(t, w, () => dispense(w, 'rph-b', c.id, last, '4'), 'RX_QUANTITY_EXCEEDS_OWING', 'the next pharmacy dispensing the full amount again');
  last = dispense(w, 'rph-b', c.id, last, '3');
  t.equal(w.rx(c.id).state, 'dispensed', 'the balance completes the fill');
  refuses(t, w, () => w.step('rph-b', 'rx.return', c.id, last, { fill: 0, reason: 'other' }), 'RX_STATE_CONFLICT', 'returning a dispensed prescription');
  w.step('rph-b', 'rx.collect', c.id, last, { fill: 0 });
  t.match(w.rx(c.id), { state: 'collected', holder: null });
  replays(t, w);
});

t.test('dispense: partial and full, exact quantities, known lines, the holding pharmacy only', async (t) => {
  const w = createRxWorld();
  const s = w.submit('dr-a', 'dispense', { items: [item(1), item(2, { quantity: { value: '2.5', unit: '支' } })] });
  let last = claim(w, 'rph-a', s.id, s.last);
  refuses(t, w, () => dispense(w, 'rph-a', s.id, last, '7'), 'RX_STATE_CONFLICT', 'before the review');
  last = approve(w, 'rph-a', s.id, last);
  const lines = (...l: Array<[number, string, number[]]>) => l.map(([line, quantity, codes]) => ({ line, quantity, traceabilityCodes: codes.map(traceCode) }));
  const disp = (who: string, previous: number, l: JsonObject[], fill = 0) => () => w.step(who, 'rx.dispense', s.id, previous, { fill, lines: l });
  refuses(t, w, disp('rph-b', last, lines([1, '7', [freshCode()]])), 'RX_HELD_BY_ANOTHER_PHARMACY', 'another pharmacy');
  refuses(t, w, disp('rph-a', last, lines([3, '1', [freshCode()]])), 'RX_LINE_UNKNOWN', 'a line the prescription does not have');
  refuses(t, w, disp('rph-a', last, lines([1, '7.000001', [freshCode()]])), 'RX_QUANTITY_EXCEEDS_OWING', 'a millionth more than owed');
  refuses(t, w, disp('rph-a', last, lines([2, '2.6', [freshCode()]])), 'RX_QUANTITY_EXCEEDS_OWING', 'more than owed on a fractional line');
  refuses(t, w, disp('rph-a', last, lines([1, '0', [freshCode()]])), 'ENTRY_BODY_INVALID', 'nothing dispensed');
  refuses(t, w, disp('rph-a', last, lines([1, '1.5e0', [freshCode()]])), 'ENTRY_BODY_INVALID', 'not a decimal');
  refuses(t, w, disp('rph-a', last, lines([1, '1', [freshCode()]]), 1), 'RX_FILL_NOT_CURRENT', 'the wrong fill');
  refuses(t, w, disp('rph-a', last - 1, lines([1, '1', [freshCode()]])), 'RX_PREVIOUS_MISMATCH', 'a stale previous');
  refuses(t, w, disp('rph-a', last, [...lines([1, '1', [freshCode()]]), ...lines([1, '1', [freshCode()]])]), 'ENTRY_BODY_INVALID', 'a line twice');
  const twice = freshCode();
  refuses(t, w, disp('rph-a', last, lines([1, '2', [twice, twice]])), 'RX_TRACE_CODE_DUPLICATE', 'one pack twice on a line');
  const across = freshCode();
  refuses(t, w, disp('rph-a', last, lines([1, '1', [across]], [2, '1', [across]])), 'RX_TRACE_CODE_DUPLICATE', 'one pack on two lines');
  t.equal(w.state.traceabilityCode(traceCode(twice)), undefined, 'a refused dispensing records no code');

  const c1 = freshCode();
  const c2 = freshCode();
  last = w.step('rph-a', 'rx.dispense', s.id, last, { fill: 0, lines: lines([1, '7', [c1, c2]], [2, '1.25', [freshCode()]]) });
  t.equal(w.rx(s.id).state, 'partially-dispensed');
  t.same(w.rx(s.id).fills[0]!.lines, [{ line: 1, prescribed: 7_000_000, dispensed: 7_000_000 }, { line: 2, prescribed: 2_500_000, dispensed: 1_250_000 }]);
  t.same(w.state.traceabilityCode(traceCode(c1)), { prescriptionId: s.id, index: last }, 'each pack is recorded where it was dispensed');
  t.same(w.state.traceabilityCode(traceCode(c2)), { prescriptionId: s.id, index: last });
  refuses(t, w, disp('rph-a', last, lines([1, '0.000001', [freshCode()]])), 'RX_QUANTITY_EXCEEDS_OWING', 'a line already dispensed in full');
  const c3 = freshCode();
  last = w.step('rph-a', 'rx.dispense', s.id, last, { fill: 0, lines: lines([2, '1.25', [c3]]) });
  t.equal(w.rx(s.id).state, 'dispensed');
  t.same(w.state.traceabilityCode(traceCode(c3)), { prescriptionId: s.id, index: last }, 'the last pack too');
  refuses(t, w, disp('rph-a', last, lines([2, '1', []])), 'ENTRY_BODY_INVALID', 'a line with no pack code');
  t.ok(w.batches[last - 1]!.some((m) => m.kind === 'rx-trace-codes'), 'codes, one code mutation');
  refuses(t, w, disp('rph-a', last, lines([2, '1', [freshCode()]])), 'RX_STATE_CONFLICT', 'dispensing a dispensed prescription');
  replays(t, w);
});


t.test('a traceability code dispensed before: refused, and the signed attempt recorded as an rx.flag', async (t) => {
  const w = createRxWorld();
  const first = w.submit('dr-a', 'first-sale');
  const sold = freshCode();
  const soldToo = freshCode();
  const soldAt = dispense(w, 'rph-a', first.id, approve(w, 'rph-a', first.id, claim(w, 'rph-a', first.id, first.last)), '7', [sold, soldToo]);
  const s = w.submit('dr-a', 'second-sale', { patient: 2, routing: { mode: 'directed', pharmacyId: 'ph-b' } });
  const last = approve(w, 'rph-b', s.id, claim(w, 'rph-b', s.id, s.last));
  const fresh = freshCode();
  const attempt = w.sign('rph-b', 'rx.dispense', { prescriptionId: s.id, previous: last, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [traceCode(fresh), traceCode(sold)] }] });
  const before = w.log.length;
  const admission = w.admit('rx.dispense', w.body(attempt));
  if (admission.kind !== 'refuse') {
    t.fail(`a reused pack must be refused with a record, got ${admission.kind}`);
    return;
  }
  t.ok(admission.error instanceof RxError && admission.error.code === 'RX_TRACE_CODE_DUPLICATE', 'refused with RX_TRACE_CODE_DUPLICATE');
  t.equal(admission.record.type, 'rx.flag');
  t.same(admission.record.body, { reason: 'traceability-code-reused', attempt, firstDispensed: [{ code: traceCode(sold), prescriptionId: first.id, index: soldAt }] }, 'the flag carries the signed attempt and where the pack went first');
  t.match(
    admission.record.mutations,
    [{ kind: 'statement', actorId: 'rph-b', nonce: attempt.statement.nonce, idempotencyKey: attempt.statement.idempotencyKey, index: before }],
    'the flag spends the attempt\'s nonce and idempotency key, and changes nothing else',
  );
  t.equal(w.log.length, before + 1, 'the flag takes the attempt\'s place in the log');
  t.equal(w.log[before]!.type, 'rx.flag');
  t.match(w.rx(s.id), { state: 'approved', lastIndex: last }, 'the prescription did not move');
  t.equal(w.state.traceabilityCode(traceCode(fresh)), undefined, 'no code of the attempt is recorded');
  t.same(w.state.traceabilityCode(traceCode(sold)), { prescriptionId: first.id, index: soldAt });

  // An identical retry of the attempt is its replay: the ledger answers the flag's refusal again
  // (refusalRecordedBy) and writes nothing; it is not judged, nor flagged, a second time.
  t.same(w.admit('rx.dispense', w.body(attempt)), { kind: 'replay', index: before }, 'a retry replays the flagged attempt');
  t.equal(refusalRecordedBy('rx.flag')?.code, 'RX_TRACE_CODE_DUPLICATE', 'and hears its refusal again');
  t.equal(refusalRecordedBy('rx.dispense'), undefined, 'a recorded statement is replayed as recorded');
  t.equal(w.log.length, before + 1, 'nothing written for the retry');

  // The flag, judged as an entry in its own right (as the verifier does): founded flags are
  // admitted by the replay at the end; the same attempt flagged again is not.
  const flag = admission.record.body;
  throwsCode(t, () => admitEntry(w.state, 'rx.flag', flag, entryContext(w)), 'RX_FLAG_UNFOUNDED', 'one attempt flagged twice');
  const forged = (patch: JsonObject) => () => admitEntry(w.state, 'rx.flag', { ...flag, ...patch }, entryContext(w));
  const firstSale = (code: number, index = soldAt) => [{ code: traceCode(code), prescriptionId: first.id, index }];
  throwsCode(t, forged({ firstDispensed: firstSale(sold, soldAt - 1) }), 'RX_FLAG_UNFOUNDED', 'a forged flag: the pack was dispensed elsewhere in the log');
  throwsCode(t, forged({ firstDispensed: firstSale(fresh) }), 'RX_FLAG_UNFOUNDED', 'a forged flag: a pack never dispensed');
  throwsCode(t, forged({ firstDispensed: [{ code: traceCode(sold), prescriptionId: s.id, index: soldAt }] }), 'RX_FLAG_UNFOUNDED', 'a forged flag: the pack went to another prescription');
  throwsCode(t, forged({ firstDispensed: firstSale(soldToo) }), 'RX_FLAG_UNFOUNDED', 'a forged flag: a pack dispensed before but not in the attempt');
  throwsCode(t, forged({ firstDispensed: [] }), 'RX_FLAG_UNFOUNDED', 'a forged flag: no pack');
  const notADispensing = w.sign('rph-b', 'rx.return', { prescriptionId: s.id, previous: last, fill: 0, reason: 'other' });
  throwsCode(t, forged({ attempt: notADispensing as unknown as JsonObject }), 'RX_FLAG_UNFOUNDED', 'a forged flag: the attempt is no dispensing');
  throwsCode(t, forged({ attempt: { statement: attempt.statement } as unknown as JsonObject }), 'RX_FLAG_UNFOUNDED', 'a forged flag: an unsigned attempt');
  const altered = { ...attempt, statement: { ...attempt.statement, actor: 'rph-a' } };
  throwsCode(t, forged({ attempt: altered as unknown as JsonObject }), 'AUTH_SIGNATURE_INVALID', 'a forged flag: an attempt nobody signed');
  // The attempt is judged again as the ledger judged it: a flag the ledger would not have written is unfounded.
  const bothSold = w.sign('rph-b', 'rx.dispense', { prescriptionId: s.id, previous: last, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [traceCode(sold), traceCode(soldToo)] }] });
  const bothFlag = { reason: 'traceability-code-reused', attempt: bothSold, firstDispensed: [...firstSale(sold), ...firstSale(soldToo)] } as unknown as JsonObject;
  t.doesNotThrow(() => admitEntry(w.state, 'rx.flag', bothFlag, entryContext(w)), 'a flag naming every reused pack of its attempt is founded');
  throwsCode(t, () => admitEntry(w.state, 'rx.flag', { ...bothFlag, firstDispensed: firstSale(sold) }, entryContext(w)), 'RX_FLAG_UNFOUNDED', 'a flag naming only some of the reused packs');
  throwsCode(t, () => admitEntry(w.state, 'rx.flag', { ...bothFlag, reason: 'other' }, entryContext(w)), 'RX_FLAG_UNFOUNDED', 'a flag with another reason');
  const notHolder = w.sign('rph-a', 'rx.dispense', { prescriptionId: s.id, previous: last, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [traceCode(sold)] }] });
  throwsCode(t, () => admitEntry(w.state, 'rx.flag', { reason: 'traceability-code-reused', attempt: notHolder, firstDispensed: firstSale(sold) } as unknown as JsonObject, entryContext(w)), 'RX_FLAG_UNFOUNDED', 'an attempt by a pharmacy that does not hold the prescription (refused for that, without a flag)');
  const courierAttempt = w.sign('courier-1', 'rx.dispense', { prescriptionId: s.id, previous: last, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [traceCode(sold)] }] });
  throwsCode(t, () => admitEntry(w.state, 'rx.flag', { reason: 'traceability-code-reused', attempt: courierAttempt, firstDispensed: firstSale(sold) } as unknown as JsonObject, entryContext(w)), 'AUTH_ROLE_FORBIDDEN', 'an attempt by a role that may not dispense');
  w.clock.advance(300_001);
  throwsCode(t, () => admitEntry(w.state, 'rx.flag', bothFlag, entryContext(w)), 'AUTH_TIMESTAMP_OUT_OF_WINDOW', 'an attempt signed longer ago than the timestamp window allows, at the flag\'s time');
  t.equal(w.log.length, before + 1);

  // With another pack the dispensing goes ahead, against the same previous: the flag moved nothing.
  dispense(w, 'rph-b', s.id, last, '7', [fresh]);
  t.equal(w.rx(s.id).state, 'dispensed');

  // Within one prescription: a pack of the first partial dispensing, offered again for the balance.
  const p = w.submit('dr-a', 'same-rx', { patient: 3 });
  const pack = freshCode();
  const partAt = dispense(w, 'rph-a', p.id, approve(w, 'rph-a', p.id, claim(w, 'rph-a', p.id, p.last)), '3', [pack]);
  const again = w.admit('rx.dispense', w.body(w.sign('rph-a', 'rx.dispense', { prescriptionId: p.id, previous: partAt, fill: 0, lines: [{ line: 1, quantity: '4', traceabilityCodes: [traceCode(pack)] }] })));
  t.equal(again.kind, 'refuse');
  if (again.kind === 'refuse') t.same(again.record.body.firstDispensed, [{ code: traceCode(pack), prescriptionId: p.id, index: partAt }]);
  t.match(w.rx(p.id), { state: 'partially-dispensed', lastIndex: partAt });
  replays(t, w);
});

t.test('delivery: assign → pickup → in transit → complete with the pickup code', async (t) => {
  const w = createRxWorld();
  const s = w.submit('dr-a', 'deliver');
  let last = approve(w, 'rph-a', s.id, claim(w, 'rph-a', s.id, s.last));
  refuses(t, w, () => assign(w, 'rph-a', s.id, last), 'RX_STATE_CONFLICT', 'assigned before dispensing');
  last = dispense(w, 'rph-a', s.id, last, '7');
  refuses(t, w, () => assign(w, 'rph-b', s.id, last), 'RX_HELD_BY_ANOTHER_PHARMACY', 'assigned by another pharmacy');
  refuses(t, w, () => assign(w, 'rph-a', s.id, last, 'rph-a2'), 'REGISTRY_REFERENCE_UNKNOWN', 'assigned to a pharmacist');
  refuses(t, w, () => assign(w, 'rph-a', s.id, last, 'courier-x'), 'REGISTRY_REFERENCE_UNKNOWN', 'assigned to an unknown courier');
  refuses(t, w, () => assign(w, 'rph-a', s.id, last, 'courier-1', 1, 1), 'RX_FILL_NOT_CURRENT', 'the wrong fill');
  refuses(t, w, () => assign(w, 'rph-a', s.id, last - 1), 'RX_PREVIOUS_MISMATCH', 'a stale previous');
  refuses(t, w, () => assign(w, 'courier-1', s.id, last), 'AUTH_ROLE_FORBIDDEN', 'a courier assigning itself');
  last = assign(w, 'rph-a', s.id, last, 'courier-1', 1);
  t.match(w.rx(s.id), { state: 'delivery-assigned', holder: 'ph-a', delivery: { courierId: 'courier-1', pickupCodeHash: pickupCodeHash(pickupCode(1)) } });
  t.same(w.rx(s.id).parties, ['ph-a', 'courier-1'], 'the courier becomes a party');
  refuses(t, w, () => assign(w, 'rph-a', s.id, last, 'courier-2'), 'RX_STATE_CONFLICT', 'assigned twice');
  refuses(t, w, () => courierStep(w, 'courier-2', 'rx.delivery-pickup', s.id, last), 'RX_PARTY_MISMATCH', 'picked up by a courier not assigned');
  refuses(t, w, () => courierStep(w, 'rph-a', 'rx.delivery-pickup', s.id, last), 'AUTH_ROLE_FORBIDDEN', 'picked up by a pharmacist');
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-in-transit', s.id, last), 'RX_STATE_CONFLICT', 'in transit before pickup');
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-complete', s.id, last, { pickupCode: pickupCode(1) }), 'RX_STATE_CONFLICT', 'completed before pickup');
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-pickup', s.id, last, { fill: 1 }), 'RX_FILL_NOT_CURRENT', 'the wrong fill');
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-pickup', s.id, last - 1), 'RX_PREVIOUS_MISMATCH', 'a stale previous');
  refuses(t, w, () => w.step('rph-a', 'rx.collect', s.id, last, { fill: 0 }), 'RX_STATE_CONFLICT', 'collected at the counter while out for delivery');
  last = courierStep(w, 'courier-1', 'rx.delivery-pickup', s.id, last);
  t.equal(w.rx(s.id).state, 'picked-up');
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-pickup', s.id, last), 'RX_STATE_CONFLICT', 'picked up twice');
  last = courierStep(w, 'courier-1', 'rx.delivery-in-transit', s.id, last);
  t.equal(w.rx(s.id).state, 'in-transit');
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-in-transit', s.id, last), 'RX_STATE_CONFLICT', 'in transit twice');
  refuses(t, w, () => courierStep(w, 'courier-2', 'rx.delivery-complete', s.id, last, { pickupCode: pickupCode(1) }), 'RX_PARTY_MISMATCH', 'completed by another courier');
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-complete', s.id, last, { pickupCode: pickupCode(2) }), 'RX_PICKUP_CODE_INVALID', 'a wrong pickup code');
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-complete', s.id, last, { pickupCode: 'short' }), 'ENTRY_BODY_INVALID', 'a code too short to be a secret');
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-complete', s.id, last - 1, { pickupCode: pickupCode(1) }), 'RX_PREVIOUS_MISMATCH', 'a stale previous');
  last = courierStep(w, 'courier-1', 'rx.delivery-complete', s.id, last, { pickupCode: pickupCode(1) });
  t.match(w.rx(s.id), { state: 'delivered', holder: null, delivery: null, lastIndex: last });
  t.equal(effectiveState(w.rx(s.id), w.clock() + 365 * DAY), 'delivered', 'a final state never reads as expired');
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-fail', s.id, last, { reason: 'damaged' }), 'RX_STATE_CONFLICT', 'no delivery to fail any more');
  refuses(t, w, () => courierStep(w, 'courier-2', 'rx.delivery-fail', s.id, last, { reason: 'damaged' }), 'RX_PARTY_MISMATCH', 'failed by a courier who never carried it');
  refuses(t, w, () => w.step('rph-a', 'rx.collect', s.id, last, { fill: 0 }), 'RX_HELD_BY_ANOTHER_PHARMACY', 'nothing left to collect');

  // Completed straight from picked-up.
  const b = w.submit('dr-a', 'direct', { patient: 2 });
  last = assign(w, 'rph-a', b.id, toDispensed(w, 'rph-a', b.id, b.last), 'courier-2', 2);
  last = courierStep(w, 'courier-2', 'rx.delivery-pickup', b.id, last);
  courierStep(w, 'courier-2', 'rx.delivery-complete', b.id, last, { pickupCode: pickupCode(2) });
  t.equal(w.rx(b.id).state, 'delivered');
  replays(t, w);
});

t.test('a failed delivery goes back to the pharmacy, from each courier state', async (t) => {
  const w = createRxWorld();
  const steps: Record<string, string[]> = {
    'delivery-assigned': [],
    'picked-up': ['rx.delivery-pickup'],
    'in-transit': ['rx.delivery-pickup', 'rx.delivery-in-transit'],
  };
  let n = 0;
  for (const [from, path] of Object.entries(steps)) {
    const s = w.submit('dr-a', `fail-${++n}`, { patient: n });
    let last = assign(w, 'rph-a', s.id, toDispensed(w, 'rph-a', s.id, s.last), 'courier-1', n);
    for (const action of path) last = courierStep(w, 'courier-1', action, s.id, last);
    t.equal(w.rx(s.id).state, from);
    refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-fail', s.id, last, { reason: 'lost' }), 'ENTRY_BODY_INVALID', `${from}: an uncoded reason`);
    refuses(t, w, () => courierStep(w, 'courier-2', 'rx.delivery-fail', s.id, last, { reason: 'damaged' }), 'RX_PARTY_MISMATCH', `${from}: another courier`);
    last = courierStep(w, 'courier-1', 'rx.delivery-fail', s.id, last, { reason: 'patient-unreachable' });
    t.match(w.rx(s.id), { state: 'dispensed', holder: 'ph-a', delivery: null }, `${from} → failed → dispensed, back at the pharmacy`);
    refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-pickup', s.id, last), 'RX_STATE_CONFLICT', `${from}: the courier is no longer assigned, and no delivery is out`);
    w.step('rph-a', 'rx.collect', s.id, last, { fill: 0 });
    t.equal(w.rx(s.id).state, 'collected', `${from}: handed over at the counter instead`);
  }

  // A partial dispensing goes out, fails, goes out again and arrives: the balance is still owed.
  const p = w.submit('dr-a', 'fail-partial', { patient: 9 });
  let last = dispense(w, 'rph-a', p.id, approve(w, 'rph-a', p.id, claim(w, 'rph-a', p.id, p.last)), '4');
  last = assign(w, 'rph-a', p.id, last, 'courier-1', 7);
  last = courierStep(w, 'courier-1', 'rx.delivery-pickup', p.id, last);
  last = courierStep(w, 'courier-1', 'rx.delivery-in-transit', p.id, last);
  last = courierStep(w, 'courier-1', 'rx.delivery-fail', p.id, last, { reason: 'address-invalid' });
  t.match(w.rx(p.id), { state: 'partially-dispensed', delivery: null, holder: 'ph-a' }, 'a failed partial delivery → partially-dispensed');
  last = assign(w, 'rph-a', p.id, last, 'courier-2', 8);
  last = courierStep(w, 'courier-2', 'rx.delivery-pickup', p.id, last);
  last = courierStep(w, 'courier-2', 'rx.delivery-complete', p.id, last, { pickupCode: pickupCode(8) });
  t.match(w.rx(p.id), { state: 'partially-dispensed', delivery: null, holder: 'ph-a' }, 'a delivered partial → still owing');
  last = dispense(w, 'rph-a', p.id, last, '3');
  w.step('rph-a', 'rx.collect', p.id, last, { fill: 0 });
  t.equal(w.rx(p.id).state, 'collected');

  // A suspended courier is not given deliveries.
  w.act('op-genesis', 'registry.actor-suspend', { actorId: 'courier-2', reason: 'investigation' });
  const q = w.submit('dr-a', 'suspended', { patient: 10 });
  last = toDispensed(w, 'rph-a', q.id, q.last);
  refuses(t, w, () => assign(w, 'rph-a', q.id, last, 'courier-2'), 'AUTH_ACTOR_SUSPENDED', 'assigned to a suspended courier');
  replays(t, w);
});

t.test('a courier racing itself: the step that loses hears RX_STATE_CONFLICT, not a 403', async (t) => {
  // Found by the race campaign (scripts/campaigns/race-campaign.ts): a courier's app sent
  // "delivered" and "failed" at once; the loser was told RX_PARTY_MISMATCH (403), "assigned to
  // another courier", though it was assigned to nobody. Pharmacies losing a race hear a 409.
  const w = createRxWorld();
  const s = w.submit('dr-a', 'courier-race');
  let last = assign(w, 'rph-a', s.id, toDispensed(w, 'rph-a', s.id, s.last), 'courier-1', 1);
  last = courierStep(w, 'courier-1', 'rx.delivery-pickup', s.id, last);
  const complete = w.sign('courier-1', 'rx.delivery-complete', { prescriptionId: s.id, previous: last, fill: 0, pickupCode: pickupCode(1) });
  const failed = w.sign('courier-1', 'rx.delivery-fail', { prescriptionId: s.id, previous: last, fill: 0, reason: 'patient-unreachable' });
  const inTransit = w.sign('courier-1', 'rx.delivery-in-transit', { prescriptionId: s.id, previous: last, fill: 0 });
  t.equal(w.admit('rx.delivery-complete', w.body(complete)).kind, 'append');
  refuses(t, w, () => w.admit('rx.delivery-fail', w.body(failed)), 'RX_STATE_CONFLICT', 'failed after it was delivered');
  refuses(t, w, () => w.admit('rx.delivery-in-transit', w.body(inTransit)), 'RX_STATE_CONFLICT', 'in transit after it was delivered');
  refuses(t, w, () => courierStep(w, 'courier-2', 'rx.delivery-fail', s.id, w.rx(s.id).lastIndex, { reason: 'damaged' }), 'RX_PARTY_MISMATCH', 'a courier who never carried it');

  // Failed first: the pickup of the retry, and the delivery, meet a parcel back at the pharmacy.
  const b = w.submit('dr-a', 'courier-race-2', { patient: 2 });
  last = assign(w, 'rph-a', b.id, toDispensed(w, 'rph-a', b.id, b.last), 'courier-1', 2);
  const pickup = w.sign('courier-1', 'rx.delivery-pickup', { prescriptionId: b.id, previous: last, fill: 0 });
  last = courierStep(w, 'courier-1', 'rx.delivery-fail', b.id, last, { reason: 'address-invalid' });
  refuses(t, w, () => w.admit('rx.delivery-pickup', w.body(pickup)), 'RX_STATE_CONFLICT', 'picked up after it failed');
  // Assigned again, to another courier: now it is someone else's parcel.
  last = assign(w, 'rph-a', b.id, last, 'courier-2', 3);
  refuses(t, w, () => courierStep(w, 'courier-1', 'rx.delivery-pickup', b.id, last), 'RX_PARTY_MISMATCH', 'assigned to another courier since');
  replays(t, w);
});

t.test('collect at the counter', async (t) => {
  const w = createRxWorld();
  const s = w.submit('dr-a', 'collect');
  let last = approve(w, 'rph-a', s.id, claim(w, 'rph-a', s.id, s.last));
  refuses(t, w, () => w.step('rph-a', 'rx.collect', s.id, last, { fill: 0 }), 'RX_STATE_CONFLICT', 'before dispensing');
  last = dispense(w, 'rph-a', s.id, last, '7');
  refuses(t, w, () => w.step('rph-b', 'rx.collect', s.id, last, { fill: 0 }), 'RX_HELD_BY_ANOTHER_PHARMACY', 'at another pharmacy');
  refuses(t, w, () => w.step('rph-a', 'rx.collect', s.id, last, { fill: 1 }), 'RX_FILL_NOT_CURRENT', 'the wrong fill');
  refuses(t, w, () => w.step('rph-a', 'rx.collect', s.id, last - 1, { fill: 0 }), 'RX_PREVIOUS_MISMATCH', 'a stale previous');
  refuses(t, w, () => w.step('courier-1', 'rx.collect', s.id, last, { fill: 0 }), 'AUTH_ROLE_FORBIDDEN', 'a courier');
  last = w.step('rph-a2', 'rx.collect', s.id, last, { fill: 0 });
  t.match(w.rx(s.id), { state: 'collected', holder: null, delivery: null, lastIndex: last }, 'a colleague hands it over');
  refuses(t, w, () => w.step('rph-a', 'rx.collect', s.id, last, { fill: 0 }), 'RX_HELD_BY_ANOTHER_PHARMACY', 'collected twice');

  const p = w.submit('dr-a', 'collect-partial', { patient: 2 });
  last = dispense(w, 'rph-a', p.id, approve(w, 'rph-a', p.id, claim(w, 'rph-a', p.id, p.last)), '2.5');
  last = w.step('rph-a', 'rx.collect', p.id, last, { fill: 0 });
  t.match(w.rx(p.id), { state: 'partially-dispensed', holder: 'ph-a' }, 'collecting a part leaves the balance owed');
  last = dispense(w, 'rph-a', p.id, last, '4.5');
  w.step('rph-a', 'rx.collect', p.id, last, { fill: 0 });
  t.equal(w.rx(p.id).state, 'collected');
  replays(t, w);
});

t.test('revision: supersedes a prescription while no pharmacy holds it and nothing is dispensed', async (t) => {
  const w = createRxWorld();
  const old = w.submit('dr-a', 'old', { items: [days(10)] });
  t.equal(old.outcome, 'awaiting-override');
  const rev = w.submit('dr-a2', 'revision', { revises: old.id });
  t.equal(rev.outcome, 'active', 'a colleague revises it');
  t.match(w.rx(old.id), { state: 'superseded', supersededBy: rev.id, lastIndex: rev.submitIndex });
  t.match(w.rx(rev.id), { state: 'active', revises: old.id });
  t.equal(rev.check.inputHash, checkInputHash({ prescription: w.rx(rev.id).prescription, prescriberPrivileges: privilegesOf(w, rev.id), others: [], instant: w.log[rev.submitIndex + 1]!.time }), 'the check no longer sees what was superseded');
  refuses(t, w, () => claim(w, 'rph-a', old.id, rev.submitIndex), 'RX_STATE_CONFLICT', 'claiming a superseded prescription');
  refuses(t, w, () => w.submit('dr-a', 'again', { revises: old.id }), 'RX_NOT_REVISABLE', 'revising a superseded prescription');
  refuses(t, w, () => w.step('dr-a', 'rx.cancel', old.id, rev.submitIndex, { reason: 'duplicate' }), 'RX_NOT_CANCELLABLE', 'cancelling a superseded prescription');

  // From active, rejected and refused.
  const a = w.submit('dr-a', 'active', { patient: 2 });
  w.submit('dr-a', 'active-rev', { patient: 2, revises: a.id });
  t.equal(w.rx(a.id).state, 'superseded', 'active → superseded');
  const r = w.submit('dr-a', 'rejected', { patient: 3, items: [1, 2, 3, 4, 5, 6].map((i) => item(i)) });
  w.submit('dr-a', 'rejected-rev', { patient: 3, revises: r.id });
  t.equal(w.rx(r.id).state, 'superseded', 'rejected → superseded');
  const f = w.submit('dr-a', 'refused', { patient: 4 });
  w.step('rph-a', 'rx.review', f.id, claim(w, 'rph-a', f.id, f.last), { fill: 0, decision: 'refuse', reason: 'inappropriate-dose' });
  w.submit('dr-a', 'refused-rev', { patient: 4, revises: f.id });
  t.equal(w.rx(f.id).state, 'superseded', 'refused → superseded');

  // Not revisable.
  const b = w.submit('dr-a', 'base', { patient: 5 });
  refuses(t, w, () => w.submit('dr-a', 'other-patient', { patient: 6, revises: b.id }), 'RX_NOT_REVISABLE', 'for another patient');
  refuses(t, w, () => w.submit('dr-b', 'other-hospital', { patient: 5, revises: b.id }), 'RX_PARTY_MISMATCH', 'by a prescriber of another institution');
  let last = claim(w, 'rph-a', b.id, b.last);
  refuses(t, w, () => w.submit('dr-a', 'held', { patient: 5, revises: b.id }), 'RX_NOT_REVISABLE', 'while claimed');
  last = approve(w, 'rph-a', b.id, last);
  refuses(t, w, () => w.submit('dr-a', 'approved', { patient: 5, revises: b.id }), 'RX_NOT_REVISABLE', 'while approved');
  last = dispense(w, 'rph-a', b.id, last, '3');
  last = w.step('rph-a', 'rx.return', b.id, last, { fill: 0, reason: 'out-of-stock' });
  t.match(w.rx(b.id), { state: 'active', holder: null });
  refuses(t, w, () => w.submit('dr-a', 'part-dispensed', { patient: 5, revises: b.id }), 'RX_NOT_REVISABLE', 'active again, but part of it dispensed');
  const d = w.submit('dr-a', 'dispensed', { patient: 7 });
  toDispensed(w, 'rph-a', d.id, d.last);
  refuses(t, w, () => w.submit('dr-a', 'after-dispensing', { patient: 7, revises: d.id }), 'RX_NOT_REVISABLE', 'dispensed');
  const c = w.submit('dr-a', 'cancelled', { patient: 8 });
  w.step('dr-a', 'rx.cancel', c.id, c.last, { reason: 'prescribing-error' });
  refuses(t, w, () => w.submit('dr-a', 'after-cancel', { patient: 8, revises: c.id }), 'RX_NOT_REVISABLE', 'cancelled');
  t.equal(w.state.prescription('rx-after-cancel-999'), undefined);
  replays(t, w);
});

t.test('a long prescription: fills in order, each in its own window', async (t) => {
  const w = createRxWorld();
  const s = w.submit('dr-a', 'long', { encounter: { longPrescription: true }, items: [longItem(), item(2, { days: 28, quantity: { value: '28', unit: '片' } })] });
  t.equal(s.outcome, 'active', 'over four weeks only warns');
  matchFindings(t, s.check.findings, [{ ruleId: 'reg.long-over-4-weeks', action: 'warn', lines: [1], evidence: { days: 84, limit: 28 } }]);
  t.same(
    w.rx(s.id).fills.map((f) => [f.number, f.opensAt, f.closesAt, f.lines.map((l) => l.line)]),
    [
      [0, DAY0, DAY0 + DAY, [1, 2]],
      [1, DAY0 + 28 * DAY, DAY0 + 56 * DAY, [1]],
      [2, DAY0 + 56 * DAY, DAY0 + 84 * DAY, [1]],
    ],
    'fill 0 on the day of issue with every line; repeats every 28 days with the repeating line only',
  );
  const claimFill = (previous: number, fill: number) => claim(w, 'rph-a', s.id, previous, { fill });
  refuses(t, w, () => claimFill(s.last, 1), 'RX_FILL_WINDOW_NOT_OPEN', 'fill 1 on day 0');
  refuses(t, w, () => claimFill(s.last, 3), 'RX_FILL_NOT_CURRENT', 'a fill beyond the repeats');
  let last = approve(w, 'rph-a', s.id, claimFill(s.last, 0));
  last = w.step('rph-a', 'rx.dispense', s.id, last, { fill: 0, lines: [{ line: 1, quantity: '28', traceabilityCodes: [traceCode(freshCode())] }, { line: 2, quantity: '28', traceabilityCodes: [traceCode(freshCode())] }] });
  t.equal(w.rx(s.id).state, 'dispensed');
  last = w.step('rph-a', 'rx.collect', s.id, last, { fill: 0 });
  t.match(w.rx(s.id), { state: 'active', fill: 1, holder: null, delivery: null }, 'handing over fill 0 leads to fill 1');
  t.equal(effectiveState(w.rx(s.id), w.clock()), 'active');
  refuses(t, w, () => claimFill(last, 0), 'RX_FILL_NOT_CURRENT', 'a fill already handed over');
  refuses(t, w, () => claimFill(last, 1), 'RX_FILL_WINDOW_NOT_OPEN', 'fill 1 the same day');
  w.clock.set(DAY0 + 28 * DAY - 1);
  refuses(t, w, () => claimFill(last, 1), 'RX_FILL_WINDOW_NOT_OPEN', 'fill 1 a millisecond before its window');
  w.clock.advance(1);
  last = claimFill(last, 1);
  t.match(w.rx(s.id), { state: 'claimed', fill: 1 });
  refuses(t, w, () => approve(w, 'rph-a', s.id, last, 0), 'RX_FILL_NOT_CURRENT', 'reviewing fill 0 during fill 1');
  last = approve(w, 'rph-a', s.id, last, 1);
  refuses(t, w, () => dispense(w, 'rph-a', s.id, last, '28', [freshCode()], 1, 2), 'RX_LINE_UNKNOWN', 'a line that does not repeat');
  last = dispense(w, 'rph-a', s.id, last, '28', [freshCode()], 1);
  last = assign(w, 'rph-a', s.id, last, 'courier-1', 1, 1);
  last = courierStep(w, 'courier-1', 'rx.delivery-pickup', s.id, last, { fill: 1 });
  last = courierStep(w, 'courier-1', 'rx.delivery-complete', s.id, last, { fill: 1, pickupCode: pickupCode(1) });
  t.match(w.rx(s.id), { state: 'active', fill: 2, holder: null, delivery: null }, 'delivering fill 1 leads to fill 2');
  w.clock.set(DAY0 + 56 * DAY + 10 * 3_600_000);
  last = approve(w, 'rph-a', s.id, claimFill(last, 2), 2);
  last = dispense(w, 'rph-a', s.id, last, '28', [freshCode()], 2);
  last = w.step('rph-a', 'rx.collect', s.id, last, { fill: 2 });
  t.match(w.rx(s.id), { state: 'collected', holder: null, fill: 2 }, 'the last fill handed over ends the prescription');
  t.same(w.rx(s.id).fills.map((f) => f.lines.map((l) => l.dispensed)), [[28_000_000, 28_000_000], [28_000_000], [28_000_000]]);
  t.equal(effectiveState(w.rx(s.id), DAY0 + 200 * DAY), 'collected');
  refuses(t, w, () => claimFill(last, 2), 'RX_STATE_CONFLICT', 'claiming a finished prescription');
  replays(t, w);
});

t.test('a long prescription: an unclaimed fill lapses to the next; an owed balance does not', async (t) => {
  const w = createRxWorld();
  const long = { encounter: { longPrescription: true }, items: [longItem()] };
  const s = w.submit('dr-a', 'lapse', long);
  const o = w.submit('dr-a', 'owed', { ...long, patient: 2 });
  const claimFill = (id: string, previous: number, fill: number) => claim(w, 'rph-a', id, previous, { fill });

  w.clock.set(DAY0 + DAY - 1);
  t.equal(effectiveState(w.rx(s.id), w.clock()), 'active');
  w.clock.set(DAY0 + DAY);
  refuses(t, w, () => claimFill(s.id, s.last, 0), 'RX_FILL_WINDOW_CLOSED', 'fill 0 after the day of issue');
  refuses(t, w, () => claimFill(s.id, s.last, 1), 'RX_FILL_WINDOW_NOT_OPEN', 'fill 1 between the windows');
  t.equal(effectiveState(w.rx(s.id), w.clock()), 'active', 'between windows it has not expired');

  w.clock.set(DAY0 + 28 * DAY);
  let last = claimFill(s.id, s.last, 1);
  t.match(w.rx(s.id), { state: 'claimed', fill: 1 }, 'fill 0 lapsed unclaimed: fill 1 is claimed');
  last = w.step('rph-a', 'rx.return', s.id, last, { fill: 1, reason: 'out-of-stock' });
  t.match(w.rx(s.id), { state: 'active', fill: 1, holder: null });

  let owed = approve(w, 'rph-a', o.id, claimFill(o.id, o.last, 1), 1);
  owed = dispense(w, 'rph-a', o.id, owed, '10', [freshCode()], 1);
  owed = w.step('rph-a', 'rx.return', o.id, owed, { fill: 1, reason: 'out-of-stock' });
  t.match(w.rx(o.id), { state: 'active', fill: 1 });

  w.clock.set(DAY0 + 56 * DAY);
  refuses(t, w, () => claimFill(s.id, last, 1), 'RX_FILL_WINDOW_CLOSED', 'fill 1 after its window');
  refuses(t, w, () => claimFill(o.id, owed, 2), 'RX_FILL_NOT_CURRENT', 'fill 2 while fill 1 is part-dispensed and owed');
  refuses(t, w, () => claimFill(o.id, owed, 1), 'RX_FILL_WINDOW_CLOSED', 'nor can the owed fill be claimed after its window');
  last = approve(w, 'rph-a', s.id, claimFill(s.id, last, 2), 2);
  last = dispense(w, 'rph-a', s.id, last, '28', [freshCode()], 2);
  last = assign(w, 'rph-a', s.id, last, 'courier-1', 3, 2);
  last = courierStep(w, 'courier-1', 'rx.delivery-pickup', s.id, last, { fill: 2 });
  last = courierStep(w, 'courier-1', 'rx.delivery-in-transit', s.id, last, { fill: 2 });
  courierStep(w, 'courier-1', 'rx.delivery-complete', s.id, last, { fill: 2, pickupCode: pickupCode(3) });
  t.match(w.rx(s.id), { state: 'delivered', holder: null, delivery: null }, 'the last fill delivered ends it');

  w.clock.set(DAY0 + 84 * DAY);
  t.equal(effectiveState(w.rx(o.id), w.clock()), 'expired');
  refuses(t, w, () => claimFill(o.id, owed, 2), 'RX_EXPIRED', 'after the last window');
  replays(t, w);
});

t.test('expiry: past its last window an active prescription reads expired and cannot be claimed', async (t) => {
  const w = createRxWorld();
  const one = w.submit('dr-a', 'one-day');
  const three = w.submit('dr-a', 'three-days', { patient: 2, encounter: { validityDays: 3 } });
  const held = w.submit('dr-a', 'held', { patient: 3 });
  const heldLast = claim(w, 'rph-a', held.id, held.last);
  t.equal(effectiveState(w.rx(one.id), DAY0 + DAY - 1), 'active', 'active until midnight CST');
  t.equal(effectiveState(w.rx(one.id), DAY0 + DAY), 'expired', 'expired from midnight CST');
  t.equal(effectiveState(w.rx(three.id), DAY0 + 3 * DAY - 1), 'active');
  t.equal(effectiveState(w.rx(three.id), DAY0 + 3 * DAY), 'expired');

  w.clock.set(DAY0 + DAY);
  refuses(t, w, () => claim(w, 'rph-a', one.id, one.last), 'RX_EXPIRED', 'claimed the day after issue');
  t.equal(w.rx(one.id).state, 'active', '"expired" is derived, never stored');
  w.clock.set(DAY0 + 3 * DAY - 1);
  claim(w, 'rph-a', three.id, three.last);
  t.equal(w.rx(three.id).state, 'claimed', 'an extended validity can still be claimed on its last day');
  t.equal(effectiveState(w.rx(held.id), DAY0 + 30 * DAY), 'claimed', 'a held prescription does not read as expired');
  t.equal(w.rx(held.id).lastIndex, heldLast);
  w.clock.set(DAY0 + 3 * DAY);
  refuses(t, w, () => claim(w, 'rph-a', one.id, one.last), 'RX_EXPIRED', 'still expired later');
  replays(t, w);
});

t.test('a check result is admitted only if re-running the check reproduces it exactly', async (t) => {
  const w = createRxWorld();
  const p = w.build('dr-a', 'tamper', { items: [days(9)], encounter: { validityDays: 2 } });
  const index = w.log.length;
  const submission = admitEntry(w.state, 'rx.submit', w.body(w.sign('dr-a', 'rx.submit', w.submitPayload(p))), entryContext(w));
  if (submission.kind !== 'append' || submission.followUps === undefined) {
    t.fail('a submission asks for its check result');
    return;
  }
  w.state.apply(submission.mutations);
  t.equal(w.rx(p.prescriptionId).state, 'submitted');
  const records = submission.followUps(w.state);
  t.equal(records.length, 1);
  t.equal(records[0]!.type, 'rx.checked');
  const genuine = records[0]!.body;
  const findings = genuine.findings as JsonObject[];
  t.equal(genuine.outcome, 'awaiting-override');
  t.same(findings.map((f) => f.ruleId), ['reg.days-outpatient', 'reg.validity-extended']);

  const at: EntryContext = { ...entryContext(w), index: index + 1 };
  const judge = (body: JsonObject, ctx = at) => () => admitEntry(w.state, 'rx.checked', body, ctx);
  throwsCode(t, judge({ ...genuine, outcome: 'active' }), 'RX_CHECK_MISMATCH', 'outcome changed to active');
  throwsCode(t, judge({ ...genuine, findings: findings.slice(1) }), 'RX_CHECK_MISMATCH', 'the finding that needs an override removed');
  throwsCode(t, judge({ ...genuine, findings: findings.slice(0, 1) }), 'RX_CHECK_MISMATCH', 'an informational finding removed');
  throwsCode(t, judge({ ...genuine, findings: [...findings].reverse() }), 'RX_CHECK_MISMATCH', 'findings reordered');
  throwsCode(t, judge({ ...genuine, findings: [{ ...findings[0]!, action: 'warn' }, findings[1]!] }), 'RX_CHECK_MISMATCH', 'a finding downgraded');
  throwsCode(t, judge({ ...genuine, inputHash: '0'.repeat(64) }), 'RX_CHECK_MISMATCH', 'another input hash');
  throwsCode(t, judge({ ...genuine, submission: index - 1 }), 'RX_CHECK_MISMATCH', 'another submission index');
  throwsCode(t, judge({ ...genuine, ruleSet: 'f'.repeat(64) }), 'RX_CHECK_MISMATCH', 'a rule set nobody knows');
  throwsCode(t, judge({ ...genuine, extra: 1 }), 'RX_CHECK_MISMATCH', 'an extra field');
  throwsCode(t, judge(genuine, { ...at, time: at.time + 1 }), 'RX_CHECK_MISMATCH', 'the same body at another instant');
  throwsCode(t, judge({ ...genuine, prescriptionId: 'rx-unknown-000' }), 'RX_NOT_FOUND', 'about an unknown prescription');
  t.equal(w.rx(p.prescriptionId).state, 'submitted', 'nothing changed');

  const admitted = admitEntry(w.state, 'rx.checked', genuine, at);
  if (admitted.kind !== 'append') {
    t.fail('the genuine result is admitted');
    return;
  }
  w.state.apply(admitted.mutations);
  t.match(w.rx(p.prescriptionId), { state: 'awaiting-override', lastIndex: index + 1 });
  t.same(w.rx(p.prescriptionId).overrideRequired, ['reg.days-outpatient']);
  throwsCode(t, judge(genuine, { ...at, index: index + 2 }), 'RX_CHECK_MISMATCH', 'a second check result for the same submission');
});

t.test('an identical retry is answered with the original index and changes nothing', async (t) => {
  const w = createRxWorld();
  const p = w.build('dr-a', 'retry');
  const submit = w.sign('dr-a', 'rx.submit', w.submitPayload(p), 'submit-retry-0001');
  const at = w.log.length;
  t.equal(w.admit('rx.submit', w.body(submit)).kind, 'append');
  t.equal(w.log.length, at + 2);
  t.same(w.admit('rx.submit', w.body(submit)), { kind: 'replay', index: at }, 'a retried submission');
  t.equal(w.log.length, at + 2, 'no second entry, no second check result');
  const id = p.prescriptionId;
  const claimed = w.sign('rph-a', 'rx.claim', { prescriptionId: id, previous: at + 1, pharmacyId: 'ph-a', fill: 0 }, 'claim-retry-0001');
  t.equal(w.admit('rx.claim', w.body(claimed)).kind, 'append');
  const record = w.rx(id);
  t.same(w.admit('rx.claim', w.body(claimed)), { kind: 'replay', index: at + 2 }, 'a retried claim');
  t.equal(w.rx(id), record, 'the record is untouched');
  approve(w, 'rph-a', id, at + 2);
  t.same(w.admit('rx.claim', w.body(claimed)), { kind: 'replay', index: at + 2 }, 'still answered after the prescription moved on');
  const other = w.sign('rph-a', 'rx.return', { prescriptionId: id, previous: at + 3, fill: 0, reason: 'other' }, 'claim-retry-0001');
  refuses(t, w, () => w.admit('rx.return', w.body(other)), 'IDEMPOTENCY_KEY_CONFLICT', 'the same key for another statement');
  replays(t, w);
});

t.test('patient codes are hashed under their own domain prefix', async (t) => {
  // Cross-checked against node:crypto over the concatenated bytes.
  const reference = (prefix: string, code: string) => createHash('sha256').update(`${prefix}${code}`, 'utf8').digest('hex');
  t.equal(accessCodeHash(accessCode(1)), reference('rxledger/access-code/v1\n', accessCode(1)));
  t.equal(pickupCodeHash(pickupCode(1)), reference('rxledger/pickup-code/v1\n', pickupCode(1)));
  t.not(accessCodeHash(accessCode(1)), pickupCodeHash(accessCode(1)), 'the same code hashes apart as access and pickup code');
  t.ok(T0 > DAY0 && T0 - DAY0 === 9 * 3_600_000, 'the tests run at 09:00 CST');
});
