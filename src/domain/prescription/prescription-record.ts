/**
 * The derived state of one prescription, as the lifecycle rules read and write it. The SQLite
 * projection (ledger) and the in-memory one (verifier) hold exactly these records, so both judge
 * every entry alike; the record is a pure function of the prescription's entries in the log.
 */
import type { Prescription } from '../../../schemas/prescription.js';

export const PRESCRIPTION_STATES = [
  /** Recorded; its check result is the next entry (in the same commit). */
  'submitted',
  /** The checker found issues that need the prescriber's signed override (双签). */
  'awaiting-override',
  /** The checker blocked it. Final, unless a revision replaces it. */
  'rejected',
  /** Claimable by a pharmacy the routing allows, inside the current fill's window. */
  'active',
  /** Held by one pharmacy, awaiting its pharmacist's review. */
  'claimed',
  /** Reviewed and approved by the holding pharmacy's pharmacist. */
  'approved',
  /** Refused by the pharmacist, back with the prescriber. Final, unless revised. */
  'refused',
  /** Some of the fill dispensed, some still owed. */
  'partially-dispensed',
  /** The fill dispensed in full, not yet handed over. */
  'dispensed',
  'delivery-assigned',
  'picked-up',
  'in-transit',
  /** Handed over (last fill): by courier … */
  'delivered',
  /** … or at the counter. */
  'collected',
  'cancelled',
  'superseded',
  /** Derived, never stored: active past the last window it could be claimed in. */
  'expired',
] as const;
export type PrescriptionState = (typeof PRESCRIPTION_STATES)[number];

export type Routing = { readonly mode: 'nominated' | 'directed'; readonly pharmacyId: string } | { readonly mode: 'open' };

export interface FillLine {
  readonly line: number;
  /** Millionths of the dispensing unit (quantities.ts). */
  readonly prescribed: number;
  readonly dispensed: number;
}

export interface Fill {
  readonly number: number;
  /** The window in which this fill may be claimed, [opensAt, closesAt) in ms. */
  readonly opensAt: number;
  readonly closesAt: number;
  readonly lines: readonly FillLine[];
}

export interface Delivery {
  readonly courierId: string;
  readonly pickupCodeHash: string;
}

export interface PrescriptionRecord {
  readonly prescriptionId: string;
  readonly prescriberId: string;
  readonly institutionId: string;
  /** City (first four digits of the GB/T 2260 code) of the prescribing institution: open routing's reach. */
  readonly city: string;
  readonly pseudonym: string;
  readonly identityCommitment: string;
  readonly routing: Routing;
  /** Hashes of the patient's access codes (open routing), and those already spent. */
  readonly accessCodes: readonly string[];
  readonly spentAccessCodes: readonly string[];
  readonly state: Exclude<PrescriptionState, 'expired'>;
  /** Index of the `rx.submit` entry, and of the prescription's latest entry. */
  readonly submittedAt: number;
  readonly lastIndex: number;
  /** Every fill the prescription allows (1 + repeats); `fill` is the one in progress or next. */
  readonly fills: readonly Fill[];
  readonly fill: number;
  /** The pharmacy holding the current fill, if any. */
  readonly holder: string | null;
  readonly cancelPending: boolean;
  readonly delivery: Delivery | null;
  /** Rule ids whose findings need an override before the prescription becomes active. */
  readonly overrideRequired: readonly string[];
  /** Pharmacies that have held it and couriers that have carried it: they may read its entries. */
  readonly parties: readonly string[];
  readonly revises: string | null;
  readonly supersededBy: string | null;
  /** The prescription as signed, for the checker (its own and other prescriptions' checks). */
  readonly prescription: Prescription;
}

/**
 * What the checker reads of one of the patient's other live prescriptions (its input's `others`,
 * checker.ts), with what says whether it still counts at a given time (`stateAt`). A fraction of
 * the record: the check reads one for every live prescription of the patient at every submission,
 * and the SQLite projection keeps the parts that never change beside the record rather than
 * parse the whole record each time (prescription-store.ts).
 */
export interface LivePrescription {
  readonly prescriptionId: string;
  readonly institutionId: string;
  readonly prescriberId: string;
  readonly state: Exclude<PrescriptionState, 'expired'>;
  /** The end of the last fill's claim window. */
  readonly closesAt: number;
  readonly items: ReadonlyArray<{ readonly drugCode: string; readonly genericName: string; readonly route: string; readonly days: number }>;
}

/** The members of LivePrescription that a prescription's record never changes. */
export type LivePrescriptionFixedPart = Pick<LivePrescription, 'institutionId' | 'prescriberId' | 'items'>;

export function livePrescriptionFixedPart(record: PrescriptionRecord): LivePrescriptionFixedPart {
  return {
    institutionId: record.institutionId,
    prescriberId: record.prescriberId,
    items: record.prescription.items.map((i) => ({ drugCode: i.drugCode, genericName: i.genericName, route: i.route, days: i.days })),
  };
}

export function livePrescriptionOf(record: PrescriptionRecord): LivePrescription {
  return livePrescription(record.prescriptionId, record.state, record.fills[record.fills.length - 1]!.closesAt, livePrescriptionFixedPart(record));
}

/**
 * A LivePrescription from its parts, members in the interface's order: the in-memory state and the
 * SQLite projection (from its columns) both build it here, and their tests compare the two as text.
 */
export function livePrescription(prescriptionId: string, state: LivePrescription['state'], closesAt: number, fixed: LivePrescriptionFixedPart): LivePrescription {
  return { prescriptionId, institutionId: fixed.institutionId, prescriberId: fixed.prescriberId, state, closesAt, items: fixed.items };
}

/** What the lifecycle rules read besides the registry. */
export interface PrescriptionView {
  prescription(id: string): PrescriptionRecord | undefined;
  /**
   * The patient's prescriptions other than `exceptId` that are past their check and neither final
   * nor superseded (by their stored state: one past its last window still reads as `active` here).
   */
  livePrescriptionsOf(pseudonym: string, exceptId: string): LivePrescription[];
  /** Where a traceability code was dispensed, if it was. */
  traceabilityCode(code: string): { readonly prescriptionId: string; readonly index: number } | undefined;
}

export type PrescriptionMutation =
  | { readonly kind: 'rx-put'; readonly record: PrescriptionRecord }
  | { readonly kind: 'rx-trace-codes'; readonly prescriptionId: string; readonly index: number; readonly codes: readonly string[] };

/** States in which nothing more can happen to a prescription. */
export const FINAL_STATES: ReadonlySet<PrescriptionState> = new Set(['rejected', 'refused', 'delivered', 'collected', 'cancelled', 'superseded', 'expired']);

/** The state a reader sees at `time`: `active` past its last claim window reads as `expired`. */
export function effectiveState(record: PrescriptionRecord, time: number): PrescriptionState {
  return stateAt(record.state, record.fills[record.fills.length - 1]!.closesAt, time);
}

/** effectiveState for a prescription whose stored state and last window's end are `state` and `closesAt`. */
export function stateAt(state: Exclude<PrescriptionState, 'expired'>, closesAt: number, time: number): PrescriptionState {
  if (state !== 'active') return state;
  return time >= closesAt ? 'expired' : 'active';
}
