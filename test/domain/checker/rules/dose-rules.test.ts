/**
 * Dose and renal rules (src/domain/checker/rules/dose-rules.ts) against the small fixture base:
 * single and daily limits, per kg, by age band and by route, doses written in mass, dosage units
 * or millilitres, the missing weight, doses that cannot be compared; renal bands by eGFR or
 * creatinine clearance. Every limit is tried at the limit (no finding) and one unit past it.
 */
import t from 'tap';
import type { PrescriptionItem } from '../../../../schemas/prescription.js';
import { brief, check, line, rx, type RxOptions } from '../check-harness.js';
import { knowledgeTree, ruleKnowledge, ruleSetFromDir } from '../knowledge-fixtures.js';

const ruleSet = ruleSetFromDir(t.testdir(knowledgeTree(ruleKnowledge())));
const findings = (items: PrescriptionItem[], o: Omit<RxOptions, 'items'> = {}) => brief(check(ruleSet, rx({ items, ...o })).findings);
const dose = (value: string, unit = 'mg') => ({ value, unit });

/** An adult band of ibuprofen: 800 mg a dose, 2400 mg a day (age ≥ 144 months). */
const ADULT_IBUPROFEN = { ingredient: 'ibuprofen', unit: 'mg', minAgeMonths: 144 };
/** A child band of ibuprofen: 10 mg/kg a dose, 40 mg/kg a day (6 ≤ age < 144 months). */
const CHILD_IBUPROFEN = { ingredient: 'ibuprofen', unit: 'mg', minAgeMonths: 6, maxAgeMonths: 144 };
const ibuprofen = (value: string, frequency: PrescriptionItem['frequency'] = 'tid', extra: Partial<PrescriptionItem> = {}) => line(1, '布洛芬片', { strength: { value: '200', unit: 'mg' }, dose: dose(value), frequency, ...extra });

t.test('single and daily maxima: at the limit nothing, a millionth past it a finding', async (t) => {
  t.same(findings([ibuprofen('800', 'tid')]), [], '800 mg three times a day: both at the limit');
  t.same(findings([ibuprofen('800.000001', 'tid')]), [
    { ruleId: 'dose.daily.ibuprofen', tier: 'major', lines: [1], evidence: { ...ADULT_IBUPROFEN, daily: '2400.000003', limit: '2400' } },
    { ruleId: 'dose.single.ibuprofen', tier: 'major', lines: [1], evidence: { ...ADULT_IBUPROFEN, single: '800.000001', limit: '800' } },
  ]);
  t.same(findings([ibuprofen('801', 'bid')]), [{ ruleId: 'dose.single.ibuprofen', tier: 'major', lines: [1], evidence: { ...ADULT_IBUPROFEN, single: '801', limit: '800' } }], 'single only: 1602 mg a day is within');
  t.same(findings([ibuprofen('600', 'q6h')]), [], '600 mg every 6 hours is 2400 a day');
  t.same(findings([ibuprofen('600.000001', 'qid')]), [{ ruleId: 'dose.daily.ibuprofen', tier: 'major', lines: [1], evidence: { ...ADULT_IBUPROFEN, daily: '2400.000004', limit: '2400' } }], 'daily only');
  t.same(findings([ibuprofen('900', 'prn')]).map((f) => f.ruleId), ['dose.single.ibuprofen'], 'as needed: no daily figure, the single dose is still judged');
  t.same(findings([ibuprofen('800', 'prn')]), [], 'as needed at the single limit');
  t.same(findings([ibuprofen('800', 'qod')]), [], 'every other day: once on the days it is taken');
  t.same(findings([ibuprofen('800', 'qw')]), []);

  const r = check(ruleSet, rx({ items: [ibuprofen('801', 'qd')] }));
  t.match(r.findings[0], { category: 'dose', message: { zh: '单次剂量超过最大剂量', en: 'Single dose above the maximum' }, source: '药品说明书（测试夹具）', action: 'override' });
});

