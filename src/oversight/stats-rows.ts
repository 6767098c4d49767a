/**
 * Stored counters and histograms → the rows GET /v1/oversight/stats answers: every figure present
 * (zero when nothing happened), reason codes by group, turnarounds with count, mean and
 * percentiles from the histogram buckets. Pure, shared by the SQLite store and the memory one.
 */
import { quantile } from './histogram.js';
import { FIGURES, REASON_GROUPS, TURNAROUNDS, type Figure, type ReasonGroup, type Turnaround } from './oversight-model.js';

export interface TurnaroundFigures {
  readonly count: number;
  /** Null when count is 0. */
  readonly meanMs: number | null;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
}

export interface StatsRow {
  readonly key: string;
  readonly period: string;
  readonly counts: Readonly<Record<Figure, number>>;
  readonly overrideReasons: Readonly<Record<string, number>>;
  readonly deliveryFailureReasons: Readonly<Record<string, number>>;
  readonly refusalReasons: Readonly<Record<string, number>>;
  readonly returnReasons: Readonly<Record<string, number>>;
  readonly cancelReasons: Readonly<Record<string, number>>;
  readonly turnaround: Readonly<Record<Turnaround, TurnaroundFigures>>;
}

/** One (key, period): its counters by figure name and its histograms by metric (bucket → count). */
export interface RawCell {
  readonly key: string;
  readonly period: string;
  readonly figures: ReadonlyMap<string, number>;
  readonly histograms: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

export function statsRow(cell: RawCell): StatsRow {
  const counts = Object.fromEntries(FIGURES.map((f) => [f, cell.figures.get(f) ?? 0])) as Record<Figure, number>;
  const reasons = Object.fromEntries(REASON_GROUPS.map((g) => [g, {} as Record<string, number>])) as Record<ReasonGroup, Record<string, number>>;
  for (const [figure, n] of [...cell.figures].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const dot = figure.indexOf('.');
    const group = figure.slice(0, dot) as ReasonGroup;
    if (dot > 0 && (REASON_GROUPS as readonly string[]).includes(group)) reasons[group][figure.slice(dot + 1)] = n;
  }
  const turnaround = Object.fromEntries(
    TURNAROUNDS.map((m): [Turnaround, TurnaroundFigures] => {
      const count = cell.figures.get(`turnaround.${m}.count`) ?? 0;
      const sum = cell.figures.get(`turnaround.${m}.sumMs`) ?? 0;
      const buckets = cell.histograms.get(m) ?? new Map<number, number>();
      return [m, { count, meanMs: count === 0 ? null : Math.round(sum / count), p50Ms: quantile(buckets, 0.5) ?? null, p90Ms: quantile(buckets, 0.9) ?? null }];
    }),
  ) as Record<Turnaround, TurnaroundFigures>;
  return { key: cell.key, period: cell.period, counts, ...reasons, turnaround };
}
