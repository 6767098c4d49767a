/**
 * Interactions and duplicate therapy (src/domain/checker/rules/drug-pair-rules.ts), against the
 * small fixture base (knowledge-fixtures.ts ruleKnowledge()), so nothing here depends on the
 * starter's data: by ingredient, by class, in both orders, against the patient's other live
 * prescriptions; the most specific rule wins; the same ingredient twice, also inside a
 * combination product; two members of a class, except the intended pairs.
 */
import t from 'tap';
import { canonicalJson } from '../../../../src/core/canonical-json.js';
import { brief, check, line, other, rx } from '../check-harness.js';
import { knowledgeTree, ruleKnowledge, ruleSetFromDir, withoutInteractions } from '../knowledge-fixtures.js';

const ruleSet = ruleSetFromDir(t.testdir(knowledgeTree(ruleKnowledge())));
const run = (...items: ReturnType<typeof line>[]) => check(ruleSet, rx({ items }));

const WARFARIN = '华法林钠片';
const ASPIRIN = '阿司匹林肠溶片';
const IBUPROFEN = '布洛芬缓释胶囊';
const morphine = (n: number) => line(n, '盐酸吗啡片', { days: 3, quantity: { value: '3', unit: '片' } });
const eyeDrops = (n: number) => line(n, '左氧氟沙星滴眼液', { form: 'eye-drops', route: 'ophthalmic', strength: { value: '5', unit: 'mg/mL' }, dose: { value: '1', unit: '滴' }, frequency: 'qid', quantity: { value: '1', unit: '支' } });

t.test('an interaction between two ingredients, in both orders', async (t) => {
  const r = run(line(1, WARFARIN), line(2, ASPIRIN, { dose: { value: '100', unit: 'mg' } }));
  t.same(brief(r.findings), [{ ruleId: 'ddi.warfarin.acetylsalicylic-acid', tier: 'major', lines: [1, 2], evidence: { drug: 'warfarin', with: 'acetylsalicylic-acid' } }], 'only the ingredient pair rule: not ddi.warfarin.nsaid, not ddi.anticoagulant.nsaid');
  t.match(r.findings[0], {
    category: 'interaction',
    action: 'override',
    message: { zh: '相互作用：bleeding risk', en: 'bleeding risk' },
    management: { zh: '调整治疗', en: 'Adjust the therapy' },
    source: 'Stockley\'s Drug Interactions（测试夹具）',
  });
  t.equal(r.outcome, 'awaiting-override');

  const reversed = run(line(1, ASPIRIN, { dose: { value: '100', unit: 'mg' } }), line(2, WARFARIN));
  t.same(brief(reversed.findings), [{ ruleId: 'ddi.warfarin.acetylsalicylic-acid', tier: 'major', lines: [1, 2], evidence: { drug: 'acetylsalicylic-acid', with: 'warfarin' } }], 'the rule names warfarin first; the finding names the lines\' drugs in line order');
});

t.test('an ingredient–class rule wins over a class–class rule', async (t) => {
  const r = run(line(1, WARFARIN), line(2, IBUPROFEN, { form: 'capsule', dose: { value: '300', unit: 'mg' }, frequency: 'bid' }));
  t.same(brief(r.findings), [{ ruleId: 'ddi.warfarin.nsaid', tier: 'moderate', lines: [1, 2], evidence: { drug: 'warfarin', with: 'ibuprofen' } }]);
  const reversed = run(line(1, IBUPROFEN, { form: 'capsule', dose: { value: '300', unit: 'mg' } }), line(2, WARFARIN));
  t.same(brief(reversed.findings), [{ ruleId: 'ddi.warfarin.nsaid', tier: 'moderate', lines: [1, 2], evidence: { drug: 'ibuprofen', with: 'warfarin' } }]);
});

t.test('without the more specific rules, the less specific ones apply', async (t) => {
  const noPair = ruleSetFromDir(t.testdir(knowledgeTree(withoutInteractions(ruleKnowledge(), 'ddi.warfarin.acetylsalicylic-acid'))));
  const items = [line(1, WARFARIN), line(2, ASPIRIN)];
  t.same(brief(check(noPair, rx({ items })).findings), [{ ruleId: 'ddi.warfarin.nsaid', tier: 'moderate', lines: [1, 2], evidence: { drug: 'warfarin', with: 'acetylsalicylic-acid' } }], 'aspirin is an NSAID by listing: the ingredient–class rule');
  const classOnly = ruleSetFromDir(t.testdir(knowledgeTree(withoutInteractions(ruleKnowledge(), 'ddi.warfarin.acetylsalicylic-acid', 'ddi.warfarin.nsaid'))));
  t.same(brief(check(classOnly, rx({ items })).findings), [{ ruleId: 'ddi.anticoagulant.nsaid', tier: 'minor', lines: [1, 2], evidence: { drug: 'warfarin', with: 'acetylsalicylic-acid' } }], 'then the class–class rule');
});