t.test('doses in dosage units and in millilitres use the line\'s strength', async (t) => {
  const warfarin = (tablets: string) => line(1, '华法林钠片', { strength: { value: '2.5', unit: 'mg' }, dose: dose(tablets, '片') });
  t.same(findings([warfarin('4')]), [], '4 tablets of 2.5 mg: 10 mg, at both limits');
  t.same(findings([warfarin('4.5')]), [
    { ruleId: 'dose.daily.warfarin', tier: 'major', lines: [1], evidence: { ingredient: 'warfarin', unit: 'mg', minAgeMonths: 216, daily: '11.25', limit: '10' } },
    { ruleId: 'dose.single.warfarin', tier: 'major', lines: [1], evidence: { ingredient: 'warfarin', unit: 'mg', minAgeMonths: 216, single: '11.25', limit: '10' } },
  ]);

  const suspension = (ml: string) => line(1, '阿莫西林干混悬剂', { form: 'oral-solution', strength: { value: '125', unit: 'mg/5mL' }, dose: dose(ml, 'mL'), frequency: 'tid' });
  const AMOX = { ingredient: 'amoxicillin', unit: 'mg', minAgeMonths: 216 };
  t.same(findings([suspension('40')]), [], '40 mL of 125 mg/5mL: 1000 mg');
  t.same(findings([suspension('40.000008')]), [{ ruleId: 'dose.single.amoxicillin', tier: 'major', lines: [1], evidence: { ...AMOX, single: '1000.0002', limit: '1000' } }], 'eight millionths of a mL more');

  const drops = (ml: string) => line(1, '布洛芬混悬液', { form: 'oral-solution', strength: { value: '20', unit: 'mg/mL' }, dose: dose(ml, 'mL'), frequency: 'tid' });
  t.same(findings([drops('40')]), [], '40 mL of 20 mg/mL: 800 mg');
  t.same(findings([drops('40.5')]), [
    { ruleId: 'dose.daily.ibuprofen', tier: 'major', lines: [1], evidence: { ...ADULT_IBUPROFEN, daily: '2430', limit: '2400' } },
    { ruleId: 'dose.single.ibuprofen', tier: 'major', lines: [1], evidence: { ...ADULT_IBUPROFEN, single: '810', limit: '800' } },
  ]);
});

t.test('units are converted to the limit\'s unit', async (t) => {
  // Ceftriaxone's limits are in grams: 2 g a dose, 4 g a day.
  const CEF = { ingredient: 'ceftriaxone', unit: 'g', minAgeMonths: 216 };
  const ceftriaxone = (d: { value: string; unit: string }, frequency: PrescriptionItem['frequency'] = 'qd') => line(1, '注射用头孢曲松钠', { form: 'injection', route: 'iv', strength: { value: '1', unit: 'g' }, dose: d, frequency, days: 3, quantity: { value: '3', unit: '支' } });
  t.same(findings([ceftriaxone(dose('2000'), 'bid')]), [], '2000 mg twice a day = 2 g, 4 g');
  t.same(findings([ceftriaxone(dose('2001'))]), [{ ruleId: 'dose.single.ceftriaxone', tier: 'major', lines: [1], evidence: { ...CEF, single: '2.001', limit: '2' } }], 'shown in grams');
  t.same(findings([ceftriaxone(dose('2.5', 'g'), 'bid')]).map((f) => [f.ruleId, f.evidence]), [
    ['dose.daily.ceftriaxone', { ...CEF, daily: '5', limit: '4' }],
    ['dose.single.ceftriaxone', { ...CEF, single: '2.5', limit: '2' }],
  ]);
  t.same(findings([ceftriaxone(dose('2', '支'))]), [], 'two vials of 1 g');
  t.same(findings([ceftriaxone(dose('2000000', 'mcg'))]), []);

  const warfarin = (d: { value: string; unit: string }) => line(1, '华法林钠片', { dose: d });
  t.same(findings([warfarin(dose('10000', 'µg'))]), [], '10 000 µg = 10 mg');
  t.same(findings([warfarin(dose('10001', '微克'))]).map((f) => f.evidence), [
    { ingredient: 'warfarin', unit: 'mg', minAgeMonths: 216, daily: '10.001', limit: '10' },
    { ingredient: 'warfarin', unit: 'mg', minAgeMonths: 216, single: '10.001', limit: '10' },
  ]);
  t.same(findings([warfarin(dose('0.01', 'g'))]), [], '0.01 g');
});

