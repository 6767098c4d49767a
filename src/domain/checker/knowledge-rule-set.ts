/**
 * A knowledge bundle as a rule set (the checker's contract, prescription/checker.ts): a pure
 * function of the input, with the bundle's hash as its version. The rules are grouped by what
 * they look at; each returns findings, and runCheck puts them in the one deterministic order.
 */
import type { CheckInput, RuleFinding, RuleSet } from '../prescription/checker.js';
import { createCheckCaches } from './check-caches.js';
import { checkContext } from './check-context.js';
import { compileKnowledge, type CompiledKnowledge } from './compiled-knowledge.js';
import type { CompiledBundle } from './knowledge-bundle.js';
import { drugPairFindings } from './rules/drug-pair-rules.js';
import { doseFindings, renalFindings } from './rules/dose-rules.js';
import { lineFindings } from './rules/line-rules.js';
import { allergyFindings, diseaseFindings, populationFindings } from './rules/patient-rules.js';
import { regulatoryFindings } from './rules/regulatory-rules.js';

const RULE_GROUPS = [regulatoryFindings, lineFindings, doseFindings, renalFindings, drugPairFindings, allergyFindings, diseaseFindings, populationFindings] as const;

export interface KnowledgeRuleSet extends RuleSet {
  readonly compiled: CompiledBundle;
  readonly knowledge: CompiledKnowledge;
}

export function createKnowledgeRuleSet(compiled: CompiledBundle): KnowledgeRuleSet {
  const knowledge = compileKnowledge(compiled.bundle);
  // Lookups that depend on the knowledge alone, remembered across this rule set's checks.
  const caches = createCheckCaches();
  return {
    hash: compiled.hash,
    name: `${compiled.bundle.name}@${compiled.bundle.version}`,
    compiled,
    knowledge,
    evaluate(input: CheckInput): RuleFinding[] {
      const ctx = checkContext(knowledge, input, caches);
      return RULE_GROUPS.flatMap((group) => group(ctx));
    },
  };
}

/** Counts per kind of rule, for `GET /v1/rulesets/active` and the start-up log. */
export function ruleCounts(compiled: CompiledBundle): Record<string, number> {
  const b = compiled.bundle;
  return {
    ingredients: b.ingredients.length,
    products: b.products.length,
    classes: b.classes.length,
    interactions: b.interactions.length,
    duplicateTherapyClasses: b.classes.filter((c) => c.duplicateTherapy !== undefined).length,
    doseLimits: b.ingredients.reduce((n, i) => n + i.doses.length, 0),
    renalBands: b.ingredients.reduce((n, i) => n + (i.renal?.length ?? 0), 0),
    allergyGroups: b.allergyGroups.length,
    diseaseRules: b.diseaseRules.length,
    geriatricRules: b.geriatricRules.length,
    pregnancyFlags: b.ingredients.filter((i) => i.pregnancy !== undefined).length,
    lactationFlags: b.ingredients.filter((i) => i.lactation !== undefined).length,
    minimumAges: b.ingredients.filter((i) => i.minAge !== undefined).length,
    controlledIngredients: b.ingredients.filter((i) => i.control !== 'none').length,
    antimicrobials: b.ingredients.filter((i) => i.antimicrobial !== undefined).length,
    // Each entry of regulatory.json is one rule, each controlled-days limit too.
    regulatoryRules: Object.keys(b.regulatory).length - 1 + b.regulatory.controlledDays.length,
  };
}
