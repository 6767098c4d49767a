/**
 * What every rule reads (src/domain/checker/check-context.ts): the age in whole months on the day
 * of issue, lines in line order whatever the order they were written in, and the local routes
 * whose lines are screened for allergy, route, form and dose but not for whole-body rules.
 */
import t from 'tap';
import { canonicalJson } from '../../../src/core/canonical-json.js';
import { ageInMonths, LOCAL_ROUTES } from '../../../src/domain/checker/check-context.js';
import { ROUTES } from '../../../schemas/prescription.js';
import { brief, check, line, other, rx, T0 } from './check-harness.js';
import { knowledgeTree, ruleKnowledge, ruleSetFromDir } from './knowledge-fixtures.js';
import { runCheck } from '../../../src/domain/prescription/checker.js';

const ruleSet = ruleSetFromDir(t.testdir(knowledgeTree(ruleKnowledge())));

t.test('age in whole months on the day of issue (2026-03-02)', async (t) => {
  const months = (patient: { birthDate?: string | undefined; ageMonths?: number | undefined }) => ageInMonths(rx({ items: [line(1, '华法林钠片')], patient: { birthDate: undefined, ...patient } }));
  const golden: Array<[string, number]> = [
    ['2026-03-02', 0],
    ['2026-02-03', 0],
    ['2026-02-02', 1],
    ['2025-03-03', 11],
    ['2025-03-02', 12],
    ['2024-02-29', 24],
    ['2020-03-03', 71],
    ['2020-03-02', 72],
    ['2014-03-03', 143],
    ['2014-03-02', 144],
    ['1961-04-12', 778],
  ];
  // A birth after the day of issue never reaches the checker: the schema refuses it (test/schemas).
  for (const [birthDate, expected] of golden) t.equal(months({ birthDate }), expected, birthDate);
  t.equal(months({ ageMonths: 30 }), 30, 'the age in months when no birth date is known');
  t.equal(months({ birthDate: '2020-03-02', ageMonths: 5 }), 72, 'the birth date wins');
});

t.test('the evaluation instant does not change the findings: ages are taken on the day of issue', async (t) => {
  const p = rx({ items: [line(1, '盐酸哌甲酯片', { days: 3, quantity: { value: '3', unit: '片' } })], patient: { birthDate: '2020-03-03', weightKg: '20' } });
  const now = runCheck(ruleSet, { prescription: p, others: [], instant: T0 });
  const later = runCheck(ruleSet, { prescription: p, others: [], instant: T0 + 400 * 86_400_000 });
  t.same(now.findings.map((f) => f.ruleId), ['age.methylphenidate']);
  t.equal(canonicalJson(later.findings), canonicalJson(now.findings), 'checked 400 days later (a 7-year-old by then): same findings');
});

t.test('lines are read in line order, whatever order they were written in', async (t) => {
  const items = [line(3, '呋塞米片'), line(1, '华法林钠片'), line(2, '阿司匹林肠溶片'), line(5, '氢氯噻嗪片')];
  const written = check(ruleSet, rx({ items }));
  const sorted = check(ruleSet, rx({ items: [...items].sort((a, b) => a.line - b.line) }));
  t.same(brief(written.findings), [
    { ruleId: 'ddi.warfarin.acetylsalicylic-acid', tier: 'major', lines: [1, 2], evidence: { drug: 'warfarin', with: 'acetylsalicylic-acid' } },
    { ruleId: 'dup.class.diuretic', tier: 'moderate', lines: [3, 5], evidence: { drug: 'furosemide', with: 'hydrochlorothiazide', class: 'diuretic' } },
  ]);
  t.equal(canonicalJson(written.findings), canonicalJson(sorted.findings));
  t.equal(written.outcome, sorted.outcome);
});

t.test('the local routes', async (t) => {
  t.same([...LOCAL_ROUTES].sort(), ['nasal', 'ophthalmic', 'otic', 'topical', 'vaginal']);
  t.ok([...LOCAL_ROUTES].every((r) => (ROUTES as readonly string[]).includes(r)), 'each is a route prescriptions use');
});

t.test('a local line skips interactions, renal and age rules, but not allergy', async (t) => {
  // A ten-year-old with CrCl 20, a quinolone allergy, on warfarin, given levofloxacin.
  const patient = { birthDate: '2016-03-02', weightKg: '30', allergies: [{ substance: '喹诺酮类' }], renal: { creatinineClearance: '20' } };
  const warfarin = line(2, '华法林钠片', { dose: { value: '2.5', unit: 'mg' } });
  const oral = line(1, '左氧氟沙星片', { dose: { value: '500', unit: 'mg' } });
  const drops = line(1, '左氧氟沙星滴眼液', { form: 'eye-drops', route: 'ophthalmic', strength: { value: '5', unit: 'mg/mL' }, dose: { value: '1', unit: '滴' }, frequency: 'qid', quantity: { value: '1', unit: '支' } });
  t.same(brief(check(ruleSet, rx({ items: [oral, warfarin], patient })).findings), [
    { ruleId: 'age.levofloxacin', tier: 'major', lines: [1], evidence: { ingredient: 'levofloxacin', ageMonths: 120, minAgeMonths: 216 } },
    { ruleId: 'allergy.group.quinolone', tier: 'major', lines: [1], evidence: { ingredient: 'levofloxacin', group: 'quinolone', allergy: '喹诺酮类' } },
    { ruleId: 'ddi.fluoroquinolone.warfarin', tier: 'moderate', lines: [1, 2], evidence: { drug: 'levofloxacin', with: 'warfarin' } },
    { ruleId: 'renal.levofloxacin.crcl-50', tier: 'moderate', lines: [1], evidence: { ingredient: 'levofloxacin', crcl: '20', below: '50', daily: '500', limit: '250', unit: 'mg' } },
  ], 'by mouth: all four');
  t.same(brief(check(ruleSet, rx({ items: [drops, warfarin], patient })).findings), [
    { ruleId: 'allergy.group.quinolone', tier: 'major', lines: [1], evidence: { ingredient: 'levofloxacin', group: 'quinolone', allergy: '喹诺酮类' } },
  ], 'eye drops: the allergy only');
  t.same(check(ruleSet, rx({ items: [drops], patient: { ...patient, allergies: [] } }), { others: [other('rx-other-a', '华法林钠片')] }).findings, [], 'nor against other prescriptions');

  for (const route of ROUTES) {
    const ids = check(ruleSet, rx({ items: [{ ...oral, route }, warfarin], patient: { ...patient, allergies: [], renal: undefined } })).findings.map((f) => f.ruleId);
    const local = LOCAL_ROUTES.has(route);
    t.equal(ids.includes('ddi.fluoroquinolone.warfarin'), !local, `${route}: ${local ? 'no interaction' : 'interaction'}`);
    t.equal(ids.includes('age.levofloxacin'), !local, `${route}: ${local ? 'no age rule' : 'age rule'}`);
  }
});