t.test('a dose that cannot be converted is reported, once, not guessed', async (t) => {
  const notComparable = (d: string) => [{ ruleId: 'dose.not-comparable.warfarin', tier: 'minor', lines: [1], evidence: { ingredient: 'warfarin', dose: d, limitUnit: 'mg' } }];
  t.same(findings([line(1, '华法林钠片', { dose: dose('1', 'mL') })]), notComparable('1 mL'), 'mL of a tablet strength');
  t.same(findings([line(1, '华法林钠片', { dose: dose('100', 'IU') })]), notComparable('100 IU'), 'IU for a mass limit');
  t.same(findings([line(1, '华法林钠片', { dose: dose('2', '片'), strength: { value: '5', unit: 'mg/mL' } })]), notComparable('2 片'), 'tablets of a per-volume strength');
  t.same(findings([line(1, '华法林钠片', { dose: dose('2', '片'), strength: { value: '1', unit: '片' } })]), notComparable('2 片'), 'no usable strength');
  const r = check(ruleSet, rx({ items: [line(1, '华法林钠片', { dose: dose('1', 'mL') })] }));
  t.match(r.findings[0], { category: 'dose', action: 'inform', message: { en: 'The dose could not be converted to the limit unit and was not checked' } });
  t.same(findings([line(1, '布洛芬乳膏', { form: 'cream', route: 'topical', dose: dose('1', 'g') })]), [], 'a route with no limits: nothing to compare, nothing reported');
});

t.test('limits apply to the routes they name', async (t) => {
  // Morphine: 30 mg a dose by mouth, 20 mg under the skin or into a vein.
  const oral = line(1, '盐酸吗啡片', { dose: dose('25'), days: 3, quantity: { value: '15', unit: '片' } });
  const sc = line(1, '盐酸吗啡注射液', { form: 'injection', route: 'sc', dose: dose('25'), days: 1, quantity: { value: '1', unit: '支' } });
  t.same(findings([oral]), [], '25 mg by mouth');
  t.same(findings([sc]), [{ ruleId: 'dose.single.morphine', tier: 'major', lines: [1], evidence: { ingredient: 'morphine', unit: 'mg', minAgeMonths: 216, single: '25', limit: '20' } }], '25 mg subcutaneously');
  t.same(findings([{ ...sc, dose: dose('20'), frequency: 'tid' }]), [], '20 mg three times: at both sc limits');
  t.same(findings([{ ...sc, dose: dose('20'), frequency: 'qid' }]).map((f) => [f.ruleId, f.evidence]), [['dose.daily.morphine', { ingredient: 'morphine', unit: 'mg', minAgeMonths: 216, daily: '80', limit: '60' }]]);
  t.same(findings([{ ...oral, dose: dose('25'), frequency: 'qid' }]).map((f) => f.ruleId), [], '100 mg a day by mouth: at the oral daily limit');
});

t.test('age bands: per-kg limits for children, absolute ones for adults', async (t) => {
  // A child of 6 years (72 months) weighing 20 kg: at most 200 mg a dose, 800 mg a day.
  const child = { patient: { birthDate: '2020-03-02', weightKg: '20' } };
  t.same(findings([ibuprofen('200', 'q6h')], child), [], '200 mg every 6 hours: at both per-kg limits');
  t.same(findings([ibuprofen('200.000001', 'q6h')], child), [
    { ruleId: 'dose.daily-per-kg.ibuprofen', tier: 'major', lines: [1], evidence: { ...CHILD_IBUPROFEN, daily: '800.000004', limitPerKg: '40', weightKg: '20' } },
    { ruleId: 'dose.single-per-kg.ibuprofen', tier: 'major', lines: [1], evidence: { ...CHILD_IBUPROFEN, single: '200.000001', limitPerKg: '10', weightKg: '20' } },
  ]);
  const heavier = { patient: { birthDate: '2020-03-02', weightKg: '20.5' } };
  t.same(findings([ibuprofen('205', 'tid')], heavier), [], '20.5 kg: 205 mg is at the limit');
  t.same(findings([ibuprofen('205.000001', 'tid')], heavier).map((f) => f.ruleId), ['dose.single-per-kg.ibuprofen']);

  // The band boundary: 144 months is the adult band (min ≤ age), 143 months the child band.
  t.same(findings([ibuprofen('500', 'tid')], { patient: { birthDate: '2014-03-02', weightKg: '40' } }), [], '12 years today, 40 kg: 500 mg within the adult band');
  t.same(findings([ibuprofen('500', 'tid')], { patient: { birthDate: '2014-03-03', weightKg: '40' } }), [
    { ruleId: 'dose.single-per-kg.ibuprofen', tier: 'major', lines: [1], evidence: { ...CHILD_IBUPROFEN, single: '500', limitPerKg: '10', weightKg: '40' } },
  ], '12 years tomorrow: the child band (400 mg a dose, 1600 mg a day)');
  t.same(findings([ibuprofen('700', 'tid')]), [], 'an adult of 62.5 kg is not judged per kg (the child band would allow 625 mg)');
  t.same(findings([ibuprofen('5000', 'tid')], { patient: { birthDate: '2025-10-02', weightKg: '7' } }), [], 'under 6 months: no band applies, so no dose rule');
});

