/**
 * What a rule set remembers between checks (bounded-cache.ts): lookups whose answer depends on
 * the knowledge base alone — what a generic name denotes, what a recorded allergy text names,
 * what two ingredients do together. One set per rule set, so two rule sets never share answers;
 * each cache is bounded, and a hit gives exactly what a recomputation would.
 */
import { createDrugNameCache, type DrugNameCache } from './drug-resolution.js';
import { createPairCache, type PairCache } from './rules/drug-pair-rules.js';
import { createAllergenCache, type AllergenCache } from './rules/patient-rules.js';

export interface CheckCaches {
  readonly drugNames: DrugNameCache;
  readonly pairs: PairCache;
  readonly allergens: AllergenCache;
}

export function createCheckCaches(): CheckCaches {
  return { drugNames: createDrugNameCache(), pairs: createPairCache(), allergens: createAllergenCache() };
}
