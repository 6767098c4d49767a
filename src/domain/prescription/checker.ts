/**
 * The rational-drug-use checker's contract with the lifecycle. A rule set is a pure function of
 * its input (the prescription, the patient's other live prescriptions in the ledger, and the
 * evaluation instant, which is the entry's log time) to findings in a deterministic order; a
 * deployment's policy maps each finding's severity tier to what happens. The check result the
 * ledger records carries the rule set's hash and the hash of the input, so a verifier re-runs it
 * and must obtain byte-identical findings.
 */
import { hash } from 'node:crypto';
import { canonicalJson, type JsonObject } from '../../core/canonical-json.js';
import { canonicalTextOf } from '../../core/value-texts.js';
import type { Prescription } from '../../../schemas/prescription.js';
import type { Privileges } from '../registry/registry-model.js';

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
  /** What to do about it, when the rule says (interactions do). */
  readonly management?: { readonly zh: string; readonly en: string };
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
  /** The route says whether a drug reaches the whole body (local routes are not paired, CHECKER.md §5). */
  readonly items: ReadonlyArray<{ readonly drugCode: string; readonly genericName: string; readonly route: string; readonly days: number }>;
}

export interface CheckInput {
  readonly prescription: Prescription;
  readonly others: readonly OtherPrescription[];
  /** Milliseconds since the epoch: the log time of the check. */
  readonly instant: number;
  /**
   * The prescriber's privileges in the registry at the time of the check (null: none recorded).
   * The ledger and dry runs always give them; only tools and tests that check a prescription
   * outside any registry leave them out, and then the privilege rules are skipped.
   */
  readonly prescriberPrivileges?: Privileges | null;
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

/**
 * SHA-256 hex of the prefix and the RFC 8785 bytes of the input: what the result is about.
 *
 * Hashed with Node's one-shot native SHA-256 (as src/platform/node-sha256.ts does for the
 * statement path), over the prefix and the canonical text as one string, which `hash` encodes as
 * UTF-8: canonicalJson refuses lone surrogates, so those are exactly the bytes
 * utf8(prefix) ‖ canonicalBytes(input), and the digest is the one a verifier computes with any
 * SHA-256 (test/domain/prescription/checker.test.ts checks it against a naive reference).
 */
export function checkInputHash(input: CheckInput): string {
  // The canonical text of { prescription, others, instant, prescriberPrivileges? }. RFC 8785 puts
  // `prescription` last of these members, so its text (most of the input, and usually made by the
  // intake's worker already: value-texts.ts) is appended to the text of the others.
  const rest = canonicalJson({
    others: input.others,
    instant: input.instant,
    ...(input.prescriberPrivileges === undefined ? {} : { prescriberPrivileges: input.prescriberPrivileges }),
  });
  const text = `${rest.slice(0, -1)},"prescription":${canonicalTextOf(input.prescription)}}`;
  return hash('sha256', CHECK_INPUT_PREFIX + text, 'hex');
}

/** Findings sorted by tier, rule id and lines, each with the action the policy gives its tier. */
export function runCheck(ruleSet: RuleSet, input: CheckInput, policy: CheckPolicy = DEFAULT_CHECK_POLICY): CheckResult {
  const findings = sortFindings(ruleSet.evaluate(input).map((f) => withAction(f, policy[f.tier])));
  const outcome: CheckOutcome = findings.some((f) => f.action === 'block') ? 'rejected' : findings.some((f) => f.action === 'override') ? 'awaiting-override' : 'active';
  return { ruleSet: ruleSet.hash, inputHash: checkInputHash(input), outcome, findings };
}

/**
 * `{ ...f, action }`: the same members in the same order. Object.assign because on Node 20 (V8
 * 11.3) adding a member to a spread copy costs microseconds per finding; a finding is a plain
 * object of data members (no accessors, no `__proto__` member), so assigning copies exactly what
 * spreading did.
 */
const withAction = (f: RuleFinding, action: CheckAction): Finding => Object.assign({}, f, { action });

/**
 * Tier (most severe first), then rule id, then the lines as text, then the canonical evidence: a
 * total order, so the result never depends on the order rules emitted findings (or the order of
 * drugs on another prescription). Findings equal on all four are one finding (two packs of one
 * drug on another prescription pair alike). The tie-breaking evidence text is computed only for
 * ties; the other keys once per finding.
 */
function sortFindings(findings: Finding[]): Finding[] {
  const keyed = findings.map((f) => ({ f, rank: SEVERITY_TIERS.indexOf(f.tier), lines: f.lines.join(','), evidence: undefined as string | undefined }));
  const evidenceOf = (k: (typeof keyed)[number]): string => (k.evidence ??= canonicalJson(k.f.evidence));
  const head = (a: (typeof keyed)[number], b: (typeof keyed)[number]) => a.rank - b.rank || compare(a.f.ruleId, b.f.ruleId) || compare(a.lines, b.lines);
  keyed.sort((a, b) => head(a, b) || compare(evidenceOf(a), evidenceOf(b)));
  return keyed.filter((k, n) => n === 0 || head(keyed[n - 1]!, k) !== 0 || evidenceOf(keyed[n - 1]!) !== evidenceOf(k)).map((k) => k.f);
}

/** Code-unit order: locale-independent, as determinism requires. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