t.test('a class–class interaction, in both orders and on any lines', async (t) => {
  const r = run(morphine(1), line(2, '地西泮片'));
  t.same(brief(r.findings), [{ ruleId: 'ddi.opioid.benzodiazepine', tier: 'critical', lines: [1, 2], evidence: { drug: 'morphine', with: 'diazepam' } }]);
  t.equal(r.outcome, 'rejected', 'critical blocks under the default policy');
  t.same(brief(run(line(1, '地西泮片'), morphine(2)).findings), [{ ruleId: 'ddi.opioid.benzodiazepine', tier: 'critical', lines: [1, 2], evidence: { drug: 'diazepam', with: 'morphine' } }]);
  t.same(brief(run(line(2, '地西泮片'), line(3, '二甲双胍片'), morphine(5)).findings), [{ ruleId: 'ddi.opioid.benzodiazepine', tier: 'critical', lines: [2, 5], evidence: { drug: 'diazepam', with: 'morphine' } }], 'lines 2 and 5, with an unrelated drug between');
});

t.test('a rule written class first matches with the ingredient on either line', async (t) => {
  t.same(brief(run(line(1, '左氧氟沙星片', { dose: { value: '500', unit: 'mg' } }), line(2, WARFARIN)).findings), [{ ruleId: 'ddi.fluoroquinolone.warfarin', tier: 'moderate', lines: [1, 2], evidence: { drug: 'levofloxacin', with: 'warfarin' } }]);
  t.same(brief(run(line(1, WARFARIN), line(2, '盐酸左氧氟沙星片', { dose: { value: '500', unit: 'mg' } })).findings), [{ ruleId: 'ddi.fluoroquinolone.warfarin', tier: 'moderate', lines: [1, 2], evidence: { drug: 'warfarin', with: 'levofloxacin' } }]);
});

t.test('interactions with the patient\'s other live prescriptions name that prescription', async (t) => {
  const p = rx({ items: [line(1, WARFARIN)] });
  const others = [other('rx-other-b', ASPIRIN), other('rx-other-a', IBUPROFEN, '二甲双胍片')];
  const r = check(ruleSet, p, { others });
  t.same(brief(r.findings), [
    { ruleId: 'ddi.warfarin.acetylsalicylic-acid', tier: 'major', lines: [1], evidence: { drug: 'warfarin', with: 'acetylsalicylic-acid', otherPrescription: 'rx-other-b' } },
    { ruleId: 'ddi.warfarin.nsaid', tier: 'moderate', lines: [1], evidence: { drug: 'warfarin', with: 'ibuprofen', otherPrescription: 'rx-other-a' } },
  ]);
  t.equal(canonicalJson(check(ruleSet, p, { others: [...others].reverse() }).findings), canonicalJson(r.findings), 'the order of the other prescriptions does not matter');

  const twice = [other('rx-other-b', '布洛芬片'), other('rx-other-a', IBUPROFEN)];
  const expected = [
    { ruleId: 'ddi.warfarin.nsaid', tier: 'moderate', lines: [1], evidence: { drug: 'warfarin', with: 'ibuprofen', otherPrescription: 'rx-other-a' } },
    { ruleId: 'ddi.warfarin.nsaid', tier: 'moderate', lines: [1], evidence: { drug: 'warfarin', with: 'ibuprofen', otherPrescription: 'rx-other-b' } },
  ];
  t.same(brief(check(ruleSet, p, { others: twice }).findings), expected, 'one finding per other prescription, in prescription-id order');
  t.same(brief(check(ruleSet, p, { others: [...twice].reverse() }).findings), expected, 'whatever order they are given in');

  const both = check(ruleSet, rx({ items: [morphine(1), line(2, WARFARIN)] }), { others: [other('rx-other-a', '地西泮片', ASPIRIN)] });
  t.same(brief(both.findings), [
    { ruleId: 'ddi.opioid.benzodiazepine', tier: 'critical', lines: [1], evidence: { drug: 'morphine', with: 'diazepam', otherPrescription: 'rx-other-a' } },
    { ruleId: 'ddi.warfarin.acetylsalicylic-acid', tier: 'major', lines: [2], evidence: { drug: 'warfarin', with: 'acetylsalicylic-acid', otherPrescription: 'rx-other-a' } },
  ], 'each line against each drug of the other prescription');
});

t.test('other prescriptions are not paired with each other, and unknown names there are ignored', async (t) => {
  const r = check(ruleSet, rx({ items: [line(1, '二甲双胍片')] }), { others: [other('rx-other-a', WARFARIN), other('rx-other-b', ASPIRIN, '某某未知药片')] });
  t.same(r.findings, []);
});

