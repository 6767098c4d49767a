/**
 * One step of following a log: given the last checkpoint this observer trusted and the one the log
 * serves now, decide whether the new one extends the old (RFC 9162 consistency), repeats it, or
 * conflicts with it. Shared by the monitor and the witness; no I/O beyond the proof fetch it is
 * given, no node: imports.
 *
 * Order: the new note MUST verify under the log's keys (and, if a witness policy is given, carry
 * k of n cosignatures) before it is compared with anything — an unsigned or forged note proves
 * nothing and is an error, never evidence. Then: another origin is an error; a smaller size is a
 * rollback; the same size with another root is a split view; a larger size needs a served
 * consistency proof that verifies, else the pair is an inconsistent-proof conflict.
 */
import { decodeBase64, encodeBase64, equalBytes } from '../core/bytes.js';
import { parseCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { RxError, isRxError } from '../core/errors.js';
import { verifyConsistency } from '../core/merkle-verify.js';
import type { NoteVerifier } from '../core/note-keys.js';
import { parseSignedNote, verifyNote } from '../core/signed-note.js';
import { verifyCosignedCheckpoint, type WitnessedBy, type WitnessPolicy } from '../core/witness-quorum.js';
import { EVIDENCE_FORMAT, type CheckpointEvidence, type EvidenceKind } from './evidence.js';

export interface StepInput {
  /** The last trusted checkpoint (a signed note), if any. */
  readonly previous: string | undefined;
  /** The checkpoint the log serves now (a signed note, possibly with cosignatures). */
  readonly latest: string;
  readonly logKeys: readonly string[];
  readonly logVerifiers: readonly NoteVerifier[];
  readonly witnessPolicy?: WitnessPolicy;
  /** Fetches the served consistency proof's base64 hashes; throws if the log cannot be reached. */
  readonly fetchConsistency: (from: number, to: number) => Promise<readonly string[]>;
  readonly source: string;
  readonly nowMs: number;
}

export type StepOutcome =
  | { readonly kind: 'first' | 'unchanged' | 'advanced'; readonly checkpoint: Checkpoint; readonly previous?: Checkpoint; readonly witnessedBy?: readonly WitnessedBy[] }
  | { readonly kind: 'conflict'; readonly evidence: CheckpointEvidence; readonly checkpoint: Checkpoint; readonly previous: Checkpoint };

export async function checkNextCheckpoint(input: StepInput): Promise<StepOutcome> {
  let checkpoint: Checkpoint;
  let witnessedBy: readonly WitnessedBy[] | undefined;
  if (input.witnessPolicy !== undefined) {
    ({ checkpoint, witnessedBy } = verifyCosignedCheckpoint(input.latest, input.logVerifiers, input.witnessPolicy));
  } else {
    checkpoint = parseCheckpoint(verifyNote(input.latest, input.logVerifiers).note.text);
  }
  const extra = witnessedBy === undefined ? {} : { witnessedBy };
  if (input.previous === undefined) return { kind: 'first', checkpoint, ...extra };
  // The previous note was verified when it was stored; it is parsed, not trusted anew.
  const previous = parseCheckpoint(parseSignedNote(input.previous).text);
  if (previous.origin !== checkpoint.origin) {
    throw new RxError('CHECKPOINT_ORIGIN_MISMATCH', `the log now signs origin '${checkpoint.origin}', not '${previous.origin}'`);
  }
  const conflict = (kind: EvidenceKind, proof?: CheckpointEvidence['proof']): StepOutcome => ({
    kind: 'conflict',
    checkpoint,
    previous,
    evidence: {
      format: EVIDENCE_FORMAT,
      kind,
      origin: checkpoint.origin,
      source: input.source,
      observedAt: new Date(input.nowMs).toISOString(),
      logKeys: [...input.logKeys],
      earlier: input.previous as string,
      later: input.latest,
      ...(proof === undefined ? {} : { proof }),
    },
  });
  if (checkpoint.size < previous.size) return conflict('rollback');
  if (checkpoint.size === previous.size) {
    return equalBytes(checkpoint.rootHash, previous.rootHash) ? { kind: 'unchanged', checkpoint, previous, ...extra } : conflict('split-view');
  }
  const served = await input.fetchConsistency(previous.size, checkpoint.size);
  const proof = { from: previous.size, to: checkpoint.size, hashes: [...served] };
  try {
    verifyConsistency(previous.size, checkpoint.size, served.map(decodeBase64), previous.rootHash, checkpoint.rootHash);
  } catch (err) {
    // Only a well-formed proof that fails to verify is evidence. A garbled answer (a truncated
    // response, a proxy) proves nothing about the log: it is an error to retry, not a conflict.
    if (isRxError(err) && err.code === 'PROOF_INVALID') return conflict('inconsistent-proof', proof);
    if (isRxError(err) && (err.code === 'PROOF_MALFORMED' || err.code === 'ENCODING_MALFORMED')) {
      throw new RxError('SOURCE_UNAVAILABLE', `the log served a malformed consistency proof (${err.code}); retrying`, { cause: err });
    }
    throw err;
  }
  return { kind: 'advanced', checkpoint, previous, ...extra };
}

/** A short human view of a checkpoint: size and root. */
export function describeCheckpoint(c: Checkpoint): { size: number; rootHash: string } {
  return { size: c.size, rootHash: encodeBase64(c.rootHash) };
}
