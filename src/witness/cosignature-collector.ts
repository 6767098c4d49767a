/**
 * The ledger's side of witnessing: accepts cosignatures from the configured witnesses (WITNESS_KEYS)
 * for checkpoints the ledger published, and assembles the cosigned checkpoint.
 *
 * A submission is judged in a fixed order and nothing is stored unless every check passes:
 * grammar of the line (COSIGNATURE_MALFORMED) and of the checkpoint (NOTE_MALFORMED,
 * CHECKPOINT_MALFORMED), this log's origin (CHECKPOINT_ORIGIN_MISMATCH), a configured witness
 * (WITNESS_UNKNOWN), a valid cosignature over that text (COSIGNATURE_INVALID), a timestamp not
 * ahead of the ledger's clock by more than the tolerance (COSIGNATURE_TIMESTAMP_INVALID), and a
 * checkpoint this ledger published with exactly that text (COSIGNATURE_CHECKPOINT_UNKNOWN).
 */
import { parseCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { formatCosignerVerifierKey, isValidCosignature, parseCosignatureLine, parseCosignerVerifierKey, formatCosignatureLine, type Cosignature, type CosignerKey } from '../core/cosignature.js';
import { RxError, isRxError } from '../core/errors.js';
import { formatKeyId } from '../core/note-keys.js';
import { parseSignedNote } from '../core/signed-note.js';
import { formatCosignedNote } from '../core/witness-quorum.js';
import type { CosignatureStore } from '../store/cosignature-store.js';

/** How far a witness's clock may run ahead of the ledger's. */
export const MAX_COSIGNATURE_FUTURE_SECONDS = 600;

export interface CosignatureCollectorOptions {
  readonly origin: string;
  /** C2SP cosigner vkeys of the accepted witnesses. */
  readonly witnessKeys: readonly string[];
  readonly store: CosignatureStore;
  /** Milliseconds since the epoch. */
  readonly clock?: () => number;
}

export interface SubmissionResult {
  readonly size: number;
  readonly witness: string;
  readonly keyId: string;
  readonly timestamp: number;
  /** False when the store already held this witness's cosignature of this checkpoint with the same or a later time. */
  readonly stored: boolean;
}

export interface CosignatureCollector {
  readonly witnessKeys: readonly string[];
  submit(checkpoint: string, cosignature: string): SubmissionResult;
  /** The largest checkpoint at least `min` configured witnesses cosigned, with their lines; WITNESS_THRESHOLD_NOT_MET if none. */
  cosigned(min: number): { note: string; size: number; witnesses: number };
}

/** Turns a parse failure of one body field into its code with that field's path. */
function at<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isRxError(err)) throw new RxError(err.code, err.message, { paths: [path], cause: err });
    throw err;
  }
}

/** Accepts the bare note text or any signed note of it (GET /checkpoint's body, or a cosigned one). */
function checkpointText(input: string): string {
  return input.includes('\n\n') ? parseSignedNote(input).text : input;
}

export function createCosignatureCollector(options: CosignatureCollectorOptions): CosignatureCollector {
  const clock = options.clock ?? Date.now;
  const witnesses: ReadonlyArray<{ vkey: string; key: CosignerKey }> = options.witnessKeys.map((text) => {
    const key = parseCosignerVerifierKey(text);
    return { vkey: formatCosignerVerifierKey(key), key };
  });
  const vkeys = witnesses.map((w) => w.vkey);
  return {
    witnessKeys: vkeys,
    submit(checkpointInput, line) {
      const cosignature: Cosignature = at('body.cosignature', () => parseCosignatureLine(line));
      const text = at('body.checkpoint', () => checkpointText(checkpointInput));
      const checkpoint: Checkpoint = at('body.checkpoint', () => parseCheckpoint(text));
      if (checkpoint.origin !== options.origin) throw new RxError('CHECKPOINT_ORIGIN_MISMATCH', 'the checkpoint is from another log', { paths: ['body.checkpoint'] });
      const witness = witnesses.find((w) => w.key.name === cosignature.name && w.key.keyId === cosignature.keyId);
      if (witness === undefined) throw new RxError('WITNESS_UNKNOWN', 'no configured witness has this key', { paths: ['body.cosignature'] });
      if (!isValidCosignature(text, cosignature, witness.key)) throw new RxError('COSIGNATURE_INVALID', 'the cosignature does not verify over this checkpoint', { paths: ['body.cosignature'] });
      if (cosignature.timestamp > Math.floor(clock() / 1000) + MAX_COSIGNATURE_FUTURE_SECONDS) {
        throw new RxError('COSIGNATURE_TIMESTAMP_INVALID', 'the cosignature is dated in the future', { paths: ['body.cosignature'] });
      }
      const published = options.store.publishedCheckpoint(checkpoint.size);
      if (published === undefined || parseSignedNote(published).text !== text) {
        throw new RxError('COSIGNATURE_CHECKPOINT_UNKNOWN', 'this ledger published no such checkpoint', { paths: ['body.checkpoint'] });
      }
      // Stored in canonical form: the line re-encoded from the parsed values.
      const stored = options.store.put({ size: checkpoint.size, witness: witness.vkey, timestamp: cosignature.timestamp, line: formatCosignatureLine(cosignature), receivedMs: clock() });
      return { size: checkpoint.size, witness: cosignature.name, keyId: formatKeyId(cosignature.keyId), timestamp: cosignature.timestamp, stored };
    },
    cosigned(min) {
      // More witnesses than the ledger accepts is a request that can never be met, not a wait.
      if (min > vkeys.length) {
        throw new RxError('REQUEST_INVALID', `min is ${min}, but this ledger accepts ${vkeys.length} witness${vkeys.length === 1 ? '' : 'es'} (GET /v1/witnesses)`, { paths: ['query.min'] });
      }
      const row = options.store.newestCosigned(vkeys, min);
      if (row === undefined) throw new RxError('WITNESS_THRESHOLD_NOT_MET', `no checkpoint has cosignatures by ${min} witnesses yet`, { paths: ['query.min'] });
      return { note: formatCosignedNote(row.note, row.lines), size: row.size, witnesses: row.lines.length };
    },
  };
}
