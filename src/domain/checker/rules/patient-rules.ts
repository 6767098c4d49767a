/**
 * Rules about this patient: recorded allergies (with cross-sensitivity between groups), diagnoses
 * that contraindicate a drug, pregnancy and lactation, a minimum age, and potentially
 * inappropriate medicines for older adults. Each rule names the drug by ingredient or by class,
 * so each line component is matched through its reference keys (its own and its classes').
 */
import type { RuleFinding } from '../../prescription/checker.js';
import { boundedCache, type BoundedCache } from '../bounded-cache.js';
import { finding, type CheckContext } from '../check-context.js';
import { normaliseTerm, type CompiledIngredient, type CompiledKnowledge } from '../compiled-knowledge.js';
import { candidateNames, resolveDrug } from '../drug-resolution.js';

/** Each component of the given lines, with its line (a list, not a generator: this runs on every check). */
function components(lines: CheckContext['lines']): Array<{ line: number; ing: CompiledIngredient }> {
  const out: Array<{ line: number; ing: CompiledIngredient }> = [];
  for (const l of lines) for (const c of l.components) out.push({ line: l.item.line, ing: c.ingredient });
  return out;
}

const ALLERGY_INGREDIENT = {
  tier: 'critical',
  message: { zh: '患者对该成分过敏', en: 'The patient is allergic to this ingredient' },
} as const;

/**
 * What the patient's recorded allergies name: ingredients, and groups — named by a term, or the
 * narrowest groups containing a named ingredient (an allergy to amoxicillin is a penicillin
 * allergy, not an allergy to every β-lactam; the wider groups are reached by cross-sensitivity).
 */
function allergens(ctx: CheckContext): { ingredients: Map<string, string>; groups: Map<string, string> } {
  const ingredients = new Map<string, string>();
  const groups = new Map<string, string>();
  for (const allergy of ctx.p.patient.allergies) {
    for (const text of [allergy.substance, allergy.group]) {
      if (text === undefined) continue;
      const named = allergenOf(ctx.k, ctx.caches.allergens, text);
      for (const g of named.groups) if (!groups.has(g)) groups.set(g, allergy.substance);
      for (const ing of named.ingredients) {
        if (!ingredients.has(ing.data.id)) ingredients.set(ing.data.id, allergy.substance);
        for (const g of ing.narrowestAllergyGroups) if (!groups.has(g)) groups.set(g, allergy.substance);
      }
    }
  }
  return { ingredients, groups };
}

/** What one recorded allergy text names: the groups whose terms it is, and the ingredients it resolves to. */
export interface Allergen {
  readonly groups: readonly string[];
  readonly ingredients: readonly CompiledIngredient[];
}

/** Allergens by recorded text, per rule set: patients' allergy texts repeat; the bound is for odd input. */
export type AllergenCache = BoundedCache<string, Allergen>;
export const ALLERGEN_CACHE_LIMIT = 2_000;
export const createAllergenCache = (): AllergenCache => boundedCache(ALLERGEN_CACHE_LIMIT);

function allergenOf(k: CompiledKnowledge, cache: AllergenCache, text: string): Allergen {
  const known = cache.get(text);
  if (known !== undefined) return known;
  const term = normaliseTerm(text);
  return cache.set(text, Object.freeze({ groups: Object.freeze([...(k.allergyTerms.get(term) ?? [])]), ingredients: Object.freeze(resolveByName(k, term)) }));
}

function resolveByName(k: CompiledKnowledge, term: string): CompiledIngredient[] {
  for (const name of candidateNames(term)) {
    const hit = resolveDrug(k, '', name);
    if (hit !== undefined) return 'ingredient' in hit ? [k.ingredients.get(hit.ingredient)!] : hit.product.components.map((c) => k.ingredients.get(c.ingredient)!);
  }
  return [];
}

