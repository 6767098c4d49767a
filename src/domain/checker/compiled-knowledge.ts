/**
 * The bundle turned into lookup tables, once per rule set, so a check costs map lookups: which
 * classes each ingredient is in (by ATC prefix or by listing), which names denote which drug,
 * the interaction, drug–disease and geriatric rules keyed by the ingredient or class they name,
 * and the allergy groups by term and by member.
 *
 * Everything a check would otherwise recompute from the bundle for every line is derived here,
 * per ingredient: its dose limits and renal bands as exact amounts (the decimal strings parsed
 * once), the drug–disease and geriatric rules that reach it through its own key or a class, its
 * duplicate-therapy classes and its allergy groups. The derived values are computed by the same
 * functions the rules used to call, so the findings are the same; they are read-only.
 */
import type { DrugRef } from '../../../schemas/knowledge.js';
import { decimalMicros, limitAmount, strengthOf, type Amount, type Dimension, type Strength } from './dose-amounts.js';
import type { KnowledgeBundle } from './knowledge-bundle.js';

export type Ingredient = KnowledgeBundle['ingredients'][number];
export type Product = KnowledgeBundle['products'][number];
export type DrugClass = KnowledgeBundle['classes'][number];
export type Interaction = KnowledgeBundle['interactions'][number];
export type AllergyGroup = KnowledgeBundle['allergyGroups'][number];
export type DiseaseRule = KnowledgeBundle['diseaseRules'][number];
export type GeriatricRule = KnowledgeBundle['geriatricRules'][number];

/** "i:<ingredient>" or "c:<class>": one key space for rules that name either. */
export type RefKey = string;
export const refKey = (r: DrugRef): RefKey => ('ingredient' in r ? `i:${r.ingredient}` : `c:${r.class}`);

export type DoseLimit = Ingredient['doses'][number];
export type RenalBand = NonNullable<Ingredient['renal']>[number];

/** A dose limit with its maxima as amounts in the ingredient's dose unit. */
export interface CompiledDoseLimit {
  readonly data: DoseLimit;
  readonly maxSingle: Amount | undefined;
  readonly maxDaily: Amount | undefined;
  readonly maxSinglePerKg: Amount | undefined;
  readonly maxDailyPerKg: Amount | undefined;
}

/** A renal band with its threshold in millionths and its daily maximum as an amount. */
export interface CompiledRenalBand {
  readonly data: RenalBand;
  readonly belowMicros: bigint;
  readonly maxDaily: Amount | undefined;
}

export interface CompiledIngredient {
  readonly data: Ingredient;
  /** Its position in the bundle (0 … ingredients − 1): a small number to key pairs by. */
  readonly ordinal: number;
  /** Its classes, sorted. */
  readonly classes: readonly string[];
  /** Its own key first, then its classes' keys. */
  readonly refs: readonly RefKey[];
  /** The same keys as a set, for pair lookups. */
  readonly refSet: ReadonlySet<RefKey>;
  /** Its classes that carry a duplicate-therapy rule, in `classes` order. */
  readonly duplicateClasses: readonly string[];
  /** What its dose limits are written in (the dimension of `doseUnit`). */
  readonly limitDimension: Dimension;
  readonly doseLimits: readonly CompiledDoseLimit[];
  readonly renalBands: readonly CompiledRenalBand[];
  /** Drug–disease rules reaching it (ingredient rules first, then by class; each once). */
  readonly diseaseRules: readonly DiseaseRule[];
  /** Geriatric rules reaching it, in the same order. */
  readonly geriatricRules: readonly GeriatricRule[];
  /** The allergy groups containing it, sorted. */
  readonly allergyGroups: readonly string[];
  /** Of those, the smallest ones: what an allergy to this ingredient is an allergy to. */
  readonly narrowestAllergyGroups: readonly string[];
}

/**
 * What a drug code or name denotes, ready for the rules: one per ingredient and one per
 * combination product, built here once; resolving a line returns one of these shared objects.
 */
export interface DrugIdentity {
  /** The combination product, when it is one. */
  readonly product: Product | undefined;
  /** Its ingredients (a product's components, in the product's order). */
  readonly ingredients: readonly CompiledIngredient[];
  /** A product's amount of each component per dosing unit, parallel to `ingredients`. */
  readonly strengths: readonly (Strength | undefined)[];
}

