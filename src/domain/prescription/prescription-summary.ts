/**
 * How a prescription's state is shown to the parties who may read it (GET /v1/prescriptions/:id,
 * queues, courier assignments): the record's public fields, quantities as decimal strings, and
 * the state as of the reading instant (`active` past its last window reads `expired`).
 */
import { fromMicros } from './quantities.js';
import { effectiveState, type PrescriptionRecord } from './prescription-record.js';

export function prescriptionStatus(rx: PrescriptionRecord, now: number) {
  return {
    prescriptionId: rx.prescriptionId,
    state: effectiveState(rx, now),
    /** Name this as `previous` in the next statement about the prescription. */
    lastIndex: rx.lastIndex,
    submittedAt: rx.submittedAt,
    routing: rx.routing,
    fill: rx.fill,
    fillCount: rx.fills.length,
    cancelPending: rx.cancelPending,
  };
}

/**
 * What a courier that carries (or carried) the prescription reads: where it stands and who holds
 * it, never the prescription itself (the drugs, the diagnoses, the patient's clinical context).
 */
export function prescriptionDeliveryView(rx: PrescriptionRecord, now: number) {
  return { ...prescriptionStatus(rx, now), holder: rx.holder, courierId: rx.delivery?.courierId ?? null };
}

export function prescriptionDetail(rx: PrescriptionRecord, now: number) {
  return {
    ...prescriptionStatus(rx, now),
    prescriberId: rx.prescriberId,
    institutionId: rx.institutionId,
    holder: rx.holder,
    courierId: rx.delivery?.courierId ?? null,
    // The record keeps one entry per finding (it is derived state, compared with the replay);
    // a client answers with one reason per rule, so each rule is listed once.
    overrideRequired: [...new Set(rx.overrideRequired)],
    revises: rx.revises,
    supersededBy: rx.supersededBy,
    fills: rx.fills.map((f) => ({
      number: f.number,
      opensAt: f.opensAt,
      closesAt: f.closesAt,
      lines: f.lines.map((l) => ({ line: l.line, prescribed: fromMicros(l.prescribed), dispensed: fromMicros(l.dispensed), owing: fromMicros(l.prescribed - l.dispensed) })),
    })),
    prescription: rx.prescription,
  };
}
