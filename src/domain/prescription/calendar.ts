/**
 * Prescription days are calendar days in China Standard Time (UTC+8, no daylight saving), the
 * zone in which 处方管理办法 counts "valid on the day of issue". Fixed here rather than taken from
 * the machine, so the ledger and every verifier draw the same day boundaries.
 */
const DAY_MS = 86_400_000;
const CST_OFFSET_MS = 8 * 3_600_000;

// Every submission asks both functions about the same day or two, several times: the last answer
// of each is kept (a few microseconds per submission on the ledger's event loop).
let lastDate: string | undefined;
let lastDateStart = 0;
let lastDayStart = Number.NaN;
let lastDay = '';

/** Milliseconds since the epoch at 00:00 CST on `date` (YYYY-MM-DD) plus `days` days. */
export function startOfDay(date: string, days = 0): number {
  if (date !== lastDate) {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    lastDateStart = Date.UTC(y, m - 1, d) - CST_OFFSET_MS;
    lastDate = date;
  }
  return lastDateStart + days * DAY_MS;
}

/** The CST calendar date (YYYY-MM-DD) of an instant. */
export function dayOf(time: number): string {
  if (!(time >= lastDayStart && time < lastDayStart + DAY_MS)) {
    lastDay = new Date(time + CST_OFFSET_MS).toISOString().slice(0, 10);
    lastDayStart = time - ((((time + CST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS);
  }
  return lastDay;
}
