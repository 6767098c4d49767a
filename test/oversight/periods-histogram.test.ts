/** Calendar periods in a fixed UTC offset, and the log-scale histograms' percentiles. */
import t from 'tap';
import { bucketBounds, bucketOf, bucketValue, quantile } from '../../src/oversight/histogram.js';
import { formatUtcOffset, localHour, parseDayName, parseUtcOffset, periodCount, periodOf } from '../../src/oversight/periods.js';

t.test('periods are drawn in the configured offset, not UTC', async (t) => {
  // 2026-11-22 16:30 UTC is 2026-11-23 00:30 in China (a Monday), still the 22nd (a Sunday) in UTC.
  const time = Date.UTC(2026, 10, 22, 16, 30);
  t.equal(periodOf(time, 'day', 480), '2026-11-23');
  t.equal(periodOf(time, 'day', 0), '2026-11-22');
  t.equal(periodOf(time, 'week', 480), '2026-11-23', 'the week starts that Monday');
  t.equal(periodOf(time, 'week', 0), '2026-11-16', 'in UTC it is still the week before');
  t.equal(periodOf(time, 'month', 480), '2026-11-01');
  // Month and year boundaries move with the offset too.
  const newYear = Date.UTC(2025, 11, 31, 17, 0);
  t.equal(periodOf(newYear, 'month', 480), '2026-01-01');
  t.equal(periodOf(newYear, 'month', 0), '2025-12-01');
  t.equal(periodOf(newYear, 'week', 480), '2025-12-29', 'ISO weeks span the new year');
  t.equal(periodOf(newYear, 'day', -300), '2025-12-31');
  t.equal(localHour(time, 480), 0);
  t.equal(localHour(time, -330), 11);
});

t.test('offsets and dates parse strictly', async (t) => {
  t.equal(parseUtcOffset('+08:00'), 480);
  t.equal(parseUtcOffset('-05:30'), -330);
  t.equal(parseUtcOffset('Z'), 0);
  for (const bad of ['8', '+8:00', '+15:00', '+08:60', 'UTC+8', '']) t.equal(parseUtcOffset(bad), undefined, bad);
  t.equal(formatUtcOffset(-330), '-05:30');
  t.equal(parseDayName('2026-02-29'), undefined, 'not a leap year');
  t.equal(parseDayName('2028-02-29'), Date.UTC(2028, 1, 29) / 86_400_000);
  t.equal(periodCount(parseDayName('2026-01-01')!, parseDayName('2026-12-31')!, 'month'), 12);
  t.equal(periodCount(parseDayName('2026-11-22')!, parseDayName('2026-11-23')!, 'week'), 2, 'a Sunday and the Monday after');
});

t.test('histogram buckets are log-scale and percentiles land within a bucket', async (t) => {
  t.equal(bucketOf(0), 0);
  t.equal(bucketOf(0.5), 0);
  t.equal(bucketOf(1), 1, '1 ms opens bucket 1');
  t.equal(bucketOf(2), 9, 'each doubling is 8 buckets');
  for (const d of [1, 3, 17, 1000, 86_400_000, 30 * 86_400_000]) {
    const [low, high] = bucketBounds(bucketOf(d));
    t.ok(low <= d && d < high, `${d} ms is inside its bucket [${low}, ${high})`);
  }
  // 1..1000 ms, one of each: the true p50 is 500, p90 900.
  const h = new Map<number, number>();
  for (let d = 1; d <= 1000; d++) h.set(bucketOf(d), (h.get(bucketOf(d)) ?? 0) + 1);
  const p50 = quantile(h, 0.5)!;
  const p90 = quantile(h, 0.9)!;
  t.ok(Math.abs(p50 - 500) / 500 < 0.05, `p50 ${p50} within 5 % of 500`);
  t.ok(Math.abs(p90 - 900) / 900 < 0.05, `p90 ${p90} within 5 % of 900`);
  t.equal(quantile(new Map(), 0.5), undefined, 'an empty histogram has no percentile');
  t.equal(quantile(new Map([[bucketOf(60_000), 3]]), 0.9), bucketValue(bucketOf(60_000)), 'one bucket answers its own value');
  t.ok(Math.abs(bucketValue(bucketOf(60_000)) - 60_000) / 60_000 < 0.05);
});