export interface CompiledKnowledge {
  readonly bundle: KnowledgeBundle;
  readonly ingredients: ReadonlyMap<string, CompiledIngredient>;
  readonly classes: ReadonlyMap<string, DrugClass>;
  /** A name (zh name, alias, product name, or English INN) to what it denotes. */
  readonly names: ReadonlyMap<string, { readonly ingredient: string } | { readonly product: Product }>;
  readonly productCodes: ReadonlyMap<string, Product>;
  /** Interactions by the key of one side, with the key of the other side. */
  readonly interactions: ReadonlyMap<RefKey, ReadonlyArray<{ readonly other: RefKey; readonly rule: Interaction }>>;
  readonly diseaseRules: ReadonlyMap<RefKey, readonly DiseaseRule[]>;
  readonly geriatricRules: ReadonlyMap<RefKey, readonly GeriatricRule[]>;
  readonly allergyGroups: ReadonlyMap<string, AllergyGroup>;
  /** Lowercased allergy term to the groups it names. */
  readonly allergyTerms: ReadonlyMap<string, readonly string[]>;
  /** Allergy groups by member key. */
  readonly allergyMembers: ReadonlyMap<RefKey, readonly string[]>;
  /** How many ingredients each allergy group covers: the narrowest group containing a drug is its own. */
  readonly allergyGroupSizes: ReadonlyMap<string, number>;
  /** The identity of each ingredient, by id, and of each combination product. */
  readonly ingredientIdentities: ReadonlyMap<string, DrugIdentity>;
  readonly productIdentities: ReadonlyMap<Product, DrugIdentity>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

export function compileKnowledge(bundle: KnowledgeBundle): CompiledKnowledge {
  const classes = new Map(bundle.classes.map((c) => [c.id, c]));
  const memberships = new Map<string, Membership>();
  for (const ing of bundle.ingredients) {
    const memberOf = bundle.classes
      .filter((c) => c.members.includes(ing.id) || c.atcPrefixes.some((prefix) => ing.atc.some((code) => code.startsWith(prefix))))
      .map((c) => c.id)
      .sort();
    memberships.set(ing.id, { data: ing, classes: memberOf, refs: [`i:${ing.id}`, ...memberOf.map((c) => `c:${c}`)] });
  }

  const names = new Map<string, { ingredient: string } | { product: Product }>();
  for (const ing of bundle.ingredients) for (const n of [ing.name.zh, ...ing.aliases, ing.id, ing.name.en.toLowerCase()]) names.set(n, { ingredient: ing.id });
  const productCodes = new Map<string, Product>();
  for (const p of bundle.products) {
    for (const n of p.names) names.set(n, { product: p });
    for (const c of p.codes) productCodes.set(c, p);
  }

  const interactions = new Map<RefKey, Array<{ other: RefKey; rule: Interaction }>>();
  for (const rule of bundle.interactions) {
    const a = refKey(rule.a);
    const b = refKey(rule.b);
    push(interactions, a, { other: b, rule });
    if (a !== b) push(interactions, b, { other: a, rule });
  }
  const diseaseRules = new Map<RefKey, DiseaseRule[]>();
  for (const rule of bundle.diseaseRules) push(diseaseRules, refKey(rule.drug), rule);
  const geriatricRules = new Map<RefKey, GeriatricRule[]>();
  for (const rule of bundle.geriatricRules) push(geriatricRules, refKey(rule.drug), rule);

  const allergyTerms = new Map<string, string[]>();
  const allergyMembers = new Map<RefKey, string[]>();
  for (const g of bundle.allergyGroups) {
    for (const t of g.terms) push(allergyTerms, normaliseTerm(t), g.id);
    for (const m of g.members) push(allergyMembers, refKey(m), g.id);
  }
  const allergyGroupSizes = new Map(
    bundle.allergyGroups.map((g) => [g.id, [...memberships.values()].filter((i) => i.refs.some((r) => g.members.some((m) => refKey(m) === r))).length]),
  );

  const tables = { classes, diseaseRules, geriatricRules, allergyMembers, allergyGroupSizes };
  const ingredients = new Map<string, CompiledIngredient>();
  for (const [id, m] of memberships) ingredients.set(id, compileIngredient(m, ingredients.size, tables));
  const { ingredientIdentities, productIdentities } = drugIdentities(ingredients, bundle.products);
  return {
    bundle,
    allergyGroupSizes,
    ingredients,
    classes,
    names,
    productCodes,
    interactions,
    diseaseRules,
    geriatricRules,
    allergyGroups: new Map(bundle.allergyGroups.map((g) => [g.id, g])),
    allergyTerms,
    allergyMembers,
    ingredientIdentities,
    productIdentities,
  };
}

type Membership = Pick<CompiledIngredient, 'data' | 'classes' | 'refs'>;

/** The per-ingredient answers the rules need, from the tables above (read-only once built). */
function compileIngredient(
  m: Membership,
  ordinal: number,
  t: {
    classes: ReadonlyMap<string, DrugClass>;
    diseaseRules: ReadonlyMap<RefKey, readonly DiseaseRule[]>;
    geriatricRules: ReadonlyMap<RefKey, readonly GeriatricRule[]>;
    allergyMembers: ReadonlyMap<RefKey, readonly string[]>;
    allergyGroupSizes: ReadonlyMap<string, number>;
  },
): CompiledIngredient {
  const unit = m.data.doseUnit;
  const groups = [...new Set(m.refs.flatMap((r) => t.allergyMembers.get(r) ?? []))].sort();
  const smallest = Math.min(...groups.map((g) => t.allergyGroupSizes.get(g)!));
  // Members written out rather than spread from `m`: see the note on finding() in check-context.ts.
  return {
    data: m.data,
    classes: m.classes,
    refs: m.refs,
    ordinal,
    refSet: new Set(m.refs),
    duplicateClasses: m.classes.filter((c) => t.classes.get(c)!.duplicateTherapy !== undefined),
    limitDimension: limitAmount('0', unit).dimension,
    doseLimits: m.data.doses.map((d) => compileDoseLimit(d, unit)),
    renalBands: (m.data.renal ?? []).map((b) => compileRenalBand(b, unit)),
    diseaseRules: matching(t.diseaseRules, m.refs),
    geriatricRules: matching(t.geriatricRules, m.refs),
    allergyGroups: groups,
    narrowestAllergyGroups: groups.filter((g) => t.allergyGroupSizes.get(g) === smallest),
  };
}

/** One shared, frozen identity per ingredient and per combination product. */
function drugIdentities(ingredients: ReadonlyMap<string, CompiledIngredient>, products: readonly Product[]) {
  const ingredientIdentities = new Map<string, DrugIdentity>();
  for (const [id, ing] of ingredients) ingredientIdentities.set(id, Object.freeze({ product: undefined, ingredients: Object.freeze([ing]), strengths: Object.freeze([undefined]) }));
  const productIdentities = new Map<Product, DrugIdentity>();
  for (const p of products) {
    const identity: DrugIdentity = {
      product: p,
      ingredients: Object.freeze(p.components.map((c) => ingredients.get(c.ingredient)!)),
      strengths: Object.freeze(p.components.map((c) => strengthOf(c.amount, c.unit))),
    };
    productIdentities.set(p, Object.freeze(identity));
  }
  return { ingredientIdentities, productIdentities };
}

const optionalAmount = (value: string | undefined, unit: string): Amount | undefined => (value === undefined ? undefined : limitAmount(value, unit));

function compileDoseLimit(data: DoseLimit, unit: string): CompiledDoseLimit {
  return {
    data,
    maxSingle: optionalAmount(data.maxSingle, unit),
    maxDaily: optionalAmount(data.maxDaily, unit),
    maxSinglePerKg: optionalAmount(data.maxSinglePerKg, unit),
    maxDailyPerKg: optionalAmount(data.maxDailyPerKg, unit),
  };
}

function compileRenalBand(data: RenalBand, unit: string): CompiledRenalBand {
  return { data, belowMicros: decimalMicros(data.below), maxDaily: optionalAmount(data.maxDaily, unit) };
}

/** Rules keyed by reference, for one ingredient's keys: ingredient rules first, then class rules, each rule once. */
function matching<R extends { id: string }>(index: ReadonlyMap<RefKey, readonly R[]>, refs: readonly RefKey[]): R[] {
  const seen = new Set<string>();
  const out: R[] = [];
  for (const ref of refs) {
    for (const r of index.get(ref) ?? []) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      out.push(r);
    }
  }
  return out;
}

/** How recorded allergy text is compared: trimmed, lowercased (ASCII only; Chinese has no case). */
export const normaliseTerm = (s: string): string => s.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
