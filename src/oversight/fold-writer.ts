/**
 * Collects the updates folding one entry makes, and answers reads with them applied: a step that
 * reads a value another step of the same entry has just written sees the new value.
 */
import type { Alert, Dimension, OversightUpdate, OversightView, StateValue, Turnaround } from './oversight-model.js';
import { bucketOf } from './histogram.js';
import { localDayNumber } from './periods.js';

export type DimKey = readonly [Dimension, string];

export class FoldWriter implements OversightView {
  readonly updates: OversightUpdate[] = [];
  readonly #view: OversightView;
  readonly #offset: number;
  readonly #puts = new Map<string, StateValue | undefined>();
  readonly #expiries = new Map<string, number | null>();

  constructor(view: OversightView, utcOffsetMinutes: number) {
    this.#view = view;
    this.#offset = utcOffsetMinutes;
  }

  get<T = StateValue>(ns: string, key: string): T | undefined {
    const k = `${ns}\n${key}`;
    return (this.#puts.has(k) ? this.#puts.get(k) : this.#view.get(ns, key)) as T | undefined;
  }

  dueExpiries(time: number): ReadonlyArray<{ prescriptionId: string; at: number }> {
    return this.#view.dueExpiries(time).filter((e) => !this.#expiries.has(e.prescriptionId));
  }

  /** Sets a state value (undefined deletes it); `forgetAt`: see OversightUpdate. */
  put(ns: string, key: string, value: StateValue | undefined, forgetAt?: number): void {
    this.#puts.set(`${ns}\n${key}`, value);
    this.updates.push(forgetAt === undefined ? { kind: 'put', ns, key, value } : { kind: 'put', ns, key, value, forgetAt });
  }

  expiry(prescriptionId: string, at: number | null): void {
    this.#expiries.set(prescriptionId, at);
    this.updates.push({ kind: 'expiry', prescriptionId, at });
  }

  alert(alert: Alert): void {
    this.updates.push({ kind: 'alert', alert });
  }

  /** Adds `n` to `figure` under every key, on the local day of `time` (and so its week and month). */
  add(keys: readonly DimKey[], figure: string, time: number, n = 1): void {
    const day = localDayNumber(time, this.#offset);
    for (const [dim, key] of keys) this.updates.push({ kind: 'add', dim, key, day, figure, n });
  }

  /** Records one turnaround of `durationMs`, ending at `time`: count, sum and histogram bucket. */
  observe(keys: readonly DimKey[], metric: Turnaround, time: number, durationMs: number): void {
    const ms = Math.max(0, durationMs);
    const bucket = bucketOf(ms);
    this.add(keys, `turnaround.${metric}.count`, time);
    this.add(keys, `turnaround.${metric}.sumMs`, time, ms);
    const day = localDayNumber(time, this.#offset);
    for (const [dim, key] of keys) this.updates.push({ kind: 'observe', dim, key, day, metric, bucket });
  }
}
