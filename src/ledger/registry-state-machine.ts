/**
 * Connects the registry rules to the ledger: registry entries are admitted (authenticated,
 * authorized, checked against the registry as it stands at that index) inside the commit
 * transaction, and their mutations written to the SQLite projection in the same transaction.
 */
import { RxError } from '../core/errors.js';
import { SignedStatementSchema, type SignedStatement } from '../core/statement.js';
import { GENESIS_OPERATOR_TYPE } from '../domain/registry/registry-entry-types.js';
import { admitGenesisOperator, admitStatement, type SignatureCheck } from '../domain/registry/registry-rules.js';
import type { RegistryStore } from '../store/registry-store.js';
import type { EntryStateMachine } from './ledger.js';

export interface RegistryStateMachineOptions {
  readonly registry: RegistryStore;
  readonly origin: string;
  readonly timestampWindowMs: number;
  readonly verifySignature: SignatureCheck;
}

export function createRegistryStateMachine(options: RegistryStateMachineOptions): EntryStateMachine {
  return {
    admit(entry, at) {
      if (!entry.type.startsWith('registry.')) return { kind: 'append', apply() {} };
      const parsed = SignedStatementSchema.safeParse(entry.body);
      if (!parsed.success) throw new RxError('ENTRY_BODY_INVALID', 'registry entries carry a signed statement', { paths: ['body'] });
      const signed = parsed.data as SignedStatement;
      const ctx = { origin: options.origin, index: at.index, time: at.time, timestampWindowMs: options.timestampWindowMs, verifySignature: options.verifySignature };
      const admission = entry.type === GENESIS_OPERATOR_TYPE ? admitGenesisOperator(options.registry, signed, ctx) : admitStatement(options.registry, signed, ctx);
      if (admission.kind === 'replay') return admission;
      return { kind: 'append', apply: () => options.registry.apply(admission.mutations) };
    },
  };
}
