/**
 * k of n witnesses: checks a cosigned checkpoint — a signed note carrying the log's signatures and
 * witnesses' cosignature lines (docs/FORMAT.md §12.3) — against the log's keys, the trusted witness
 * keys and a threshold. The rules follow C2SP signed-note applied to cosignatures:
 *
 * 1. the note MUST verify under the log's keys (§7.6); cosignature lines are unknown keys there;
 * 2. a line whose (name, key ID) matches no trusted witness is ignored;
 * 3. a line that matches a trusted witness MUST be a valid cosignature/v1 of the note text, else
 *    the whole note is rejected (COSIGNATURE_INVALID) — a trusted witness never signs garbage, so a
 *    bad line means tampering on the way;
 * 4. at least `threshold` distinct trusted witnesses MUST have cosigned (WITNESS_THRESHOLD_NOT_MET).
 *
 * Pure: runs in the browser.
 */
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { COSIGNATURE_SIZE, isValidCosignature, type CosignerKey } from './cosignature.js';
import { RxError } from './errors.js';
import type { NoteVerifier } from './note-keys.js';
import { verifyNote } from './signed-note.js';

export interface WitnessPolicy {
  /** The witnesses the verifier trusts (C2SP vkeys of type 0x04, parsed). */
  readonly witnesses: readonly CosignerKey[];
  /** How many distinct trusted witnesses must have cosigned: 1 ≤ threshold ≤ witnesses. */
  readonly threshold: number;
  /** If given (POSIX seconds), cosignatures dated later than now + `maxFutureSeconds` are invalid. */
  readonly now?: number;
  readonly maxFutureSeconds?: number;
}

export interface WitnessedBy {
  readonly name: string;
  readonly keyId: number;
  readonly timestamp: number;
}

export interface CosignedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The note text (what the log and the witnesses signed). */
  readonly text: string;
  /** One per distinct trusted witness whose cosignature verified, in note order (newest timestamp kept). */
  readonly witnessedBy: readonly WitnessedBy[];
}

/** Default tolerance for a witness clock ahead of the verifier's. */
export const DEFAULT_MAX_FUTURE_SECONDS = 600;

export function assertWitnessPolicy(policy: WitnessPolicy): void {
  const distinct = new Set(policy.witnesses.map((w) => `${w.name}\n${w.keyId}`)).size;
  if (!Number.isSafeInteger(policy.threshold) || policy.threshold < 1 || policy.threshold > distinct) {
    throw new RxError('CONFIG_INVALID', `the witness threshold must be between 1 and the number of distinct witnesses (${distinct})`);
  }
}

/** Returns the verified checkpoint and who witnessed it, or throws NOTE_*, CHECKPOINT_*, COSIGNATURE_INVALID or WITNESS_THRESHOLD_NOT_MET. */
export function verifyCosignedCheckpoint(note: string, logVerifiers: readonly NoteVerifier[], policy: WitnessPolicy): CosignedCheckpoint {
  assertWitnessPolicy(policy);
  const { note: parsed } = verifyNote(note, logVerifiers);
  const checkpoint = parseCheckpoint(parsed.text);
  const latest = new Map<string, WitnessedBy>();
  for (const sig of parsed.signatures) {
    const witness = policy.witnesses.find((w) => w.name === sig.name && w.keyId === sig.keyId);
    if (witness === undefined) continue;
    if (sig.signature.length !== COSIGNATURE_SIZE) throw new RxError('COSIGNATURE_INVALID', `the cosignature by ${sig.name} has the wrong length`);
    const view = new DataView(sig.signature.buffer, sig.signature.byteOffset, sig.signature.byteLength);
    const big = view.getBigUint64(0, false);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new RxError('COSIGNATURE_INVALID', `the cosignature by ${sig.name} has an impossible timestamp`);
    const timestamp = Number(big);
    const cosignature = { name: sig.name, keyId: sig.keyId, timestamp, signature: sig.signature.slice(8) };
    if (!isValidCosignature(parsed.text, cosignature, witness)) throw new RxError('COSIGNATURE_INVALID', `the cosignature by ${sig.name} does not verify`);
    if (policy.now !== undefined && timestamp > policy.now + (policy.maxFutureSeconds ?? DEFAULT_MAX_FUTURE_SECONDS)) {
      throw new RxError('COSIGNATURE_INVALID', `the cosignature by ${sig.name} is dated in the future`);
    }
    const key = `${sig.name}\n${sig.keyId}`;
    const seen = latest.get(key);
    if (seen === undefined || seen.timestamp < timestamp) latest.set(key, { name: sig.name, keyId: sig.keyId, timestamp });
  }
  if (latest.size < policy.threshold) {
    throw new RxError('WITNESS_THRESHOLD_NOT_MET', `${latest.size} of the required ${policy.threshold} witnesses cosigned the checkpoint`);
  }
  return { checkpoint, text: parsed.text, witnessedBy: [...latest.values()] };
}

/** The cosigned checkpoint: the log's signed note with cosignature lines appended (each ends in a newline). */
export function formatCosignedNote(signedNote: string, cosignatureLines: readonly string[]): string {
  return `${signedNote}${cosignatureLines.join('')}`;
}
