/**
 * The checker's contract (src/domain/prescription/checker.ts) and the regulatory rules of the
 * starter rule set (src/domain/checker/rules/regulatory-rules.ts): every rule fires one past its
 * limit and not at it, findings come in a fixed order whatever order rules emit them, the outcome
 * follows the policy, the input hash is what a verifier recomputes (checked against a naive
 * reference: the `canonicalize` RFC 8785 implementation and node:crypto).
 */
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { canonicalJson } from '../../../src/core/canonical-json.js';
import { rememberTexts } from '../../../src/core/value-texts.js';
import {
  CHECK_INPUT_PREFIX,
  SEVERITY_TIERS,
  checkInputHash,
  DEFAULT_CHECK_POLICY,
  runCheck,
  type CheckInput,
  type CheckPolicy,
  type OtherPrescription,
  type RuleFinding,
  type RuleSet,
} from '../../../src/domain/prescription/checker.js';
import { starterRuleSet } from '../checker/starter-rule-set.js';
import { ageInMonths } from '../../../src/domain/checker/check-context.js';
import { item, prescription } from '../../../scripts/lib/rx-world.js';
import type { Prescription, PrescriptionItem } from '../../../schemas/prescription.js';
import { patient, T0 } from './test-world.js';

/** Day of issue of every prescription here: T0 is 2026-03-02 09:00 CST. */
const build = (o: { items?: PrescriptionItem[]; encounter?: Partial<Prescription['encounter']>; patient?: Partial<Prescription['patient']> } = {}): Prescription => {
  const p = prescription('rx-checker-0001', { id: 'dr-a', institutionId: 'hosp-a' }, patient(1), { now: T0, items: o.items ?? [item(1)], ...(o.encounter ? { encounter: o.encounter } : {}) });
  if (o.patient === undefined) return p;
  // A field given as undefined is removed (a child's prescription may omit the weight).
  const merged = Object.fromEntries(Object.entries({ ...p.patient, ...o.patient }).filter(([, v]) => v !== undefined));
  return { ...p, patient: merged as Prescription['patient'] };
};
const child = (birthDate: string, weightKg?: string): Partial<Prescription['patient']> => ({ birthDate, weightKg });
const run = (p: Prescription, policy?: CheckPolicy) => runCheck(starterRuleSet(), { prescription: p, others: [], instant: T0 }, policy);
/** The regulatory findings alone: these tests are about the regulatory rules, whatever the drugs' own findings. */
const regulatory = (r: { findings: readonly RuleFinding[] }) => r.findings.filter((f) => f.ruleId.startsWith('reg.'));
const ruleIds = (p: Prescription) => regulatory(run(p)).map((f) => f.ruleId);
const supply = (line: number, days: number, repeats?: { count: number; intervalDays: number }) => item(line, { days, quantity: { value: String(days), unit: '片' }, ...(repeats ? { repeats } : {}) });
const long = { longPrescription: true };

/** t.match only checks the elements a pattern lists; a list of findings must also have exactly that many. */
function matchFindings(t: Test, findings: unknown, patterns: object[], what = 'findings'): void {
  t.equal(Array.isArray(findings) ? findings.length : -1, patterns.length, `${what}: exactly ${patterns.length}`);
  t.match(findings, patterns, what);
}

t.test('a plain adult outpatient prescription has no findings', async (t) => {
  const r = run(build());
  t.same(r.findings, []);
  t.equal(r.outcome, 'active');
  t.equal(r.ruleSet, starterRuleSet().hash);
});

