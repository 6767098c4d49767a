/**
 * Prescription days are China Standard Time calendar days (UTC+8, no daylight saving), whatever
 * the machine's time zone (src/domain/prescription/calendar.ts).
 */
import t from 'tap';
import { dayOf, startOfDay } from '../../../src/domain/prescription/calendar.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

t.test('golden values around a CST midnight', async (t) => {
  // 2026-01-01 00:00 CST is 2025-12-31T16:00:00Z.
  t.equal(startOfDay('2026-01-01'), Date.UTC(2025, 11, 31, 16, 0, 0));
  t.equal(startOfDay('2026-01-01'), 1_767_196_800_000);
  t.equal(dayOf(Date.parse('2025-12-31T15:59:59.999Z')), '2025-12-31', '23:59:59.999 CST on 31 December');
  t.equal(dayOf(Date.parse('2025-12-31T16:00:00.000Z')), '2026-01-01', '00:00 CST on 1 January');
  t.equal(dayOf(Date.parse('2026-01-01T00:00:00.000Z')), '2026-01-01', 'UTC midnight is 08:00 CST');
  t.equal(dayOf(Date.parse('2026-01-01T15:59:59.999Z')), '2026-01-01', '23:59:59.999 CST on 1 January');
  t.equal(dayOf(Date.parse('2026-01-01T16:00:00.000Z')), '2026-01-02', '00:00 CST on 2 January');
  t.equal(startOfDay('1970-01-01'), -8 * HOUR, 'the epoch is 08:00 CST');
  t.equal(dayOf(0), '1970-01-01');
});

t.test('day offsets cross months, years and leap days', async (t) => {
  t.equal(startOfDay('2026-02-27', 2), startOfDay('2026-03-01'));
  t.equal(startOfDay('2028-02-28', 1), startOfDay('2028-02-29'), 'leap year');
  t.equal(startOfDay('2026-02-28', 1), startOfDay('2026-03-01'), 'common year');
  t.equal(startOfDay('2026-12-31', 1), startOfDay('2027-01-01'));
  t.equal(startOfDay('2026-01-01', -1), startOfDay('2025-12-31'));
  t.equal(startOfDay('2026-03-02', 84), startOfDay('2026-05-25'), '12 weeks on');
  t.equal(startOfDay('2026-03-02', 0), startOfDay('2026-03-02'));
});

t.test('every day of 2024–2028: 24 hours long, and dayOf inverts startOfDay at both ends', async (t) => {
  let failures = 0;
  let days = 0;
  for (let d = Date.UTC(2024, 0, 1); d < Date.UTC(2029, 0, 1); d += DAY) {
    const date = new Date(d).toISOString().slice(0, 10);
    const start = startOfDay(date);
    const ok = dayOf(start) === date && dayOf(start + DAY - 1) === date && dayOf(start - 1) !== date && startOfDay(date, 1) - start === DAY && start === d - 8 * HOUR;
    if (!ok) failures++;
    days++;
  }
  t.equal(days, 1827);
  t.equal(failures, 0);
});

t.test('the machine\'s time zone does not matter', async (t) => {
  const saved = process.env.TZ;
  const sample = () => [startOfDay('2026-03-08'), startOfDay('2026-11-01', 1), dayOf(Date.parse('2026-03-08T07:30:00Z')), dayOf(Date.parse('2026-10-31T20:00:00Z'))];
  try {
    process.env.TZ = 'UTC';
    const utc = sample();
    for (const zone of ['America/New_York', 'Europe/London', 'Asia/Shanghai', 'Pacific/Kiritimati']) {
      process.env.TZ = zone;
      t.same(sample(), utc, zone);
    }
    t.same(utc, [Date.UTC(2026, 2, 7, 16), Date.UTC(2026, 10, 1, 16), '2026-03-08', '2026-11-01']);
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

t.test('an answer never depends on the call before it (the last answer is kept)', async (t) => {
  const plainDay = (time: number) => new Date(time + 8 * HOUR).toISOString().slice(0, 10);
  const plainStart = (date: string, days: number) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d) - 8 * HOUR + days * DAY;
  };
  // Instants on both sides of CST midnights, before and after the epoch, in a scrambled order.
  const midnight = startOfDay('2026-03-01');
  const times = [-8 * HOUR - 1, -8 * HOUR, -1, 0, midnight - 1, midnight, midnight + DAY - 1, midnight + DAY, midnight + 37 * DAY + 5, 1, midnight - 1];
  let seed = 7;
  const order = Array.from({ length: 400 }, () => times[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % times.length]!);
  t.same(order.map(dayOf), order.map(plainDay), 'dayOf');
  const dates = ['2026-03-01', '2025-12-31', '2026-03-01', '2028-02-29', '1969-12-31', '2026-03-01'];
  t.same(
    dates.flatMap((date) => [startOfDay(date), startOfDay(date, 3), startOfDay(date, -1)]),
    dates.flatMap((date) => [plainStart(date, 0), plainStart(date, 3), plainStart(date, -1)]),
    'startOfDay',
  );
});
