/**
 * What the lifecycle's rules (lifecycle-rules.ts) and its ledger records (lifecycle-records.ts)
 * share: the view they read, the shape of a record the ledger writes itself, and the small helpers
 * that load a prescription and fail with a coded error naming a payload path.
 */
import { RxError, type ErrorCode } from '../../core/errors.js';
import type { JsonObject } from '../../core/canonical-json.js';
import type { RegistryView } from '../registry/registry-rules.js';
import type { RuleSetView } from '../checker/rule-set-activation.js';
import type { PrescriptionMutation, PrescriptionRecord, PrescriptionView } from './prescription-record.js';

export type StateView = RegistryView & PrescriptionView & RuleSetView;

/** A ledger record the rules ask the ledger to write: a check result, or a flagged attempt. */
export interface LedgerRecord {
  readonly type: string;
  readonly body: JsonObject;
  readonly mutations: PrescriptionMutation[];
}

/** Where a statement's payload sits in a request, for error paths. */
export const P = 'body.statement.payload';

export const fail = (code: ErrorCode, message: string, paths: string[] = []): never => {
  throw new RxError(code, message, { paths });
};

export function load(view: StateView, id: string, path = `${P}.prescriptionId`): PrescriptionRecord {
  const rx = view.prescription(id);
  if (rx === undefined) fail('RX_NOT_FOUND', 'no such prescription', [path]);
  return rx!;
}

export const put = (record: PrescriptionRecord): PrescriptionMutation => ({ kind: 'rx-put', record });
