/**
 * Exact dose arithmetic for the checker. Every amount is a bigint count of nano-units of a base
 * unit (mass in micrograms, IU, mmol), so a decimal with six fraction digits in milligrams stays
 * exact through conversion and multiplication: the engine never rounds, and two runs on any
 * machine compare the same integers.
 *
 * A prescribed single dose is converted to the ingredient's limit unit in one of three ways:
 * written in a mass or IU unit (`0.5 g`); written in dosage units (`2 片`) and multiplied by the
 * item's strength per unit (`5 mg`); or written in mL and multiplied by a strength per mL
 * (`25 mg/mL`, `125 mg/5 mL`). Anything else is reported as not comparable rather than guessed.
 */

/** Base dimensions; amounts convert only within one. */
export type Dimension = 'mass' | 'iu' | 'mmol';

interface UnitDefinition {
  readonly dimension: Dimension;
  /** Nano-units of the base unit per one of this unit, as a bigint (mass base: microgram). */
  readonly factor: bigint;
}

const NANO = 1_000_000_000n;
/** Units a prescription may write a dose or a strength in, and what they mean. */
const UNITS: ReadonlyMap<string, UnitDefinition> = new Map([
  ['g', { dimension: 'mass', factor: 1_000_000n * NANO }],
  ['mg', { dimension: 'mass', factor: 1_000n * NANO }],
  ['mcg', { dimension: 'mass', factor: NANO }],
  ['µg', { dimension: 'mass', factor: NANO }],
  // U+03BC GREEK SMALL LETTER MU: what most input methods type for the micro sign.
  ['μg', { dimension: 'mass', factor: NANO }],
  ['ug', { dimension: 'mass', factor: NANO }],
  ['克', { dimension: 'mass', factor: 1_000_000n * NANO }],
  ['毫克', { dimension: 'mass', factor: 1_000n * NANO }],
  ['微克', { dimension: 'mass', factor: NANO }],
  ['IU', { dimension: 'iu', factor: NANO }],
  ['U', { dimension: 'iu', factor: NANO }],
  ['单位', { dimension: 'iu', factor: NANO }],
  ['万单位', { dimension: 'iu', factor: 10_000n * NANO }],
  ['mmol', { dimension: 'mmol', factor: NANO }],
]);
const VOLUME_UNITS = new Set(['mL', 'ml', '毫升']);

export function unitDefinition(unit: string): UnitDefinition | undefined {
  return UNITS.get(unit);
}

const DECIMAL = /^(0|[1-9][0-9]{0,8})(?:\.([0-9]{1,6}))?$/;

/**
 * A decimal string as an integer count of millionths. The sum is formed as a Number, which is
 * exact here: at most 999,999,999,999,999 (nine integer digits, six fraction digits) is below
 * 2^53, so no rounding can happen; it only saves parsing two BigInts on every call.
 */
export function decimalMicros(decimal: string): bigint {
  const m = DECIMAL.exec(decimal);
  if (m === null) throw new RangeError(`not a decimal: ${decimal}`);
  const fraction = m[2];
  return BigInt(Number(m[1]!) * 1_000_000 + (fraction === undefined ? 0 : Number(fraction.padEnd(6, '0'))));
}

/**
 * An exact amount: `nano / per` nano-units of the dimension's base unit. `per` (default 1) keeps
 * a dose measured through a per-volume strength exact (1 mL of 1 mg/3 mL is 1/3 mg, not 0.333333).
 */
export interface Amount {
  readonly dimension: Dimension;
  readonly nano: bigint;
  readonly per?: bigint;
}
const perOf = (a: Amount): bigint => a.per ?? 1n;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** nano/per in lowest terms, without `per` when it is 1: one amount, one representation. */
function ratio(dimension: Dimension, nano: bigint, per: bigint): Amount {
  const g = gcd(nano, per);
  return per === g ? { dimension, nano: nano / g } : { dimension, nano: nano / g, per: per / g };
}

