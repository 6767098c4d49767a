/**
 * Exact dose arithmetic (src/domain/checker/dose-amounts.ts): units, strengths per dosage unit and
 * per volume, single doses, the evidence strings, and the comparisons. Every case where binary
 * floating point would answer differently (0.1 × 3 ≠ 0.3, 0.7 × 3 < 2.1) is here on purpose.
 */
import t from 'tap';
import {
  amountOf,
  decimalMicros,
  exceeds,
  exceedsTimes,
  formatIn,
  limitAmount,
  scaled,
  singleDose,
  strengthOf,
  unitDefinition,
  type Amount,
} from '../../../src/domain/checker/dose-amounts.js';

const a = (value: string, unit: string): Amount => {
  const amount = amountOf(value, unit);
  if (amount === undefined) throw new Error(`test: ${value} ${unit} is not an amount`);
  return amount;
};

t.test('decimal strings become exact integer millionths', async (t) => {
  t.equal(decimalMicros('0'), 0n);
  t.equal(decimalMicros('1'), 1_000_000n);
  t.equal(decimalMicros('0.000001'), 1n);
  t.equal(decimalMicros('12.5'), 12_500_000n);
  t.equal(decimalMicros('2.50'), 2_500_000n, 'trailing zeros are the same number');
  t.equal(decimalMicros('999999999.999999'), 999_999_999_999_999n, 'the largest decimal the schemas allow, beyond 2^53 once scaled');
  for (const bad of ['', '.5', '1.', '01', '-1', '1e3', '1.1234567', '1234567890', ' 1', '0x10', '１']) {
    t.throws(() => decimalMicros(bad), RangeError, `refuses ${JSON.stringify(bad)}`);
  }
});

t.test('mass units convert among g, mg, mcg and their other spellings', async (t) => {
  const halfGram = a('0.5', 'g');
  t.same(halfGram, { dimension: 'mass', nano: 500_000n * 1_000_000_000n }, '0.5 g is 500 000 mcg, in nano-micrograms');
  for (const [value, unit] of [['500', 'mg'], ['500000', 'mcg'], ['500000', 'µg'], ['500000', 'ug'], ['0.5', '克'], ['500', '毫克'], ['500000', '微克']] as const) {
    t.same(a(value, unit), halfGram, `${value} ${unit} = 0.5 g`);
  }
  t.same(a('0.000001', 'g'), a('1', 'mcg'), 'a millionth of a gram is a microgram');
  t.same(a('0.000001', 'mcg'), { dimension: 'mass', nano: 1000n }, 'the smallest mass written: a millionth of a microgram');
});

t.test('IU and its Chinese spellings; 万单位 is ten thousand units', async (t) => {
  const penicillinVial = a('800000', 'IU');
  t.same(penicillinVial, { dimension: 'iu', nano: 800_000n * 1_000_000_000n });
  t.same(a('80', '万单位'), penicillinVial, '80万单位 = 800 000 IU');
  t.same(a('800000', 'U'), penicillinVial);
  t.same(a('800000', '单位'), penicillinVial);
  t.same(a('0.5', '万单位'), a('5000', 'IU'));
});

t.test('mmol stands alone: no conversion to mass or IU', async (t) => {
  t.same(a('20', 'mmol'), { dimension: 'mmol', nano: 20n * 1_000_000_000n });
  t.notOk(exceeds(a('20', 'mmol'), a('1', 'mcg')), 'amounts of different dimensions never exceed each other');
  t.notOk(exceeds(a('1', 'mcg'), a('20', 'mmol')));
  t.notOk(exceeds(a('1000000', 'IU'), a('1', 'mg')));
  t.throws(() => formatIn(a('20', 'mmol'), 'mg'), RangeError, 'mmol cannot be shown in mg');
  t.throws(() => formatIn(a('20', 'mg'), 'IU'), RangeError, 'mass cannot be shown in IU');
});

t.test('anything else is not an amount', async (t) => {
  for (const unit of ['mL', 'ml', '毫升', '片', '粒', '支', 'kg', 'MG', 'iu', 'Mg', 'mg ', 'mg/mL', '']) {
    t.equal(amountOf('1', unit), undefined, JSON.stringify(unit));
    t.equal(unitDefinition(unit), undefined);
  }
  t.throws(() => limitAmount('1', 'kg'), RangeError, 'a limit in an unknown unit is a programming error');
});

t.test('the Greek small letter mu is how Chinese input methods write microgram', async (t) => {
  t.same(amountOf('100', '\u03bcg'), a('100', 'mcg'));
});