t.test('the same ingredient twice', async (t) => {
  const r = run(line(1, WARFARIN), line(2, '华法林片'));
  t.same(brief(r.findings), [{ ruleId: 'dup.ingredient.warfarin', tier: 'major', lines: [1, 2], evidence: { ingredient: 'warfarin' } }], 'a duplicate, and no interaction of a drug with itself');
  t.match(r.findings[0], { category: 'duplicate', message: { zh: '同一成分重复用药', en: 'The same ingredient is prescribed twice' }, source: '医疗机构处方审核规范（2018）' });

  const product = line(1, '阿莫西林克拉维酸钾片', { dose: { value: '1', unit: '片' }, frequency: 'bid' });
  const capsules = line(2, '阿莫西林胶囊', { form: 'capsule', dose: { value: '500', unit: 'mg' }, frequency: 'bid' });
  t.same(brief(run(product, capsules).findings), [{ ruleId: 'dup.ingredient.amoxicillin', tier: 'major', lines: [1, 2], evidence: { ingredient: 'amoxicillin' } }], 'amoxicillin inside the combination product and on its own');
  t.same(brief(run(capsules, { ...product, line: 3 }).findings), [{ ruleId: 'dup.ingredient.amoxicillin', tier: 'major', lines: [2, 3], evidence: { ingredient: 'amoxicillin' } }], 'in the other order');
  t.same(run(product).findings, [], 'the components of one product are not paired with each other');

  const againstOther = check(ruleSet, rx({ items: [capsules] }), { others: [other('rx-other-a', '阿莫西林克拉维酸钾片')] });
  t.same(brief(againstOther.findings), [{ ruleId: 'dup.ingredient.amoxicillin', tier: 'major', lines: [2], evidence: { ingredient: 'amoxicillin', otherPrescription: 'rx-other-a' } }], 'against a product on another prescription');
});

t.test('two members of a duplicate-therapy class, except the intended pairs', async (t) => {
  const hctz = (n: number) => line(n, '氢氯噻嗪片', { dose: { value: '25', unit: 'mg' } });
  const furosemide = (n: number) => line(n, '呋塞米片', { dose: { value: '20', unit: 'mg' } });
  const spironolactone = (n: number) => line(n, '螺内酯片', { dose: { value: '20', unit: 'mg' } });
  const r = run(hctz(1), furosemide(2));
  t.same(brief(r.findings), [{ ruleId: 'dup.class.diuretic', tier: 'moderate', lines: [1, 2], evidence: { drug: 'hydrochlorothiazide', with: 'furosemide', class: 'diuretic' } }]);
  t.match(r.findings[0], { category: 'duplicate', message: { zh: '同类利尿剂重复用药', en: 'Two diuretics of one class' }, source: '医院处方点评管理规范（试行）' });
  t.same(run(hctz(1), spironolactone(2)).findings, [], 'thiazide with spironolactone: an intended pair');
  t.same(run(furosemide(1), spironolactone(2)).findings, [], 'the exception is listed the other way round: still intended');
  t.same(brief(run(spironolactone(1), furosemide(2), hctz(3)).findings), [{ ruleId: 'dup.class.diuretic', tier: 'moderate', lines: [2, 3], evidence: { drug: 'furosemide', with: 'hydrochlorothiazide', class: 'diuretic' } }], 'three diuretics: only the pair that is not intended');
  t.same(brief(check(ruleSet, rx({ items: [hctz(1)] }), { others: [other('rx-other-a', '呋塞米片')] }).findings), [{ ruleId: 'dup.class.diuretic', tier: 'moderate', lines: [1], evidence: { drug: 'hydrochlorothiazide', with: 'furosemide', class: 'diuretic', otherPrescription: 'rx-other-a' } }], 'against another prescription');
  t.same(run(line(1, IBUPROFEN, { form: 'capsule' }), line(2, ASPIRIN)).findings, [], 'a class without duplicate therapy (NSAIDs) raises nothing');
});

t.test('lines given by a local route are not paired', async (t) => {
  t.same(run(eyeDrops(1), line(2, WARFARIN)).findings, [], 'levofloxacin eye drops with warfarin');
  t.same(run(eyeDrops(1), line(2, '左氧氟沙星片', { dose: { value: '500', unit: 'mg' } })).findings, [], 'eye drops and tablets of one ingredient are not a duplicate');
  t.same(check(ruleSet, rx({ items: [eyeDrops(1)] }), { others: [other('rx-other-a', WARFARIN)] }).findings, [], 'nor against other prescriptions');
  t.same(brief(run(line(1, '左氧氟沙星片', { dose: { value: '500', unit: 'mg' } }), line(2, WARFARIN)).findings).map((f) => f.ruleId), ['ddi.fluoroquinolone.warfarin'], 'the same drug by mouth does interact');
});

t.test('a local-route drug on another prescription is not paired either', async (t) => {
  const drops = other('rx-other-a', '左氧氟沙星滴眼液');
  const asGiven = { ...drops, items: drops.items.map((i) => ({ ...i, route: 'ophthalmic' })) };
  t.same(check(ruleSet, rx({ items: [line(1, WARFARIN)] }), { others: [asGiven] }).findings, []);
  t.equal(check(ruleSet, rx({ items: [line(1, WARFARIN)] }), { others: [drops] }).findings.length, 1, 'the same drug taken by mouth pairs');
});
