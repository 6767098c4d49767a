/**
 * k of n witnesses for `rxledger verify --witness`: fetches the ledger's cosigned checkpoint, checks
 * the log's signature and the quorum of cosignatures (src/core/witness-quorum.ts), and proves it
 * consistent with the checkpoint the verifier has just checked entry by entry — whichever of the
 * two is larger — with a served consistency proof. So the verified log is the one the witnesses saw.
 */
import { decodeBase64, equalBytes } from '../core/bytes.js';
import { RxError } from '../core/errors.js';
import { verifyConsistency } from '../core/merkle-verify.js';
import { createNoteVerifier, parseVerifierKey } from '../core/note-keys.js';
import { verifyCosignedCheckpoint, type WitnessedBy, type WitnessPolicy } from '../core/witness-quorum.js';
import { servedProof, type CheckpointSource } from '../monitor/monitor.js';

export interface WitnessCheck {
  readonly ok: boolean;
  /** The cosigned checkpoint's size, when it could be read. */
  readonly size?: number;
  readonly threshold: number;
  readonly witnessedBy?: readonly WitnessedBy[];
  readonly failure?: { readonly code: string; readonly message: string };
}

export interface WitnessCheckOptions {
  readonly source: CheckpointSource;
  readonly logKeys: readonly string[];
  readonly policy: WitnessPolicy;
  /** The checkpoint the verifier verified: its size and base64 root. */
  readonly verified: { readonly size: number; readonly rootHash: string };
  readonly nowSeconds: number;
}

/** Never throws: the result says what failed, with its stable code. */
export async function checkWitnesses(options: WitnessCheckOptions): Promise<WitnessCheck> {
  const { policy } = options;
  let size: number | undefined;
  try {
    const note = await options.source.cosignedCheckpoint(policy.threshold);
    const cosigned = verifyCosignedCheckpoint(note, options.logKeys.map((k) => createNoteVerifier(parseVerifierKey(k))), { ...policy, now: options.nowSeconds });
    size = cosigned.checkpoint.size;
    const verifiedRoot = decodeBase64(options.verified.rootHash);
    const [small, large] = size <= options.verified.size ? [cosigned.checkpoint, { size: options.verified.size, rootHash: verifiedRoot }] : [{ size: options.verified.size, rootHash: verifiedRoot }, cosigned.checkpoint];
    if (small.size === large.size) {
      if (!equalBytes(small.rootHash, large.rootHash)) throw new RxError('CHECKPOINT_INCONSISTENT', 'the witnesses cosigned another tree of the verified size');
    } else {
      const hashes = await servedProof(options.source)(small.size, large.size);
      verifyConsistency(small.size, large.size, hashes.map(decodeBase64), small.rootHash, large.rootHash);
    }
    return { ok: true, size, threshold: policy.threshold, witnessedBy: cosigned.witnessedBy };
  } catch (err) {
    const failure = err instanceof RxError ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: (err as Error).message };
    return { ok: false, ...(size === undefined ? {} : { size }), threshold: policy.threshold, failure };
  }
}
