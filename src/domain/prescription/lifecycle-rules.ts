/**
 * The prescription lifecycle as rules over the ledger's derived state (docs/LIFECYCLE.md). Like the
 * registry rules, they are pure functions the ledger runs inside the commit transaction and the
 * verifier runs during replay, over the same kind of view, so both reach the same verdict on every
 * entry. An action is judged after its statement is authenticated and its role allowed
 * (registry-rules.ts); here: does the prescription exist, is the signer a party to it, is the
 * action legal in its state, and does the statement name the prescription's latest entry.
 *
 * The check order decides which rule a refused request names: ownership and state first, then the
 * `previous` reference. So when many pharmacies race for one claim, the losers hear
 * RX_HELD_BY_ANOTHER_PHARMACY, not merely that their view was stale.
 */
import { RxError } from '../../core/errors.js';
import type { JsonObject } from '../../core/canonical-json.js';
import type { SignedStatement } from '../../core/statement.js';
import type { Prescription } from '../../../schemas/prescription.js';
import { LIFECYCLE_PAYLOADS, type LifecycleAction } from '../../../schemas/lifecycle.js';
import type { ActorRecord } from '../registry/registry-rules.js';
import { dayOf, startOfDay } from './calendar.js';
import { activeChecker, type RuleSetLibrary } from '../checker/rule-set-activation.js';
import { checkResultRecord, TRACE_FLAG_TYPE } from './lifecycle-records.js';
import { fail, load, P, put, type LedgerRecord, type StateView } from './rule-support.js';
import { accessCodeHash, pickupCodeHash } from './patient-codes.js';
import type { Fill, PrescriptionMutation, PrescriptionRecord, PrescriptionState } from './prescription-record.js';
import { toMicros } from './quantities.js';
import { zodIssuePaths } from '../../core/issue-paths.js';

export interface LifecycleContext {
  readonly index: number;
  readonly time: number;
  /** The rule sets this process can run; submissions are checked with the log's active one. */
  readonly ruleSets: RuleSetLibrary;
  /**
   * True when the payload is already the output of its action's schema (LIFECYCLE_PAYLOADS): the
   * ledger validated the entry body with the entry schema, which parses the payload with that same
   * schema and keeps what it returned (signedStatementBody). It is then not parsed again.
   */
  readonly payloadParsed?: boolean;
}

export type Transition =
  | { readonly kind: 'append'; readonly mutations: PrescriptionMutation[]; readonly followUps?: (view: StateView) => LedgerRecord[] }
  /** Refused, but the attempt itself is evidence: the ledger records `record` instead. */
  | { readonly kind: 'refuse'; readonly error: RxError; readonly record: LedgerRecord };

function parse<A extends LifecycleAction>(action: A, payload: unknown, ctx: LifecycleContext): import('zod').infer<(typeof LIFECYCLE_PAYLOADS)[A]> {
  if (ctx.payloadParsed === true) return payload as never;
  const parsed = LIFECYCLE_PAYLOADS[action].safeParse(payload);
  if (!parsed.success) fail('ENTRY_BODY_INVALID', 'payload does not match the action', zodIssuePaths(parsed.error.issues, [P]));
  return parsed.data as never;
}

function expectState(rx: PrescriptionRecord, allowed: readonly PrescriptionState[], action: string): void {
  if (!allowed.includes(rx.state)) fail('RX_STATE_CONFLICT', `${action} is not allowed while the prescription is ${rx.state}`, [`${P}.prescriptionId`]);
}

function expectPrevious(rx: PrescriptionRecord, previous: number): void {
  if (previous !== rx.lastIndex) fail('RX_PREVIOUS_MISMATCH', `the prescription's latest entry is ${rx.lastIndex}`, [`${P}.previous`]);
}

function expectFill(rx: PrescriptionRecord, fill: number): void {
  if (fill !== rx.fill) fail('RX_FILL_NOT_CURRENT', `the current fill is ${rx.fill}`, [`${P}.fill`]);
}

/** The signer works for the pharmacy holding the prescription. */
function expectHolder(rx: PrescriptionRecord, actor: ActorRecord): void {
  if (rx.holder === null || actor.institutionId !== rx.holder) fail('RX_HELD_BY_ANOTHER_PHARMACY', 'another pharmacy holds this prescription, or none does', [`${P}.prescriptionId`]);
}

