/**
 * The lifecycle's ledger records, written by the ledger itself and judged again by the verifier:
 * `rx.checked`, the check result that follows every submission in the same commit (the verifier
 * re-runs the check and must obtain the identical body), and `rx.flag`, written in place of a
 * dispensing that reused a traceability code (the verifier judges the attempt again and must
 * obtain the identical flag: admission.ts).
 */
import { canonicalJson, type JsonObject } from '../../core/canonical-json.js';
import { RxError } from '../../core/errors.js';
import { runCheck, type CheckResult, type OtherPrescription } from './checker.js';
import type { Prescription } from '../../../schemas/prescription.js';
import { activeChecker, type ActiveChecker, type RuleSetLibrary } from '../checker/rule-set-activation.js';
import { stateAt, type PrescriptionMutation } from './prescription-record.js';
import { fail, load, put, type LedgerRecord, type StateView } from './rule-support.js';

export const CHECK_RESULT_TYPE = 'rx.checked';
export const TRACE_FLAG_TYPE = 'rx.flag';

/**
 * The patient's other live prescriptions at `time`, as the checker sees them: sorted, summarised.
 * One past its last claim window reads as expired (stateAt) and no longer counts.
 */
function otherPrescriptions(view: StateView, pseudonym: string, exceptId: string, time: number): OtherPrescription[] {
  return view
    .livePrescriptionsOf(pseudonym, exceptId)
    .filter((o) => stateAt(o.state, o.closesAt, time) !== 'expired')
    .sort((a, b) => (a.prescriptionId < b.prescriptionId ? -1 : 1))
    .map((o) => ({ prescriptionId: o.prescriptionId, institutionId: o.institutionId, prescriberId: o.prescriberId, items: o.items }));
}

/**
 * Checks a prescription as the ledger would at `time`: against the patient's other live
 * prescriptions and the prescriber's privileges as the registry holds them now (the verifier,
 * replaying, sees the same at the same index). Also what a prescriber's dry run gets.
 */
export function checkPrescription(view: StateView, p: Prescription, time: number, checker: ActiveChecker): CheckResult {
  const prescriberPrivileges = view.actor(p.prescriberId)?.privileges ?? null;
  return runCheck(checker.ruleSet, { prescription: p, others: otherPrescriptions(view, p.patient.pseudonym, p.prescriptionId, time), instant: time, prescriberPrivileges }, checker.policy);
}

/** The `rx.checked` record for a submitted prescription, at `ctx.index` and `ctx.time`. */
export function checkResultRecord(view: StateView, prescriptionId: string, ctx: { index: number; time: number }, checker: ActiveChecker): LedgerRecord {
  const rx = load(view, prescriptionId);
  const result = checkPrescription(view, rx.prescription, ctx.time, checker);
  // Object.assign rather than spreads (same members, same order): on Node 20 a spread copy of a
  // record with members added or replaced costs microseconds.
  const body = Object.assign({ prescriptionId, submission: rx.submittedAt }, result) as unknown as JsonObject;
  const overrideRequired = result.findings.filter((f) => f.action === 'override').map((f) => f.ruleId);
  return { type: CHECK_RESULT_TYPE, body, mutations: [put(Object.assign({}, rx, { state: result.outcome, overrideRequired, lastIndex: ctx.index }))] };
}

/**
 * Judges an `rx.checked` record by re-running the check: the recorded body must equal, field for
 * field, the result the log's active rule set gives on the same inputs at the same index and time
 * (so a check made with any other rule set, however lax, is a mismatch).
 */
export function admitCheckResult(view: StateView, body: JsonObject, ctx: { index: number; time: number }, ruleSets: RuleSetLibrary): PrescriptionMutation[] {
  const id = typeof body.prescriptionId === 'string' ? body.prescriptionId : '';
  const rx = load(view, id, 'body.prescriptionId');
  if (rx.state !== 'submitted') fail('RX_CHECK_MISMATCH', 'a check result for a prescription that is not awaiting one', ['body.prescriptionId']);
  const active = view.activeRuleSet();
  if (active === undefined || body.ruleSet !== active.hash) fail('RX_CHECK_MISMATCH', 'the check names another rule set than the active one', ['body.ruleSet']);
  const expected = checkResultRecord(view, id, ctx, activeChecker(view, ruleSets));
  if (canonicalJson(expected.body) !== canonicalJson(body)) fail('RX_CHECK_MISMATCH', 're-running the check gives a different result', ['body']);
  return expected.mutations;
}

/**
 * The refusal an identical retry of a recorded-and-refused statement hears again. The record of
 * type `type` spent the attempt's idempotency key, so the retry is recognised as a replay of it;
 * it must not be answered as if the attempt had been recorded, nor flagged a second time.
 */
export function refusalRecordedBy(type: string): RxError | undefined {
  if (type !== TRACE_FLAG_TYPE) return undefined;
  return new RxError('RX_TRACE_CODE_DUPLICATE', 'a traceability code has been dispensed before; this attempt is already on the record', { paths: ['body.statement.payload.lines'] });
}
