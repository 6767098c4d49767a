/**
 * Connects the rules (src/domain/admission.ts) to the ledger: every entry is judged inside the
 * commit transaction against the derived state as it stands at that index, and its mutations are
 * written to the SQLite projection in the same transaction. Follow-up records (a submission's check
 * result) are computed after the entry's own mutations, so they see the state it produced.
 */
import { admitEntry, type FollowUp } from '../domain/admission.js';
import type { RuleSet } from '../domain/prescription/checker.js';
import type { SignatureCheck } from '../domain/registry/registry-rules.js';
import type { StateStore } from '../store/state-store.js';
import type { EntryStateMachine, LedgerRecordWrite } from './ledger.js';

export interface LedgerStateMachineOptions {
  readonly state: StateStore;
  readonly origin: string;
  readonly timestampWindowMs: number;
  readonly verifySignature: SignatureCheck;
  /** The rule set submissions are checked with. */
  readonly ruleSet: RuleSet;
}

export function createLedgerStateMachine(options: LedgerStateMachineOptions): EntryStateMachine {
  const { state, origin, timestampWindowMs, verifySignature, ruleSet } = options;
  const ruleSets = new Map([[ruleSet.hash, ruleSet]]);
  const write = (record: FollowUp): LedgerRecordWrite => ({ type: record.type, body: record.body, apply: () => state.apply(record.mutations) });
  return {
    admit(entry, at) {
      const admission = admitEntry(state, entry.type, entry.body, { origin, index: at.index, time: at.time, timestampWindowMs, verifySignature, ruleSet, ruleSets });
      if (admission.kind === 'replay') return admission;
      if (admission.kind === 'refuse') return { kind: 'refuse', error: admission.error, record: write(admission.record) };
      const { followUps } = admission;
      return {
        kind: 'append',
        apply: () => state.apply(admission.mutations),
        ...(followUps ? { followUps: () => followUps(state).map(write) } : {}),
      };
    },
  };
}
