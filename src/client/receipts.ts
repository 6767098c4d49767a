/**
 * Offline checks a doctor's or pharmacy's system can make on what it keeps: a receipt (C2SP
 * tlog-proof) proves that the entry with a given leaf hash is in the log whose checkpoint the
 * log's verifier key signed. Nothing else is needed: no network, no trust in the service.
 */
import { decodeBase64 } from '../core/bytes.js';
import type { Checkpoint } from '../core/checkpoint.js';
import { createNoteVerifier, parseVerifierKey } from '../core/note-keys.js';
import { verifyTlogProof, type TlogProof } from '../core/tlog-proof.js';
import { accessCodeHash, pickupCodeHash } from '../domain/prescription/patient-codes.js';

/** Throws an RxError unless `proof` shows `leafHash` (base64, from the write's answer) in a checkpoint signed by `verifierKey`. */
export function verifyReceipt(proof: string, leafHash: string, verifierKey: string, origin?: string): { proof: TlogProof; checkpoint: Checkpoint } {
  return verifyTlogProof(proof, decodeBase64(leafHash), [createNoteVerifier(parseVerifierKey(verifierKey))], origin);
}

export { accessCodeHash, pickupCodeHash };
