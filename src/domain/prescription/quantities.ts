/**
 * Exact arithmetic for prescription quantities. The model carries decimals as strings with at most
 * six fraction digits (schemas/prescription.ts); here they become integer millionths, which stay
 * exact well inside Number.MAX_SAFE_INTEGER (at most 10^9 units × 10^6), so no floating-point
 * rounding ever reaches a dispensing decision.
 */
const DECIMAL = /^(0|[1-9][0-9]{0,8})(?:\.([0-9]{1,6}))?$/;

export function toMicros(decimal: string): number {
  const m = DECIMAL.exec(decimal);
  if (m === null) throw new RangeError('not a decimal quantity');
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** The shortest decimal string for an amount of millionths: 1500000 → "1.5". */
export function fromMicros(micros: number): string {
  if (!Number.isSafeInteger(micros) || micros < 0) throw new RangeError('not a quantity');
  const whole = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000).padStart(6, '0').replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}
