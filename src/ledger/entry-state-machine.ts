/**
 * The contract between the ledger (ledger.ts) and the derived state that advances with its log
 * (state-machine.ts on the service, the importer, test machines): how an entry about to be
 * sequenced is judged, and which projection writes and follow-up records recording it makes.
 */
import type { JsonObject } from '../core/canonical-json.js';
import type { LedgerEntry } from '../core/entry.js';
import type { EntryBodySchemas } from '../domain/entry-types.js';

/** An entry the state machine asks the ledger to write itself, and the projection writes it makes. */
export interface LedgerRecordWrite {
  readonly type: string;
  readonly body: JsonObject;
  apply(): void;
}

/**
 * Derived state that advances with the log (registry, prescriptions). `admit` runs inside the
 * commit transaction, in log order, for each entry about to be sequenced. It throws an RxError to
 * refuse that entry alone; returns `replay` for an idempotent retry; returns `refuse` to refuse it
 * while writing a record in its place (evidence of the attempt); or returns the projection writes
 * recording the entry makes and, optionally, records to append right after it (computed once
 * those writes are visible). An entry and its follow-ups commit together or not at all.
 *
 * `prepare`, if present, runs once per appended entry before it is queued for sequencing, outside
 * the transaction and possibly off the event loop (signature pre-verification); what it resolves
 * to is handed to `admit`. It MUST NOT decide anything: the state may change before the entry is
 * sequenced, so `admit` judges the entry in full whatever `prepare` found. It MUST NOT reject.
 */
export interface EntryStateMachine<Prepared = unknown> {
  /** `digest` is what the intake found for the body (Ledger.adoptChecked), if it came that way. */
  prepare?(entry: { type: string; body: JsonObject; bodyJson: string; digest?: unknown }): Promise<Prepared>;
  /** `entry.schema` is the entry schema `body` was validated with and is the output of. */
  admit(
    entry: { type: string; body: JsonObject; schema: EntryBodySchemas[string] | undefined },
    at: { index: number; time: number },
    prepared: Prepared | undefined,
  ):
    | {
        kind: 'append';
        apply(): void;
        followUps?(): LedgerRecordWrite[];
        /**
         * If present, what the ledger calls instead of `apply` then `followUps` and each record's
         * `apply`: the same writes made together (a projection can then write a row the entry and a
         * follow-up both change once). It returns the follow-up records, whose own `apply` is then
         * not called. Other readers of admissions (the importer) call `apply` alone.
         */
        applyWithFollowUps?(): LedgerRecordWrite[];
      }
    | { kind: 'replay'; index: number }
    | { kind: 'refuse'; error: Error; record: LedgerRecordWrite };
  /**
   * For the original of a replayed statement: the error to answer again when that original is a
   * record written in place of a refused statement (a flag), or undefined when it was recorded.
   */
  refusalRecordedAt?(entry: LedgerEntry): Error | undefined;
}
