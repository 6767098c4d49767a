/**
 * The rational-drug-use checker's contract with the lifecycle. A rule set is a pure function of
 * its input (the prescription, the patient's other live prescriptions in the ledger, and the
 * evaluation instant, which is the entry's log time) to findings in a deterministic order; a
 * deployment's policy maps each finding's severity tier to what happens. The check result the
 * ledger records carries the rule set's hash and the hash of the input, so a verifier re-runs it
 * and must obtain byte-identical findings.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8 } from '../../core/bytes.js';
import { canonicalBytes, type JsonObject } from '../../core/canonical-json.js';
import type { Prescription } from '../../../schemas/prescription.js';

export const SEVERITY_TIERS = ['critical', 'major', 'moderate', 'minor'] as const;
export type SeverityTier = (typeof SEVERITY_TIERS)[number];
/** block; allow only with the prescriber's signed override (双签); warn; inform. */
export const CHECK_ACTIONS = ['block', 'override', 'warn', 'inform'] as const;
export type CheckAction = (typeof CHECK_ACTIONS)[number];
export type CheckPolicy = Readonly<Record<SeverityTier, CheckAction>>;

export const DEFAULT_CHECK_POLICY: CheckPolicy = { critical: 'block', major: 'override', moderate: 'warn', minor: 'inform' };

export interface RuleFinding {
  readonly ruleId: string;
  readonly category: string;
  readonly tier: SeverityTier;
  /** Item lines involved, ascending; empty when the finding is about the whole prescription. */
  readonly lines: readonly number[];
  /** The numbers compared (integers or decimal strings), so a reader sees why. */
  readonly evidence: JsonObject;
  readonly message: { readonly zh: string; readonly en: string };
  readonly source: string;
}

export interface Finding extends RuleFinding {
  readonly action: CheckAction;
}

/** What the checker knows about the patient's other live prescriptions. */
export interface OtherPrescription {
  readonly prescriptionId: string;
  readonly institutionId: string;
  readonly prescriberId: string;
  readonly items: ReadonlyArray<{ readonly drugCode: string; readonly genericName: string; readonly days: number }>;
}

export interface CheckInput {
  readonly prescription: Prescription;
  readonly others: readonly OtherPrescription[];
  /** Milliseconds since the epoch: the log time of the check. */
  readonly instant: number;
}

export interface RuleSet {
  /** SHA-256 (hex) of the rule set's canonical bytes: its version for every result it produces. */
  readonly hash: string;
  readonly name: string;
  evaluate(input: CheckInput): RuleFinding[];
}

export type CheckOutcome = 'active' | 'awaiting-override' | 'rejected';

export interface CheckResult {
  readonly ruleSet: string;
  readonly inputHash: string;
  readonly outcome: CheckOutcome;
  readonly findings: readonly Finding[];
}

export const CHECK_INPUT_PREFIX = 'rxledger/check-input/v1\n';

/** SHA-256 hex of the prefix and the RFC 8785 bytes of the input: what the result is about. */
export function checkInputHash(input: CheckInput): string {
  const bytes = canonicalBytes({ prescription: input.prescription, others: input.others, instant: input.instant });
  return bytesToHex(sha256(concatBytes(utf8(CHECK_INPUT_PREFIX), bytes)));
}

/** Findings sorted by tier, rule id and lines, each with the action the policy gives its tier. */
export function runCheck(ruleSet: RuleSet, input: CheckInput, policy: CheckPolicy = DEFAULT_CHECK_POLICY): CheckResult {
  const findings = ruleSet
    .evaluate(input)
    .map((f): Finding => ({ ...f, action: policy[f.tier] }))
    .sort((a, b) => SEVERITY_TIERS.indexOf(a.tier) - SEVERITY_TIERS.indexOf(b.tier) || compare(a.ruleId, b.ruleId) || compare(a.lines.join(','), b.lines.join(',')));
  const outcome: CheckOutcome = findings.some((f) => f.action === 'block') ? 'rejected' : findings.some((f) => f.action === 'override') ? 'awaiting-override' : 'active';
  return { ruleSet: ruleSet.hash, inputHash: checkInputHash(input), outcome, findings };
}

/** Code-unit order: locale-independent, as determinism requires. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