t.test('a per-kg limit without the weight asks for it', async (t) => {
  const r = check(ruleSet, rx({ items: [ibuprofen('100', 'tid')], patient: { birthDate: '2020-03-02', weightKg: undefined } }));
  t.same(brief(r.findings), [
    { ruleId: 'reg.child-weight', tier: 'moderate', lines: [], evidence: { ageYears: 6, limit: 14 } },
    { ruleId: 'dose.weight-needed.ibuprofen', tier: 'minor', lines: [1], evidence: CHILD_IBUPROFEN },
  ]);
  t.match(r.findings[1], { category: 'dose', message: { en: 'The weight is needed to check a per-kg dose limit' } });
});

t.test('a combination product\'s components are judged one by one', async (t) => {
  const product = (tablets: string) => line(1, '阿莫西林克拉维酸钾片', { strength: { value: '625', unit: 'mg' }, dose: dose(tablets, '片'), frequency: 'tid' });
  t.same(findings([product('2')]), [], 'two tablets three times: amoxicillin 1000 mg (limit 1000), clavulanic acid 250 mg (limit 250) and 750 a day');
  t.same(findings([product('3')]), [
    { ruleId: 'dose.daily.amoxicillin', tier: 'major', lines: [1], evidence: { ingredient: 'amoxicillin', unit: 'mg', minAgeMonths: 216, daily: '4500', limit: '4000' } },
    { ruleId: 'dose.daily.clavulanic-acid', tier: 'major', lines: [1], evidence: { ingredient: 'clavulanic-acid', unit: 'mg', minAgeMonths: 216, daily: '1125', limit: '750' } },
    { ruleId: 'dose.single.amoxicillin', tier: 'major', lines: [1], evidence: { ingredient: 'amoxicillin', unit: 'mg', minAgeMonths: 216, single: '1500', limit: '1000' } },
    { ruleId: 'dose.single.clavulanic-acid', tier: 'major', lines: [1], evidence: { ingredient: 'clavulanic-acid', unit: 'mg', minAgeMonths: 216, single: '375', limit: '250' } },
  ]);
  t.same(findings([{ ...product('1'), dose: dose('625') }]).map((f) => f.ruleId), ['dose.not-comparable.amoxicillin', 'dose.not-comparable.clavulanic-acid'], 'a product dose in mg cannot be split into components');
});

t.test('a malformed per-volume strength is not comparable rather than a crash', async (t) => {
  const odd = line(1, '阿莫西林干混悬剂', { form: 'oral-solution', strength: { value: '125', unit: 'mg/05mL' }, dose: dose('10', 'mL') });
  t.doesNotThrow(() => check(ruleSet, rx({ items: [odd] })));
});

t.test('renal: an avoid band, strictly below its threshold', async (t) => {
  const metformin = (d = '500', frequency: PrescriptionItem['frequency'] = 'bid') => line(1, '盐酸二甲双胍片', { strength: { value: '500', unit: 'mg' }, dose: dose(d), frequency });
  const egfr = (value: string) => ({ patient: { renal: { egfr: value } } });
  t.same(findings([metformin()], egfr('30')), [], 'eGFR 30: not below 30, and 1000 mg a day is at the eGFR<45 limit');
  t.same(findings([metformin()], egfr('29.999999')), [{ ruleId: 'renal.metformin.egfr-30', tier: 'critical', lines: [1], evidence: { ingredient: 'metformin', egfr: '29.999999', below: '30' } }]);
  const r = check(ruleSet, rx({ items: [metformin()], ...egfr('25') }));
  t.match(r.findings[0], { category: 'renal', message: { zh: 'eGFR<30 禁用' }, source: '药品说明书（测试夹具）', action: 'block' });
  t.same(findings([metformin()]), [], 'no renal values: no renal rule');
  t.same(findings([metformin()], { patient: { renal: {} } }), [], 'an empty renal record');
});

