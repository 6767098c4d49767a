/**
 * The regulatory rules that depend on the drugs (src/domain/checker/rules/regulatory-rules.ts),
 * against the small fixture base (whose regulatory limits are a copy of the starter's): days of
 * supply for 特殊管理药品 by kind of form, long prescriptions and internet follow-ups that may not
 * contain them, and the prescriber's privileges. The limits that do not depend on the drugs
 * (items, days, validity, young children, weight) are tested against the starter in
 * test/domain/prescription/checker.test.ts; the item count and the outpatient week are repeated
 * here on this base.
 */
import t from 'tap';
import type { PrescriptionItem } from '../../../../schemas/prescription.js';
import type { Privileges } from '../../../../src/domain/registry/registry-model.js';
import { brief, check, line, rx, type RxOptions } from '../check-harness.js';
import { knowledgeTree, ruleKnowledge, ruleSetFromDir } from '../knowledge-fixtures.js';

const ruleSet = ruleSetFromDir(t.testdir(knowledgeTree(ruleKnowledge())));
const findings = (items: PrescriptionItem[], o: Omit<RxOptions, 'items'> = {}, privileges?: Privileges | null) =>
  brief(check(ruleSet, rx({ items, ...o }), privileges === undefined ? {} : { privileges }).findings);
const supply = (days: number) => ({ days, quantity: { value: String(days), unit: '片' } });

const morphineTablets = (days: number) => line(1, '盐酸吗啡片', { dose: { value: '10', unit: 'mg' }, ...supply(days) });
const morphineSR = (days: number, name = '硫酸吗啡缓释片') => line(1, name, { dose: { value: '30', unit: 'mg' }, frequency: 'q12h', ...supply(days) });
const morphineInjection = (days: number) => line(1, '盐酸吗啡注射液', { form: 'injection', route: 'sc', dose: { value: '10', unit: 'mg' }, days, quantity: { value: String(days), unit: '支' } });
const methylphenidate = (days: number, name = '盐酸哌甲酯片') => line(2, name, { dose: { value: '10', unit: 'mg' }, ...supply(days) });
const diazepam = (days: number) => line(1, '地西泮片', supply(days));
const controlledDays = (control: string, kind: string, days: number, limit: number, lines = [1]) => ({ ruleId: `reg.controlled-days.${control}.${kind}`, tier: 'major', lines, evidence: { control, kind, days, limit } });

t.test('the drug-independent limits hold on this base too', async (t) => {
  const five = ['二甲双胍片', '氢氯噻嗪片', '螺内酯片', '华法林钠片', '阿莫西林胶囊'].map((name, n) => line(n + 1, name, { form: n === 4 ? 'capsule' : 'tablet' }));
  t.same(findings(five), [], 'five drugs that do not interact');
  t.same(findings([...five, line(6, '某某未知药片')]).map((f) => [f.ruleId, f.lines, f.evidence]), [
    ['reg.items-max', [], { items: 6, limit: 5 }],
    ['kb.unknown-drug', [6], { drugCode: 'XTEST006', genericName: '某某未知药片' }],
  ], 'six');
  t.same(findings([line(1, '二甲双胍片', supply(8))]), [{ ruleId: 'reg.days-outpatient', tier: 'major', lines: [1], evidence: { days: 8, limit: 7 } }]);
});

t.test('narcotics: days of supply by kind of form', async (t) => {
  t.same(findings([morphineTablets(3)]), [], 'tablets: 3 days');
  t.same(findings([morphineTablets(4)]), [controlledDays('narcotic', 'other', 4, 3)], 'tablets: 4 days');
  const r = check(ruleSet, rx({ items: [morphineTablets(4)] }));
  t.match(r.findings[0], { category: 'regulatory', message: { zh: '麻醉药品其他剂型每张处方不得超过3日常用量' }, source: '处方管理办法（卫生部令第53号，2007）第二十三条', action: 'override' });

  t.same(findings([morphineSR(7)]), [], '缓释 in the name: controlled-release, 7 days');
  t.same(findings([morphineSR(7, '盐酸吗啡控释片')]), [], '控释 too');
    t.same(findings([{ ...morphineSR(8), line: 1 }]), [
    controlledDays('narcotic', 'controlled-release', 8, 7),
    { ruleId: 'reg.days-outpatient', tier: 'major', lines: [1], evidence: { days: 8, limit: 7 } },
  ], 'controlled-release: 8 days (and over the outpatient week)');
  t.same(findings([morphineSR(4, '硫酸吗啡片')]), [controlledDays('narcotic', 'other', 4, 3)], 'the same drug without 缓释 in the name is judged as "other"');

  t.same(findings([morphineInjection(1)]), [], 'injection: one day');
  t.same(findings([morphineInjection(2)]), [controlledDays('narcotic', 'injection', 2, 1)], 'injection: two days');
  t.same(findings([{ ...morphineInjection(2), form: 'infusion', route: 'iv' }]).map((f) => f.ruleId), ['reg.controlled-days.narcotic.injection', 'form.morphine'], 'an infusion is an injection (major), and not a form morphine is listed in (moderate)');
});

t.test('psychotropics: class I by kind of form, class II a week', async (t) => {
  t.same(findings([methylphenidate(3)]), []);
  t.same(findings([methylphenidate(4)]), [controlledDays('psychotropic-1', 'other', 4, 3, [2])]);
  t.same(findings([methylphenidate(7, '盐酸哌甲酯缓释片')]), [], 'controlled-release: 7 days');
  t.same(findings([diazepam(7)]), []);
  t.same(findings([diazepam(8)]), [controlledDays('psychotropic-2', 'other', 8, 7), { ruleId: 'reg.days-outpatient', tier: 'major', lines: [1], evidence: { days: 8, limit: 7 } }]);
  t.same(findings([diazepam(10)], { encounter: { type: 'emergency' } }).map((f) => f.ruleId), ['reg.controlled-days.psychotropic-2.other', 'reg.days-emergency'], 'and in an emergency');
});