/**
 * The prescription a pharmacy step acts on, after the checks every such step makes in this order:
 * it exists, the signer's pharmacy holds it, its state allows the step, and the step is about the
 * current fill.
 */
function heldPrescription(view: StateView, actor: ActorRecord, p: { prescriptionId: string; fill: number }, states: readonly PrescriptionState[], action: string): PrescriptionRecord {
  const rx = load(view, p.prescriptionId);
  expectHolder(rx, actor);
  expectState(rx, states, action);
  expectFill(rx, p.fill);
  return rx;
}

function expectPrescriber(rx: PrescriptionRecord, actor: ActorRecord): void {
  // Colleagues at the prescribing institution may cancel or revise (the prescriber may be off duty);
  // an override is the prescriber's own second signature (双签) and is checked separately.
  if (actor.institutionId !== rx.institutionId) fail('RX_PARTY_MISMATCH', 'the prescription belongs to another institution', [`${P}.prescriptionId`]);
}

const addParty = (rx: PrescriptionRecord, party: string): readonly string[] => (rx.parties.includes(party) ? rx.parties : [...rx.parties, party]);
const owing = (fill: Fill): number => fill.lines.reduce((sum, l) => sum + (l.prescribed - l.dispensed), 0);
const dispensedAny = (fill: Fill): boolean => fill.lines.some((l) => l.dispensed > 0);

/** The state after a fill's goods are handed over: more owed, the next fill, or done. */
function afterHandover(rx: PrescriptionRecord, handedOver: 'delivered' | 'collected'): Partial<PrescriptionRecord> {
  const fill = rx.fills[rx.fill]!;
  if (owing(fill) > 0) return { state: 'partially-dispensed', delivery: null };
  if (rx.fill + 1 < rx.fills.length) return { state: 'active', fill: rx.fill + 1, holder: null, delivery: null };
  return { state: handedOver, holder: null, delivery: null };
}

function buildFills(p: Prescription): Fill[] {
  const repeats = Math.max(0, ...p.items.map((i) => i.repeats?.count ?? 0));
  const interval = p.items.find((i) => i.repeats !== undefined)?.repeats?.intervalDays ?? 0;
  const fills: Fill[] = [];
  for (let k = 0; k <= repeats; k++) {
    fills.push({
      number: k,
      opensAt: startOfDay(p.encounter.date, k * interval),
      // The first fill is claimable during the prescription's validity; each repeat until the next one opens.
      closesAt: k === 0 ? startOfDay(p.encounter.date, p.encounter.validityDays) : startOfDay(p.encounter.date, (k + 1) * interval),
      lines: p.items.filter((i) => k === 0 || (i.repeats?.count ?? 0) >= k).map((i) => ({ line: i.line, prescribed: toMicros(i.quantity.value), dispensed: 0 })),
    });
  }
  return fills;
}