t.test('each rule fires one past its limit and not at it', async (t) => {
  // reg.items-max: at most 5 drugs.
  t.same(ruleIds(build({ items: [1, 2, 3, 4, 5].map((n) => item(n)) })), [], '5 items');
  const six = run(build({ items: [1, 2, 3, 4, 5, 6].map((n) => item(n)) }));
  matchFindings(t, regulatory(six), [{ ruleId: 'reg.items-max', tier: 'critical', action: 'block', lines: [], evidence: { items: 6, limit: 5 } }], '6 items');

  // reg.days-outpatient: 7 days; also for discharge and internet follow-up.
  t.same(ruleIds(build({ items: [supply(1, 7)] })), [], '7 days, outpatient');
  matchFindings(t, regulatory(run(build({ items: [supply(1, 8)] }))), [{ ruleId: 'reg.days-outpatient', tier: 'major', action: 'override', lines: [1], evidence: { days: 8, limit: 7 } }], '8 days, outpatient');
  for (const type of ['discharge', 'internet-follow-up'] as const) {
    t.same(ruleIds(build({ items: [supply(1, 7)], encounter: { type } })), [], `7 days, ${type}`);
    t.same(ruleIds(build({ items: [supply(1, 8)], encounter: { type } })), ['reg.days-outpatient'], `8 days, ${type}`);
  }
  matchFindings(t,
    regulatory(run(build({ items: [supply(1, 8), supply(2, 3), supply(3, 10)] }))),
    [{ ruleId: 'reg.days-outpatient', lines: [1, 3], evidence: { days: 10 } }],
    'one finding naming every line over the limit, with the longest supply',
  );

  // reg.days-emergency: 3 days, instead of the outpatient rule.
  t.same(ruleIds(build({ items: [supply(1, 3)], encounter: { type: 'emergency' } })), [], '3 days, emergency');
  matchFindings(t, regulatory(run(build({ items: [supply(1, 4)], encounter: { type: 'emergency' } }))), [{ ruleId: 'reg.days-emergency', tier: 'major', lines: [1], evidence: { days: 4, limit: 3 } }], '4 days, emergency');
  t.same(ruleIds(build({ items: [supply(1, 8)], encounter: { type: 'emergency' } })), ['reg.days-emergency'], 'an emergency is not judged by the outpatient limit');

  // reg.long-total-max: 84 days over every fill; reg.long-over-4-weeks: 28.
  t.same(ruleIds(build({ items: [supply(1, 28)], encounter: long })), [], '28 days, long');
  matchFindings(t, regulatory(run(build({ items: [supply(1, 29)], encounter: long }))), [{ ruleId: 'reg.long-over-4-weeks', tier: 'moderate', action: 'warn', lines: [1], evidence: { days: 29, limit: 28 } }], '29 days, long');
  t.same(ruleIds(build({ items: [supply(1, 14, { count: 1, intervalDays: 14 })], encounter: long })), [], '2 × 14 = 28 days');
  t.same(ruleIds(build({ items: [supply(1, 21, { count: 3, intervalDays: 21 })], encounter: long })), ['reg.long-over-4-weeks'], '4 × 21 = 84 days: over 4 weeks, within 12');
  matchFindings(t,
    regulatory(run(build({ items: [supply(1, 17, { count: 4, intervalDays: 17 }), supply(2, 28)], encounter: long }))),
    [{ ruleId: 'reg.long-total-max', tier: 'critical', action: 'block', lines: [1], evidence: { days: 85, limit: 84 } }],
    '5 × 17 = 85 days: over 12 weeks (and only that finding)',
  );
  t.same(ruleIds(build({ items: [supply(1, 30)], encounter: long })), ['reg.long-over-4-weeks'], 'a long prescription is not judged by the 7-day rule');

  // reg.validity-extended: 1 day.
  t.same(ruleIds(build({ encounter: { validityDays: 1 } })), [], 'valid 1 day');
  matchFindings(t, regulatory(run(build({ encounter: { validityDays: 2 } }))), [{ ruleId: 'reg.validity-extended', tier: 'minor', action: 'inform', lines: [], evidence: { validityDays: 2, limit: 1 } }], 'valid 2 days');

  // reg.internet-young-child: under 6, on an internet follow-up. Encounter date 2026-03-02.
  const internet = { type: 'internet-follow-up' as const };
  t.same(ruleIds(build({ encounter: internet, patient: child('2020-03-02', '20') })), [], 'six today');
  matchFindings(t, regulatory(run(build({ encounter: internet, patient: child('2020-03-03', '20') }))), [{ ruleId: 'reg.internet-young-child', tier: 'moderate', evidence: { ageYears: 5, limit: 6 } }], 'six tomorrow');
  t.same(ruleIds(build({ patient: child('2020-03-03', '20') })), [], 'a young child in person');

  // reg.child-weight: under 14 without a weight.
  t.same(ruleIds(build({ patient: child('2012-03-02') })), [], 'fourteen today, no weight');
  matchFindings(t, regulatory(run(build({ patient: child('2012-03-03') }))), [{ ruleId: 'reg.child-weight', category: 'conformity', tier: 'moderate', evidence: { ageYears: 13, limit: 14 } }], 'fourteen tomorrow, no weight');
  t.same(ruleIds(build({ patient: child('2012-03-03', '45') })), [], 'thirteen, weighed');
});

