/**
 * Overrides concentrated on one prescriber: a prescriber's share of all overrides (双签) recorded
 * in the ledger within a window of local days, once they have made at least a minimum number in
 * that window. Raised once per prescriber and window.
 */
import { alertId } from '../alert-id.js';
import type { FoldWriter } from '../fold-writer.js';
import { localDayNumber } from '../periods.js';
import type { OversightSettings } from '../oversight-settings.js';

interface Mine {
  /** [override index, local day]. */
  readonly overrides: Array<[number, number]>;
  /** Quiet through this local day after an alert. */
  readonly quietThrough: number;
}
/** Overrides by anyone, per local day. */
type AllDays = Record<string, number>;

const MAX_LISTED = 1000;

export function detectOverrideConcentration(w: FoldWriter, at: { index: number; time: number }, prescriber: string, s: OversightSettings['overrideConcentration'], utcOffsetMinutes: number): void {
  const day = localDayNumber(at.time, utcOffsetMinutes);
  const first = day - s.windowDays + 1;
  const all: AllDays = {};
  for (const [d, n] of Object.entries(w.get<AllDays>('overrides', '*') ?? {})) if (Number(d) >= first) all[d] = n;
  all[day] = (all[day] ?? 0) + 1;
  w.put('overrides', '*', all);
  const total = Object.values(all).reduce((a, b) => a + b, 0);
  const state = w.get<Mine>('overrides', prescriber) ?? { overrides: [], quietThrough: -1 };
  const overrides: Array<[number, number]> = [...state.overrides.filter(([, d]) => d >= first), [at.index, day] as [number, number]].slice(-MAX_LISTED);
  const count = overrides.length;
  let quietThrough = state.quietThrough;
  if (day > quietThrough && count >= s.minCount && count * 100 >= s.sharePercent * total) {
    quietThrough = day + s.windowDays - 1;
    const share = Math.round((count / total) * 1000) / 10;
    w.alert({
      id: alertId('override-concentration', at.index),
      kind: 'override-concentration',
      time: at.time,
      subject: { kind: 'prescriber', id: prescriber },
      summary: `one prescriber made ${count} of the ${total} overrides (${share} %) in the last ${s.windowDays} days`,
      details: { count, total, sharePercent: share, thresholdPercent: s.sharePercent, minCount: s.minCount, windowDays: s.windowDays },
      entries: overrides.map(([i]) => i),
    });
  }
  w.put('overrides', prescriber, { overrides, quietThrough } satisfies Mine);
}
