/**
 * The regulatory rules of 处方管理办法, 长期处方管理规范 and the internet-diagnosis rules
 * (../shared/DOMAIN.md §4) that need no drug knowledge base: item count, days of supply by
 * setting, long-prescription totals, validity, and the conformity rules for children. The
 * rational-drug-use knowledge base (interactions, doses, allergies, …) is a separate rule set with
 * the same contract (checker.ts); until it is active, prescriptions are checked by this one.
 *
 * The table below is the rule set's content: its canonical bytes hash to the rule-set version
 * every check result records, so changing a limit changes the version.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8 } from '../../core/bytes.js';
import { canonicalBytes } from '../../core/canonical-json.js';
import type { PrescriptionItem, Prescription } from '../../../schemas/prescription.js';
import type { CheckInput, RuleFinding, RuleSet, SeverityTier } from './checker.js';

interface RuleDefinition {
  readonly id: string;
  readonly category: string;
  readonly tier: SeverityTier;
  readonly limit: number;
  readonly source: string;
  readonly zh: string;
  readonly en: string;
}

const SOURCE_RX_RULES = '处方管理办法（卫生部令第53号，2007）';
const SOURCE_LONG_RX = '长期处方管理规范（试行）（国卫办医发〔2021〕17号）';
const SOURCE_INTERNET = '互联网诊疗管理办法（试行）（2018）；互联网诊疗监管细则（试行）（2022）';
const SOURCE_REVIEW = '医疗机构处方审核规范（2018）';

export const REGULATORY_RULES = [
  { id: 'reg.items-max', category: 'regulatory', tier: 'critical', limit: 5, source: SOURCE_RX_RULES, zh: '每张处方不得超过5种药品', en: 'At most 5 drugs per prescription' },
  { id: 'reg.days-outpatient', category: 'regulatory', tier: 'major', limit: 7, source: SOURCE_RX_RULES, zh: '处方一般不得超过7日用量，延长须注明理由', en: 'Supply beyond 7 days needs a stated reason' },
  { id: 'reg.days-emergency', category: 'regulatory', tier: 'major', limit: 3, source: SOURCE_RX_RULES, zh: '急诊处方一般不得超过3日用量，延长须注明理由', en: 'Emergency supply beyond 3 days needs a stated reason' },
  { id: 'reg.long-total-max', category: 'regulatory', tier: 'critical', limit: 84, source: SOURCE_LONG_RX, zh: '长期处方用量一般不超过12周', en: 'A long prescription may cover at most 12 weeks' },
  { id: 'reg.long-over-4-weeks', category: 'regulatory', tier: 'moderate', limit: 28, source: SOURCE_LONG_RX, zh: '超过4周的长期处方须评估病情并经患者确认', en: 'Over 4 weeks needs a documented assessment and the patient’s confirmation' },
  { id: 'reg.validity-extended', category: 'regulatory', tier: 'minor', limit: 1, source: SOURCE_RX_RULES, zh: '处方有效期已延长（最长3天）', en: 'Validity extended beyond the day of issue (at most 3 days)' },
  { id: 'reg.internet-young-child', category: 'regulatory', tier: 'moderate', limit: 6, source: SOURCE_INTERNET, zh: '为6岁以下儿童开具互联网处方须有监护人陪同', en: 'Internet prescribing for a child under 6 requires a guardian' },
  { id: 'reg.child-weight', category: 'conformity', tier: 'moderate', limit: 14, source: SOURCE_REVIEW, zh: '儿童处方应注明体重', en: 'A prescription for a child should state the weight' },
] as const satisfies readonly RuleDefinition[];

type RuleId = (typeof REGULATORY_RULES)[number]['id'];
const RULES = Object.fromEntries(REGULATORY_RULES.map((r) => [r.id, r])) as Record<RuleId, RuleDefinition>;

const RULE_SET_NAME = 'rxledger-regulatory';
const RULE_SET_VERSION = '1';
const RULE_SET_PREFIX = 'rxledger/rule-set/v1\n';

function finding(id: RuleId, lines: number[], evidence: Record<string, number | string>): RuleFinding {
  const r = RULES[id];
  return { ruleId: r.id, category: r.category, tier: r.tier, lines, evidence: { ...evidence, limit: r.limit }, message: { zh: r.zh, en: r.en }, source: r.source };
}

/** Whole years of age on the day of issue, from the birth date or the age in months. */
export function ageInYears(p: Prescription): number {
  if (p.patient.birthDate !== undefined) {
    const [by, bm, bd] = p.patient.birthDate.split('-').map(Number) as [number, number, number];
    const [ey, em, ed] = p.encounter.date.split('-').map(Number) as [number, number, number];
    return ey - by - (em < bm || (em === bm && ed < bd) ? 1 : 0);
  }
  return Math.floor((p.patient.ageMonths ?? 0) / 12);
}

/** Days of supply an item covers over every fill it is part of. */
const totalDays = (item: PrescriptionItem): number => item.days * (1 + (item.repeats?.count ?? 0));

function evaluate({ prescription: p }: CheckInput): RuleFinding[] {
  const out: RuleFinding[] = [];
  if (p.items.length > RULES['reg.items-max'].limit) out.push(finding('reg.items-max', [], { items: p.items.length }));
  const type = p.encounter.type;
  const lines = (pred: (i: PrescriptionItem) => boolean) => p.items.filter(pred).map((i) => i.line).sort((a, b) => a - b);
  if (!p.encounter.longPrescription) {
    const rule = type === 'emergency' ? 'reg.days-emergency' : 'reg.days-outpatient';
    const over = lines((i) => i.days > RULES[rule].limit);
    if (over.length > 0) out.push(finding(rule, over, { days: Math.max(...p.items.map((i) => i.days)) }));
  } else {
    const longest = Math.max(...p.items.map(totalDays));
    const tooLong = lines((i) => totalDays(i) > RULES['reg.long-total-max'].limit);
    if (tooLong.length > 0) out.push(finding('reg.long-total-max', tooLong, { days: longest }));
    else {
      const over4 = lines((i) => totalDays(i) > RULES['reg.long-over-4-weeks'].limit);
      if (over4.length > 0) out.push(finding('reg.long-over-4-weeks', over4, { days: longest }));
    }
  }
  if (p.encounter.validityDays > RULES['reg.validity-extended'].limit) out.push(finding('reg.validity-extended', [], { validityDays: p.encounter.validityDays }));
  const age = ageInYears(p);
  if (type === 'internet-follow-up' && age < RULES['reg.internet-young-child'].limit) out.push(finding('reg.internet-young-child', [], { ageYears: age }));
  if (age < RULES['reg.child-weight'].limit && p.patient.weightKg === undefined) out.push(finding('reg.child-weight', [], { ageYears: age }));
  return out;
}

const content = { name: RULE_SET_NAME, version: RULE_SET_VERSION, rules: REGULATORY_RULES };

export const REGULATORY_RULE_SET: RuleSet = {
  hash: bytesToHex(sha256(concatBytes(utf8(RULE_SET_PREFIX), canonicalBytes(content)))),
  name: `${RULE_SET_NAME}@${RULE_SET_VERSION}`,
  evaluate,
};
