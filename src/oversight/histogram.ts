/**
 * Turnaround times as fixed log-scale histograms: bucket b ≥ 1 holds durations d (ms) with
 * 2^((b-1)/8) ≤ d < 2^(b/8), bucket 0 holds d < 1 ms. Eight buckets per doubling make a bucket
 * about 9 % wide; the boundaries are the same for every counter, so histograms of days add up to
 * weeks and months and a percentile never needs the raw durations (a projection cannot keep them).
 *
 * A percentile is reported as the geometric middle of the bucket it falls in: at most about 4.5 %
 * from the true value, and deterministic.
 */
export const BUCKETS_PER_DOUBLING = 8;

export function bucketOf(durationMs: number): number {
  if (!(durationMs >= 1)) return 0;
  // floor(log2(d) * 8) + 1, nudged so exact powers land in the bucket they open.
  let b = Math.floor(Math.log2(durationMs) * BUCKETS_PER_DOUBLING) + 1;
  if (2 ** ((b - 1) / BUCKETS_PER_DOUBLING) > durationMs) b -= 1;
  else if (2 ** (b / BUCKETS_PER_DOUBLING) <= durationMs) b += 1;
  return b;
}

/** [low, high) of a bucket, in ms. */
export function bucketBounds(bucket: number): readonly [number, number] {
  if (bucket <= 0) return [0, 1];
  return [2 ** ((bucket - 1) / BUCKETS_PER_DOUBLING), 2 ** (bucket / BUCKETS_PER_DOUBLING)];
}

/** The value reported for a bucket: its geometric middle (0 for bucket 0), rounded to whole ms. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 0;
  return Math.round(2 ** ((bucket - 0.5) / BUCKETS_PER_DOUBLING));
}

/**
 * The q-quantile (0 < q ≤ 1) of a histogram given as bucket → count: the bucket holding the
 * ⌈q·n⌉-th smallest duration (nearest-rank). Undefined for an empty histogram.
 */
export function quantile(buckets: ReadonlyMap<number, number>, q: number): number | undefined {
  let total = 0;
  for (const n of buckets.values()) total += n;
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const b of [...buckets.keys()].sort((x, y) => x - y)) {
    seen += buckets.get(b)!;
    if (seen >= rank) return bucketValue(b);
  }
  return undefined;
}
