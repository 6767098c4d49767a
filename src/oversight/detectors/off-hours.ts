/**
 * Off-hours bursts: at least N submissions by one prescriber within one off-hours span (local
 * hours [start, end), wrapping midnight when start > end, e.g. 22:00–06:00). A stolen key or a
 * prescription mill tends to write at night. Raised once per prescriber and span.
 */
import { alertId } from '../alert-id.js';
import type { FoldWriter } from '../fold-writer.js';
import { formatDayNumber, localDayNumber, localHour } from '../periods.js';
import type { OversightSettings } from '../oversight-settings.js';

interface State {
  /** Local day number on which the current span began. */
  readonly span: number;
  readonly count: number;
  /** The span's submission indexes (the entries behind an alert), bounded. */
  readonly indexes: number[];
  readonly alerted: boolean;
}

const MAX_LISTED = 500;

/** The local day on which the off-hours span containing `time` began, or undefined in working hours. */
export function offHoursSpan(time: number, s: OversightSettings['offHours'], utcOffsetMinutes: number): number | undefined {
  const hour = localHour(time, utcOffsetMinutes);
  const day = localDayNumber(time, utcOffsetMinutes);
  if (s.startHour === s.endHour) return undefined;
  if (s.startHour < s.endHour) return hour >= s.startHour && hour < s.endHour ? day : undefined;
  if (hour >= s.startHour) return day;
  return hour < s.endHour ? day - 1 : undefined;
}

export function detectOffHoursBurst(w: FoldWriter, at: { index: number; time: number }, prescriber: string, s: OversightSettings['offHours'], utcOffsetMinutes: number): void {
  const span = offHoursSpan(at.time, s, utcOffsetMinutes);
  if (span === undefined) return;
  const previous = w.get<State>('off-hours', prescriber);
  const state = previous !== undefined && previous.span === span ? previous : { span, count: 0, indexes: [], alerted: false };
  const indexes = [...state.indexes, at.index].slice(-MAX_LISTED);
  const count = state.count + 1;
  let alerted = state.alerted;
  if (!alerted && count >= s.count) {
    alerted = true;
    const hours = `${String(s.startHour).padStart(2, '0')}:00–${String(s.endHour).padStart(2, '0')}:00`;
    w.alert({
      id: alertId('off-hours-burst', at.index),
      kind: 'off-hours-burst',
      time: at.time,
      subject: { kind: 'prescriber', id: prescriber },
      summary: `a prescriber submitted ${count} prescriptions during off-hours (${hours}) beginning ${formatDayNumber(span)}`,
      details: { spanStartDay: formatDayNumber(span), count, threshold: s.count, startHour: s.startHour, endHour: s.endHour },
      entries: indexes,
    });
  }
  w.put('off-hours', prescriber, { span, count, indexes, alerted } satisfies State);
}
