/**
 * Prescriber volume spikes: a prescriber's submissions in one local day against their own mean
 * daily count over the preceding baseline days. Raised once per prescriber and day when the day's
 * count reaches both the minimum and `factor` × the baseline mean. The baseline counts only days
 * since the prescriber's first submission (a prescriber seen for the first time today has none,
 * so the minimum alone decides: a new account writing a burst is exactly what this looks for).
 */
import { alertId } from '../alert-id.js';
import type { FoldWriter } from '../fold-writer.js';
import { formatDayNumber, localDayNumber } from '../periods.js';
import type { OversightSettings } from '../oversight-settings.js';

interface State {
  readonly firstDay: number;
  /** Local day number → submissions, for the baseline days and today. */
  readonly days: Record<string, number>;
  /** Today's submission indexes (the entries behind an alert), bounded. */
  readonly today: number[];
  readonly alertedDay: number | null;
}

const MAX_LISTED = 500;

export function detectVolumeSpike(w: FoldWriter, at: { index: number; time: number }, prescriber: string, s: OversightSettings['volumeSpike'], utcOffsetMinutes: number): void {
  const day = localDayNumber(at.time, utcOffsetMinutes);
  const state = w.get<State>('volume', prescriber) ?? { firstDay: day, days: {}, today: [], alertedDay: null };
  const days: Record<string, number> = {};
  for (const [d, n] of Object.entries(state.days)) if (Number(d) >= day - s.baselineDays) days[d] = n;
  const count = (days[day] ?? 0) + 1;
  days[day] = count;
  const today = ((state.days[day] ?? 0) > 0 ? state.today : []).concat(at.index).slice(-MAX_LISTED);
  const span = Math.min(s.baselineDays, day - state.firstDay);
  let baseline = 0;
  for (let d = day - span; d < day; d++) baseline += days[d] ?? 0;
  const mean = span === 0 ? 0 : baseline / span;
  let alertedDay = state.alertedDay;
  if (alertedDay !== day && count >= s.minCount && count >= s.factor * mean) {
    alertedDay = day;
    w.alert({
      id: alertId('volume-spike', at.index),
      kind: 'volume-spike',
      time: at.time,
      subject: { kind: 'prescriber', id: prescriber },
      summary: `a prescriber submitted ${count} prescriptions on ${formatDayNumber(day)} against a baseline of ${mean.toFixed(1)} a day`,
      details: { day: formatDayNumber(day), count, baselineMeanPerDay: Math.round(mean * 100) / 100, baselineDays: span, factor: s.factor, minCount: s.minCount },
      entries: today,
    });
  }
  w.put('volume', prescriber, { firstDay: state.firstDay, days, today, alertedDay } satisfies State);
}
