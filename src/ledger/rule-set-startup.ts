/**
 * The checker at start-up: load and compile the configured knowledge base (refusing to start on
 * any problem in it), store its bundle, and record a `ledger.rule-set` activation when the bundle
 * or the policy differs from what the log has active, so every check from then on is made, and
 * re-run by verifiers, with exactly that rule set and policy.
 */
import { compileBundle } from '../domain/checker/knowledge-bundle.js';
import { createKnowledgeRuleSet, ruleCounts, type KnowledgeRuleSet } from '../domain/checker/knowledge-rule-set.js';
import { RULE_SET_TYPE, type RuleSetBody } from '../domain/checker/rule-set-activation.js';
import { loadKnowledgeDir, starterKnowledgeDir } from '../store/knowledge-dir.js';
import type { CheckPolicy } from '../domain/prescription/checker.js';
import type { RuleSetStore } from '../store/rule-set-store.js';
import type { Ledger } from './ledger.js';
import type { Logger } from './logger.js';

/** Loads, validates and compiles `dir` (the starter set when undefined), and stores its bundle. */
export function loadConfiguredRuleSet(dir: string | undefined, store: RuleSetStore): KnowledgeRuleSet {
  const ruleSet = createKnowledgeRuleSet(compileBundle(loadKnowledgeDir(dir ?? starterKnowledgeDir())));
  store.putBundle(ruleSet.hash, ruleSet.compiled.bytes);
  return ruleSet;
}

export async function ensureActiveRuleSet(ledger: Ledger, store: RuleSetStore, ruleSet: KnowledgeRuleSet, policy: CheckPolicy, logger: Logger): Promise<void> {
  const active = store.activeRuleSet();
  if (active !== undefined && active.hash === ruleSet.hash && samePolicy(active.policy, policy)) return;
  const b = ruleSet.compiled.bundle;
  const body: RuleSetBody = { hash: ruleSet.hash, name: b.name, version: b.version, engine: b.engine, policy };
  const entry = await ledger.appendReserved(RULE_SET_TYPE, body);
  logger.info({ index: entry.index, ruleSet: ruleSet.name, hash: ruleSet.hash, policy, counts: ruleCounts(ruleSet.compiled) }, 'activated the rule set in the log');
}

const samePolicy = (a: CheckPolicy, b: CheckPolicy): boolean => a.critical === b.critical && a.major === b.major && a.moderate === b.moderate && a.minor === b.minor;