t.test('age in whole years on the day of issue, from the birth date or the months', async (t) => {
  const at = (patientFields: Partial<Prescription['patient']>) => {
    const p = build();
    const { birthDate: _drop, ...rest } = p.patient;
    return Math.floor(ageInMonths({ ...p, patient: { ...rest, ...patientFields } }) / 12);
  };
  t.equal(at({ birthDate: '2020-03-02' }), 6, 'birthday today');
  t.equal(at({ birthDate: '2020-03-03' }), 5, 'birthday tomorrow');
  t.equal(at({ birthDate: '2020-04-01' }), 5, 'birthday next month');
  t.equal(at({ birthDate: '2020-02-29' }), 6, 'born on a leap day');
  t.equal(at({ ageMonths: 72 }), 6);
  t.equal(at({ ageMonths: 71 }), 5);
  t.equal(at({ ageMonths: 0 }), 0);
  t.equal(at({ birthDate: '2020-03-03', ageMonths: 100 }), 5, 'the birth date wins over the months');
});

t.test('findings come in a fixed order: tier, rule id, lines', async (t) => {
  // Evaluated in table order (items, days, validity, internet, weight); reported sorted.
  const p = build({
    items: [supply(1, 8), ...[2, 3, 4, 5, 6].map((n) => item(n))],
    encounter: { type: 'internet-follow-up', validityDays: 2 },
    patient: child('2021-01-01'),
  });
  const r = run(p);
  // The child is also given adult drugs: the knowledge rules' findings interleave by tier, in the same order.
  const regulatory = r.findings.filter((f) => f.ruleId.startsWith('reg.'));
  t.ok(r.findings.length > regulatory.length, 'knowledge findings too');
  t.same(
    r.findings.map((f) => SEVERITY_TIERS.indexOf(f.tier)),
    [...r.findings.map((f) => SEVERITY_TIERS.indexOf(f.tier))].sort((a, b) => a - b),
    'all findings by tier',
  );
  t.same(
    regulatory.map((f) => [f.tier, f.ruleId]),
    [
      ['critical', 'reg.items-max'],
      ['major', 'reg.days-outpatient'],
      ['moderate', 'reg.child-weight'],
      ['moderate', 'reg.internet-young-child'],
      ['minor', 'reg.validity-extended'],
    ],
  );
  t.same(regulatory.map((f) => f.action), ['block', 'override', 'warn', 'warn', 'inform'], 'each finding carries its tier\'s action');
  t.equal(r.outcome, 'rejected');

  // A rule set that emits in any order is sorted the same way.
  const emitted: RuleFinding[] = [
    { ruleId: 'b', category: 'x', tier: 'minor', lines: [2], evidence: {}, message: { zh: '乙', en: 'b' }, source: 's' },
    { ruleId: 'a', category: 'x', tier: 'minor', lines: [3], evidence: {}, message: { zh: '甲', en: 'a' }, source: 's' },
    { ruleId: 'a', category: 'x', tier: 'minor', lines: [1], evidence: {}, message: { zh: '甲', en: 'a' }, source: 's' },
    { ruleId: 'z', category: 'x', tier: 'critical', lines: [], evidence: {}, message: { zh: '丙', en: 'z' }, source: 's' },
    { ruleId: 'm', category: 'x', tier: 'moderate', lines: [1, 2], evidence: {}, message: { zh: '丁', en: 'm' }, source: 's' },
  ];
  const order = (findings: readonly RuleFinding[]) => findings.map((f) => `${f.tier}:${f.ruleId}:${f.lines.join(',')}`);
  const ruleSet = (findings: RuleFinding[]): RuleSet => ({ hash: '0'.repeat(64), name: 'test@1', evaluate: () => findings });
  const input: CheckInput = { prescription: p, others: [], instant: T0 };
  const expected = ['critical:z:', 'moderate:m:1,2', 'minor:a:1', 'minor:a:3', 'minor:b:2'];
  t.same(order(runCheck(ruleSet(emitted), input).findings), expected);
  t.same(order(runCheck(ruleSet([...emitted].reverse()), input).findings), expected, 'whatever order they were emitted in');
  t.same(order(runCheck(ruleSet([emitted[2]!, emitted[4]!, emitted[0]!, emitted[3]!, emitted[1]!]), input).findings), expected);
});

