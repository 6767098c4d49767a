/**
 * The regulatory rules of 处方管理办法, 长期处方管理规范, the internet-diagnosis rules and the
 * special-drug regulations (../shared/DOMAIN.md §4), with their limits from the bundle's
 * `regulatory` section: item count, days of supply by setting and by control class, long
 * prescriptions (total, over four weeks, excluded drugs), validity, internet prescribing (young
 * children, excluded drugs), the weight on a child's prescription, and the prescriber's
 * privileges for narcotics, psychotropics and antimicrobial grades.
 */
import type { PrescriptionItem } from '../../../../schemas/prescription.js';
import type { RuleFinding } from '../../prescription/checker.js';
import { finding, type CheckContext } from '../check-context.js';
import type { ResolvedLine } from '../drug-resolution.js';
import type { KnowledgeBundle } from '../knowledge-bundle.js';
import { ANTIMICROBIAL_GRADES } from '../../registry/registry-model.js';

type Regulatory = KnowledgeBundle['regulatory'];
type LimitRule = Regulatory['itemsMax'];

const limitFinding = (ruleId: string, rule: LimitRule, category: string, lines: number[], evidence: Record<string, number | string>): RuleFinding =>
  finding({ ruleId, category, tier: rule.tier, lines, evidence: Object.assign({}, evidence, { limit: rule.limit }), message: rule.message, source: rule.source });

/** Days of supply an item covers over every fill it is part of. */
const totalDays = (item: PrescriptionItem): number => item.days * (1 + (item.repeats?.count ?? 0));

/** Grades in increasing order of restriction, as the registry's privileges name them. */
const GRADE_ORDER = ANTIMICROBIAL_GRADES;

export function regulatoryFindings(ctx: CheckContext): RuleFinding[] {
  const r = ctx.k.bundle.regulatory;
  const p = ctx.p;
  const out: RuleFinding[] = [];
  const items = ctx.lines.map((l) => l.item);
  const linesWhere = (pred: (i: PrescriptionItem) => boolean) => items.filter(pred).map((i) => i.line);
  const type = p.encounter.type;

  if (items.length > r.itemsMax.limit) out.push(limitFinding('reg.items-max', r.itemsMax, 'regulatory', [], { items: items.length }));
  if (!p.encounter.longPrescription) {
    const [id, rule] = type === 'emergency' ? (['reg.days-emergency', r.daysEmergency] as const) : (['reg.days-outpatient', r.daysOutpatient] as const);
    const over = linesWhere((i) => i.days > rule.limit);
    if (over.length > 0) out.push(limitFinding(id, rule, 'regulatory', over, { days: Math.max(...items.map((i) => i.days)) }));
  } else {
    const longest = Math.max(...items.map(totalDays));
    const tooLong = linesWhere((i) => totalDays(i) > r.longTotalMax.limit);
    if (tooLong.length > 0) out.push(limitFinding('reg.long-total-max', r.longTotalMax, 'regulatory', tooLong, { days: longest }));
    else {
      const over4 = linesWhere((i) => totalDays(i) > r.longOver4Weeks.limit);
      if (over4.length > 0) out.push(limitFinding('reg.long-over-4-weeks', r.longOver4Weeks, 'regulatory', over4, { days: longest }));
    }
  }
  if (p.encounter.validityDays > r.validityExtended.limit) out.push(limitFinding('reg.validity-extended', r.validityExtended, 'regulatory', [], { validityDays: p.encounter.validityDays }));
  const ageYears = Math.floor(ctx.ageMonths / 12);
  if (type === 'internet-follow-up' && ageYears < r.internetYoungChild.limit) out.push(limitFinding('reg.internet-young-child', r.internetYoungChild, 'regulatory', [], { ageYears }));
  if (ageYears < r.childWeight.limit && p.patient.weightKg === undefined) out.push(limitFinding('reg.child-weight', r.childWeight, 'conformity', [], { ageYears }));

  for (const line of ctx.lines) specialDrugFindings(ctx, line, out);
  return out;
}

/** Control classes, most restrictive first: a line is judged by its most restrictive component. */
const CONTROL_ORDER = ['narcotic', 'psychotropic-1', 'toxic', 'psychotropic-2', 'precursor', 'radioactive'] as const;
function controlsOf(line: ResolvedLine): string[] {
  // Most lines hold no controlled ingredient: the answer is known without the scan.
  if (line.components.every((x) => x.ingredient.data.control === 'none')) return [];
  return CONTROL_ORDER.filter((c) => line.components.some((x) => x.ingredient.data.control === c));
}

function formKind(item: PrescriptionItem): 'injection' | 'controlled-release' | 'other' {
  if (item.form === 'injection' || item.form === 'infusion') return 'injection';
  return /缓释|控释/.test(item.genericName) ? 'controlled-release' : 'other';
}

function specialDrugFindings(ctx: CheckContext, line: ResolvedLine, out: RuleFinding[]): void {
  const r = ctx.k.bundle.regulatory;
  const item = line.item;
  const lines = [item.line];
  const controls = controlsOf(line);
  const grades = line.components.flatMap((c) => (c.ingredient.data.antimicrobial === undefined ? [] : [c.ingredient.data.antimicrobial]));
  const plain = (ruleId: string, rule: { tier: RuleFinding['tier']; message: RuleFinding['message']; source: string }, evidence: Record<string, string | number>) =>
    out.push(finding({ ruleId, category: 'regulatory', tier: rule.tier, lines, evidence, message: rule.message, source: rule.source }));

  const control = controls[0];
  if (control !== undefined) {
    const kind = formKind(item);
    const limit = r.controlledDays.find((d) => d.control === control && d.kind === kind);
    if (limit !== undefined && item.days > limit.maxDays) plain(`reg.controlled-days.${control}.${kind}`, limit, { control, kind, days: item.days, limit: limit.maxDays });
  }
  if (ctx.p.encounter.longPrescription) {
    const excluded = controls.find((c) => (r.longExcluded.controls as readonly string[]).includes(c));
    if (excluded !== undefined) plain('reg.long-excluded', r.longExcluded, { control: excluded });
    else if (r.longExcluded.antimicrobials && grades.length > 0) plain('reg.long-excluded', r.longExcluded, { antimicrobial: grades[0]! });
  }
  if (ctx.p.encounter.type === 'internet-follow-up') {
    const excluded = controls.find((c) => (r.internetExcluded.controls as readonly string[]).includes(c));
    if (excluded !== undefined) plain('reg.internet-excluded', r.internetExcluded, { control: excluded });
  }
  // Privileges are judged only when the input names them (a dry run by a system without a registered prescriber does not).
  const privileges = ctx.input.prescriberPrivileges;
  if (privileges === undefined) return;
  const granted = (c: string): boolean =>
    privileges !== null &&
    (c === 'narcotic' ? privileges.narcotic : c === 'psychotropic-1' ? privileges.psychotropicI : c === 'psychotropic-2' ? privileges.psychotropicII : true);
  const missing = controls.find((c) => !granted(c));
  if (missing !== undefined) plain('reg.privilege-control', r.privileges, { control: missing });
  const held = GRADE_ORDER.indexOf(privileges?.antimicrobialGrade ?? 'none');
  const needed = grades.reduce((max, g) => Math.max(max, GRADE_ORDER.indexOf(g)), 0);
  if (needed > held) plain('reg.privilege-antimicrobial', r.privileges, { required: GRADE_ORDER[needed]!, held: GRADE_ORDER[held]! });
}
