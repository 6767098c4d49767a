/**
 * The checker at start-up: load and compile the configured knowledge base (refusing to start on
 * any problem in it, before the data directory is touched), store its bundle, and record a
 * `ledger.rule-set` activation when the bundle or the policy differs from what the log has
 * active, so every check from then on is made, and re-run by verifiers, with exactly that rule
 * set and policy.
 */
import { statSync } from 'node:fs';
import { RxError } from '../core/errors.js';
import { compileBundle } from '../domain/checker/knowledge-bundle.js';
import { createKnowledgeRuleSet, ruleCounts, type KnowledgeRuleSet } from '../domain/checker/knowledge-rule-set.js';
import { RULE_SET_TYPE, type RuleSetBody } from '../domain/checker/rule-set-activation.js';
import { loadKnowledgeDir, starterKnowledgeDir } from '../store/knowledge-dir.js';
import type { CheckPolicy } from '../domain/prescription/checker.js';
import type { RuleSetStore } from '../store/rule-set-store.js';
import type { Ledger } from './ledger.js';
import type { Logger } from './logger.js';

/**
 * Loads, validates and compiles `dir` (the starter set when undefined). Reads only `dir`, so a
 * start refused for a problem in the knowledge base leaves no data directory behind.
 */
export function loadConfiguredRuleSet(dir: string | undefined): KnowledgeRuleSet {
  // A path that names no directory is a mistake in the setting, not nine missing files in it.
  if (dir !== undefined && !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new RxError('CONFIG_INVALID', `invalid configuration: KNOWLEDGE_DIR: ${dir} is not a directory`, { paths: ['KNOWLEDGE_DIR'] });
  }
  return createKnowledgeRuleSet(compileBundle(loadKnowledgeDir(dir ?? starterKnowledgeDir())));
}

/** Keeps the rule set's bundle, so every check made with it can be re-run by its hash. */
export function storeRuleSetBundle(store: RuleSetStore, ruleSet: KnowledgeRuleSet): void {
  store.putBundle(ruleSet.hash, ruleSet.compiled.bytes);
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
