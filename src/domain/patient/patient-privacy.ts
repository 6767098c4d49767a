/**
 * How a patient appears in the ledger without being identified by it.
 *
 * Pseudonym. pseudonym = hex(HMAC-SHA-256(K, "rxledger/patient-pseudonym/v1\n" || national id)),
 * with the national id's check character uppercased. K is one 32-byte secret per deployment, held
 * by the ledger service only (never by hospitals or pharmacies), so the same patient has the same
 * pseudonym across every prescriber and institution — which is what lets the checker see
 * duplicate therapy and doctor shopping across them — while nobody without K can test a guessed
 * national id against the ledger (national ids are too few to resist a dictionary without a key).
 *
 * Commitment. identityCommitment = hex(SHA-256("rxledger/identity-commitment/v1\n" || salt ||
 * RFC 8785 bytes of the identity record)), salt 32 random bytes kept with the record in the
 * identity store. The ledger holds only the commitment: it binds the prescription to exactly one
 * identity record, proves nothing about it to anyone without the record and its salt, and once the
 * record and salt are erased it can never be opened again — the ledger still verifies, since its
 * bytes did not change.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8 } from '../../core/bytes.js';
import { canonicalBytes } from '../../core/canonical-json.js';
import { RxError } from '../../core/errors.js';
import type { PatientIdentity } from '../../../schemas/prescription.js';

export const PSEUDONYM_PREFIX = 'rxledger/patient-pseudonym/v1\n';
export const COMMITMENT_PREFIX = 'rxledger/identity-commitment/v1\n';
export const PSEUDONYM_KEY_SIZE = 32;
export const COMMITMENT_SALT_SIZE = 32;

export function normaliseNationalId(nationalId: string): string {
  const id = nationalId.trim().toUpperCase();
  if (!/^[0-9]{17}[0-9X]$/.test(id)) throw new RxError('REQUEST_INVALID', 'not an 18-character resident identity number', { paths: ['nationalId'] });
  return id;
}

export function patientPseudonym(key: Uint8Array, nationalId: string): string {
  if (key.length !== PSEUDONYM_KEY_SIZE) throw new RxError('KEY_MALFORMED', 'the pseudonym key must be 32 bytes');
  return bytesToHex(hmac(sha256, key, utf8(PSEUDONYM_PREFIX + normaliseNationalId(nationalId))));
}

export function identityCommitment(salt: Uint8Array, identity: PatientIdentity): string {
  if (salt.length !== COMMITMENT_SALT_SIZE) throw new RxError('KEY_MALFORMED', 'the commitment salt must be 32 bytes');
  return bytesToHex(sha256(concatBytes(utf8(COMMITMENT_PREFIX), salt, canonicalBytes(identity))));
}
