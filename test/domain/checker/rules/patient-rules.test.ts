/**
 * Rules about the patient (src/domain/checker/rules/patient-rules.ts) against the small fixture
 * base: allergies to an ingredient, to a group (the narrowest one a named drug is in) and by
 * cross-sensitivity; drug–disease rules by ICD-10 prefix; pregnancy, lactation, a minimum age and
 * potentially inappropriate medicines for older adults.
 */
import t from 'tap';
import type { Prescription, PrescriptionItem } from '../../../../schemas/prescription.js';
import { brief, check, line, rx, type RxOptions } from '../check-harness.js';
import { knowledgeTree, ruleKnowledge, ruleSetFromDir } from '../knowledge-fixtures.js';

const ruleSet = ruleSetFromDir(t.testdir(knowledgeTree(ruleKnowledge())));
const findings = (items: PrescriptionItem[], o: Omit<RxOptions, 'items'> = {}) => brief(check(ruleSet, rx({ items, ...o })).findings);
const allergic = (...allergies: Prescription['patient']['allergies']) => ({ patient: { allergies } });
const diagnosed = (...codes: string[]) => ({ patient: { diagnoses: codes.map((icd10) => ({ icd10, text: '诊断' })) } });

const amoxicillin = line(1, '阿莫西林胶囊', { form: 'capsule', dose: { value: '500', unit: 'mg' }, frequency: 'tid' });
const amoxClav = line(1, '阿莫西林克拉维酸钾片', { dose: { value: '1', unit: '片' }, frequency: 'bid' });
const ceftriaxone = line(2, '注射用头孢曲松钠', { form: 'injection', route: 'iv', dose: { value: '1', unit: 'g' }, days: 3, quantity: { value: '3', unit: '支' } });
const levofloxacinDrops = line(1, '左氧氟沙星滴眼液', { form: 'eye-drops', route: 'ophthalmic', strength: { value: '5', unit: 'mg/mL' }, dose: { value: '1', unit: '滴' }, frequency: 'qid', quantity: { value: '1', unit: '支' } });
const ibuprofen = line(1, '布洛芬片', { dose: { value: '200', unit: 'mg' }, frequency: 'tid' });
const ibuprofenCream = line(1, '布洛芬乳膏', { form: 'cream', route: 'topical', dose: { value: '1', unit: 'g' } });

t.test('an allergy to the prescribed ingredient', async (t) => {
  const r = check(ruleSet, rx({ items: [amoxicillin], ...allergic({ substance: '阿莫西林', reaction: '皮疹' }) }));
  t.same(brief(r.findings), [{ ruleId: 'allergy.ingredient.amoxicillin', tier: 'critical', lines: [1], evidence: { ingredient: 'amoxicillin', allergy: '阿莫西林' } }]);
  t.match(r.findings[0], { category: 'allergy', message: { zh: '患者对该成分过敏', en: 'The patient is allergic to this ingredient' }, source: '药品说明书（测试夹具）', action: 'block' });
  t.equal(r.outcome, 'rejected');
  for (const substance of ['阿莫西林胶囊', '羟氨苄青霉素', ' Amoxicillin ', '阿莫西林钠']) {
    t.same(findings([amoxicillin], allergic({ substance })).map((f) => [f.ruleId, f.evidence]), [['allergy.ingredient.amoxicillin', { ingredient: 'amoxicillin', allergy: substance }]], `recorded as ${JSON.stringify(substance)}`);
  }
});

