/**
 * The starter knowledge base compiled once per test process (compiling validates about 0.7 MB of
 * JSON), and the activation entry body that makes it the log's active rule set.
 */
import { compileBundle } from '../../../src/domain/checker/knowledge-bundle.js';
import { createKnowledgeRuleSet, type KnowledgeRuleSet } from '../../../src/domain/checker/knowledge-rule-set.js';
import { loadKnowledgeDir, starterKnowledgeDir } from '../../../src/store/knowledge-dir.js';
import type { RuleSetBody } from '../../../src/domain/checker/rule-set-activation.js';
import { DEFAULT_CHECK_POLICY, type CheckPolicy, type RuleSet } from '../../../src/domain/prescription/checker.js';

let starter: KnowledgeRuleSet | undefined;

export function starterRuleSet(): KnowledgeRuleSet {
  starter ??= createKnowledgeRuleSet(compileBundle(loadKnowledgeDir(starterKnowledgeDir())));
  return starter;
}

/** A library holding exactly these rule sets. */
export const libraryOf = (...ruleSets: RuleSet[]) => new Map(ruleSets.map((r) => [r.hash, r]));

export function activationBody(ruleSet: KnowledgeRuleSet, policy: CheckPolicy = DEFAULT_CHECK_POLICY): RuleSetBody {
  const b = ruleSet.compiled.bundle;
  return { hash: ruleSet.hash, name: b.name, version: b.version, engine: b.engine, policy };
}
