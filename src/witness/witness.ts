/**
 * `rxledger witness`'s engine: a regulator's witness for one log (C2SP tlog-witness semantics,
 * pull-based). Each round it
 *
 * 1. picks a checkpoint: the ledger's cosigned checkpoint if other witnesses cosigned one this
 *    witness has not (so that witnesses converge on the same checkpoints and k-of-n verifiers find
 *    a quorum), otherwise the latest (GET /checkpoint);
 * 2. verifies the log's signature and checks it against the last checkpoint it cosigned: a
 *    consistency proof when larger, the same root when equal. A smaller size (rollback), another
 *    root (split view) or a failing proof writes evidence and cosigns nothing;
 * 3. records the checkpoint and its cosignature durably, and only then
 * 4. submits the cosignature to the ledger.
 *
 * Cosignature timestamps never go backwards, even if the clock does. One process per state
 * directory: the CLI holds a lock on it.
 */
import { parseCheckpoint } from '../core/checkpoint.js';
import { formatCosignatureLine, signCosignature, type CosignerSigningKey } from '../core/cosignature.js';
import { isRxError } from '../core/errors.js';
import { createNoteVerifier, parseVerifierKey } from '../core/note-keys.js';
import { parseSignedNote, verifyNote } from '../core/signed-note.js';
import { checkNextCheckpoint, describeCheckpoint } from '../monitor/checkpoint-step.js';
import type { EvidenceKind } from '../monitor/evidence.js';
import { servedProof, type CheckpointSource } from '../monitor/monitor.js';
import { readState, writeEvidence, writeState, STATE_FORMAT, type FollowerState } from '../monitor/state-file.js';

export interface WitnessSource extends CheckpointSource {
  submitCosignature(checkpoint: string, cosignature: string): Promise<{ stored: boolean }>;
}

export interface WitnessOptions {
  readonly source: WitnessSource;
  readonly sourceName: string;
  /** The log's verifier keys (C2SP vkeys): the witness cosigns only checkpoints they signed. */
  readonly logKeys: readonly string[];
  readonly key: CosignerSigningKey;
  readonly stateDir: string;
  readonly clock?: () => number;
}

export interface WitnessReport {
  readonly status: 'first' | 'unchanged' | 'advanced' | 'conflict';
  readonly origin: string;
  readonly size: number;
  readonly rootHash: string;
  readonly previousSize?: number;
  /** The cosignature made this round (absent on a conflict). */
  readonly cosignature?: string;
  readonly timestamp?: number;
  /** Whether the ledger stored it; absent when submission failed (the error says why). */
  readonly submitted?: boolean;
  readonly submitError?: { readonly code: string; readonly message: string };
  readonly conflict?: EvidenceKind;
  readonly evidencePath?: string;
}

export interface Witness {
  cosign(): Promise<WitnessReport>;
}

export function createWitness(options: WitnessOptions): Witness {
  const clock = options.clock ?? Date.now;
  const logVerifiers = options.logKeys.map((k) => createNoteVerifier(parseVerifierKey(k)));
  const { key } = options;
  const cosignedByMe = (note: string): boolean => parseSignedNote(note).signatures.some((s) => s.name === key.name && s.keyId === key.keyId);

  /** The checkpoint others cosigned, if this witness may and should follow it; else undefined. */
  async function quorumCandidate(state: FollowerState | undefined): Promise<string | undefined> {
    let note: string;
    try {
      note = await options.source.cosignedCheckpoint(1);
      const { note: parsed } = verifyNote(note, logVerifiers);
      const size = parseCheckpoint(parsed.text).size;
      const mine = state === undefined ? -1 : parseCheckpoint(parseSignedNote(state.checkpoint).text).size;
      // Never step back: cosigning a smaller tree than before would contradict the earlier cosignature.
      if (cosignedByMe(note) || size < mine) return undefined;
    } catch {
      return undefined; // no quorum yet, or nothing usable: fall back to the latest checkpoint
    }
    return note;
  }

  return {
    async cosign() {
      const state = readState(options.stateDir);
      const latest = (await quorumCandidate(state)) ?? (await options.source.checkpoint());
      const nowMs = clock();
      const outcome = await checkNextCheckpoint({
        previous: state?.checkpoint,
        latest,
        logKeys: options.logKeys,
        logVerifiers,
        fetchConsistency: servedProof(options.source),
        source: options.sourceName,
        nowMs,
      });
      const base = { origin: outcome.checkpoint.origin, ...describeCheckpoint(outcome.checkpoint), ...(outcome.previous === undefined ? {} : { previousSize: outcome.previous.size }) };
      if (outcome.kind === 'conflict') {
        return { status: 'conflict', ...base, conflict: outcome.evidence.kind, evidencePath: writeEvidence(options.stateDir, outcome.evidence, nowMs) };
      }
      const text = parseSignedNote(latest).text;
      const timestamp = Math.max(Math.floor(nowMs / 1000), state?.cosignedAt ?? 0);
      const line = formatCosignatureLine(signCosignature(text, key, timestamp));
      // Durable before it leaves this process: a witness never forgets what it cosigned.
      writeState(options.stateDir, { format: STATE_FORMAT, origin: outcome.checkpoint.origin, checkpoint: latest, updatedMs: nowMs, cosignature: line, cosignedAt: timestamp });
      const report = { status: outcome.kind, ...base, cosignature: line, timestamp };
      try {
        const { stored } = await options.source.submitCosignature(latest, line);
        return { ...report, submitted: stored };
      } catch (err) {
        return { ...report, submitError: isRxError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: 'submission failed' } };
      }
    },
  };
}