t.test('an allergy to a group, named by a term or by the group field', async (t) => {
  t.same(findings([amoxicillin], allergic({ substance: '青霉素类' })), [{ ruleId: 'allergy.group.penicillin', tier: 'critical', lines: [1], evidence: { ingredient: 'amoxicillin', group: 'penicillin', allergy: '青霉素类' } }]);
  t.same(findings([amoxicillin], allergic({ substance: ' PENICILLIN ' })).map((f) => f.ruleId), ['allergy.group.penicillin'], 'terms are matched trimmed and lowercased');
  t.same(findings([amoxicillin], allergic({ substance: '某青霉素制剂', group: '青霉素类' })), [{ ruleId: 'allergy.group.penicillin', tier: 'critical', lines: [1], evidence: { ingredient: 'amoxicillin', group: 'penicillin', allergy: '某青霉素制剂' } }], 'by the group field; the evidence quotes the substance');
  const wide = findings([ceftriaxone], allergic({ substance: 'β-内酰胺类' }));
  t.same(wide, [{ ruleId: 'allergy.group.beta-lactam', tier: 'critical', lines: [2], evidence: { ingredient: 'ceftriaxone', group: 'beta-lactam', allergy: 'β-内酰胺类' } }], 'a recorded β-lactam allergy covers cephalosporins');
  const r = check(ruleSet, rx({ items: [amoxicillin], ...allergic({ substance: '青霉素' }) }));
  t.match(r.findings[0], { message: { zh: '患者对青霉素类过敏', en: 'The patient is allergic to penicillins' } });
});

t.test('an allergy to an ingredient reaches its narrowest group only', async (t) => {
  // Amoxicillin is in "penicillin" (2 drugs) and "beta-lactam" (3): its allergy is a penicillin allergy.
  t.same(findings([amoxClav], allergic({ substance: '阿莫西林' })), [
    { ruleId: 'allergy.group.penicillin', tier: 'critical', lines: [1], evidence: { ingredient: 'clavulanic-acid', group: 'penicillin', allergy: '阿莫西林' } },
    { ruleId: 'allergy.ingredient.amoxicillin', tier: 'critical', lines: [1], evidence: { ingredient: 'amoxicillin', allergy: '阿莫西林' } },
  ], 'the product: amoxicillin directly, clavulanic acid as a penicillin');
  t.same(findings([ceftriaxone], allergic({ substance: '阿莫西林' })), [
    { ruleId: 'allergy.cross.penicillin.cephalosporin', tier: 'major', lines: [2], evidence: { ingredient: 'ceftriaxone', group: 'cephalosporin', allergyGroup: 'penicillin', allergy: '阿莫西林' } },
  ], 'a cephalosporin: cross-sensitivity (major), not the β-lactam group (critical)');
});

t.test('cross-sensitivity, in each direction the groups declare', async (t) => {
  const r = check(ruleSet, rx({ items: [ceftriaxone], ...allergic({ substance: '青霉素' }) }));
  t.same(brief(r.findings), [{ ruleId: 'allergy.cross.penicillin.cephalosporin', tier: 'major', lines: [2], evidence: { ingredient: 'ceftriaxone', group: 'cephalosporin', allergyGroup: 'penicillin', allergy: '青霉素' } }]);
  t.match(r.findings[0], { category: 'allergy', message: { en: 'Possible cross-allergy with cephalosporins' }, source: '药品说明书（测试夹具）' });
  t.same(findings([amoxicillin], allergic({ substance: '头孢类' })), [{ ruleId: 'allergy.cross.cephalosporin.penicillin', tier: 'moderate', lines: [1], evidence: { ingredient: 'amoxicillin', group: 'penicillin', allergyGroup: 'cephalosporin', allergy: '头孢类' } }], 'the reverse direction has its own tier');
  t.same(findings([line(1, '左氧氟沙星片', { dose: { value: '500', unit: 'mg' } })], allergic({ substance: '青霉素' })), [], 'no declared cross-sensitivity: nothing');
});

t.test('allergies that name nothing prescribed, or nothing known', async (t) => {
  t.same(findings([amoxicillin], allergic({ substance: '磺胺类' })), []);
  t.same(findings([amoxicillin], allergic({ substance: '花粉' }, { substance: '某某未知药' })), [], 'pollen, and a name the knowledge base does not know');
  t.same(findings([amoxicillin], allergic({ substance: '花粉' }, { substance: '头孢曲松' })), [
    { ruleId: 'allergy.cross.cephalosporin.penicillin', tier: 'moderate', lines: [1], evidence: { ingredient: 'amoxicillin', group: 'penicillin', allergyGroup: 'cephalosporin', allergy: '头孢曲松' } },
  ], 'one of several allergies: a ceftriaxone allergy is a cephalosporin allergy, which cross-reacts with penicillins');
});