t.test('strengths per dosage unit and per volume', async (t) => {
  t.same(strengthOf('5', 'mg'), { amount: a('5', 'mg') }, '5 mg per tablet');
  t.same(strengthOf('25', 'mg/mL'), { amount: a('25', 'mg'), perMlMicros: 1_000_000n }, '25 mg/mL');
  t.same(strengthOf('125', 'mg/5mL'), { amount: a('125', 'mg'), perMlMicros: 5_000_000n }, '125 mg/5mL');
  t.same(strengthOf('125', 'mg/5 mL'), { amount: a('125', 'mg'), perMlMicros: 5_000_000n }, 'with a space');
  t.same(strengthOf('0.5', 'g/100ml'), { amount: a('0.5', 'g'), perMlMicros: 100_000_000n }, 'lowercase ml');
  t.same(strengthOf('40', '万单位/毫升'), { amount: a('400000', 'IU'), perMlMicros: 1_000_000n }, 'Chinese units');
  t.same(strengthOf('4', 'mg/0.5mL'), { amount: a('4', 'mg'), perMlMicros: 500_000n }, 'a fractional volume');
  for (const unit of ['mg/片', 'mL', '/5mL', 'kg/5mL', 'mg/5L', 'mg/5', '片']) t.equal(strengthOf('5', unit), undefined, `${unit} is not a strength`);
});

t.test('a malformed volume in a strength is not a strength', async (t) => {
  t.doesNotThrow(() => strengthOf('125', 'mg/05mL'));
  t.doesNotThrow(() => strengthOf('125', 'mg/1234567890mL'));
});

t.test('the single dose: direct, by dosage units, or by volume', async (t) => {
  const tablet5mg = strengthOf('5', 'mg');
  const syrup = strengthOf('125', 'mg/5mL');
  const drops = strengthOf('25', 'mg/mL');
  t.same(singleDose({ value: '0.5', unit: 'g' }, tablet5mg), a('500', 'mg'), 'a dose in mass ignores the strength');
  t.same(singleDose({ value: '0.5', unit: 'g' }, undefined), a('500', 'mg'), 'and needs none');
  t.same(singleDose({ value: '2', unit: '片' }, tablet5mg), a('10', 'mg'), '2 tablets of 5 mg');
  t.same(singleDose({ value: '0.5', unit: '片' }, tablet5mg), a('2.5', 'mg'), 'half a tablet');
  t.same(singleDose({ value: '1.5', unit: '粒' }, strengthOf('0.25', 'g')), a('375', 'mg'), 'capsules of 0.25 g');
  t.same(singleDose({ value: '2', unit: '支' }, strengthOf('80', '万单位')), a('1600000', 'IU'), '2 vials of 80万单位');
  t.same(singleDose({ value: '10', unit: 'mL' }, syrup), a('250', 'mg'), '10 mL of 125 mg/5mL');
  t.same(singleDose({ value: '7.5', unit: 'ml' }, drops), a('187.5', 'mg'), '7.5 ml of 25 mg/mL');
  t.same(singleDose({ value: '0.2', unit: '毫升' }, drops), a('5', 'mg'), '0.2 毫升 of 25 mg/mL');

  t.equal(singleDose({ value: '10', unit: 'mL' }, tablet5mg), undefined, 'mL of a per-tablet strength: not comparable');
  t.equal(singleDose({ value: '2', unit: '片' }, syrup), undefined, 'tablets of a per-volume strength: not comparable');
  t.equal(singleDose({ value: '2', unit: '片' }, undefined), undefined, 'dosage units without a strength');
  t.equal(singleDose({ value: '10', unit: 'mL' }, strengthOf('5', 'mg/0mL')), undefined, 'a strength in zero millilitres');
  t.equal(singleDose({ value: '1', unit: '喷' }, strengthOf('5', '片')), undefined, 'no strength at all');
});

t.test('formatIn: evidence strings, golden', async (t) => {
  const golden: Array<[Amount, string, string]> = [
    [a('1500', 'mg'), 'g', '1.5'],
    [a('1500', 'mg'), 'mg', '1500'],
    [a('1500', 'mg'), 'mcg', '1500000'],
    [a('1500', 'mg'), '毫克', '1500'],
    [a('2.50', 'mg'), 'mg', '2.5'],
    [a('0', 'mg'), 'mg', '0'],
    [a('0.000001', 'mg'), 'mg', '0.000001'],
    [a('1', 'mcg'), 'g', '0.000001'],
    [a('0.5', 'mcg'), 'g', '0', /* below a millionth of the unit: truncated */],
    [a('999999999.999999', 'g'), 'g', '999999999.999999'],
    [a('999999999.999999', 'g'), 'mcg', '999999999999999'],
    [a('999999999.999999', 'g'), 'mg', '999999999999.999'],
    [a('80', '万单位'), 'IU', '800000'],
    [a('800000', 'IU'), '万单位', '80'],
    [a('12345', 'IU'), '万单位', '1.2345'],
    [a('20.25', 'mmol'), 'mmol', '20.25'],
  ];
  for (const [amount, unit, text] of golden) t.equal(formatIn(amount, unit), text, `${text} ${unit}`);
  // A third of a milligram cannot be written in six decimals: shown truncated.
  t.equal(formatIn(singleDose({ value: '1', unit: 'mL' }, strengthOf('1', 'mg/3mL'))!, 'mg'), '0.333333');
  t.throws(() => formatIn(a('1', 'mg'), 'kg'), RangeError);
});

