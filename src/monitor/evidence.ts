/**
 * Portable evidence of a log's misbehaviour (docs/FORMAT.md §12.5): two checkpoints, each signed by
 * the log, that cannot both be honest views of one append-only log, and the consistency proof the
 * log served between them when there is one. Anyone holding the log's public key can check it
 * with `checkEvidence` (or by hand): it needs neither the observer's word nor its files.
 *
 * - `split-view`: same size, different roots. Conclusive: an honest log never signs both.
 * - `inconsistent-proof`: the later checkpoint is larger and the proof the log served does not
 *   verify. Conclusive once the log cannot produce any valid proof between the two (§12.5).
 * - `rollback`: the later checkpoint is smaller than one verified before. It shows the log (or
 *   something between it and the observer) served an older view; it is a fork only if no valid
 *   consistency proof from the smaller to the larger exists.
 *
 * No node: imports — the regulator page can check evidence in a browser.
 */
import { z } from 'zod';
import { decodeBase64, encodeBase64, equalBytes } from '../core/bytes.js';
import { parseCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { RxError, isRxError } from '../core/errors.js';
import { zodIssuePaths } from '../core/issue-paths.js';
import { verifyConsistency } from '../core/merkle-verify.js';
import { createNoteVerifier, parseVerifierKey } from '../core/note-keys.js';
import { verifyNote } from '../core/signed-note.js';

export const EVIDENCE_FORMAT = 'rxledger-checkpoint-evidence/v1';
export const EVIDENCE_KINDS = ['split-view', 'rollback', 'inconsistent-proof'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const CheckpointEvidenceSchema = z.strictObject({
  format: z.literal(EVIDENCE_FORMAT),
  kind: z.enum(EVIDENCE_KINDS),
  origin: z.string().min(1),
  /** Where the observer fetched the later checkpoint. */
  source: z.string(),
  /** When the observer saw the conflict, RFC 3339. */
  observedAt: z.string(),
  /** The verifier keys the observer trusted (a checker uses its own). */
  logKeys: z.array(z.string()).min(1),
  /** The checkpoint verified first: the observer's last trusted view, a signed note. */
  earlier: z.string().min(1),
  /** The conflicting checkpoint, a signed note as served. */
  later: z.string().min(1),
  /** The consistency proof the log served from earlier to later (inconsistent-proof only). */
  proof: z.strictObject({ from: z.number().int().min(0), to: z.number().int().min(0), hashes: z.array(z.string()) }).optional(),
});
export type CheckpointEvidence = z.infer<typeof CheckpointEvidenceSchema>;

export function formatEvidence(evidence: CheckpointEvidence): string {
  return `${JSON.stringify(evidence, null, 2)}\n`;
}

export function parseEvidence(text: string): CheckpointEvidence {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RxError('EVIDENCE_MALFORMED', 'evidence is not JSON');
  }
  const parsed = CheckpointEvidenceSchema.safeParse(value);
  if (!parsed.success) {
    throw new RxError('EVIDENCE_MALFORMED', `evidence must be an ${EVIDENCE_FORMAT} object`, { paths: zodIssuePaths(parsed.error.issues) });
  }
  return parsed.data;
}

export interface EvidenceFinding {
  readonly kind: EvidenceKind;
  readonly origin: string;
  readonly earlier: { readonly size: number; readonly rootHash: string };
  readonly later: { readonly size: number; readonly rootHash: string };
  /** True when the two signed notes alone prove misbehaviour (split view). */
  readonly conclusive: boolean;
  readonly explanation: string;
}

function signedCheckpoint(note: string, keys: readonly string[], which: string): Checkpoint {
  try {
    const { note: parsed } = verifyNote(note, keys.map((k) => createNoteVerifier(parseVerifierKey(k))));
    return parseCheckpoint(parsed.text);
  } catch (err) {
    if (isRxError(err)) throw new RxError(err.code, `${which}: ${err.message}`, { paths: [which], cause: err });
    throw err;
  }
}

/** The proof's hashes, or undefined when they are not 32-byte base64 (which the log served as such). */
function decodeProof(hashes: readonly string[]): Uint8Array[] | undefined {
  try {
    return hashes.map(decodeBase64);
  } catch {
    return undefined;
  }
}

/**
 * Checks evidence with the checker's own trusted log keys: both checkpoints must verify under them
 * and really conflict as `kind` says. Returns what is established; throws NOTE_* or
 * CHECKPOINT_* if a checkpoint does not verify, EVIDENCE_UNFOUNDED if they do not conflict.
 */
export function checkEvidence(evidence: CheckpointEvidence, trustedKeys: readonly string[]): EvidenceFinding {
  const earlier = signedCheckpoint(evidence.earlier, trustedKeys, 'earlier');
  const later = signedCheckpoint(evidence.later, trustedKeys, 'later');
  if (earlier.origin !== later.origin || earlier.origin !== evidence.origin) {
    throw new RxError('CHECKPOINT_ORIGIN_MISMATCH', 'the two checkpoints are from different logs');
  }
  const view = (c: Checkpoint) => ({ size: c.size, rootHash: encodeBase64(c.rootHash) });
  const finding = (conclusive: boolean, explanation: string): EvidenceFinding => ({ kind: evidence.kind, origin: earlier.origin, earlier: view(earlier), later: view(later), conclusive, explanation });
  switch (evidence.kind) {
    case 'split-view':
      if (earlier.size !== later.size || equalBytes(earlier.rootHash, later.rootHash)) throw new RxError('EVIDENCE_UNFOUNDED', 'a split view needs two checkpoints of one size with different roots');
      return finding(true, `the log signed two different trees of size ${earlier.size}`);
    case 'rollback':
      if (later.size >= earlier.size) throw new RxError('EVIDENCE_UNFOUNDED', 'a rollback needs the later checkpoint to be smaller');
      return finding(false, `the log served size ${later.size} after size ${earlier.size}; it forked unless it can prove ${later.size} → ${earlier.size} consistent`);
    case 'inconsistent-proof': {
      if (later.size <= earlier.size) throw new RxError('EVIDENCE_UNFOUNDED', 'an inconsistent proof needs the later checkpoint to be larger');
      const proof = evidence.proof;
      if (proof === undefined || proof.from !== earlier.size || proof.to !== later.size) throw new RxError('EVIDENCE_UNFOUNDED', 'the proof must run from the earlier size to the later size');
      const hashes = decodeProof(proof.hashes);
      if (hashes !== undefined) {
        try {
          verifyConsistency(earlier.size, later.size, hashes, earlier.rootHash, later.rootHash);
        } catch (err) {
          if (isRxError(err) && (err.code === 'PROOF_INVALID' || err.code === 'PROOF_MALFORMED')) {
            return finding(false, `the log's proof ${earlier.size} → ${later.size} does not verify; it forked unless it can produce one that does`);
          }
          throw err;
        }
        throw new RxError('EVIDENCE_UNFOUNDED', 'the consistency proof in the evidence verifies: no conflict');
      }
      return finding(false, `the log's proof ${earlier.size} → ${later.size} is not even well-formed; it forked unless it can produce one that verifies`);
    }
  }
}
