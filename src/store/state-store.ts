/**
 * The ledger's derived state in SQLite — registry, prescriptions, active rule set — as one view for the rules
 * and one writer for the mutations they return, all inside the ledger's commit transaction.
 */
import type { StateMutation, StateView } from '../domain/admission.js';
import type { SqliteDatabase } from './database.js';
import { createPrescriptionStore, type PrescriptionStore } from './prescription-store.js';
import { createRegistryStore, type RegistryStore } from './registry-store.js';
import { createRuleSetStore, type RuleSetStore } from './rule-set-store.js';

export interface StateStore extends StateView {
  readonly registry: RegistryStore;
  readonly prescriptions: PrescriptionStore;
  readonly ruleSets: RuleSetStore;
  apply(mutations: readonly StateMutation[]): void;
}

export function createStateStore(db: SqliteDatabase): StateStore {
  const registry = createRegistryStore(db);
  const prescriptions = createPrescriptionStore(db);
  const ruleSets = createRuleSetStore(db);
  return {
    registry,
    prescriptions,
    ruleSets,
    hasGenesis: () => registry.hasGenesis(),
    institution: (id) => registry.institution(id),
    actor: (id) => registry.actor(id),
    key: (id) => registry.key(id),
    nonceUsed: (actorId, nonce) => registry.nonceUsed(actorId, nonce),
    timestampWindowMs: () => registry.timestampWindowMs(),
    idempotency: (actorId, key) => registry.idempotency(actorId, key),
    prescription: (id) => prescriptions.prescription(id),
    livePrescriptionsOf: (pseudonym, exceptId) => prescriptions.livePrescriptionsOf(pseudonym, exceptId),
    traceabilityCode: (code) => prescriptions.traceabilityCode(code),
    activeRuleSet: () => ruleSets.activeRuleSet(),
    apply(mutations) {
      for (const m of mutations) {
        if (m.kind === 'rx-put' || m.kind === 'rx-trace-codes') prescriptions.applyPrescription(m);
        else if (m.kind === 'rule-set') ruleSets.apply(m);
        else registry.apply([m]);
      }
    },
  };
}
