/**
 * How the soak campaign decides that something grows without bound: pure functions over the
 * sampled time series, so a unit test can feed them a series that does grow.
 *
 * A series is judged on the second half of the run only; the first half is warm-up (V8's heap
 * sizing itself, SQLite's page cache filling up to its cap, the WAL reaching its checkpoint size).
 * It **grows** when both of these exceed the rule's threshold, `max(maxRelative × level,
 * minAbsolute)`:
 *
 *   1. the rise of a least-squares line fitted to the second half, over the second half's
 *      duration (slope × duration), where the level is the second half's mean; and
 *   2. the mean of the last quarter minus the mean of the second quarter, where the level is the
 *      second quarter's mean.
 *
 * The first is a trend, the second a sustained shift; requiring both keeps one late spike (which
 * tilts the line) or one step inside the warm-up (which shifts the quarters) from being called a
 * leak, while a steady leak moves both by about the same amount (a line rising by r over the
 * second half puts Q4's mean r above Q2's). A rule with `direction: 'down'` judges a fall the same
 * way (throughput that declines).
 *
 * The thresholds are per run, not per hour: over a 30-minute soak a 5 % rise of RSS in the last
 * 15 minutes is about 20 % an hour, which would exhaust memory within days.
 */

export interface GrowthRule {
  /** Sample field, e.g. `rssMiB`. */
  readonly metric: string;
  readonly label: string;
  readonly unit: string;
  /** Allowed rise relative to the level, e.g. 0.05 for 5 %. */
  readonly maxRelative: number;
  /** Allowed rise in the metric's unit, whatever the level (noise floor). */
  readonly minAbsolute: number;
  /** Judge a rise (default) or a fall. */
  readonly direction?: 'up' | 'down';
}

export interface GrowthVerdict {
  readonly metric: string;
  readonly label: string;
  readonly unit: string;
  /** False when there were too few samples to judge; `grows` is then false too. */
  readonly judged: boolean;
  readonly samples: number;
  /** Mean of the second half. */
  readonly level: number;
  /** Slope of the fitted line, unit per hour. */
  readonly slopePerHour: number;
  /** Slope × the second half's duration (signed: + is a rise). */
  readonly fittedRise: number;
  readonly q2Mean: number;
  readonly q4Mean: number;
  /** q4Mean − q2Mean. */
  readonly quarterRise: number;
  /** The threshold the fitted rise was held to (in the metric's unit). */
  readonly threshold: number;
  readonly grows: boolean;
}

/** Minimum samples in the second half, and in each of the quarters compared. */
export const MIN_HALF_SAMPLES = 6;
export const MIN_QUARTER_SAMPLES = 2;

/** Ordinary least squares y = intercept + slope·x. One point (or all x equal) gives slope 0. */
export function fitLine(points: ReadonlyArray<readonly [number, number]>): { slope: number; intercept: number } {
  const n = points.length;
  if (n === 0) return { slope: 0, intercept: Number.NaN };
  let mx = 0;
  let my = 0;
  for (const [x, y] of points) {
    mx += x;
    my += y;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

const mean = (values: readonly number[]): number => (values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length);

/**
 * Judges one series of `[seconds since start, value]` samples (ascending time) against `rule`.
 * Non-finite values are ignored.
 */
export function judgeGrowth(series: ReadonlyArray<readonly [number, number]>, rule: GrowthRule): GrowthVerdict {
  const points = series.filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v));
  const sign = rule.direction === 'down' ? -1 : 1;
  const base = { metric: rule.metric, label: rule.label, unit: rule.unit, samples: points.length };
  const notJudged: GrowthVerdict = { ...base, judged: false, level: Number.NaN, slopePerHour: Number.NaN, fittedRise: Number.NaN, q2Mean: Number.NaN, q4Mean: Number.NaN, quarterRise: Number.NaN, threshold: Number.NaN, grows: false };
  if (points.length < 2) return notJudged;
  const t0 = points[0]![0];
  const span = points[points.length - 1]![0] - t0;
  const at = (fraction: number): number => t0 + span * fraction;
  const secondHalf = points.filter(([t]) => t >= at(0.5));
  const q2 = points.filter(([t]) => t >= at(0.25) && t < at(0.5)).map(([, v]) => v);
  const q4 = points.filter(([t]) => t >= at(0.75)).map(([, v]) => v);
  if (span <= 0 || secondHalf.length < MIN_HALF_SAMPLES || q2.length < MIN_QUARTER_SAMPLES || q4.length < MIN_QUARTER_SAMPLES) return notJudged;

  const { slope } = fitLine(secondHalf);
  const halfSpan = secondHalf[secondHalf.length - 1]![0] - secondHalf[0]![0];
  const level = mean(secondHalf.map(([, v]) => v));
  const q2Mean = mean(q2);
  const q4Mean = mean(q4);
  const fittedRise = slope * halfSpan;
  const quarterRise = q4Mean - q2Mean;
  const threshold = Math.max(rule.maxRelative * Math.abs(level), rule.minAbsolute);
  const quarterThreshold = Math.max(rule.maxRelative * Math.abs(q2Mean), rule.minAbsolute);
  const grows = sign * fittedRise > threshold && sign * quarterRise > quarterThreshold;
  return { ...base, judged: true, level, slopePerHour: slope * 3600, fittedRise, q2Mean, q4Mean, quarterRise, threshold, grows };
}