t.test('an allergy applies to lines given by a local route too', async (t) => {
  t.same(findings([levofloxacinDrops], allergic({ substance: '喹诺酮类' })), [{ ruleId: 'allergy.group.quinolone', tier: 'major', lines: [1], evidence: { ingredient: 'levofloxacin', group: 'quinolone', allergy: '喹诺酮类' } }]);
  t.same(findings([levofloxacinDrops], allergic({ substance: '左氧氟沙星' })).map((f) => f.ruleId), ['allergy.ingredient.levofloxacin']);
});

t.test('drug–disease rules by ICD-10 prefix', async (t) => {
  const r = check(ruleSet, rx({ items: [ibuprofen], ...diagnosed('I10', 'K25.4') }));
  t.same(brief(r.findings), [{ ruleId: 'ddz.nsaid.peptic-ulcer', tier: 'major', lines: [1], evidence: { ingredient: 'ibuprofen', icd10: 'K25.4' } }]);
  t.match(r.findings[0], { category: 'disease', message: { en: 'NSAIDs are contraindicated in active peptic ulcer' }, source: '药品说明书（测试夹具）' });
  t.same(findings([ibuprofen], diagnosed('K27')).map((f) => f.evidence), [{ ingredient: 'ibuprofen', icd10: 'K27' }], 'the category itself');
  t.same(findings([ibuprofen], diagnosed('K29.7', 'K21.0')), [], 'gastritis and reflux are not in the rule');
  t.same(findings([ibuprofen], diagnosed('K26.0', 'K25.1')).map((f) => f.evidence), [{ ingredient: 'ibuprofen', icd10: 'K26.0' }], 'one finding, naming the first matching diagnosis');
  t.same(findings([line(2, '阿司匹林肠溶片', { dose: { value: '100', unit: 'mg' } })], diagnosed('K28')), [{ ruleId: 'ddz.nsaid.peptic-ulcer', tier: 'major', lines: [2], evidence: { ingredient: 'acetylsalicylic-acid', icd10: 'K28' } }], 'a class member by listing');

  const warfarin = line(1, '华法林钠片');
  t.same(findings([warfarin], diagnosed('K92.2')), [{ ruleId: 'ddz.warfarin.bleeding', tier: 'critical', lines: [1], evidence: { ingredient: 'warfarin', icd10: 'K92.2' } }], 'a prefix with a subcategory');
  t.same(findings([warfarin], diagnosed('K92.20')).map((f) => f.ruleId), ['ddz.warfarin.bleeding'], 'and codes below it');
  t.same(findings([warfarin], diagnosed('K92.1')), [], 'but not its sibling');
  t.same(findings([warfarin], diagnosed('I61.9')).map((f) => f.evidence), [{ ingredient: 'warfarin', icd10: 'I61.9' }]);
  t.same(findings([ibuprofenCream], diagnosed('K25')), [], 'a topical NSAID: no drug–disease rule');
});

