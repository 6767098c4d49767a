/**
 * Dose rules: each line's single and daily dose of each ingredient against the limits for its
 * route and the patient's age band (absolute, and per kilogram of body weight), and against the
 * renal bands for the patient's eGFR or creatinine clearance. All comparisons are exact integer
 * arithmetic (dose-amounts.ts); a dose that cannot be expressed in the limit's unit is reported as
 * not comparable instead of being skipped silently.
 *
 * The daily dose is the single dose times the administrations per day of the frequency
 * (schemas/prescription.ts FREQUENCIES). For `qod` and `qw` that is the amount on a day the drug
 * is taken, which is what labels limit; `prn` has no daily figure, so only the single dose is judged.
 */
import { FREQUENCIES } from '../../../../schemas/prescription.js';
import type { RuleFinding } from '../../prescription/checker.js';
import { finding, type CheckContext } from '../check-context.js';
import type { ResolvedComponent } from '../drug-resolution.js';
import type { CompiledDoseLimit } from '../compiled-knowledge.js';
import { decimalMicros, exceeds, exceedsTimes, formatIn, scaled, type Amount } from '../dose-amounts.js';
import type { ResolvedLine } from '../drug-resolution.js';

const MESSAGES = {
  single: { zh: '单次剂量超过最大剂量', en: 'Single dose above the maximum' },
  daily: { zh: '日剂量超过最大日剂量', en: 'Daily dose above the maximum' },
  singlePerKg: { zh: '单次剂量超过按体重计算的最大剂量', en: 'Single dose above the maximum per kg of body weight' },
  dailyPerKg: { zh: '日剂量超过按体重计算的最大日剂量', en: 'Daily dose above the maximum per kg of body weight' },
  weightNeeded: { zh: '按体重给药的药品须注明患者体重', en: 'The weight is needed to check a per-kg dose limit' },
  notComparable: { zh: '剂量单位无法换算，未能审核剂量', en: 'The dose could not be converted to the limit unit and was not checked' },
} as const;

export function doseFindings(ctx: CheckContext): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const line of ctx.lines) for (const c of line.components) doseOfComponent(ctx, line, c, out);
  return out;
}

function doseOfComponent(ctx: CheckContext, line: ResolvedLine, c: ResolvedComponent, out: RuleFinding[]): void {
  const ing = c.ingredient.data;
  const item = line.item;
  const limits = c.ingredient.doseLimits.filter(({ data: d }) => d.routes.includes(item.route) && (d.minAgeMonths ?? 0) <= ctx.ageMonths && ctx.ageMonths < (d.maxAgeMonths ?? Infinity));
  if (limits.length === 0) return;
  const single = c.single;
  if (single === undefined || single.dimension !== c.ingredient.limitDimension) {
    const evidence = { ingredient: ing.id, dose: `${item.dose.value} ${item.dose.unit}`, limitUnit: ing.doseUnit };
    out.push(finding({ category: 'dose', lines: [item.line], ruleId: `dose.not-comparable.${ing.id}`, tier: 'minor', evidence, message: MESSAGES.notComparable, source: ing.source }));
    return;
  }
  const perDay = FREQUENCIES[item.frequency];
  const daily: Amount | undefined = perDay === 0 ? undefined : scaled(single, perDay);
  const show = (a: Amount) => formatIn(a, ing.doseUnit);
  for (const compiled of limits) {
    const limit = compiled.data;
    const report = (kind: keyof typeof MESSAGES, ruleId: string, evidence: Record<string, string | number>) =>
      out.push(finding({ category: 'dose', lines: [item.line], ruleId: `${ruleId}.${ing.id}`, tier: kind === 'weightNeeded' ? 'minor' : 'major', evidence: Object.assign(band(ing.id, ing.doseUnit, compiled), evidence), message: MESSAGES[kind], source: limit.source }));
    if (compiled.maxSingle !== undefined && exceeds(single, compiled.maxSingle)) report('single', 'dose.single', { single: show(single), limit: limit.maxSingle! });
    if (compiled.maxDaily !== undefined && daily !== undefined && exceeds(daily, compiled.maxDaily)) report('daily', 'dose.daily', { daily: show(daily), limit: limit.maxDaily! });
    if (compiled.maxSinglePerKg === undefined && compiled.maxDailyPerKg === undefined) continue;
    if (ctx.weightMicros === undefined) {
      report('weightNeeded', 'dose.weight-needed', {});
      continue;
    }
    const weightKg = ctx.p.patient.weightKg!;
    if (compiled.maxSinglePerKg !== undefined && exceedsTimes(single, compiled.maxSinglePerKg, ctx.weightMicros)) {
      report('singlePerKg', 'dose.single-per-kg', { single: show(single), limitPerKg: limit.maxSinglePerKg!, weightKg });
    }
    if (compiled.maxDailyPerKg !== undefined && daily !== undefined && exceedsTimes(daily, compiled.maxDailyPerKg, ctx.weightMicros)) {
      report('dailyPerKg', 'dose.daily-per-kg', { daily: show(daily), limitPerKg: limit.maxDailyPerKg!, weightKg });
    }
  }
}

