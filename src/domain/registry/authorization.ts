/**
 * Who may do what: the one place where roles meet actions, for writes (which role may sign which
 * action) and for reads (whose entries an actor may see). Ownership rules (a pharmacist acts only
 * for their own pharmacy, a courier only on their own deliveries) are added here by the
 * capabilities that introduce those actions. docs/AUTH.md §5 shows this as a table.
 */
import type { LedgerEntry } from '../../core/entry.js';
import type { Role } from './registry-model.js';
import type { ActorRecord } from './registry-rules.js';
import { LEDGER_RECORD_TYPES } from '../entry-types.js';
import type { PrescriptionRecord, PrescriptionView } from '../prescription/prescription-record.js';

export const ACTION_ROLES: Readonly<Record<string, readonly Role[]>> = {
  'registry.institution-register': ['operator'],
  'registry.actor-register': ['operator'],
  'registry.actor-suspend': ['operator'],
  'registry.actor-reinstate': ['operator'],
  'registry.key-add': ['operator'],
  'registry.key-revoke': ['operator'],
  // Written by the ledger itself at first start; no actor may submit it.
  'registry.genesis-operator': [],
  // Identifying a patient (POST /v1/patients): not a ledger entry, but a signed act all the same.
  'patient.identify': ['prescriber'],
  // Erasing an identity record (the ledger entry names only its commitment).
  'patient.erase-identity': ['operator'],
  // The prescription lifecycle (docs/LIFECYCLE.md). Which prescription an actor may act on — their
  // institution's, the one their pharmacy holds, the delivery assigned to them — is judged by the
  // lifecycle rules, which know the prescription's state.
  'rx.submit': ['prescriber'],
  'rx.override': ['prescriber'],
  'rx.cancel': ['prescriber'],
  'rx.claim': ['pharmacist'],
  'rx.review': ['pharmacist'],
  'rx.return': ['pharmacist'],
  'rx.dispense': ['pharmacist'],
  'rx.delivery-assign': ['pharmacist'],
  'rx.collect': ['pharmacist'],
  'rx.delivery-pickup': ['courier'],
  'rx.delivery-in-transit': ['courier'],
  'rx.delivery-complete': ['courier'],
  'rx.delivery-fail': ['courier'],
};

export function isAllowed(role: Role, action: string): boolean {
  return Object.hasOwn(ACTION_ROLES, action) && (ACTION_ROLES[action] as readonly Role[]).includes(role);
}

/** Roles that read every entry's content (the auditors of the system). */
const READ_ALL_ROLES: readonly Role[] = ['regulator', 'operator'];

export function readsAllEntries(reader: ActorRecord): boolean {
  return READ_ALL_ROLES.includes(reader.role);
}

/**
 * Whether `reader` may see the content of `entry` (undefined: bytes that do not decode, which
 * only auditors see). Others see the ledger's own records, entries they signed, and entries about
 * themselves or their institution. Leaf hashes are never secret: inclusion stays checkable.
 */
export function canReadEntry(reader: ActorRecord, entry: LedgerEntry | null, prescriptions?: PrescriptionView): boolean {
  if (readsAllEntries(reader)) return true;
  if (entry === null) return false;
  if (LEDGER_RECORD_TYPES.has(entry.type)) return true; // the ledger's own records are for everyone
  const body = entry.body as { prescriptionId?: unknown; statement?: { actor?: unknown; payload?: Record<string, unknown> } };
  const statement = body.statement ?? (entry.body.attempt as typeof body.statement);
  if (statement?.actor === reader.actorId) return true;
  const payload = statement?.payload ?? {};
  const prescriptionId = payload.prescriptionId ?? (payload.prescription as { prescriptionId?: unknown } | undefined)?.prescriptionId ?? body.prescriptionId;
  if (typeof prescriptionId === 'string') {
    const rx = prescriptions?.prescription(prescriptionId);
    // A courier carries a parcel, not a medical record: it reads only the delivery steps.
    if (reader.role === 'courier' && !entry.type.startsWith('rx.delivery-')) return false;
    return rx !== undefined && isPartyTo(reader, rx);
  }
  if (payload.actorId === reader.actorId) return true;
  return reader.institutionId !== null && payload.institutionId === reader.institutionId;
}

/**
 * Who may read a prescription's entries: the prescribing institution's prescribers, the pharmacies
 * it was routed to or held by, and the couriers who carried it. A courier sees prescriptions only
 * through its assignments; regulators and operators see everything (readsAllEntries).
 */
export function isPartyTo(reader: ActorRecord, rx: PrescriptionRecord): boolean {
  if (readsAllEntries(reader)) return true;
  if (reader.role === 'prescriber') return reader.institutionId === rx.institutionId;
  if (reader.role === 'pharmacist') return reader.institutionId !== null && rx.parties.includes(reader.institutionId);
  if (reader.role === 'courier') return rx.parties.includes(reader.actorId);
  return false;
}
