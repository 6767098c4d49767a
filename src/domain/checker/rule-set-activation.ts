/**
 * Which rule set checks new prescriptions is a fact of the log: `ledger.rule-set` records name the
 * bundle (by its hash) from their index on. The ledger writes one when the deployment starts with
 * a knowledge base other than the active one; the bundle itself is stored, so anyone can fetch it
 * by hash (`GET /v1/rulesets/{hash}`) and a verifier re-runs every check with the rule set that
 * was active when it was made. A log with no activation yet refuses submissions.
 */
import { z } from 'zod';
import { RxError } from '../../core/errors.js';
import { zodIssuePaths } from '../../core/issue-paths.js';
import type { JsonObject } from '../../core/canonical-json.js';
import { Hex256Schema } from '../../../schemas/prescription.js';
import { CHECK_ACTIONS, type CheckPolicy, type RuleSet } from '../prescription/checker.js';
import { ENGINE_VERSION, KnowledgeBundleSchema } from './knowledge-bundle.js';

export const RULE_SET_TYPE = 'ledger.rule-set';

const ActionSchema = z.enum(CHECK_ACTIONS);
/** The deployment's policy: what each severity tier's findings do. Recorded, so verifiers apply the same. */
export const CheckPolicySchema = z.strictObject({ critical: ActionSchema, major: ActionSchema, moderate: ActionSchema, minor: ActionSchema });

export const RuleSetBodySchema = z.strictObject({
  hash: Hex256Schema,
  name: KnowledgeBundleSchema.shape.name,
  version: KnowledgeBundleSchema.shape.version,
  engine: z.literal(ENGINE_VERSION),
  policy: CheckPolicySchema,
});
export type RuleSetBody = z.infer<typeof RuleSetBodySchema>;

/** Rule sets by hash: the ones this process can run (compiled from bundles it holds). */
export interface RuleSetLibrary {
  get(hash: string): RuleSet | undefined;
}

export interface ActiveRuleSet {
  readonly hash: string;
  readonly policy: CheckPolicy;
}

export interface RuleSetView {
  /** The rule set and policy the last `ledger.rule-set` record activated, if any. */
  activeRuleSet(): ActiveRuleSet | undefined;
}

export interface RuleSetMutation extends ActiveRuleSet {
  readonly kind: 'rule-set';
  readonly index: number;
}

/** A rule set with the policy it runs under. */
export interface ActiveChecker {
  readonly ruleSet: RuleSet;
  readonly policy: CheckPolicy;
}

export function admitRuleSetActivation(body: JsonObject, index: number, library: RuleSetLibrary): RuleSetMutation[] {
  const parsed = RuleSetBodySchema.safeParse(body);
  if (!parsed.success) throw new RxError('ENTRY_BODY_INVALID', 'not a rule-set activation', { paths: zodIssuePaths(parsed.error.issues, ['body']) });
  const ruleSet = library.get(parsed.data.hash);
  if (ruleSet === undefined) throw new RxError('RULE_SET_UNKNOWN', 'no bundle with this hash is held', { paths: ['body.hash'] });
  if (ruleSet.name !== `${parsed.data.name}@${parsed.data.version}`) throw new RxError('ENTRY_BODY_INVALID', 'name and version differ from the bundle’s', { paths: ['body.name'] });
  return [{ kind: 'rule-set', hash: parsed.data.hash, policy: parsed.data.policy, index }];
}

/** The rule set and policy new prescriptions are checked with. */
export function activeChecker(view: RuleSetView, library: RuleSetLibrary): ActiveChecker {
  const active = view.activeRuleSet();
  const ruleSet = active === undefined ? undefined : library.get(active.hash);
  if (ruleSet === undefined) throw new RxError('RX_NO_RULE_SET', active === undefined ? 'no rule set has been activated in this log' : 'the active rule set’s bundle is not held', { paths: [] });
  return { ruleSet, policy: active!.policy };
}
