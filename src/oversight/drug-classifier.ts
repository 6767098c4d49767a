/**
 * Which drug, and which drug classes, a prescription line is, for the drugClass dimension, doctor
 * shopping and early refills. The answer comes from the rule set the log had activated when the
 * prescription was submitted (`ledger.rule-set`), resolved exactly as the checker resolves lines
 * (src/domain/checker/drug-resolution.ts), so it is a function of the log and the bundles it
 * names. A line that does not resolve is its drug code and in no class.
 */
import { ingredientsOf } from '../domain/checker/drug-resolution.js';
import type { CompiledKnowledge } from '../domain/checker/compiled-knowledge.js';

export interface DrugClassification {
  /** The ingredient ids, sorted and joined with `+`, or `code:<drugCode>` when the line does not resolve. */
  readonly drug: string;
  /** The classes of its ingredients, sorted, each once. */
  readonly classes: readonly string[];
}

export type DrugClassifier = (ruleSetHash: string | undefined, drugCode: string, genericName: string) => DrugClassification;

/** Lines resolve without the rule set (no class; the drug by its code) when its bundle is not held. */
export function unresolvedDrug(drugCode: string): DrugClassification {
  return { drug: `code:${drugCode}`, classes: [] };
}

export const noClassifier: DrugClassifier = (_hash, drugCode) => unresolvedDrug(drugCode);

/**
 * A classifier over the rule sets `knowledgeOf` can compile (the service's rule-set library).
 * Answers are remembered per rule set and line; the bound keeps odd input from growing memory.
 */
export function createDrugClassifier(knowledgeOf: (hash: string) => CompiledKnowledge | undefined, cacheLimit = 50_000): DrugClassifier {
  const cache = new Map<string, DrugClassification>();
  return (hash, drugCode, genericName) => {
    if (hash === undefined) return unresolvedDrug(drugCode);
    const key = `${hash}\n${drugCode}\n${genericName}`;
    const known = cache.get(key);
    if (known !== undefined) return known;
    const knowledge = knowledgeOf(hash);
    let answer: DrugClassification;
    if (knowledge === undefined) answer = unresolvedDrug(drugCode);
    else {
      const ingredients = ingredientsOf(knowledge, drugCode, genericName);
      answer =
        ingredients.length === 0
          ? unresolvedDrug(drugCode)
          : { drug: [...new Set(ingredients.map((i) => i.data.id))].sort().join('+'), classes: [...new Set(ingredients.flatMap((i) => i.classes))].sort() };
    }
    if (cache.size >= cacheLimit) cache.clear();
    cache.set(key, answer);
    return answer;
  };
}
