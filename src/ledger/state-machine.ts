/**
 * Connects the rules (src/domain/admission.ts) to the ledger: every entry is judged inside the
 * commit transaction against the derived state as it stands at that index, and its mutations are
 * written to the SQLite projection in the same transaction. Follow-up records (a submission's check
 * result) are computed after the entry's own mutations, so they see the state it produced; their
 * writes are made with the entry's, each prescription record written once.
 *
 * With `preparation`, a signed statement's digest and signature are worked out before it is
 * queued (statement-preparation.ts), and its judgement reuses them.
 */
import { admitEntry, type FollowUp } from '../domain/admission.js';
import { refusalRecordedBy } from '../domain/prescription/lifecycle-records.js';
import { ENTRY_BODY_SCHEMAS } from '../domain/entry-types.js';
import type { RuleSetLibrary } from '../domain/checker/rule-set-activation.js';
import type { SignatureCheck } from '../domain/registry/registry-rules.js';
import type { StateStore } from '../store/state-store.js';
import type { EntryStateMachine, LedgerRecordWrite } from './entry-state-machine.js';
import { createStatementPreparation, preverifiedSignatureCheck, type PreparedStatement, type StatementPreparationOptions } from './statement-preparation.js';

export interface LedgerStateMachineOptions {
  readonly state: StateStore;
  readonly origin: string;
  readonly timestampWindowMs: number;
  readonly verifySignature: SignatureCheck;
  /** The rule sets this ledger can run; submissions are checked with the log's active one. */
  readonly ruleSets: RuleSetLibrary;
  /** Prepares signed statements before sequencing; the registry they read is `state`'s. */
  readonly preparation?: Omit<StatementPreparationOptions, 'registry'>;
}

export function createLedgerStateMachine(options: LedgerStateMachineOptions): EntryStateMachine<PreparedStatement | undefined> {
  const { state, origin, timestampWindowMs, verifySignature, ruleSets } = options;
  const write = (record: FollowUp): LedgerRecordWrite => ({ type: record.type, body: record.body, apply: () => state.apply(record.mutations) });
  const prepare = options.preparation && createStatementPreparation({ ...options.preparation, registry: state });
  return {
    ...(prepare ? { prepare } : {}),
    admit(entry, at, prepared) {
      const ctx = { origin, index: at.index, time: at.time, timestampWindowMs, verifySignature: preverifiedSignatureCheck(verifySignature, prepared), ruleSets };
      // A body the default entry schema of its type returned is not parsed again by the rules.
      const bodyParsed = entry.schema !== undefined && Object.hasOwn(ENTRY_BODY_SCHEMAS, entry.type) && entry.schema === ENTRY_BODY_SCHEMAS[entry.type];
      const admission = admitEntry(state, entry.type, entry.body, ctx, prepared?.digest, bodyParsed);
      if (admission.kind === 'replay') return admission;
      if (admission.kind === 'refuse') return { kind: 'refuse', error: admission.error, record: write(admission.record) };
      const { followUps } = admission;
      const apply = () => state.apply(admission.mutations);
      if (followUps === undefined) return { kind: 'append', apply };
      return {
        kind: 'append',
        apply,
        followUps: () => followUps(state).map(write),
        // The ledger makes the entry's writes and its follow-ups' together, each prescription
        // record once (a submission's record is written checked, not submitted and then checked);
        // the follow-ups still see the state the entry produced.
        applyWithFollowUps: () =>
          state.prescriptions.deferWrites(() => {
            apply();
            const records = followUps(state);
            for (const record of records) state.apply(record.mutations);
            return records.map((record) => ({ type: record.type, body: record.body, apply: () => undefined }));
          }),
      };
    },
    refusalRecordedAt: (entry) => refusalRecordedBy(entry.type),
  };
}