t.test('the outcome follows the policy', async (t) => {
  const blocked = build({ items: [supply(1, 8), ...[2, 3, 4, 5, 6].map((n) => item(n))] });
  const overridden = build({ items: [supply(1, 8)], encounter: { validityDays: 3 } });
  const warned = build({ items: [supply(1, 29)], encounter: long });
  t.same(DEFAULT_CHECK_POLICY, { critical: 'block', major: 'override', moderate: 'warn', minor: 'inform' });
  t.equal(run(blocked).outcome, 'rejected', 'a block rejects');
  t.equal(run(overridden).outcome, 'awaiting-override', 'an override, and no block, waits for the prescriber');
  t.equal(run(warned).outcome, 'active', 'warnings do not stop it');
  const lenient: CheckPolicy = { critical: 'override', major: 'warn', moderate: 'inform', minor: 'inform' };
  t.equal(run(blocked, lenient).outcome, 'awaiting-override', 'a policy that lets critical findings be overridden');
  t.same(run(blocked, lenient).findings.map((f) => f.action), ['override', 'warn']);
  t.equal(run(overridden, lenient).outcome, 'active');
  const strict: CheckPolicy = { critical: 'block', major: 'block', moderate: 'override', minor: 'warn' };
  t.equal(run(overridden, strict).outcome, 'rejected');
  t.equal(run(warned, strict).outcome, 'awaiting-override');
  t.same(run(build({ encounter: { validityDays: 2 } }), strict).findings.map((f) => f.action), ['warn']);
  t.equal(run(build({ encounter: { validityDays: 2 } }), strict).outcome, 'active', 'a warning alone never holds it');
});

