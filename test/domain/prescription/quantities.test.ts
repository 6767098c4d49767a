/**
 * Exact decimal quantities (src/domain/prescription/quantities.ts): golden values, round trips,
 * agreement with the model's DecimalSchema, and refusal of everything that is not a decimal string
 * of at most 9 integer and 6 fraction digits.
 */
import t from 'tap';
import { fromMicros, toMicros } from '../../../src/domain/prescription/quantities.js';
import { DecimalSchema } from '../../../schemas/prescription.js';

const GOLDEN: ReadonlyArray<[string, number]> = [
  ['0', 0],
  ['0.000001', 1],
  ['0.00001', 10],
  ['0.5', 500_000],
  ['1', 1_000_000],
  ['1.5', 1_500_000],
  ['7.000001', 7_000_001],
  ['12.125', 12_125_000],
  ['250', 250_000_000],
  ['100000000', 100_000_000_000_000],
  ['999999999.999999', 999_999_999_999_999],
];

t.test('golden values, both ways', async (t) => {
  for (const [text, micros] of GOLDEN) {
    t.equal(toMicros(text), micros, `toMicros(${text})`);
    t.equal(fromMicros(micros), text, `fromMicros(${micros})`);
  }
});

t.test('non-canonical decimals parse to the same amount and print in shortest form', async (t) => {
  t.equal(toMicros('1.50'), 1_500_000);
  t.equal(toMicros('1.500000'), 1_500_000);
  t.equal(toMicros('0.0'), 0);
  t.equal(toMicros('10.000000'), 10_000_000);
  t.equal(fromMicros(toMicros('1.50')), '1.5');
  t.equal(fromMicros(toMicros('0.000000')), '0');
  t.equal(fromMicros(toMicros('2.010')), '2.01');
});

t.test('arithmetic on millionths is exact where floating point is not', async (t) => {
  t.not(0.1 + 0.2, 0.3);
  t.equal(toMicros('0.1') + toMicros('0.2'), toMicros('0.3'));
  t.equal(fromMicros(toMicros('2.675') * 3), '8.025');
  t.equal(toMicros('7') - toMicros('4') - toMicros('2.999999'), toMicros('0.000001'));
});

t.test('round trips over a deterministic sample of the whole range', async (t) => {
  let seed = 7;
  const next = () => {
    seed = (seed * 48271) % 2_147_483_647;
    return seed;
  };
  let failures = 0;
  for (let i = 0; i < 5000; i++) {
    // Spread over magnitudes: some whole units, some with fraction digits, some tiny.
    const micros = [next() % 1_000_000, (next() % 1_000_000_000) * 1_000_000, (next() % 1_000_000_000) * 1_000_000 + (next() % 1_000_000), next()][i % 4]!;
    const text = fromMicros(micros);
    if (toMicros(text) !== micros || !DecimalSchema.safeParse(text).success || /\.\d*0$/.test(text)) failures++;
  }
  t.equal(failures, 0, 'fromMicros gives a canonical decimal that parses back to the same amount');
  t.equal(toMicros(fromMicros(999_999_999_999_999)), 999_999_999_999_999, 'the largest amount');
});

const MALFORMED = [
  '', ' ', '01', '00', '00.5', '-1', '+1', '1.', '.5', '1.1234567', '0.0000001', '1e3', '1E3', ' 1', '1 ', '1\n', '1,5', '1_000',
  '0x10', '1000000000', '1000000000.5', 'NaN', 'Infinity', '1.5.5', '１', '١', '½', 'one',
];

t.test('malformed decimals are refused, exactly where the model refuses them', async (t) => {
  for (const text of MALFORMED) {
    t.throws(() => toMicros(text), RangeError, `toMicros(${JSON.stringify(text)})`);
    t.notOk(DecimalSchema.safeParse(text).success, `the model refuses ${JSON.stringify(text)} too`);
  }
  for (const [text] of GOLDEN) t.ok(DecimalSchema.safeParse(text).success, `the model accepts ${text}`);
});

t.test('fromMicros refuses what is not a non-negative safe integer', async (t) => {
  for (const bad of [-1, 0.5, 1_500_000.25, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -0.000001]) {
    t.throws(() => fromMicros(bad), RangeError, `fromMicros(${bad})`);
  }
});
