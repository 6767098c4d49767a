/**
 * Replays the registry while the verifier walks the log, with the same rules the ledger applied
 * when it sequenced each entry (src/domain/registry/registry-rules.ts) over an in-memory view.
 * An entry the rules refuse — unknown, expired or revoked key, suspended actor, forbidden role,
 * spent nonce, bad signature — is reported with the rule's code at its index. An idempotent
 * retry never reaches the log, so a "replay" verdict here means a duplicate entry: also a failure.
 */
import { RxError } from '../core/errors.js';
import type { LedgerEntry } from '../core/entry.js';
import { MemoryRegistry } from '../domain/registry/memory-registry.js';
import { admitRegistryEntry, type SignatureCheck } from '../domain/registry/registry-rules.js';

export const DEFAULT_TIMESTAMP_WINDOW_MS = 300_000;

export interface RegistryReplayOptions {
  readonly origin: string;
  readonly timestampWindowMs: number;
  readonly verifySignature: SignatureCheck;
}

export interface RegistryReplay {
  /** Judges one entry and, if it passes, applies it to the replayed registry. */
  check(entry: LedgerEntry, index: number): void;
  readonly registry: MemoryRegistry;
}

export function createRegistryReplay(options: RegistryReplayOptions): RegistryReplay {
  const registry = new MemoryRegistry();
  return {
    registry,
    check(entry, index) {
      const ctx = { origin: options.origin, index, time: entry.time, timestampWindowMs: options.timestampWindowMs, verifySignature: options.verifySignature };
      const admission = admitRegistryEntry(registry, entry.type, entry.body, ctx);
      if (admission.kind === 'replay') {
        throw new RxError('IDEMPOTENCY_KEY_CONFLICT', `statement duplicates the one recorded at index ${admission.index}`);
      }
      registry.apply(admission.mutations);
    },
  };
}
