/**
 * What every rule of the knowledge engine reads: the compiled knowledge, the prescription's lines
 * resolved to ingredients (sorted by line number, so the order items were written in never
 * matters), the patient's other live prescriptions resolved the same way, and the patient facts
 * derived once (age in months on the day of issue, weight in millionths of a kilogram).
 */
import type { Prescription } from '../../../schemas/prescription.js';
import type { CheckInput, RuleFinding } from '../prescription/checker.js';
import type { CompiledKnowledge } from './compiled-knowledge.js';
import { decimalMicros } from './dose-amounts.js';
import { identifyDrug, resolveLine, type ResolvedLine } from './drug-resolution.js';
import type { CompiledIngredient } from './compiled-knowledge.js';
import type { CheckCaches } from './check-caches.js';

/** A drug on one of the patient's other live prescriptions. */
export interface OtherDrug {
  readonly prescriptionId: string;
  readonly genericName: string;
  readonly ingredients: readonly CompiledIngredient[];
}

export interface CheckContext {
  readonly k: CompiledKnowledge;
  /** The rule set's caches (check-caches.ts), for the rules' own lookups. */
  readonly caches: CheckCaches;
  readonly input: CheckInput;
  readonly p: Prescription;
  readonly lines: readonly ResolvedLine[];
  /** The lines given by a route that reaches the whole body (see LOCAL_ROUTES). */
  readonly systemicLines: readonly ResolvedLine[];
  readonly others: readonly OtherDrug[];
  readonly ageMonths: number;
  readonly weightMicros: bigint | undefined;
}

/** Whole months between the birth date and the day of issue (or the age in months given). */
export function ageInMonths(p: Prescription): number {
  if (p.patient.birthDate === undefined) return p.patient.ageMonths ?? 0;
  const [by, bm, bd] = p.patient.birthDate.split('-').map(Number) as [number, number, number];
  const [ey, em, ed] = p.encounter.date.split('-').map(Number) as [number, number, number];
  return Math.max(0, (ey - by) * 12 + (em - bm) - (ed < bd ? 1 : 0));
}

/**
 * Routes whose effect stays where the drug is applied. Lines given this way are screened for
 * allergy, route, form and dose, but not for interactions, duplication, renal, age, pregnancy,
 * lactation, disease or geriatric rules, which are about exposure of the whole body (gentamicin
 * eye drops are not an aminoglycoside course).
 */
export const LOCAL_ROUTES: ReadonlySet<string> = new Set(['topical', 'ophthalmic', 'otic', 'nasal', 'vaginal']);

export function checkContext(k: CompiledKnowledge, input: CheckInput, caches: CheckCaches): CheckContext {
  const p = input.prescription;
  const byLine = [...p.items].sort((a, b) => a.line - b.line);
  // Other prescriptions in id order, their items in line order: the same input always reads the same
  // way. Their local-route drugs (eye drops, creams) are not exposure of the whole body.
  const others = [...input.others]
    .sort((a, b) => (a.prescriptionId < b.prescriptionId ? -1 : a.prescriptionId > b.prescriptionId ? 1 : 0))
    .flatMap((o) => o.items.filter((i) => !LOCAL_ROUTES.has(i.route)).map((i) => ({ prescriptionId: o.prescriptionId, genericName: i.genericName, ingredients: identifyDrug(k, caches.drugNames, i.drugCode, i.genericName).ingredients })));
  const lines = byLine.map((item) => resolveLine(k, item, identifyDrug(k, caches.drugNames, item.drugCode, item.genericName)));
  return {
    k,
    caches,
    input,
    p,
    lines,
    systemicLines: lines.filter((l) => !LOCAL_ROUTES.has(l.item.route)),
    others,
    ageMonths: ageInMonths(p),
    weightMicros: p.patient.weightKg === undefined ? undefined : decimalMicros(p.patient.weightKg),
  };
}

/** A finding as a rule describes it (lines in any order). */
export type FindingSpec = RuleFinding;

/**
 * The finding a spec describes, its lines ascending.
 *
 * A note on building specs and evidence: on Node 20 (V8 11.3), adding a member to an object made
 * by spreading (`{ ...a, key }`, `{ ...a, ...b }`) costs about 1.5–3 µs, against 0.1–0.3 µs for
 * an object literal or Object.assign, which made building a finding dearer than judging it. The
 * rules therefore write literals, or Object.assign our own plain objects (no accessors, no
 * `__proto__` member), which yields the same members in the same order as the spread did.
 * Replacing a member that is already there, as below, does not hit that cost.
 */
export const finding = (spec: FindingSpec): RuleFinding => ({ ...spec, lines: [...spec.lines].sort((a, b) => a - b) });