/** The limit's age band, the start of a dose finding's evidence (built only when there is a finding). */
function band(ingredient: string, unit: string, { data: limit }: CompiledDoseLimit): Record<string, string | number> {
  const evidence: Record<string, string | number> = { ingredient, unit };
  if (limit.minAgeMonths !== undefined) evidence.minAgeMonths = limit.minAgeMonths;
  if (limit.maxAgeMonths !== undefined) evidence.maxAgeMonths = limit.maxAgeMonths;
  return evidence;
}

/** The patient's kidney function as the band's measure, or the other one when only that is known. */
function renalValue(ctx: CheckContext, measure: 'egfr' | 'crcl'): { value: string; measure: 'egfr' | 'crcl' } | undefined {
  const r = ctx.p.patient.renal;
  const egfr = r?.egfr === undefined ? undefined : { value: r.egfr, measure: 'egfr' as const };
  const crcl = r?.creatinineClearance === undefined ? undefined : { value: r.creatinineClearance, measure: 'crcl' as const };
  return measure === 'egfr' ? (egfr ?? crcl) : (crcl ?? egfr);
}

export function renalFindings(ctx: CheckContext): RuleFinding[] {
  if (ctx.p.patient.renal === undefined) return [];
  const out: RuleFinding[] = [];
  // Each measure parsed once per check (when a band first needs it), not once per band.
  const measured = { egfr: renalValue(ctx, 'egfr'), crcl: renalValue(ctx, 'crcl') };
  const micros: { egfr?: bigint; crcl?: bigint } = {};
  const microsOf = (measure: 'egfr' | 'crcl', value: string): bigint => (micros[measure] ??= decimalMicros(value));
  for (const line of ctx.systemicLines) {
    for (const c of line.components) {
      const ing = c.ingredient.data;
      for (const compiled of c.ingredient.renalBands) {
        const band = compiled.data;
        const patient = measured[band.measure];
        if (patient === undefined || microsOf(band.measure, patient.value) >= compiled.belowMicros) continue;
        const evidence: Record<string, string> = { ingredient: ing.id, [patient.measure]: patient.value, below: band.below };
        if (band.action === 'max-daily') {
          const perDay = FREQUENCIES[line.item.frequency];
          if (c.single === undefined || perDay === 0) continue;
          const daily = scaled(c.single, perDay);
          if (!exceeds(daily, compiled.maxDaily!)) continue;
          Object.assign(evidence, { daily: formatIn(daily, ing.doseUnit), limit: band.maxDaily!, unit: ing.doseUnit });
        }
        out.push(finding({ ruleId: `renal.${ing.id}.${band.measure}-${band.below}`, category: 'renal', tier: band.tier, lines: [line.item.line], evidence, message: band.message, source: band.source }));
      }
    }
  }
  return out;
}
