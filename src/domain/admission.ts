/**
 * The single entry point that judges an entry (type and body as they stand in the ledger), shared
 * by the ledger at sequencing and the verifier at replay. Refuse by default: an entry is admitted
 * only if it is one of the ledger's own records (written by the ledger, covered by its
 * checkpoints) or a signed statement whose action has rules: the registry's
 * (registry/registry-rules.ts) or the prescription lifecycle's (prescription/lifecycle-rules.ts).
 * A new entry type therefore cannot be recorded until its rules exist.
 */
import { RxError } from '../core/errors.js';
import { canonicalJson, type JsonObject } from '../core/canonical-json.js';
import { SignedStatementSchema, type SignedStatement } from '../core/statement.js';
import { AUTH_POLICY_TYPE, AuthPolicyBodySchema, LEDGER_RECORD_TYPES } from './entry-types.js';
import { GENESIS_OPERATOR_TYPE } from './registry/registry-entry-types.js';
import { REGISTRY_PAYLOADS } from './registry/registry-model.js';
import {
  admitGenesisOperator,
  authenticateStatement,
  registryMutations,
  type AdmitContext,
  type RegistryMutation,
  type StatementDigest,
} from './registry/registry-rules.js';
import { isLifecycleAction, lifecycleTransition } from './prescription/lifecycle-rules.js';
import { admitCheckResult, CHECK_RESULT_TYPE, TRACE_FLAG_TYPE } from './prescription/lifecycle-records.js';
import type { StateView } from './prescription/rule-support.js';
import type { PrescriptionMutation } from './prescription/prescription-record.js';
import { admitRuleSetActivation, RULE_SET_TYPE, type RuleSetLibrary, type RuleSetMutation } from './checker/rule-set-activation.js';
import { ERASE_IDENTITY_ACTION } from './patient/identity-erasure.js';

export type StateMutation = RegistryMutation | PrescriptionMutation | RuleSetMutation;
export type { StateView };

/** An entry the ledger writes itself, right after (or instead of) the entry being judged. */
export interface FollowUp {
  readonly type: string;
  readonly body: JsonObject;
  readonly mutations: readonly StateMutation[];
}

export type EntryAdmission =
  | { readonly kind: 'append'; readonly mutations: readonly StateMutation[]; readonly followUps?: (view: StateView) => FollowUp[] }
  /** An idempotent retry: the original entry stands and nothing is written. */
  | { readonly kind: 'replay'; readonly index: number }
  /** The entry is refused with `error`, and `record` is written in its place as evidence. */
  | { readonly kind: 'refuse'; readonly error: RxError; readonly record: FollowUp };

export interface EntryContext extends AdmitContext {
  /** The rule sets this process can run, by hash: activations name one, checks re-run the active one. */
  readonly ruleSets: RuleSetLibrary;
}

/**
 * `digest`, if given, is the body's statement's (see StatementDigest): it saves computing it again.
 * `bodyParsed` says that `body` is what this type's schema in ENTRY_BODY_SCHEMAS returned (the
 * ledger validated the append with it): a signed statement's envelope and payload are then not
 * parsed again. Anything else (the verifier's replay, a ledger with other schemas) is parsed here.
 */
