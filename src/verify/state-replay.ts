/**
 * Replays the ledger's derived state — registry and prescriptions — while the verifier walks the
 * log, with the same rules the ledger applied when it sequenced each entry
 * (src/domain/admission.ts) over an in-memory view. An entry the rules refuse — unknown, expired or
 * revoked key, suspended actor, forbidden role, spent nonce, bad signature, an illegal lifecycle
 * transition, a check result that re-running the check does not reproduce — is reported with the
 * rule's code at its index. An idempotent retry never reaches the log, so a "replay" verdict here
 * means a duplicate entry: also a failure.
 */
import { RxError } from '../core/errors.js';
import type { LedgerEntry } from '../core/entry.js';
import { admitEntry } from '../domain/admission.js';
import type { MemoryState } from '../domain/memory-state.js';
import { CHECK_RESULT_TYPE } from '../domain/prescription/lifecycle-records.js';
import type { RuleSetLibrary } from '../domain/checker/rule-set-activation.js';
import type { SignatureCheck, StatementDigest } from '../domain/registry/registry-rules.js';
import { preverifiedCheck } from './preflight.js';
import { ReplayedState } from './replayed-state.js';

export const DEFAULT_TIMESTAMP_WINDOW_MS = 300_000;

export interface StateReplayOptions {
  readonly origin: string;
  readonly timestampWindowMs: number;
  readonly verifySignature: SignatureCheck;
  /** The rule sets activations may name and checks are re-run with (fetched from the source by the verifier). */
  readonly ruleSets: RuleSetLibrary;
}

export interface StateReplay {
  /**
   * Judges one entry and, if it passes, applies it to the replayed state. `prepared` is what
   * preflight found (preflight.ts): the statement's digest and the key its signature was proved
   * valid against, which spare recomputing them; the verdict is the same without it.
   */
  check(entry: LedgerEntry, index: number, prepared?: PreparedEntry): void;
  /** Throws if the log ends where a record was still due (a submission without its check). */
  finish(): void;
  readonly state: MemoryState;
  /** The same state, with what comparing it against a source's state tables needs. */
  readonly replayed: ReplayedState;
}

export interface PreparedEntry {
  /**
   * Preflight matched the body against this type's schema in ENTRY_BODY_SCHEMAS. Every entry
   * schema is strict and transforms nothing, so the body as parsed from its bytes is what that
   * schema returns, and admission need not parse it again (admitEntry's `bodyParsed`).
   */
  readonly bodyMatchedSchema: boolean;
  readonly digest: StatementDigest | undefined;
  readonly verifiedKey: Uint8Array | undefined;
  /** The statement's signature as the entry carries it (base64). */
  readonly signature: string | undefined;
}

export function createStateReplay(options: StateReplayOptions): StateReplay {
  const replayed = new ReplayedState();
  const state = replayed.state;
  const ruleSets = options.ruleSets;
  // A submission's check result must be the very next entry: the ledger writes both in one commit.
  let checkDue = false;
  return {
    state,
    replayed,
    check(entry, index, prepared) {
      if (checkDue && entry.type !== CHECK_RESULT_TYPE) throw new RxError('RX_CHECK_MISMATCH', 'a submission is not followed by its check result');
      checkDue = false;
      const verifySignature = prepared === undefined ? options.verifySignature : preverifiedCheck(options.verifySignature, prepared.digest, prepared.verifiedKey, prepared.signature);
      const ctx = { origin: options.origin, index, time: entry.time, timestampWindowMs: options.timestampWindowMs, verifySignature, ruleSets };
      const admission = admitEntry(state, entry.type, entry.body, ctx, prepared?.digest, prepared?.bodyMatchedSchema ?? false);
      if (admission.kind === 'replay') throw new RxError('IDEMPOTENCY_KEY_CONFLICT', `statement duplicates the one recorded at index ${admission.index}`);
      if (admission.kind === 'refuse') throw new RxError(admission.error instanceof RxError ? admission.error.code : 'INTERNAL', admission.error.message);
      replayed.apply(admission.mutations, index);
      checkDue = admission.followUps !== undefined;
    },
    finish() {
      if (checkDue) throw new RxError('RX_CHECK_MISMATCH', 'the log ends before a submission’s check result');
    },
  };
}
