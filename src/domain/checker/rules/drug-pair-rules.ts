/**
 * Rules about two drugs taken together: interactions and duplicate therapy, between two lines of
 * the prescription and between a line and a drug on one of the patient's other live prescriptions
 * (from any prescriber or institution). Pairs are judged ingredient by ingredient, so a
 * combination product interacts through each component; the components of one product never
 * pair with each other.
 *
 * When several interaction rules match one pair of ingredients, only the most specific are
 * reported: a rule naming both ingredients wins over one naming an ingredient and a class, which
 * wins over one naming two classes (a curated pair rule states the risk more precisely).
 */
import type { RuleFinding } from '../../prescription/checker.js';
import { boundedCache, type BoundedCache } from '../bounded-cache.js';
import type { CompiledIngredient, CompiledKnowledge, DrugClass, Interaction } from '../compiled-knowledge.js';
import { finding, type CheckContext } from '../check-context.js';

interface Participant {
  /** The prescription line, or undefined for a drug on another prescription. */
  readonly line: number | undefined;
  readonly otherPrescription: string | undefined;
  readonly ingredients: readonly CompiledIngredient[];
}

const DUPLICATE_INGREDIENT = {
  tier: 'major',
  message: { zh: '同一成分重复用药', en: 'The same ingredient is prescribed twice' },
  source: '医疗机构处方审核规范（2018）',
} as const;

export function drugPairFindings(ctx: CheckContext): RuleFinding[] {
  const own: Participant[] = ctx.systemicLines.map((l) => ({ line: l.item.line, otherPrescription: undefined, ingredients: l.components.map((c) => c.ingredient) }));
  const others: Participant[] = ctx.others.map((o) => ({ line: undefined, otherPrescription: o.prescriptionId, ingredients: o.ingredients }));
  const out: RuleFinding[] = [];
  for (let i = 0; i < own.length; i++) {
    for (let j = i + 1; j < own.length; j++) pair(ctx, own[i]!, own[j]!, out);
    for (const other of others) pair(ctx, own[i]!, other, out);
  }
  return out;
}

function pair(ctx: CheckContext, x: Participant, y: Participant, out: RuleFinding[]): void {
  // Built only for a pair that has something to report: most have nothing.
  let about: PairDescription | undefined;
  for (const a of x.ingredients) {
    for (const b of y.ingredients) {
      if (a.data.id === b.data.id) {
        const d = (about ??= describe(x, y));
        const { tier, message, source } = DUPLICATE_INGREDIENT;
        out.push(finding({ ruleId: `dup.ingredient.${a.data.id}`, category: 'duplicate', tier, message, source, lines: d.lines, evidence: d.evidence({ ingredient: a.data.id }) }));
        continue;
      }
      const verdict = pairVerdict(ctx.k, ctx.caches.pairs, a, b);
      if (verdict === NOTHING) continue;
      const d = (about ??= describe(x, y));
      for (const rule of verdict.interactions) {
        const evidence = d.evidence({ drug: a.data.id, with: b.data.id });
        out.push(finding({ ruleId: rule.id, category: 'interaction', tier: rule.tier, lines: d.lines, evidence, message: rule.message, management: rule.management, source: rule.source }));
      }
      for (const { classId, dup } of verdict.duplicates) {
        const evidence = d.evidence({ drug: a.data.id, with: b.data.id, class: classId });
        out.push(finding({ ruleId: `dup.class.${classId}`, category: 'duplicate', tier: dup.tier, lines: d.lines, evidence, message: dup.message, source: dup.source }));
      }
    }
  }
}

/** Where a pair's findings point: the prescription lines involved, and the other prescription, if any. */
interface PairDescription {
  readonly lines: number[];
  /** `fields` (a fresh object), with the other prescription's id added as its last member when there is one. */
  evidence(fields: Record<string, string>): Record<string, string>;
}

function describe(x: Participant, y: Participant): PairDescription {
  const other = y.otherPrescription;
  return {
    lines: [x.line, y.line].filter((l): l is number => l !== undefined),
    evidence(fields) {
      if (other !== undefined) fields.otherPrescription = other;
      return fields;
    },
  };
}

/**
 * What two different ingredients (in this order) do together, whichever prescriptions they are
 * on: the most specific interaction rules, and the duplicate-therapy classes both are in, less
 * the pairs a class lists as intended. Shared by every check: read-only.
 */
export interface PairVerdict {
  readonly interactions: readonly Interaction[];
  readonly duplicates: ReadonlyArray<{ readonly classId: string; readonly dup: NonNullable<DrugClass['duplicateTherapy']> }>;
}

/** Verdicts by ordered pair of ingredient ordinals. Most pairs have nothing to say and share NOTHING. */
export type PairCache = BoundedCache<number, PairVerdict>;
export const PAIR_CACHE_LIMIT = 50_000;
export const createPairCache = (): PairCache => boundedCache(PAIR_CACHE_LIMIT);

const NOTHING: PairVerdict = Object.freeze({ interactions: Object.freeze([]), duplicates: Object.freeze([]) });

function pairVerdict(k: CompiledKnowledge, cache: PairCache, a: CompiledIngredient, b: CompiledIngredient): PairVerdict {
  const key = a.ordinal * k.ingredients.size + b.ordinal;
  return cache.get(key) ?? cache.set(key, judgePair(k, a, b));
}

function judgePair(k: CompiledKnowledge, a: CompiledIngredient, b: CompiledIngredient): PairVerdict {
  const interactions = mostSpecificInteractions(k, a, b);
  const duplicates: Array<PairVerdict['duplicates'][number]> = [];
  for (const classId of a.duplicateClasses) {
    if (!b.classes.includes(classId)) continue;
    const dup = k.classes.get(classId)!.duplicateTherapy!;
    if (dup.exceptions.some(([p, q]) => (p === a.data.id && q === b.data.id) || (p === b.data.id && q === a.data.id))) continue;
    duplicates.push({ classId, dup });
  }
  if (interactions.length === 0 && duplicates.length === 0) return NOTHING;
  return Object.freeze({ interactions: Object.freeze(interactions), duplicates: Object.freeze(duplicates) });
}

function mostSpecificInteractions(k: CompiledKnowledge, a: CompiledIngredient, b: CompiledIngredient): Interaction[] {
  let best = -1;
  let rules: Interaction[] = [];
  for (const ref of a.refs) {
    for (const { other, rule } of k.interactions.get(ref) ?? []) {
      if (!b.refSet.has(other)) continue;
      const specificity = (ref.startsWith('i:') ? 1 : 0) + (other.startsWith('i:') ? 1 : 0);
      if (specificity > best) {
        best = specificity;
        rules = [rule];
      } else if (specificity === best && !rules.includes(rule)) rules.push(rule);
    }
  }
  return rules;
}