export function admitEntry(view: StateView, type: string, body: JsonObject, ctx: EntryContext, digest?: StatementDigest, bodyParsed = false): EntryAdmission {
  if (type === AUTH_POLICY_TYPE) {
    const parsed = AuthPolicyBodySchema.safeParse(body);
    if (!parsed.success) throw new RxError('ENTRY_BODY_INVALID', 'not an authentication policy', { paths: ['body'] });
    return { kind: 'append', mutations: [{ kind: 'auth-policy', timestampWindowMs: parsed.data.timestampWindowMs }] };
  }
  if (type === RULE_SET_TYPE) return { kind: 'append', mutations: admitRuleSetActivation(body, ctx.index, ctx.ruleSets) };
  if (LEDGER_RECORD_TYPES.has(type)) return { kind: 'append', mutations: [] };
  if (type === CHECK_RESULT_TYPE) return { kind: 'append', mutations: admitCheckResult(view, body, ctx, ctx.ruleSets) };
  if (type === TRACE_FLAG_TYPE) return { kind: 'append', mutations: admitTraceFlag(view, body, ctx) };
  const registryAction = Object.hasOwn(REGISTRY_PAYLOADS, type);
  const erasure = type === ERASE_IDENTITY_ACTION;
  if (!registryAction && !erasure && !isLifecycleAction(type)) throw new RxError('ENTRY_TYPE_UNKNOWN', 'no admission rules for this entry type', { paths: ['type'] });
  const signed = bodyParsed ? (body as unknown as SignedStatement) : parseSignedStatement(body);
  if (signed.statement.action !== type) throw new RxError('ENTRY_BODY_INVALID', 'the statement action must equal the entry type', { paths: ['body.statement.action'] });
  if (type === GENESIS_OPERATOR_TYPE) return admitGenesisOperator(view, signed, ctx);
  const auth = authenticateStatement(view, signed, ctx, digest);
  if (auth.kind === 'replay') return auth;
  if (registryAction) return { kind: 'append', mutations: [...registryMutations(view, type, signed.statement.payload, ctx), auth.spend] };
  // The erasure changes nothing the ledger derives: the identity store acts on it once it is durable.
  if (erasure) return { kind: 'append', mutations: [auth.spend] };
  const transition = lifecycleTransition(view, auth.actor, signed, { index: ctx.index, time: ctx.time, ruleSets: ctx.ruleSets, payloadParsed: bodyParsed });
  // The record written in the refused statement's place (a flag) spends its nonce and idempotency key.
  if (transition.kind === 'refuse') return { ...transition, record: { ...transition.record, mutations: [...transition.record.mutations, auth.spend] } };
  return { kind: 'append', mutations: [...transition.mutations, auth.spend], ...(transition.followUps ? { followUps: transition.followUps } : {}) };
}

/**
 * Judges an `rx.flag` record by judging its attempt again, at the flag's index and time, exactly
 * as the ledger judged it when it wrote the flag in the attempt's place: the attempt must be a
 * signed `rx.dispense` that authenticates as a fresh statement (signature, key standing, timestamp
 * window, actor, role, nonce and idempotency key unspent), and the lifecycle rules must refuse it
 * for reused traceability codes with this very flag. So the log can hold a flag only where the
 * ledger had to write one. The flag spends the attempt's nonce and idempotency key, as recording
 * the attempt would have: one signed attempt is flagged once.
 */
function admitTraceFlag(view: StateView, body: JsonObject, ctx: EntryContext): StateMutation[] {
  const attempt = SignedStatementSchema.safeParse(body.attempt);
  if (!attempt.success || attempt.data.statement.action !== 'rx.dispense') {
    throw new RxError('RX_FLAG_UNFOUNDED', 'the flag does not carry a signed dispensing attempt', { paths: ['body.attempt'] });
  }
  const signed = attempt.data as SignedStatement;
  const auth = authenticateStatement(view, signed, ctx);
  if (auth.kind === 'replay') throw new RxError('RX_FLAG_UNFOUNDED', 'the flagged attempt is already on the record', { paths: ['body.attempt'] });
  let transition: ReturnType<typeof lifecycleTransition>;
  try {
    transition = lifecycleTransition(view, auth.actor, signed, { index: ctx.index, time: ctx.time, ruleSets: ctx.ruleSets });
  } catch (err) {
    if (!(err instanceof RxError)) throw err;
    // Refused for another reason: the ledger would have answered that refusal and written nothing.
    throw new RxError('RX_FLAG_UNFOUNDED', `judged again, the attempt is refused without a flag (${err.code}: ${err.message})`, { paths: ['body.attempt'] });
  }
  if (transition.kind !== 'refuse' || transition.record.type !== TRACE_FLAG_TYPE || canonicalJson(transition.record.body) !== canonicalJson(body)) {
    throw new RxError('RX_FLAG_UNFOUNDED', 'judged again, the attempt does not give this flag', { paths: ['body.firstDispensed'] });
  }
  return [...transition.record.mutations, auth.spend];
}

function parseSignedStatement(body: JsonObject): SignedStatement {
  const parsed = SignedStatementSchema.safeParse(body);
  if (!parsed.success) throw new RxError('ENTRY_BODY_INVALID', 'this entry type carries a signed statement', { paths: ['body'] });
  return parsed.data as SignedStatement;
}