function submit(view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext): Transition {
  const p = parse('rx.submit', payload, ctx);
  const rx = p.prescription;
  const checker = activeChecker(view, ctx.ruleSets);
  if (rx.prescriberId !== actor.actorId) fail('RX_PRESCRIBER_MISMATCH', 'the prescription names another prescriber than the signer', [`${P}.prescription.prescriberId`]);
  if (rx.institutionId !== actor.institutionId) fail('RX_PRESCRIBER_MISMATCH', 'the prescription names another institution than the signer’s', [`${P}.prescription.institutionId`]);
  if (rx.encounter.date !== dayOf(ctx.time)) fail('RX_DATE_MISMATCH', 'a prescription is signed on its day of issue (China Standard Time)', [`${P}.prescription.encounter.date`]);
  if (view.prescription(rx.prescriptionId) !== undefined) fail('RX_ID_TAKEN', 'this prescription id is already in the ledger', [`${P}.prescription.prescriptionId`]);
  if (p.routing.mode !== 'open') {
    const pharmacy = view.institution(p.routing.pharmacyId);
    if (pharmacy === undefined || pharmacy.kind !== 'pharmacy') fail('REGISTRY_REFERENCE_UNKNOWN', 'no such pharmacy', [`${P}.routing.pharmacyId`]);
  }
  const mutations: PrescriptionMutation[] = [];
  if (p.revises !== undefined) {
    const old = load(view, p.revises, `${P}.revises`);
    expectPrescriber(old, actor);
    if (old.pseudonym !== rx.patient.pseudonym) fail('RX_NOT_REVISABLE', 'a revision is for the same patient', [`${P}.revises`]);
    if (!['awaiting-override', 'active', 'refused', 'rejected'].includes(old.state) || old.holder !== null || old.fills.some(dispensedAny)) {
      fail('RX_NOT_REVISABLE', `a prescription that is ${old.state} cannot be revised`, [`${P}.revises`]);
    }
    mutations.push(put({ ...old, state: 'superseded', supersededBy: rx.prescriptionId, lastIndex: ctx.index }));
  }
  const institution = view.institution(rx.institutionId)!;
  const record: PrescriptionRecord = {
    prescriptionId: rx.prescriptionId,
    prescriberId: rx.prescriberId,
    institutionId: rx.institutionId,
    city: institution.region.slice(0, 4),
    pseudonym: rx.patient.pseudonym,
    identityCommitment: rx.patient.identityCommitment,
    routing: p.routing,
    accessCodes: p.accessCodes ?? [],
    spentAccessCodes: [],
    state: 'submitted',
    submittedAt: ctx.index,
    lastIndex: ctx.index,
    fills: buildFills(rx),
    fill: 0,
    holder: null,
    cancelPending: false,
    delivery: null,
    overrideRequired: [],
    parties: p.routing.mode === 'open' ? [] : [p.routing.pharmacyId],
    revises: p.revises ?? null,
    supersededBy: null,
    prescription: rx,
  };
  mutations.push(put(record));
  // The check runs once the submission is in the view (and what it revises is superseded), and
  // its result is the very next entry, in the same commit.
  return { kind: 'append', mutations, followUps: (after) => [checkResultRecord(after, rx.prescriptionId, { ...ctx, index: ctx.index + 1 }, checker)] };
}

function override(view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext): Transition {
  const p = parse('rx.override', payload, ctx);
  const rx = load(view, p.prescriptionId);
  // 双签 is the prescriber's own second signature: a colleague cannot give it.
  if (actor.actorId !== rx.prescriberId) fail('RX_PARTY_MISMATCH', 'only the prescriber may override the checker', [`${P}.prescriptionId`]);
  expectState(rx, ['awaiting-override'], 'an override');
  const given = new Set(p.reasons.map((r) => r.ruleId));
  const missing = rx.overrideRequired.filter((id) => !given.has(id));
  if (missing.length > 0) fail('RX_OVERRIDE_INCOMPLETE', `reasons are missing for: ${missing.join(', ')}`, [`${P}.reasons`]);
  const extra = p.reasons.findIndex((r) => !rx.overrideRequired.includes(r.ruleId));
  if (extra >= 0) fail('RX_OVERRIDE_INCOMPLETE', 'a reason names a rule that needs no override', [`${P}.reasons.${extra}.ruleId`]);
  expectPrevious(rx, p.previous);
  return { kind: 'append', mutations: [put({ ...rx, state: 'active', lastIndex: ctx.index })] };
}

function cancel(view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext): Transition {
  const p = parse('rx.cancel', payload, ctx);
  const rx = load(view, p.prescriptionId);
  expectPrescriber(rx, actor);
  if (rx.cancelPending) fail('RX_CANCEL_PENDING', 'cancellation is already pending', [`${P}.prescriptionId`]);
  const immediate = ['awaiting-override', 'active', 'submitted'].includes(rx.state);
  // While a pharmacy holds it the cancellation waits for the pharmacy to hand it back (NHS EPS
  // "pending cancellation"); nothing more is dispensed meanwhile.
  const pending = ['claimed', 'approved', 'partially-dispensed'].includes(rx.state);
  if (!immediate && !pending) fail('RX_NOT_CANCELLABLE', `a prescription that is ${rx.state} cannot be cancelled`, [`${P}.prescriptionId`]);
  expectPrevious(rx, p.previous);
  return { kind: 'append', mutations: [put(pending ? { ...rx, cancelPending: true, lastIndex: ctx.index } : { ...rx, state: 'cancelled', lastIndex: ctx.index })] };
}

