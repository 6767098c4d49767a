/**
 * POST /v1/statements: the one write endpoint. The body is a signed statement (docs/AUTH.md); its
 * action is the type of the entry that records it. Authentication, authorization and the action's
 * preconditions are judged when the entry is sequenced, against the state at that index, so
 * concurrent requests cannot both pass a check that only one may pass. The response is sent only
 * after the entry is committed to disk.
 *
 *   201 { index, leafHash, type, replayed: false, records, lastIndex, receipt }   recorded now
 *   200 { …, replayed: true }                                                  identical retry
 *
 * `records` are entries the ledger wrote right after this one (a submission's check result, whose
 * outcome and findings are repeated under `check`); `lastIndex` is the last of them, the index the
 * signer's next statement about the same prescription names as `previous`; `receipt` is where the
 * inclusion proof can be fetched once a checkpoint covers the entry.
 */
import type { FastifyPluginAsync } from 'fastify';
import { encodeBase64 } from '../core/bytes.js';
import { isRxError, RxError } from '../core/errors.js';
import { parseEntry, type LedgerEntry } from '../core/entry.js';
import { SignedStatementSchema } from '../core/statement.js';
import { CHECK_RESULT_TYPE } from '../domain/prescription/lifecycle-records.js';
import type { AppendResult, Ledger } from '../ledger/ledger.js';
import { statementAction, type StatementIntake } from '../ledger/statement-intake.js';
import { parseRequestPart } from './parse-request.js';
import { useStrictJsonBodies } from './json-body.js';

export interface StatementRoutesOptions {
  readonly ledger: Ledger;
  /**
   * Runs after an entry is durable (and again for an identical retry, so a crash in between is
   * repaired by retrying): the identity store's erasure acts here.
   */
  readonly onRecorded?: (result: AppendResult) => RecordedEffects | void;
  /**
   * Parses, validates and digests bodies on worker threads; a body it takes is handed to the
   * ledger as checked (Ledger.adoptChecked), any other is handled here as without it.
   */
  readonly intake?: StatementIntake;
}

/**
 * The ledger refuses an entry type it does not know, or writes only itself, naming the entry's
 * `type`; here the type is the statement's action, so the answer names that field.
 */
function refusedAction(err: unknown): never {
  if (isRxError(err, 'ENTRY_TYPE_UNKNOWN') || isRxError(err, 'ENTRY_TYPE_RESERVED')) {
    throw new RxError(err.code, err.message, { paths: ['body.statement.action'], cause: err });
  }
  throw err;
}

/**
 * What a durable entry did outside the ledger, for its answer: an erasure says whether it removed
 * an identity record, so an operator's mistyped commitment is not confirmed like a real erasure.
 */
export interface RecordedEffects {
  readonly identityRecord?: 'erased' | 'none-held';
}

export const statementRoutes: FastifyPluginAsync<StatementRoutesOptions> = async (app, { ledger, onRecorded, intake }) => {
  useStrictJsonBodies(
    app,
    intake &&
      (async (bytes) => {
        const taken = await intake.take(bytes);
        return taken !== undefined && ledger.adoptChecked(taken.type, taken.body, taken.bodyJson, taken.digest) ? taken.body : undefined;
      }),
  );
  /** The records that followed an entry: from the append, or (for a retry) from the log. */
  const recordsOf = (result: AppendResult): Array<{ index: number; leafHash: Uint8Array; entry: LedgerEntry }> => {
    if (result.records !== undefined) return [...result.records];
    if (result.replayed !== true || result.entry.type !== 'rx.submit' || result.index + 1 >= ledger.size()) return [];
    const [next] = ledger.entries(result.index + 1, result.index + 2);
    if (next === undefined) return [];
    const entry = parseEntry(next.data);
    return entry.type === CHECK_RESULT_TYPE ? [{ index: next.index, leafHash: next.leafHash, entry }] : [];
  };

  app.post('/v1/statements', async (request, reply) => {
    // One parse at the edge: the entry schema of the statement's action (the signed-statement
    // envelope and the action's payload). A body it refuses is parsed as a bare signed statement,
    // so that what was malformed is answered as before (REQUEST_INVALID, or the ledger's refusal
    // of a well-formed statement: ENTRY_TYPE_RESERVED, ENTRY_TYPE_UNKNOWN, ENTRY_BODY_INVALID).
    const action = statementAction(request.body);
    const checked = action === undefined ? undefined : ledger.checkBody(action, request.body);
    let result: AppendResult;
    if (action !== undefined && checked !== undefined) {
      result = await ledger.append(action, checked).catch(refusedAction);
    } else {
      const signed = parseRequestPart(SignedStatementSchema, request.body, 'body');
      result = await ledger.append(signed.statement.action, signed).catch(refusedAction);
    }
    const replayed = result.replayed === true;
    const effects = onRecorded?.(result);
    const records = recordsOf(result);
    const check = records.find((r) => r.entry.type === CHECK_RESULT_TYPE)?.entry.body;
    return reply.status(replayed ? 200 : 201).send({
      index: result.index,
      leafHash: encodeBase64(result.leafHash),
      type: result.entry.type,
      replayed,
      records: records.map((r) => ({ index: r.index, leafHash: encodeBase64(r.leafHash), type: r.entry.type })),
      lastIndex: records.length > 0 ? records[records.length - 1]!.index : result.index,
      ...(check === undefined ? {} : { check: { outcome: check.outcome, ruleSet: check.ruleSet, inputHash: check.inputHash, findings: check.findings } }),
      receipt: `/v1/receipts/${result.index}`,
      ...(effects?.identityRecord === undefined ? {} : { identityRecord: effects.identityRecord }),
    });
  });
};
