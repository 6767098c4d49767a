/**
 * Which ingredients a prescription line is. Chinese prescriptions name drugs by 通用名: the
 * ingredient (often with its salt) followed by the dosage form, e.g. 苯磺酸氨氯地平片,
 * 注射用头孢曲松钠, 阿莫西林克拉维酸钾干混悬剂. The line resolves, in this order, by the
 * product code, then by the name as written, then without the dosage form, then also without the
 * salt; a combination product resolves to its components. Each step is an exact lookup, so
 * resolution is deterministic and never fuzzy: a name that does not resolve is reported (the
 * check did not cover that line), not guessed.
 */
import type { PrescriptionItem } from '../../../schemas/prescription.js';
import { boundedCache, type BoundedCache } from './bounded-cache.js';
import type { CompiledIngredient, CompiledKnowledge, DrugIdentity, Product } from './compiled-knowledge.js';
import { amountOf, strengthOf, singleDose, type Amount } from './dose-amounts.js';

/** Dosage-form words, longest first so 缓释片 is removed before 片. */
const FORM_SUFFIXES = [
  // Infusions name their carrier: 乳酸左氧氟沙星氯化钠注射液 is levofloxacin in saline.
  '氯化钠注射液', '葡萄糖注射液', '透皮贴剂', '粉吸入剂',
  '吸入用混悬液', '吸入粉雾剂', '吸入气雾剂', '吸入溶液', '干混悬剂', '口腔崩解片', '口服混悬液', '口服溶液', '鼻喷雾剂',
  '缓释胶囊', '控释胶囊', '肠溶胶囊', '缓释颗粒', '肠溶颗粒', '薄膜衣片', '缓释片', '控释片', '肠溶片', '分散片', '咀嚼片',
  '口崩片', '泡腾片', '舌下片', '软胶囊', '硬胶囊', '注射液', '滴眼液', '滴耳液', '滴鼻液', '混悬液', '口服液', '气雾剂', '吸入剂',
  '喷雾剂', '粉雾剂', '颗粒剂', '胶囊', '颗粒', '糖浆', '乳膏', '软膏', '眼膏', '凝胶', '贴剂', '贴片', '栓剂', '滴丸',
  '溶液', '散剂', '粉针', '含片', '片', '丸', '栓', '散',
];
const FORM_PREFIXES = ['注射用'];
/** Acid and salt words that precede or follow an ingredient in a 通用名, longest first. */
const SALT_PREFIXES = ['硫酸氢', '重酒石酸', '门冬氨酸', '二盐酸', '苯磺酸', '甲磺酸', '马来酸', '酒石酸', '琥珀酸', '富马酸', '枸橼酸', '氢溴酸', '盐酸', '硫酸', '磷酸', '醋酸', '乳酸', '草酸', '硝酸'];
const SALT_SUFFIXES = ['钠', '钾', '钙', '镁', '锌'];

function stripForm(name: string): string {
  let n = name;
  for (const p of FORM_PREFIXES) if (n.startsWith(p)) n = n.slice(p.length);
  for (const s of FORM_SUFFIXES) if (n.endsWith(s) && n.length > s.length) return n.slice(0, -s.length);
  return n;
}

function stripSalt(name: string): string {
  let n = name;
  for (const p of SALT_PREFIXES) if (n.startsWith(p) && n.length > p.length) { n = n.slice(p.length); break; }
  for (const s of SALT_SUFFIXES) if (n.endsWith(s) && n.length > s.length) { n = n.slice(0, -s.length); break; }
  return n;
}

/** The names tried for a line, in order. */
export function candidateNames(genericName: string): string[] {
  const written = genericName.trim();
  const formless = stripForm(written);
  // English names are stored lowercased; Chinese has no case, so this changes only Latin letters.
  const lower = written.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return [...new Set([written, formless, stripSalt(formless), lower])];
}

export interface ResolvedComponent {
  readonly ingredient: CompiledIngredient;
  /** The single dose of this ingredient, when the line's dose and strength make it computable. */
  readonly single: Amount | undefined;
}

export interface ResolvedLine {
  readonly item: PrescriptionItem;
  readonly product: Product | undefined;
  /** Empty when the line did not resolve. */
  readonly components: readonly ResolvedComponent[];
}

/** What a line denotes, or undefined. */
export function resolveDrug(k: CompiledKnowledge, drugCode: string, genericName: string): { ingredient: string } | { product: Product } | undefined {
  const byCode = k.productCodes.get(drugCode);
  if (byCode !== undefined) return { product: byCode };
  return resolveName(k, genericName);
}

/** What a name denotes, the code aside. */
function resolveName(k: CompiledKnowledge, genericName: string): { ingredient: string } | { product: Product } | undefined {
  for (const name of candidateNames(genericName)) {
    const hit = k.names.get(name);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** The ingredients a drug name denotes (none when it does not resolve). */
export function ingredientsOf(k: CompiledKnowledge, drugCode: string, genericName: string): CompiledIngredient[] {
  const what = resolveDrug(k, drugCode, genericName);
  if (what === undefined) return [];
  return 'ingredient' in what ? [k.ingredients.get(what.ingredient)!] : what.product.components.map((c) => k.ingredients.get(c.ingredient)!);
}

const UNRESOLVED: DrugIdentity = Object.freeze({ product: undefined, ingredients: Object.freeze([]), strengths: Object.freeze([]) });

/** The compiled identity of what resolveDrug found (no ingredients when it found nothing). */
function identityOf(k: CompiledKnowledge, what: ReturnType<typeof resolveDrug>): DrugIdentity {
  if (what === undefined) return UNRESOLVED;
  return 'ingredient' in what ? k.ingredientIdentities.get(what.ingredient)! : k.productIdentities.get(what.product)!;
}

/** Identities by generic name, per rule set: a formulary has a few thousand names; the bound is for odd input. */
export type DrugNameCache = BoundedCache<string, DrugIdentity>;
export const DRUG_NAME_CACHE_LIMIT = 10_000;
export const createDrugNameCache = (): DrugNameCache => boundedCache(DRUG_NAME_CACHE_LIMIT);

/**
 * resolveDrug as a shared identity. A product code is one map lookup; a name goes through the
 * name rules (form and salt stripping, up to three lookups) once per distinct name, remembered.
 */
export function identifyDrug(k: CompiledKnowledge, cache: DrugNameCache, drugCode: string, genericName: string): DrugIdentity {
  const byCode = k.productCodes.get(drugCode);
  if (byCode !== undefined) return k.productIdentities.get(byCode)!;
  return cache.get(genericName) ?? cache.set(genericName, identityOf(k, resolveName(k, genericName)));
}

/** A prescription line with its drug identified (by `drug`, when the caller has it): each component with its single dose. */
export function resolveLine(k: CompiledKnowledge, item: PrescriptionItem, drug: DrugIdentity = identityOf(k, resolveDrug(k, item.drugCode, item.genericName))): ResolvedLine {
  if (drug.ingredients.length === 0) return { item, product: undefined, components: [] };
  if (drug.product === undefined) {
    return { item, product: undefined, components: [{ ingredient: drug.ingredients[0]!, single: singleDose(item.dose, strengthOf(item.strength.value, item.strength.unit)) }] };
  }
  // A combination product's dose is in dosage units; each component's amount per unit is known.
  const directDose = amountOf(item.dose.value, item.dose.unit) !== undefined;
  return {
    item,
    product: drug.product,
    components: drug.ingredients.map((ingredient, n) => ({ ingredient, single: directDose ? undefined : singleDose(item.dose, drug.strengths[n]) })),
  };
}