function claim(view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext): Transition {
  const p = parse('rx.claim', payload, ctx);
  const rx = load(view, p.prescriptionId);
  if (actor.institutionId !== p.pharmacyId) fail('RX_PARTY_MISMATCH', 'a pharmacist claims for their own pharmacy', [`${P}.pharmacyId`]);
  if (rx.holder !== null) fail('RX_HELD_BY_ANOTHER_PHARMACY', rx.holder === p.pharmacyId ? 'this pharmacy already holds it' : 'another pharmacy holds this prescription', [`${P}.prescriptionId`]);
  expectState(rx, ['active'], 'a claim');
  if (rx.routing.mode !== 'open') {
    if (rx.routing.pharmacyId !== p.pharmacyId) fail('RX_ROUTED_ELSEWHERE', `the prescription is ${rx.routing.mode} to another pharmacy`, [`${P}.pharmacyId`]);
    if (p.accessCode !== undefined) fail('RX_ACCESS_CODE_INVALID', 'a routed prescription is claimed without an access code', [`${P}.accessCode`]);
  } else {
    const pharmacy = view.institution(p.pharmacyId);
    if (pharmacy === undefined || pharmacy.region.slice(0, 4) !== rx.city) fail('RX_REGION_MISMATCH', 'open prescriptions are claimed by pharmacies in the prescribing city', [`${P}.pharmacyId`]);
    if (p.accessCode === undefined) fail('RX_ACCESS_CODE_INVALID', 'an access code is required', [`${P}.accessCode`]);
    const hash = accessCodeHash(p.accessCode!);
    if (!rx.accessCodes.includes(hash)) fail('RX_ACCESS_CODE_INVALID', 'the access code does not match', [`${P}.accessCode`]);
    if (rx.spentAccessCodes.includes(hash)) fail('RX_ACCESS_CODE_SPENT', 'the access code has been used for a claim already', [`${P}.accessCode`]);
  }
  // Fills are claimed in order; a repeat whose window passed unclaimed lapses.
  if (p.fill < rx.fill || p.fill >= rx.fills.length) fail('RX_FILL_NOT_CURRENT', `fills ${rx.fill}–${rx.fills.length - 1} remain`, [`${P}.fill`]);
  const fill = rx.fills[p.fill]!;
  if (ctx.time >= rx.fills[rx.fills.length - 1]!.closesAt) fail('RX_EXPIRED', 'the prescription has expired', [`${P}.prescriptionId`]);
  if (ctx.time < fill.opensAt) fail('RX_FILL_WINDOW_NOT_OPEN', 'this fill cannot be claimed yet', [`${P}.fill`]);
  if (ctx.time >= fill.closesAt) fail('RX_FILL_WINDOW_CLOSED', 'this fill’s window has passed', [`${P}.fill`]);
  if (p.fill > rx.fill && dispensedAny(rx.fills[rx.fill]!)) fail('RX_FILL_NOT_CURRENT', 'the current fill is still owed', [`${P}.fill`]);
  expectPrevious(rx, p.previous);
  const spent = p.accessCode === undefined ? rx.spentAccessCodes : [...rx.spentAccessCodes, accessCodeHash(p.accessCode)];
  return {
    kind: 'append',
    mutations: [put({ ...rx, state: 'claimed', holder: p.pharmacyId, fill: p.fill, spentAccessCodes: spent, parties: addParty(rx, p.pharmacyId), lastIndex: ctx.index })],
  };
}

function review(view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext): Transition {
  const p = parse('rx.review', payload, ctx);
  const rx = heldPrescription(view, actor, p, ['claimed'], 'a review');
  expectPrevious(rx, p.previous);
  // A refusal goes back to the prescriber, and settles any pending cancellation.
  const next: Partial<PrescriptionRecord> = p.decision === 'approve' ? { state: 'approved' } : rx.cancelPending ? { state: 'cancelled', holder: null } : { state: 'refused', holder: null };
  return { kind: 'append', mutations: [put({ ...rx, ...next, lastIndex: ctx.index })] };
}