t.test('pregnancy and lactation', async (t) => {
  const warfarin = line(1, '华法林钠片');
  const r = check(ruleSet, rx({ items: [warfarin], patient: { pregnancy: 'yes' } }));
  t.same(brief(r.findings), [{ ruleId: 'pregnancy.warfarin', tier: 'critical', lines: [1], evidence: { ingredient: 'warfarin' } }]);
  t.match(r.findings[0], { category: 'pregnancy', message: { zh: '华法林可致胎儿畸形，孕妇禁用' }, source: '药品说明书（测试夹具）' });
  t.same(findings([warfarin], { patient: { pregnancy: 'unknown' } }), [], 'unknown is not yes');
  t.same(findings([line(1, '二甲双胍片')], { patient: { pregnancy: 'yes' } }), [], 'a drug without a pregnancy flag');
  t.same(findings([ibuprofenCream], { patient: { pregnancy: 'yes' } }), [], 'a topical route: no pregnancy rule');

  const diazepam = line(1, '地西泮片');
  const lactating = check(ruleSet, rx({ items: [diazepam], patient: { lactation: true } }));
  t.same(brief(lactating.findings), [{ ruleId: 'lactation.diazepam', tier: 'major', lines: [1], evidence: { ingredient: 'diazepam' } }]);
  t.match(lactating.findings[0], { category: 'lactation', message: { en: 'Avoid while breastfeeding' } });
  t.same(findings([diazepam], { patient: { pregnancy: 'yes' } }), [], 'lactation flag only');
  t.same(findings([warfarin], { patient: { lactation: true } }), [], 'pregnancy flag only');
});

t.test('a minimum age, in whole months on the day of issue', async (t) => {
  // Methylphenidate from 6 years (72 months); psychotropic-1 tablets: at most 3 days.
  const methylphenidate = line(1, '盐酸哌甲酯片', { dose: { value: '10', unit: 'mg' }, days: 3, quantity: { value: '3', unit: '片' } });
  t.same(findings([methylphenidate], { patient: { birthDate: '2020-03-02', weightKg: '20' } }), [], 'six years today');
  const young = check(ruleSet, rx({ items: [methylphenidate], patient: { birthDate: '2020-03-03', weightKg: '20' } }));
  t.same(brief(young.findings), [{ ruleId: 'age.methylphenidate', tier: 'major', lines: [1], evidence: { ingredient: 'methylphenidate', ageMonths: 71, minAgeMonths: 72 } }], 'six tomorrow: 71 months');
  t.match(young.findings[0], { category: 'paediatric', message: { en: 'Not for children under 6' } });
  t.same(findings([methylphenidate], { patient: { birthDate: undefined, ageMonths: 60, weightKg: '18' } }).map((f) => f.evidence), [{ ingredient: 'methylphenidate', ageMonths: 60, minAgeMonths: 72 }], 'from the age in months when there is no birth date');
  t.same(findings([line(1, '左氧氟沙星片', { dose: { value: '250', unit: 'mg' } })], { patient: { birthDate: '2016-03-02', weightKg: '30' } }).map((f) => f.ruleId), ['age.levofloxacin'], 'a ten-year-old and a fluoroquinolone');
  t.same(findings([levofloxacinDrops], { patient: { birthDate: '2016-03-02', weightKg: '30' } }), [], 'the same drug as eye drops: no age rule');
});

t.test('potentially inappropriate medicines from the rule\'s age in whole years', async (t) => {
  const diazepam = line(1, '地西泮片');
  const r = check(ruleSet, rx({ items: [diazepam], patient: { birthDate: '1961-03-02' } }));
  t.same(brief(r.findings), [{ ruleId: 'pim.benzodiazepine', tier: 'moderate', lines: [1], evidence: { ingredient: 'diazepam', ageYears: 65, minAgeYears: 65 } }], '65 today: a class rule');
  t.match(r.findings[0], { category: 'geriatric', message: { en: 'Avoid benzodiazepines in older adults' }, source: 'AGS Beers Criteria（2023）' });
  t.same(findings([diazepam], { patient: { birthDate: '1961-03-03' } }), [], '65 tomorrow');
  t.same(findings([ibuprofen], { patient: { birthDate: '1950-01-01' } }), [{ ruleId: 'pim.ibuprofen', tier: 'moderate', lines: [1], evidence: { ingredient: 'ibuprofen', ageYears: 76, minAgeYears: 65 } }], 'an ingredient rule');
  t.same(findings([ibuprofenCream], { patient: { birthDate: '1950-01-01' } }), [], 'a topical NSAID is not a systemic one');
});