t.test('renal: a max-daily band judges the daily dose', async (t) => {
  const metformin = (d: string, frequency: PrescriptionItem['frequency']) => line(1, '盐酸二甲双胍片', { strength: { value: '500', unit: 'mg' }, dose: dose(d), frequency });
  const at40 = { patient: { renal: { egfr: '40' } } };
  t.same(findings([metformin('500', 'bid')], at40), [], '1000 mg a day at eGFR 40: at the limit');
  t.same(findings([metformin('500', 'tid')], at40), [{ ruleId: 'renal.metformin.egfr-45', tier: 'major', lines: [1], evidence: { ingredient: 'metformin', egfr: '40', below: '45', daily: '1500', limit: '1000', unit: 'mg' } }]);
  t.same(findings([metformin('500.000001', 'bid')], at40).map((f) => [f.ruleId, f.evidence]), [['renal.metformin.egfr-45', { ingredient: 'metformin', egfr: '40', below: '45', daily: '1000.000002', limit: '1000', unit: 'mg' }]], 'two millionths of a mg a day over');
  t.same(findings([metformin('1500', 'prn')], at40).map((f) => f.ruleId), ['dose.single.metformin'], 'as needed: no daily dose for the band (the single limit still applies)');
  t.same(findings([metformin('500', 'tid')], { patient: { renal: { egfr: '20' } } }).map((f) => f.ruleId), ['renal.metformin.egfr-30', 'renal.metformin.egfr-45'], 'below both bands: both');
});

t.test('renal: the band\'s measure, or the other one when only that is known', async (t) => {
  const metformin = line(1, '盐酸二甲双胍片', { dose: dose('500'), frequency: 'bid' });
  t.same(findings([metformin], { patient: { renal: { creatinineClearance: '25' } } }), [{ ruleId: 'renal.metformin.egfr-30', tier: 'critical', lines: [1], evidence: { ingredient: 'metformin', crcl: '25', below: '30' } }], 'an eGFR band judged by CrCl; the evidence says which');
  t.same(findings([metformin], { patient: { renal: { egfr: '50', creatinineClearance: '25' } } }), [], 'both known: the band\'s own measure (eGFR 50)');

  const amoxicillin = (frequency: PrescriptionItem['frequency']) => line(1, '阿莫西林胶囊', { form: 'capsule', dose: dose('500'), frequency });
  t.same(findings([amoxicillin('bid')], { patient: { renal: { creatinineClearance: '20' } } }), [], 'amoxicillin 1000 mg a day at CrCl 20: at the limit');
  t.same(findings([amoxicillin('tid')], { patient: { renal: { creatinineClearance: '20' } } }), [
    { ruleId: 'renal.amoxicillin.crcl-30', tier: 'moderate', lines: [1], evidence: { ingredient: 'amoxicillin', crcl: '20', below: '30', daily: '1500', limit: '1000', unit: 'mg' } },
  ]);
  t.same(findings([amoxicillin('tid')], { patient: { renal: { egfr: '20' } } }).map((f) => f.evidence), [{ ingredient: 'amoxicillin', egfr: '20', below: '30', daily: '1500', limit: '1000', unit: 'mg' }], 'a CrCl band judged by eGFR');
  t.same(findings([amoxicillin('tid')], { patient: { renal: { egfr: '20', creatinineClearance: '35' } } }), [], 'both known: CrCl 35 is not below 30');
});

t.test('renal: a dose that cannot be computed is not judged by a max-daily band', async (t) => {
  const mL = line(1, '阿莫西林胶囊', { form: 'capsule', dose: dose('5', 'mL'), frequency: 'tid' });
  t.same(findings([mL], { patient: { renal: { creatinineClearance: '20' } } }).map((f) => f.ruleId), ['dose.not-comparable.amoxicillin'], 'only the dose rule says it was not compared');
});
