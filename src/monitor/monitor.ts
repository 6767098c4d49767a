/**
 * `rxledger monitor`'s engine: follows one log over its public read API, keeps the last verified
 * checkpoint in a state directory, and stops with evidence on a split view, an inconsistent proof
 * or a rollback. With a witness policy it follows the cosigned checkpoint instead of the latest,
 * so every checkpoint it accepts was also seen — and checked for consistency — by k witnesses.
 *
 * A step either advances the state (written durably before the step reports success), leaves it,
 * or writes an evidence file and leaves the state as it was: the conflicting checkpoint is never
 * trusted. Transport and signature failures throw; the caller decides whether to retry.
 */
import { z } from 'zod';
import { RxError } from '../core/errors.js';
import { createNoteVerifier, parseVerifierKey } from '../core/note-keys.js';
import type { WitnessedBy, WitnessPolicy } from '../core/witness-quorum.js';
import { checkNextCheckpoint, describeCheckpoint } from './checkpoint-step.js';
import type { EvidenceKind } from './evidence.js';
import { readState, writeEvidence, writeState, STATE_FORMAT } from './state-file.js';

/** The read API a follower needs (src/client's LedgerClient has it). */
export interface CheckpointSource {
  checkpoint(): Promise<string>;
  cosignedCheckpoint(min?: number): Promise<string>;
  consistencyProof(from: number, to: number): Promise<{ hashes: readonly unknown[] }>;
}

export interface MonitorOptions {
  readonly source: CheckpointSource;
  /** Where the source lives, recorded in evidence. */
  readonly sourceName: string;
  /** The log's verifier keys (C2SP vkeys). */
  readonly logKeys: readonly string[];
  readonly witnessPolicy?: WitnessPolicy;
  readonly stateDir: string;
  readonly clock?: () => number;
}

export interface MonitorReport {
  readonly status: 'first' | 'unchanged' | 'advanced' | 'conflict';
  readonly origin: string;
  readonly size: number;
  readonly rootHash: string;
  readonly previousSize?: number;
  readonly witnesses?: readonly WitnessedBy[];
  readonly conflict?: EvidenceKind;
  readonly evidencePath?: string;
}

const ProofHashes = z.array(z.string());

/** Validates the shape of a served proof so evidence holds exactly what was served, as strings. */
export function servedProof(source: CheckpointSource): (from: number, to: number) => Promise<readonly string[]> {
  return async (from, to) => {
    const parsed = ProofHashes.safeParse((await source.consistencyProof(from, to)).hashes);
    if (!parsed.success) throw new RxError('SOURCE_UNAVAILABLE', 'the consistency proof is not a list of strings');
    return parsed.data;
  };
}

export interface Monitor {
  check(): Promise<MonitorReport>;
}

export function createMonitor(options: MonitorOptions): Monitor {
  const clock = options.clock ?? Date.now;
  const logVerifiers = options.logKeys.map((k) => createNoteVerifier(parseVerifierKey(k)));
  const threshold = options.witnessPolicy?.threshold;
  return {
    async check() {
      const state = readState(options.stateDir);
      const latest = threshold === undefined ? await options.source.checkpoint() : await options.source.cosignedCheckpoint(threshold);
      const nowMs = clock();
      const policy = options.witnessPolicy === undefined ? undefined : { ...options.witnessPolicy, now: Math.floor(nowMs / 1000) };
      const outcome = await checkNextCheckpoint({
        previous: state?.checkpoint,
        latest,
        logKeys: options.logKeys,
        logVerifiers,
        ...(policy === undefined ? {} : { witnessPolicy: policy }),
        fetchConsistency: servedProof(options.source),
        source: options.sourceName,
        nowMs,
      });
      const view = describeCheckpoint(outcome.checkpoint);
      const base = { origin: outcome.checkpoint.origin, ...view, ...(outcome.previous === undefined ? {} : { previousSize: outcome.previous.size }) };
      if (outcome.kind === 'conflict') {
        const evidencePath = writeEvidence(options.stateDir, outcome.evidence, nowMs);
        return { status: 'conflict', ...base, conflict: outcome.evidence.kind, evidencePath };
      }
      if (outcome.kind !== 'unchanged') {
        writeState(options.stateDir, { format: STATE_FORMAT, origin: outcome.checkpoint.origin, checkpoint: latest, updatedMs: nowMs });
      }
      return { status: outcome.kind, ...base, ...(outcome.witnessedBy === undefined ? {} : { witnesses: outcome.witnessedBy }) };
    },
  };
}
