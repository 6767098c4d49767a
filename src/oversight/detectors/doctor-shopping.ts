/**
 * Doctor shopping: one patient (pseudonym) given prescriptions of one drug class by at least N
 * distinct prescribers within a sliding window. Raised once when the count reaches N; the same
 * patient and class stay quiet for one window after that, so a continuing pattern is one alert
 * per window rather than one per prescription. A patient and class with no submission within the
 * window and no quiet period running are forgotten.
 */
import { alertId } from '../alert-id.js';
import type { FoldWriter } from '../fold-writer.js';
import { DAY_MS } from '../periods.js';
import type { OversightSettings } from '../oversight-settings.js';

/** Prescriber, submission index, time. */
type Event = [string, number, number];
interface State {
  readonly events: Event[];
  readonly quietUntil: number;
}

/** Submissions remembered per patient and class; older ones beyond the window are dropped anyway. */
const MAX_EVENTS = 200;

export function detectDoctorShopping(
  w: FoldWriter,
  at: { index: number; time: number },
  submission: { patient: string; prescriber: string; classes: readonly string[] },
  s: OversightSettings['doctorShopping'],
): void {
  const windowMs = s.windowDays * DAY_MS;
  for (const drugClass of submission.classes) {
    if (s.classes.length > 0 && !s.classes.includes(drugClass)) continue;
    const key = `${submission.patient}\n${drugClass}`;
    const state = w.get<State>('doctor-shopping', key) ?? { events: [], quietUntil: 0 };
    const events: Event[] = [...state.events.filter((e) => e[2] > at.time - windowMs), [submission.prescriber, at.index, at.time] as Event].slice(-MAX_EVENTS);
    const prescribers = [...new Set(events.map((e) => e[0]))].sort();
    let quietUntil = state.quietUntil;
    if (prescribers.length >= s.prescribers && at.time >= quietUntil) {
      quietUntil = at.time + windowMs;
      w.alert({
        id: alertId('doctor-shopping', at.index, drugClass),
        kind: 'doctor-shopping',
        time: at.time,
        subject: { kind: 'patient', id: submission.patient },
        summary: `${prescribers.length} prescribers wrote ${drugClass} prescriptions for one patient within ${s.windowDays} days`,
        details: { drugClass, prescribers, prescriptions: events.length, windowDays: s.windowDays, threshold: s.prescribers },
        entries: events.map((e) => e[1]).sort((a, b) => a - b),
      });
    }
    // Once the newest event has left the window and the quiet period is over, the state reads as
    // none: forgotten then, so the state grows with recent prescribing, not with history.
    w.put('doctor-shopping', key, { events, quietUntil }, Math.max(at.time + windowMs, quietUntil));
  }
}
