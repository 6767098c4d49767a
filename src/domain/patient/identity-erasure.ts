/**
 * Erasing a patient's identity record: an operator's signed `patient.erase-identity` statement,
 * recorded in the ledger, names the identity commitment (never the identity) and a coded legal
 * basis. Once the entry is durable the service erases the record and salt from the identity store
 * (src/store/identity-store.ts). The ledger's bytes do not change, so it still verifies; the entry
 * is the auditable proof that, when, why and by whom the erasure was ordered.
 */
import { z } from 'zod';
import { Hex256Schema } from '../../../schemas/prescription.js';

export const ERASE_IDENTITY_ACTION = 'patient.erase-identity';

/** PIPL art. 47 grounds, coarsely: the patient's request, the end of retention, a withdrawn consent, a court or regulator order. */
export const ERASURE_REASONS = ['patient-request', 'retention-expired', 'consent-withdrawn', 'legal-order'] as const;

export const EraseIdentityPayload = z.strictObject({
  identityCommitment: Hex256Schema,
  reason: z.enum(ERASURE_REASONS),
});
