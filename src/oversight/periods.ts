/**
 * Calendar periods for 处方点评 statistics, in a fixed UTC offset (default +08:00, China Standard
 * Time, which has no daylight saving). Fixed rather than taken from the machine so that every
 * instance folding the same log draws the same day boundaries.
 *
 * A period is named by its first day, `YYYY-MM-DD`: a day by itself, a week by its Monday
 * (ISO 8601 weeks start on Monday), a month by its 1st. The names sort in time order.
 */
export const GRAINS = ['day', 'week', 'month'] as const;
export type Grain = (typeof GRAINS)[number];

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** Parses `+08:00`, `-05:30`, `Z` into minutes east of UTC; undefined when malformed. */
export function parseUtcOffset(text: string): number | undefined {
  if (text === 'Z') return 0;
  const m = /^([+-])(0[0-9]|1[0-4]):([0-5][0-9])$/.exec(text);
  if (m === null) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

export function formatUtcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Local day number (days since 1970-01-01 in the offset) of an instant. */
export function localDayNumber(time: number, offsetMinutes: number): number {
  return Math.floor((time + offsetMinutes * 60_000) / DAY_MS);
}

/** Local hour of day, 0–23. */
export function localHour(time: number, offsetMinutes: number): number {
  const local = time + offsetMinutes * 60_000;
  return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / HOUR_MS);
}

export function formatDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Day number of a `YYYY-MM-DD` name; undefined unless it is a real calendar date. */
export function parseDayName(name: string): number | undefined {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(name);
  if (m === null) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (!Number.isFinite(ms) || formatDayNumber(ms / DAY_MS) !== name) return undefined;
  return ms / DAY_MS;
}

/** The first day (day number) of the period of `grain` containing local day `day`. */
export function periodStartDay(day: number, grain: Grain): number {
  if (grain === 'day') return day;
  // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
  if (grain === 'week') return day - (((day + 3) % 7) + 7) % 7;
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
}

/** The name of the period of `grain` containing `time`. */
export function periodOf(time: number, grain: Grain, offsetMinutes: number): string {
  return formatDayNumber(periodStartDay(localDayNumber(time, offsetMinutes), grain));
}

const periodNames = new Map<number, readonly [string, string, string]>();

/**
 * The day, week and month names of a local day, in GRAINS order. Remembered (a log spans few
 * days): every folded event needs all three, and formatting dates is most of the fold's cost.
 */
export function periodsOfDay(day: number): readonly [string, string, string] {
  let names = periodNames.get(day);
  if (names === undefined) {
    if (periodNames.size >= 4096) periodNames.clear();
    names = [formatDayNumber(day), formatDayNumber(periodStartDay(day, 'week')), formatDayNumber(periodStartDay(day, 'month'))];
    periodNames.set(day, names);
  }
  return names;
}

/** How many periods of `grain` the inclusive local-day range [from, to] touches. */
export function periodCount(fromDay: number, toDay: number, grain: Grain): number {
  if (toDay < fromDay) return 0;
  if (grain === 'day') return toDay - fromDay + 1;
  if (grain === 'week') return (periodStartDay(toDay, 'week') - periodStartDay(fromDay, 'week')) / 7 + 1;
  const a = new Date(fromDay * DAY_MS);
  const b = new Date(toDay * DAY_MS);
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth()) + 1;
}