export function allergyFindings(ctx: CheckContext): RuleFinding[] {
  if (ctx.p.patient.allergies.length === 0) return [];
  const { ingredients, groups } = allergens(ctx);
  // Recorded groups in id order, for cross-sensitivity (sorted once, not once per component).
  let byId: Array<[string, string]> | undefined;
  const out: RuleFinding[] = [];
  for (const { line, ing } of components(ctx.lines)) {
    const id = ing.data.id;
    const direct = ingredients.get(id);
    if (direct !== undefined) {
      const { tier, message } = ALLERGY_INGREDIENT;
      out.push(finding({ ruleId: `allergy.ingredient.${id}`, category: 'allergy', tier, message, lines: [line], evidence: { ingredient: id, allergy: direct }, source: ing.data.source }));
      continue;
    }
    const mine = ing.allergyGroups;
    // The narrowest shared group names the allergy most precisely.
    const same = mine.filter((g) => groups.has(g)).sort((a, b) => ctx.k.allergyGroupSizes.get(a)! - ctx.k.allergyGroupSizes.get(b)! || (a < b ? -1 : 1))[0];
    if (same !== undefined) {
      const g = ctx.k.allergyGroups.get(same)!;
      out.push(finding({ ruleId: `allergy.group.${same}`, category: 'allergy', tier: g.tier, lines: [line], evidence: { ingredient: id, group: same, allergy: groups.get(same)! }, message: { zh: `患者对${g.name.zh}过敏`, en: `The patient is allergic to ${g.name.en}` }, source: g.source }));
      continue;
    }
    // Cross-sensitivity: a recorded group that is known to cross-react with one of this drug's groups.
    byId ??= [...groups].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [allergic, substance] of byId) {
      const g = ctx.k.allergyGroups.get(allergic)!;
      for (const x of g.crossSensitivity) {
        if (!mine.includes(x.group)) continue;
        out.push(finding({ ruleId: `allergy.cross.${allergic}.${x.group}`, category: 'allergy', tier: x.tier, lines: [line], evidence: { ingredient: id, group: x.group, allergyGroup: allergic, allergy: substance }, message: x.message, source: g.source }));
      }
    }
  }
  return out;
}

export function diseaseFindings(ctx: CheckContext): RuleFinding[] {
  const out: RuleFinding[] = [];
  const codes = ctx.p.patient.diagnoses.map((d) => d.icd10);
  for (const { line, ing } of components(ctx.systemicLines)) {
    for (const rule of ing.diseaseRules) {
      const hit = codes.find((code) => rule.icd10.some((prefix) => code.startsWith(prefix)));
      if (hit !== undefined) out.push(finding({ ruleId: rule.id, category: 'disease', tier: rule.tier, lines: [line], evidence: { ingredient: ing.data.id, icd10: hit }, message: rule.message, source: rule.source }));
    }
  }
  return out;
}

export function populationFindings(ctx: CheckContext): RuleFinding[] {
  const out: RuleFinding[] = [];
  const patient = ctx.p.patient;
  const ageYears = Math.floor(ctx.ageMonths / 12);
  for (const { line, ing } of components(ctx.systemicLines)) {
    const d = ing.data;
    const lines = [line];
    // The flag's tier, message and source, in the flag's own order (what spreading it gave).
    if (patient.pregnancy === 'yes' && d.pregnancy !== undefined) out.push(finding(Object.assign({ ruleId: `pregnancy.${d.id}`, category: 'pregnancy' }, d.pregnancy, { lines, evidence: { ingredient: d.id } })));
    if (patient.lactation && d.lactation !== undefined) out.push(finding(Object.assign({ ruleId: `lactation.${d.id}`, category: 'lactation' }, d.lactation, { lines, evidence: { ingredient: d.id } })));
    if (d.minAge !== undefined && ctx.ageMonths < d.minAge.months) {
      out.push(finding({ ruleId: `age.${d.id}`, category: 'paediatric', tier: d.minAge.tier, lines, evidence: { ingredient: d.id, ageMonths: ctx.ageMonths, minAgeMonths: d.minAge.months }, message: d.minAge.message, source: d.minAge.source }));
    }
    for (const rule of ing.geriatricRules) {
      if (ageYears >= rule.minAgeYears) out.push(finding({ ruleId: rule.id, category: 'geriatric', tier: rule.tier, lines, evidence: { ingredient: d.id, ageYears, minAgeYears: rule.minAgeYears }, message: rule.message, source: rule.source }));
    }
  }
  return out;
}