function returnToActive(view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext): Transition {
  const p = parse('rx.return', payload, ctx);
  const rx = heldPrescription(view, actor, p, ['claimed', 'approved', 'partially-dispensed'], 'a return');
  expectPrevious(rx, p.previous);
  if (rx.cancelPending) return { kind: 'append', mutations: [put({ ...rx, state: 'cancelled', holder: null, lastIndex: ctx.index })] };
  // What is still owed on the fill stays owed: the next pharmacy to claim it dispenses the balance.
  return { kind: 'append', mutations: [put({ ...rx, state: 'active', holder: null, lastIndex: ctx.index })] };
}

function dispense(view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext, signed: SignedStatement): Transition {
  const p = parse('rx.dispense', payload, ctx);
  const rx = load(view, p.prescriptionId);
  expectHolder(rx, actor);
  expectState(rx, ['approved', 'partially-dispensed'], 'dispensing');
  if (rx.cancelPending) fail('RX_CANCEL_PENDING', 'the prescriber has cancelled this prescription', [`${P}.prescriptionId`]);
  expectFill(rx, p.fill);
  const fill = rx.fills[rx.fill]!;
  const lines = fill.lines.map((l) => ({ ...l }));
  const codes: string[] = [];
  p.lines.forEach((d, n) => {
    const line = lines.find((l) => l.line === d.line);
    if (line === undefined) fail('RX_LINE_UNKNOWN', 'no such line in this fill', [`${P}.lines.${n}.line`]);
    const quantity = toMicros(d.quantity);
    if (quantity === 0) fail('ENTRY_BODY_INVALID', 'a dispensed quantity is positive', [`${P}.lines.${n}.quantity`]);
    if (line!.dispensed + quantity > line!.prescribed) fail('RX_QUANTITY_EXCEEDS_OWING', 'more than is owed on the line', [`${P}.lines.${n}.quantity`]);
    line!.dispensed += quantity;
    codes.push(...d.traceabilityCodes);
  });
  if (new Set(codes).size !== codes.length) fail('RX_TRACE_CODE_DUPLICATE', 'a traceability code appears twice in this dispensing', [`${P}.lines`]);
  const seen = codes.flatMap((code) => {
    const first = view.traceabilityCode(code);
    return first === undefined ? [] : [{ code, prescriptionId: first.prescriptionId, index: first.index }];
  });
  if (seen.length > 0) {
    // A pack sold twice is counterfeit, resold (回流药) or substituted: refuse, and put the signed
    // attempt on the record for the regulator.
    const error = new RxError('RX_TRACE_CODE_DUPLICATE', 'a traceability code has been dispensed before', { paths: [`${P}.lines`] });
    return { kind: 'refuse', error, record: { type: TRACE_FLAG_TYPE, body: { reason: 'traceability-code-reused', attempt: signed, firstDispensed: seen } as unknown as JsonObject, mutations: [] } };
  }
  expectPrevious(rx, p.previous);
  const done = lines.every((l) => l.dispensed === l.prescribed);
  const fills = rx.fills.map((f, i) => (i === rx.fill ? { ...f, lines } : f));
  return {
    kind: 'append',
    mutations: [
      put({ ...rx, fills, state: done ? 'dispensed' : 'partially-dispensed', lastIndex: ctx.index }),
      ...(codes.length > 0 ? [{ kind: 'rx-trace-codes' as const, prescriptionId: rx.prescriptionId, index: ctx.index, codes }] : []),
    ],
  };
}

function assignDelivery(view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext): Transition {
  const p = parse('rx.delivery-assign', payload, ctx);
  const rx = heldPrescription(view, actor, p, ['dispensed', 'partially-dispensed'], 'a delivery assignment');
  const courier = view.actor(p.courierId);
  if (courier === undefined || courier.role !== 'courier') fail('REGISTRY_REFERENCE_UNKNOWN', 'no such courier', [`${P}.courierId`]);
  if (courier!.suspended) fail('AUTH_ACTOR_SUSPENDED', 'the courier is suspended', [`${P}.courierId`]);
  expectPrevious(rx, p.previous);
  return {
    kind: 'append',
    mutations: [put({ ...rx, state: 'delivery-assigned', delivery: { courierId: p.courierId, pickupCodeHash: p.pickupCodeHash }, parties: addParty(rx, p.courierId), lastIndex: ctx.index })],
  };
}