/** One sentence for a verdict that grows (or falls), naming the figures it was judged by. */
export function describeGrowth(v: GrowthVerdict): string {
  const f = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(1) : n.toFixed(3));
  const verb = v.fittedRise >= 0 ? 'rose' : 'fell';
  return (
    `${v.label} ${verb} without levelling off: ${f(v.fittedRise)} ${v.unit} over the second half by the fitted line ` +
    `(${f(v.slopePerHour)} ${v.unit}/h at a level of ${f(v.level)} ${v.unit}) and ${f(v.quarterRise)} ${v.unit} from the second quarter's mean ` +
    `(${f(v.q2Mean)}) to the last quarter's (${f(v.q4Mean)}); allowed ${f(v.threshold)} ${v.unit}`
  );
}

/**
 * The WAL's bound: twice its automatic-checkpoint size (`pages` frames of `pageSize` bytes plus
 * their 24-byte headers), MiB. SQLite checkpoints once the WAL holds that many pages and then
 * writes it again from the start, so a WAL beyond twice that means checkpoints are not completing
 * (a reader holding an old snapshot, or checkpoints failing).
 */
export function walBoundMiB(pageSize: number, pages: number): number {
  return (2 * pages * (pageSize + 24)) / (1024 * 1024);
}

/** A sentence if any sample's WAL size exceeds `boundMiB`. */
export function judgeWalBound(walMiB: readonly number[], boundMiB: number): string | undefined {
  const max = Math.max(...walMiB.filter(Number.isFinite));
  if (!(max > boundMiB)) return undefined;
  return `the WAL reached ${max.toFixed(1)} MiB, above twice its automatic-checkpoint size (${boundMiB.toFixed(1)} MiB): checkpoints are not keeping it bounded`;
}

/**
 * Whether the service kept up with the open loop over the second half of the run: the mean
 * completed rate at least `minShare` of the mean offered rate. Returns the share, and a sentence
 * when it fell short.
 */
export function judgeKeptUp(samples: ReadonlyArray<{ readonly t: number; readonly offeredPerSec: number; readonly completedPerSec: number }>, minShare = 0.95): { share: number; violation?: string } {
  if (samples.length === 0) return { share: Number.NaN };
  const half = samples[samples.length - 1]!.t / 2;
  const second = samples.filter((s) => s.t >= half);
  const share = mean(second.map((s) => s.completedPerSec)) / Math.max(1e-9, mean(second.map((s) => s.offeredPerSec)));
  if (share >= minShare) return { share };
  return { share, violation: `over the second half the service completed ${(share * 100).toFixed(1)} % of the offered rate (at least ${(minShare * 100).toFixed(0)} % expected)` };
}

/** Nearest-rank percentile of an ascending-sorted sample (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * A latency histogram with relative buckets (2 % wide, from 10 µs to about 17 minutes), so a
 * whole run's percentiles per request kind cost a few kilobytes whatever the run's length.
 */
export class LatencyHistogram {
  static readonly #MIN_MS = 0.01;
  static readonly #RATIO = Math.log(1.02);
  readonly #counts = new Float64Array(1000);
  #n = 0;
  #max = 0;

  record(ms: number): void {
    const i = ms <= LatencyHistogram.#MIN_MS ? 0 : Math.min(this.#counts.length - 1, Math.floor(Math.log(ms / LatencyHistogram.#MIN_MS) / LatencyHistogram.#RATIO) + 1);
    this.#counts[i]! += 1;
    this.#n += 1;
    if (ms > this.#max) this.#max = ms;
  }

  get count(): number {
    return this.#n;
  }

  get max(): number {
    return this.#max;
  }

  /** The upper edge of the bucket holding the p-th percentile (at most 2 % above the true value). */
  percentile(p: number): number {
    if (this.#n === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#n));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(this.#max, i === 0 ? LatencyHistogram.#MIN_MS : LatencyHistogram.#MIN_MS * Math.exp(i * LatencyHistogram.#RATIO));
    }
    return this.#max;
  }
}