/** `value unit` as an amount, or undefined when the unit is not a mass, IU or mmol unit. */
export function amountOf(value: string, unit: string): Amount | undefined {
  const u = UNITS.get(unit);
  if (u === undefined) return undefined;
  // value has 6 implied fraction digits: micros × factor / 10^6.
  return { dimension: u.dimension, nano: (decimalMicros(value) * u.factor) / 1_000_000n };
}

/** A strength such as "5 mg" (per dosage unit) or "25 mg/mL" / "125 mg/5mL" (per volume). */
export interface Strength {
  readonly amount: Amount;
  /** Millilitres the amount is in (in millionths), for per-volume strengths. */
  readonly perMlMicros?: bigint;
}

/** "<unit>/<volume>mL": the volume, when written, is a decimal of the model's own form (not "05"). */
const PER_VOLUME = /^(.+)\/((?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,6})?)?\s?(mL|ml|毫升)$/;

export function strengthOf(value: string, unit: string): Strength | undefined {
  const perVolume = PER_VOLUME.exec(unit);
  if (perVolume !== null) {
    const amount = amountOf(value, perVolume[1]!.trim());
    return amount === undefined ? undefined : { amount, perMlMicros: decimalMicros(perVolume[2] ?? '1') };
  }
  const amount = amountOf(value, unit);
  return amount === undefined ? undefined : { amount };
}

/**
 * The single dose of one ingredient: from a dose in mass/IU units directly, from a dose in mL
 * through a per-volume strength, or from a dose in dosage units through a per-unit strength.
 */
export function singleDose(dose: { value: string; unit: string }, strength: Strength | undefined): Amount | undefined {
  const direct = amountOf(dose.value, dose.unit);
  if (direct !== undefined) return direct;
  if (strength === undefined) return undefined;
  const doseMicros = decimalMicros(dose.value);
  if (VOLUME_UNITS.has(dose.unit)) {
    if (strength.perMlMicros === undefined || strength.perMlMicros === 0n) return undefined;
    return ratio(strength.amount.dimension, strength.amount.nano * doseMicros, strength.perMlMicros * perOf(strength.amount));
  }
  if (strength.perMlMicros !== undefined) return undefined;
  return ratio(strength.amount.dimension, strength.amount.nano * doseMicros, 1_000_000n * perOf(strength.amount));
}

/** An amount in `unit` (a knowledge-base dose unit) as a decimal string, for evidence. */
export function formatIn(amount: Amount, unit: string): string {
  const u = UNITS.get(unit);
  if (u === undefined || u.dimension !== amount.dimension) throw new RangeError(`cannot express ${amount.dimension} in ${unit}`);
  // Millionths of the unit, truncated: evidence shows six fraction digits at most.
  const micros = (amount.nano * 1_000_000n) / (u.factor * perOf(amount));
  const whole = micros / 1_000_000n;
  const fraction = (micros % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

/** A knowledge-base limit (`value` in `unit`) as an amount. */
export function limitAmount(value: string, unit: string): Amount {
  const a = amountOf(value, unit);
  if (a === undefined) throw new RangeError(`unknown dose unit ${unit}`);
  return a;
}

export const scaled = (a: Amount, n: number): Amount => ratio(a.dimension, a.nano * BigInt(n), perOf(a));
/** a > b, for amounts of one dimension, by cross-multiplication (no division, no rounding). */
export const exceeds = (a: Amount, b: Amount): boolean => a.dimension === b.dimension && a.nano * perOf(b) > b.nano * perOf(a);
/** a > b × micros / 10^6 (a per-kg limit times a weight), compared without rounding. */
export const exceedsTimes = (a: Amount, b: Amount, micros: bigint): boolean => a.dimension === b.dimension && a.nano * perOf(b) * 1_000_000n > b.nano * micros * perOf(a);
