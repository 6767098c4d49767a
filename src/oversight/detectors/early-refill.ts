/**
 * Early refills: a patient is dispensed a drug while the supply of the previous fill of that drug
 * (any prescription, any pharmacy) should still last, beyond a tolerance. Supply accumulates:
 * each fill extends what the patient holds from max(now, previous end) by its days of supply, so
 * stockpiling across several early fills shows. The balance of one fill (a partial dispensing
 * completed later) is not a new fill: the fold passes only the drugs that the dispensing's fill
 * of its prescription had not been dispensed before (oversight-fold.ts).
 */
import { alertId } from '../alert-id.js';
import type { FoldWriter } from '../fold-writer.js';
import { DAY_MS } from '../periods.js';
import type { OversightSettings } from '../oversight-settings.js';

interface Supply {
  /** When the supply the patient holds runs out (ms). */
  readonly until: number;
  /** Days of supply of the last fill. */
  readonly days: number;
  readonly index: number;
  readonly prescriptionId: string;
  readonly fill: number;
}

export interface DispensedDrug {
  readonly drug: string;
  readonly days: number;
}

export function detectEarlyRefills(
  w: FoldWriter,
  at: { index: number; time: number },
  /** `drugs`: only those dispensed for the first time on this fill of this prescription. */
  dispensing: { patient: string; prescriptionId: string; fill: number; drugs: readonly DispensedDrug[] },
  s: OversightSettings['earlyRefill'],
): void {
  for (const { drug, days } of dispensing.drugs) {
    const key = `${dispensing.patient}\n${drug}`;
    const previous = w.get<Supply>('supply', key);
    if (previous !== undefined) {
      const remainingMs = previous.until - at.time;
      if (remainingMs * 100 > s.tolerancePercent * previous.days * DAY_MS) {
        const remainingDays = Math.round((remainingMs / DAY_MS) * 10) / 10;
        w.alert({
          id: alertId('early-refill', at.index, drug),
          kind: 'early-refill',
          time: at.time,
          subject: { kind: 'patient', id: dispensing.patient },
          summary: `a patient was dispensed ${drug} with about ${remainingDays} days of the previous supply left`,
          details: { drug, remainingDays, previousSupplyDays: previous.days, tolerancePercent: s.tolerancePercent, previousPrescriptionId: previous.prescriptionId, prescriptionId: dispensing.prescriptionId },
          entries: [previous.index, at.index],
        });
      }
    }
    const from = previous === undefined ? at.time : Math.max(at.time, previous.until);
    const until = from + days * DAY_MS;
    // A supply that has run out reads as none (nothing remains, and the next one starts at the
    // dispensing): forgotten then, so the state grows with the supplies patients hold.
    w.put('supply', key, { until, days, index: at.index, prescriptionId: dispensing.prescriptionId, fill: dispensing.fill } satisfies Supply, until);
  }
}