t.test('the input hash covers the prescription, the other prescriptions and the instant', async (t) => {
  const p = build();
  const other: OtherPrescription = { prescriptionId: 'rx-other-0001', institutionId: 'hosp-b', prescriberId: 'dr-b', items: [{ drugCode: 'X1', genericName: '阿司匹林肠溶片', route: 'oral', days: 7 }] };
  const input: CheckInput = { prescription: p, others: [other], instant: T0 };
  // The naive reference: SHA-256 over the prefix and the `canonicalize` package's RFC 8785 text.
  const reference = (i: CheckInput) => createHash('sha256').update(CHECK_INPUT_PREFIX + canonicalize({ prescription: i.prescription, others: i.others, instant: i.instant }), 'utf8').digest('hex');
  t.equal(checkInputHash(input), reference(input), 'agrees with the reference');
  t.equal(CHECK_INPUT_PREFIX, 'rxledger/check-input/v1\n');
  const reordered = JSON.parse(JSON.stringify({ instant: T0, others: [other], prescription: p })) as CheckInput;
  t.equal(checkInputHash(reordered), checkInputHash(input), 'member order does not matter (canonical bytes)');
  const variants: Record<string, CheckInput> = {
    'another instant': { ...input, instant: T0 + 1 },
    'no other prescriptions': { ...input, others: [] },
    'another prescriber on the other prescription': { ...input, others: [{ ...other, prescriberId: 'dr-c' }] },
    'another weight': { ...input, prescription: { ...p, patient: { ...p.patient, weightKg: '62.6' } } },
    'another quantity': { ...input, prescription: { ...p, items: [{ ...p.items[0]!, quantity: { value: '7.0', unit: '片' } }] } },
  };
  const hashes = new Set([checkInputHash(input)]);
  for (const [what, v] of Object.entries(variants)) {
    const h = checkInputHash(v);
    t.not(h, checkInputHash(input), what);
    t.equal(h, reference(v), `${what}: agrees with the reference`);
    hashes.add(h);
  }
  t.equal(hashes.size, Object.keys(variants).length + 1, 'all distinct');
  t.equal(runCheck(starterRuleSet(), input).inputHash, checkInputHash(input), 'the result names its input');
});

t.test('the input hash appends the prescription\'s text, made here or remembered from the intake', async (t) => {
  const reference = (i: CheckInput) =>
    createHash('sha256')
      .update(CHECK_INPUT_PREFIX + canonicalize({ prescription: i.prescription, others: i.others, instant: i.instant, ...(i.prescriberPrivileges === undefined ? {} : { prescriberPrivileges: i.prescriberPrivileges }) }), 'utf8')
      .digest('hex');
  const privileges = { narcotic: false, psychotropicI: false, psychotropicII: true, antimicrobialGrade: 'non-restricted' } as const;
  const cases: Record<string, CheckInput> = {
    'no privileges': { prescription: build(), others: [], instant: T0 },
    'null privileges': { prescription: build(), others: [], instant: T0, prescriberPrivileges: null },
    privileges: { prescription: build(), others: [], instant: T0, prescriberPrivileges: privileges },
  };
  for (const [what, input] of Object.entries(cases)) {
    t.equal(checkInputHash(input), reference(input), what);
    t.equal(checkInputHash(input), reference(input), `${what}, again`);
  }
  // The intake's worker remembers the texts it made for the object the event loop parses
  // (statement-intake.ts); the hash takes them as they are.
  const p = build();
  const input = { prescription: p, others: [], instant: T0 };
  const text = canonicalJson(p);
  rememberTexts(p, { json: JSON.stringify(p), canonical: text });
  t.equal(checkInputHash(input), reference(input), 'with the texts the intake made');
  const marked = build();
  rememberTexts(marked, { json: JSON.stringify(marked), canonical: text.replace('rx-checker-0001', 'rx-checker-0002') });
  t.not(checkInputHash({ ...input, prescription: marked }), reference(input), 'a remembered text is what is hashed');
});

t.test('a check is deterministic: the same input gives byte-identical results', async (t) => {
  const p = build({ items: [supply(1, 8), ...[2, 3, 4, 5, 6].map((n) => item(n))], encounter: { type: 'internet-follow-up', validityDays: 2 }, patient: child('2021-01-01') });
  const input: CheckInput = { prescription: p, others: [], instant: T0 };
  const first = runCheck(starterRuleSet(), input);
  const second = runCheck(starterRuleSet(), JSON.parse(JSON.stringify(input)) as CheckInput);
  t.equal(canonicalJson(second), canonicalJson(first));
  t.equal(first.findings.filter((f) => f.ruleId.startsWith('reg.')).length, 5);
  t.equal(canonicalJson(runCheck(starterRuleSet(), { ...input, instant: T0 + 86_400_000 }).findings), canonicalJson(first.findings), 'the rules do not depend on the instant');
});

