/**
 * Connects the registry rules to the ledger: registry entries are admitted (authenticated,
 * authorized, checked against the registry as it stands at that index) inside the commit
 * transaction, and their mutations written to the SQLite projection in the same transaction.
 */
import { admitRegistryEntry, type SignatureCheck } from '../domain/registry/registry-rules.js';
import type { RegistryStore } from '../store/registry-store.js';
import type { EntryStateMachine } from './ledger.js';

export interface RegistryStateMachineOptions {
  readonly registry: RegistryStore;
  readonly origin: string;
  readonly timestampWindowMs: number;
  readonly verifySignature: SignatureCheck;
}

export function createRegistryStateMachine(options: RegistryStateMachineOptions): EntryStateMachine {
  const { registry, origin, timestampWindowMs, verifySignature } = options;
  return {
    admit(entry, at) {
      const admission = admitRegistryEntry(registry, entry.type, entry.body, { origin, index: at.index, time: at.time, timestampWindowMs, verifySignature });
      if (admission.kind === 'replay') return admission;
      return { kind: 'append', apply: () => registry.apply(admission.mutations) };
    },
  };
}