t.test('long prescriptions exclude controlled drugs and antimicrobials', async (t) => {
  const long = { encounter: { longPrescription: true } };
  t.same(findings([line(1, '二甲双胍片', supply(28))], long), [], 'metformin for four weeks');
  t.same(findings([diazepam(7)], long), [{ ruleId: 'reg.long-excluded', tier: 'critical', lines: [1], evidence: { control: 'psychotropic-2' } }]);
  const r = check(ruleSet, rx({ items: [diazepam(7)], ...long }));
  t.match(r.findings[0], { category: 'regulatory', source: '长期处方管理规范（试行）（国卫办医发〔2021〕17号）第十五条', action: 'block' });
  t.same(findings([morphineTablets(3), line(2, '阿莫西林胶囊', { form: 'capsule', ...supply(7) })], long), [
    { ruleId: 'reg.long-excluded', tier: 'critical', lines: [1], evidence: { control: 'narcotic' } },
    { ruleId: 'reg.long-excluded', tier: 'critical', lines: [2], evidence: { antimicrobial: 'non-restricted' } },
  ], 'a narcotic and an antimicrobial, each on its line');
  t.same(findings([line(1, '阿莫西林克拉维酸钾片', { dose: { value: '1', unit: '片' }, ...supply(7) })], long), [{ ruleId: 'reg.long-excluded', tier: 'critical', lines: [1], evidence: { antimicrobial: 'non-restricted' } }], 'a combination antimicrobial');
  t.same(findings([morphineTablets(3)]), [], 'none of this outside a long prescription');
});

t.test('internet follow-ups exclude controlled drugs, not antimicrobials', async (t) => {
  const internet = { encounter: { type: 'internet-follow-up' as const } };
  t.same(findings([morphineTablets(3)], internet), [{ ruleId: 'reg.internet-excluded', tier: 'critical', lines: [1], evidence: { control: 'narcotic' } }]);
  t.same(findings([methylphenidate(3)], internet), [{ ruleId: 'reg.internet-excluded', tier: 'critical', lines: [2], evidence: { control: 'psychotropic-1' } }]);
  t.same(findings([line(1, '阿莫西林胶囊', { form: 'capsule', ...supply(5) })], internet), []);
  t.same(findings([line(1, '华法林钠片')], internet), []);
});

t.test('privileges: judged only when the input names them', async (t) => {
  const limited: Privileges = { narcotic: false, psychotropicI: false, psychotropicII: true, antimicrobialGrade: 'restricted' };
  const lines = [morphineTablets(3), methylphenidate(3)];
  t.same(findings(lines), [], 'a dry run without a registered prescriber: no privilege rules');
  t.same(findings(lines, {}, limited), [
    { ruleId: 'reg.privilege-control', tier: 'critical', lines: [1], evidence: { control: 'narcotic' } },
    { ruleId: 'reg.privilege-control', tier: 'critical', lines: [2], evidence: { control: 'psychotropic-1' } },
  ]);
  const r = check(ruleSet, rx({ items: lines }), { privileges: limited });
  t.match(r.findings[0], { category: 'regulatory', message: { en: 'The prescriber lacks the privilege this drug needs (narcotic/psychotropic prescribing, or the antimicrobial grade)' }, action: 'block' });
  t.same(findings(lines, {}, { ...limited, narcotic: true, psychotropicI: true }), [], 'both privileges held');
  t.same(findings([diazepam(7)], {}, limited), [], 'class II held');
  t.same(findings([diazepam(7)], {}, { ...limited, psychotropicII: false }), [{ ruleId: 'reg.privilege-control', tier: 'critical', lines: [1], evidence: { control: 'psychotropic-2' } }]);

  const ceftriaxone = line(1, '注射用头孢曲松钠', { form: 'injection', route: 'iv', dose: { value: '1', unit: 'g' }, days: 3, quantity: { value: '3', unit: '支' } });
  const levofloxacin = line(2, '左氧氟沙星片', { dose: { value: '500', unit: 'mg' } });
  t.same(findings([ceftriaxone], {}, limited), [], 'a restricted antimicrobial with the restricted grade');
  t.same(findings([ceftriaxone], {}, { ...limited, antimicrobialGrade: 'non-restricted' }), [{ ruleId: 'reg.privilege-antimicrobial', tier: 'critical', lines: [1], evidence: { required: 'restricted', held: 'non-restricted' } }]);
  t.same(findings([levofloxacin], {}, limited), [{ ruleId: 'reg.privilege-antimicrobial', tier: 'critical', lines: [2], evidence: { required: 'special', held: 'restricted' } }], 'a special-grade antimicrobial');
  t.same(findings([levofloxacin], {}, { ...limited, antimicrobialGrade: 'special' }), []);
  t.same(findings([levofloxacin]), [], 'no privileges given: no finding');
});

t.test('privileges recorded as none', async (t) => {
  t.same(findings([line(1, '阿莫西林胶囊', { form: 'capsule' }), diazepam(7)].map((l, n) => ({ ...l, line: n + 1 })), {}, null), [
    { ruleId: 'reg.privilege-antimicrobial', tier: 'critical', lines: [1], evidence: { required: 'non-restricted', held: 'none' } },
    { ruleId: 'reg.privilege-control', tier: 'critical', lines: [2], evidence: { control: 'psychotropic-2' } },
  ], 'neither a non-restricted antimicrobial nor a class II psychotropic');
  t.same(findings([line(1, '华法林钠片')], {}, null), [], 'ordinary drugs need no privilege');
});
