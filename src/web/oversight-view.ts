/**
 * The oversight answers (GET /v1/oversight/stats, /alerts, /alerts/summary) turned into what the
 * regulator page draws. The answers are untrusted input like everything else the page fetches:
 * they are read defensively (a missing or non-numeric count is 0, an unknown member is ignored),
 * and nothing here builds markup.
 */
import type { Series } from './svg-charts.js';

export const COUNT_NAMES = [
  'submitted',
  'approved',
  'warned',
  'blocked',
  'overrideRequested',
  'overridden',
  'rejected',
  'cancelled',
  'claimed',
  'refused',
  'returned',
  'dispensed',
  'partiallyDispensed',
  'delivered',
  'deliveryFailed',
  'collected',
] as const;
export type CountName = (typeof COUNT_NAMES)[number];

export interface Turnaround {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
}

export interface StatsRow {
  readonly key: string;
  readonly period: string;
  readonly counts: Readonly<Record<CountName, number>>;
  readonly turnaround: Readonly<Record<string, Turnaround>>;
}

export interface Stats {
  readonly asOf: { readonly index: number; readonly time: number } | undefined;
  readonly rows: readonly StatsRow[];
}

export interface Alert {
  readonly id: string;
  readonly kind: string;
  readonly time: number;
  readonly subject: { readonly kind: string; readonly id: string };
  readonly summary: string;
  readonly entries: readonly number[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function readAsOf(v: unknown): Stats['asOf'] {
  return isRecord(v) && Number.isSafeInteger(v.index) ? { index: v.index as number, time: num(v.time) } : undefined;
}

export function parseStats(body: unknown): Stats {
  const b = isRecord(body) ? body : {};
  const rows = Array.isArray(b.rows) ? b.rows.filter(isRecord) : [];
  return {
    asOf: readAsOf(b.asOf),
    rows: rows.map((r) => {
      const counts = isRecord(r.counts) ? r.counts : {};
      const turnaround = isRecord(r.turnaround) ? r.turnaround : {};
      return {
        key: str(r.key),
        period: str(r.period),
        counts: Object.fromEntries(COUNT_NAMES.map((n) => [n, num(counts[n])])) as Record<CountName, number>,
        turnaround: Object.fromEntries(
          Object.entries(turnaround)
            .filter(([, t]) => isRecord(t))
            .map(([name, t]) => {
              const tt = t as Record<string, unknown>;
              return [name, { count: num(tt.count), meanMs: num(tt.meanMs), p50Ms: num(tt.p50Ms), p90Ms: num(tt.p90Ms) }];
            }),
        ),
      };
    }),
  };
}

export function parseAlerts(body: unknown): { alerts: Alert[]; next: string | undefined } {
  const b = isRecord(body) ? body : {};
  const list = Array.isArray(b.alerts) ? b.alerts.filter(isRecord) : [];
  const alerts = list.map((a) => ({
    id: str(a.id),
    kind: str(a.kind),
    time: num(a.time),
    subject: isRecord(a.subject) ? { kind: str(a.subject.kind), id: str(a.subject.id) } : { kind: '', id: '' },
    summary: str(a.summary),
    entries: Array.isArray(a.entries) ? a.entries.filter((e): e is number => Number.isSafeInteger(e) && e >= 0) : [],
  }));
  const next = typeof b.next === 'string' || typeof b.next === 'number' ? String(b.next) : undefined;
  return { alerts, next };
}

/**
 * Counts per alert kind from GET /v1/oversight/alerts/summary: `kinds` maps each kind to
 * `{ count, latest }` (a plain number per kind is read too). Kinds with no alert are left out.
 */
export function parseAlertSummary(body: unknown): Array<[string, number]> {
  const b = isRecord(body) ? body : {};
  const kinds = isRecord(b.kinds) ? b.kinds : {};
  return Object.entries(kinds)
    .map(([kind, v]): [string, number] => [kind, isRecord(v) ? num(v.count) : num(v)])
    .filter(([, n]) => n > 0)
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
}

/** One colour per meaning in every chart (the stylesheet's series-<n>): green, amber, purple, red. */
const COLOUR = { approved: 0, overrideRequested: 1, overridden: 2, blocked: 3 } as const;

/**
 * What each submission's check came to, stacked per period. These three partition the submissions
 * (docs/OVERSIGHT.md): `approved` (active at once), `overrideRequested` (awaiting the prescriber's
 * override) and `rejected` (blocked). `warned` and `overridden` overlap them and are not stacked.
 */
export const OUTCOME_SERIES: ReadonlyArray<{ count: CountName; name: string; colour: number }> = [
  { count: 'approved', name: 'approved', colour: COLOUR.approved },
  { count: 'overrideRequested', name: 'awaiting override', colour: COLOUR.overrideRequested },
  { count: 'rejected', name: 'blocked', colour: COLOUR.blocked },
];

/** Per period, stacked by outcome, from by=total rows (rows of one period are added up). */
export function outcomesPerPeriod(stats: Stats): { categories: string[]; series: Series[] } {
  const categories = [...new Set(stats.rows.map((r) => r.period))].sort();
  const at = new Map(categories.map((c, i) => [c, i]));
  const series = OUTCOME_SERIES.map((o) => {
    const values = categories.map(() => 0);
    for (const r of stats.rows) values[at.get(r.period)!]! += r.counts[o.count];
    return { name: o.name, colour: o.colour, values };
  });
  return { categories, series };
}

/** Per rule (by=rule rows summed over periods): blocks, override requests and overrides, most first. */
export function rulesChart(stats: Stats, limit = 12): { rows: string[]; series: Series[] } {
  const sums = new Map<string, [number, number, number]>();
  for (const r of stats.rows) {
    const s = sums.get(r.key) ?? [0, 0, 0];
    s[0] += r.counts.blocked;
    s[1] += r.counts.overrideRequested;
    s[2] += r.counts.overridden;
    sums.set(r.key, s);
  }
  const top = [...sums.entries()]
    .filter(([, s]) => s[0] + s[1] + s[2] > 0)
    .sort((a, b) => b[1][0] + b[1][1] + b[1][2] - (a[1][0] + a[1][1] + a[1][2]) || a[0].localeCompare(b[0]))
    .slice(0, limit);
  return {
    rows: top.map(([k]) => k),
    series: [
      { name: 'blocked', colour: COLOUR.blocked, values: top.map(([, s]) => s[0]) },
      { name: 'override requested', colour: COLOUR.overrideRequested, values: top.map(([, s]) => s[1]) },
      { name: 'overridden', colour: COLOUR.overridden, values: top.map(([, s]) => s[2]) },
    ],
  };
}

/** What each turnaround measures (docs/OVERSIGHT.md); an unknown one is shown by its name. */
const TURNAROUND_LABELS: Readonly<Record<string, string>> = {
  submitToCheck: 'submission → check',
  submitToClaim: 'submission → claim',
  submitToDispense: 'submission → dispensing',
  dispenseToDelivered: 'dispensing → delivery',
};

/**
 * Turnaround percentiles of the latest period that has any (by=total rows): percentiles of
 * different periods cannot be added up, so the chart names the period it shows.
 */
export function turnaroundChart(stats: Stats): { period: string | undefined; rows: string[]; series: Series[] } {
  const rows = [...stats.rows].filter((r) => Object.values(r.turnaround).some((t) => t.count > 0)).sort((a, b) => b.period.localeCompare(a.period));
  const latest = rows[0];
  if (latest === undefined) return { period: undefined, rows: [], series: [] };
  const names = Object.keys(latest.turnaround).filter((n) => latest.turnaround[n]!.count > 0);
  return {
    period: latest.period,
    rows: names.map((n) => TURNAROUND_LABELS[n] ?? n),
    series: [
      { name: 'median (p50)', values: names.map((n) => latest.turnaround[n]!.p50Ms) },
      { name: 'p90', values: names.map((n) => latest.turnaround[n]!.p90Ms) },
    ],
  };
}

/** `YYYY-MM-DD` of a day `days` before `now`, in China Standard Time (+08:00), as the statistics count days. */
export function dayName(now: number, daysBefore = 0): string {
  return new Date(now + 8 * 3_600_000 - daysBefore * 86_400_000).toISOString().slice(0, 10);
}