function courierStep(action: 'rx.delivery-pickup' | 'rx.delivery-in-transit' | 'rx.delivery-complete' | 'rx.delivery-fail') {
  return (view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext): Transition => {
    const p = parse(action, payload, ctx);
    const rx = load(view, p.prescriptionId);
    if (rx.delivery === null) {
      // No delivery is out. For a courier who carried it, a step that lost the race against its
      // own other step (delivered against failed, say) meets the state, not a stranger's parcel:
      // it hears RX_STATE_CONFLICT (409), as a pharmacy losing a race does, not a 403.
      if (!rx.parties.includes(actor.actorId)) fail('RX_PARTY_MISMATCH', 'this prescription is not out with this courier', [`${P}.prescriptionId`]);
      fail('RX_STATE_CONFLICT', `${action} is not allowed while the prescription is ${rx.state} with no delivery out`, [`${P}.prescriptionId`]);
    }
    if (rx.delivery!.courierId !== actor.actorId) fail('RX_PARTY_MISMATCH', 'this delivery is assigned to another courier', [`${P}.prescriptionId`]);
    const from: Record<typeof action, PrescriptionState[]> = {
      'rx.delivery-pickup': ['delivery-assigned'],
      'rx.delivery-in-transit': ['picked-up'],
      'rx.delivery-complete': ['picked-up', 'in-transit'],
      'rx.delivery-fail': ['delivery-assigned', 'picked-up', 'in-transit'],
    };
    expectState(rx, from[action], action);
    expectFill(rx, p.fill);
    if (action === 'rx.delivery-complete' && pickupCodeHash((p as { pickupCode: string }).pickupCode) !== rx.delivery!.pickupCodeHash) {
      fail('RX_PICKUP_CODE_INVALID', 'the pickup code does not match', [`${P}.pickupCode`]);
    }
    expectPrevious(rx, p.previous);
    const fill = rx.fills[rx.fill]!;
    const next: Partial<PrescriptionRecord> =
      action === 'rx.delivery-pickup'
        ? { state: 'picked-up' }
        : action === 'rx.delivery-in-transit'
          ? { state: 'in-transit' }
          : action === 'rx.delivery-complete'
            ? afterHandover(rx, 'delivered')
            : // A failed delivery goes back to the pharmacy, which may assign again or hand over at the counter.
              { state: owing(fill) > 0 ? 'partially-dispensed' : 'dispensed', delivery: null };
    return { kind: 'append', mutations: [put({ ...rx, ...next, lastIndex: ctx.index })] };
  };
}

function collect(view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext): Transition {
  const p = parse('rx.collect', payload, ctx);
  const rx = heldPrescription(view, actor, p, ['dispensed', 'partially-dispensed'], 'a collection');
  expectPrevious(rx, p.previous);
  return { kind: 'append', mutations: [put({ ...rx, ...afterHandover(rx, 'collected'), lastIndex: ctx.index })] };
}

type Rule = (view: StateView, actor: ActorRecord, payload: unknown, ctx: LifecycleContext, signed: SignedStatement) => Transition;

const RULES: Readonly<Record<LifecycleAction, Rule>> = {
  'rx.submit': submit,
  'rx.override': override,
  'rx.cancel': cancel,
  'rx.claim': claim,
  'rx.review': review,
  'rx.return': returnToActive,
  'rx.dispense': dispense,
  'rx.delivery-assign': assignDelivery,
  'rx.delivery-pickup': courierStep('rx.delivery-pickup'),
  'rx.delivery-in-transit': courierStep('rx.delivery-in-transit'),
  'rx.delivery-complete': courierStep('rx.delivery-complete'),
  'rx.delivery-fail': courierStep('rx.delivery-fail'),
  'rx.collect': collect,
};

export const isLifecycleAction = (action: string): action is LifecycleAction => Object.hasOwn(LIFECYCLE_PAYLOADS, action);

/** The lifecycle's verdict on an authenticated, role-checked statement. */
export function lifecycleTransition(view: StateView, actor: ActorRecord, signed: SignedStatement, ctx: LifecycleContext): Transition {
  const action = signed.statement.action;
  if (!isLifecycleAction(action)) return fail('ENTRY_TYPE_UNKNOWN', 'not a lifecycle action', ['body.statement.action']);
  return RULES[action](view, actor, signed.statement.payload, ctx, signed);
}