t.test('round trip: every decimal comes back as written (without trailing zeros)', async (t) => {
  for (const value of ['0', '0.1', '0.2', '0.3', '0.000001', '1', '10.000001', '123456789.123456', '999999999.999999', '33.333333']) {
    for (const unit of ['g', 'mg', 'mcg', 'IU', 'mmol']) t.equal(formatIn(a(value, unit), unit), value, `${value} ${unit}`);
  }
});

t.test('arithmetic is exact where floating point is not', async (t) => {
  t.not(0.1 + 0.2, 0.3, 'the float trap this module exists to avoid');
  const sum = { dimension: 'mass' as const, nano: a('0.1', 'mg').nano + a('0.2', 'mg').nano };
  t.same(sum, a('0.3', 'mg'), '0.1 mg + 0.2 mg = 0.3 mg');
  t.same(scaled(a('0.1', 'mg'), 3), a('0.3', 'mg'), '0.1 mg three times a day is 0.3 mg');
  t.notOk(exceeds(scaled(a('0.1', 'mg'), 3), a('0.3', 'mg')), 'and does not exceed a 0.3 mg daily limit (0.1 * 3 > 0.3 in floats)');
  t.ok(exceeds(scaled(a('0.100001', 'mg'), 3), a('0.3', 'mg')), 'a millionth more does');
  t.same(scaled(a('0.7', 'mg'), 3), a('2.1', 'mg'), '0.7 × 3 = 2.1 (2.0999999999999996 in floats)');
  t.same(scaled(a('0.25', 'g'), 4), a('1000', 'mg'), 'conversion then multiplication');
  t.same(a('0.1', 'g'), a('100', 'mg'));
  t.notOk(exceeds(a('0.3', 'g'), a('300', 'mg')), 'equal amounts in different units do not exceed');
  t.ok(exceeds(a('300.000001', 'mg'), a('0.3', 'g')));
  t.notOk(exceeds(a('299.999999', 'mg'), a('0.3', 'g')));
});

t.test('a per-volume dose times the frequency is exact', async (t) => {
  const third = singleDose({ value: '1', unit: 'mL' }, strengthOf('1', 'mg/3mL'))!;
  t.equal(formatIn(scaled(third, 3), 'mg'), '1');
  // True dose 7000.000001 mL × 0.000001 mcg / 7 mL = 0.00100000000014… mcg, above a 0.001 mcg limit.
  t.ok(exceeds(singleDose({ value: '7000.000001', unit: 'mL' }, strengthOf('0.000001', 'mcg/7mL'))!, limitAmount('0.001', 'mcg')));
});

t.test('exceedsTimes: a per-kg limit times the weight, exactly, at the boundary', async (t) => {
  const kg = (w: string) => decimalMicros(w);
  // 10 mg/kg at 20.5 kg is 205 mg.
  t.notOk(exceedsTimes(a('205', 'mg'), a('10', 'mg'), kg('20.5')), '205 mg: at the limit');
  t.ok(exceedsTimes(a('205.000001', 'mg'), a('10', 'mg'), kg('20.5')), 'a millionth of a mg past it');
  t.notOk(exceedsTimes(a('204.999999', 'mg'), a('10', 'mg'), kg('20.5')));
  // 0.7 mg/kg at 3 kg is 2.1 mg; in floats 0.7 * 3 < 2.1, which would flag a dose at the limit.
  t.notOk(exceedsTimes(a('2.1', 'mg'), a('0.7', 'mg'), kg('3')), '0.7 mg/kg × 3 kg: 2.1 mg is at the limit');
  t.ok(exceedsTimes(a('2.100001', 'mg'), a('0.7', 'mg'), kg('3')));
  // 0.2 mg/kg at 62.5 kg is 12.5 mg; the limit in g, the dose in mcg.
  t.notOk(exceedsTimes(a('12500', 'mcg'), a('0.0002', 'g'), kg('62.5')));
  t.ok(exceedsTimes(a('12500.001', 'mcg'), a('0.0002', 'g'), kg('62.5')));
  // A weight with six decimals: 40 mg/kg × 14.000001 kg = 560.00004 mg.
  t.notOk(exceedsTimes(a('560.00004', 'mg'), a('40', 'mg'), kg('14.000001')));
  t.ok(exceedsTimes(a('560.000041', 'mg'), a('40', 'mg'), kg('14.000001')));
  t.notOk(exceedsTimes(a('1', 'IU'), a('0', 'mg'), kg('1')), 'never across dimensions');
  t.ok(exceedsTimes(a('0.000001', 'mg'), a('0', 'mg'), kg('70')), 'anything exceeds a zero limit');
  t.notOk(exceedsTimes(a('0', 'mg'), a('0', 'mg'), kg('70')));
});
