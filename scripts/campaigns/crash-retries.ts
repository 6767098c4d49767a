/**
 * Idempotent retries after a restart. A client whose request got no answer does not know whether
 * it was applied; it resends the identical signed statement. The campaign knows what the log held
 * before the retry (the verifier's replay of the disk), so each answer can be judged:
 *
 *   - it had landed: the answer MUST be a replay (200, `replayed: true`) naming the entry that holds
 *     it, with that entry's leaf hash — never a second landing, never a refusal;
 *   - it had been refused and flagged (a reused traceability code; the flag spends the attempt's
 *     idempotency key): the answer MUST be the same refusal, RX_TRACE_CODE_DUPLICATE — never a
 *     landing, never a second flag (the verifier would refuse one);
 *   - it had not: the answer is a fresh landing (201) or a refusal, never a "replay";
 *   - a write acknowledged before the kill, retried: the answer MUST be the original receipt.
 *
 * Unknown erasures are always retried: the identity store acts on an erasure once its entry is
 * durable, and on every identical retry, so a kill between the two is repaired by retrying.
 */
import { canonicalJson } from '../../src/core/canonical-json.js';
import { RxError } from '../../src/core/errors.js';
import type { SubmitResult } from '../../src/client/index.js';
import { clientOf } from './crash-cast.js';
import type { CrashLoad, SentWrite } from './crash-load.js';
import { statementKey, type DiskState } from './crash-checks.js';

export interface RetryFigures {
  unknownRetried: number;
  unknownNotRetried: number;
  /** Had landed before the kill: answered as a replay of the stored entry. */
  landedBeforeReplayed: number;
  /** Had been flagged before the kill: refused again with the flag's code. */
  flaggedBeforeRefusedAgain: number;
  /** Had not landed: landed on the retry. */
  landedOnRetry: number;
  /** Had not landed: refused on the retry (by code). */
  refusedOnRetry: Record<string, number>;
  acknowledgedRetried: number;
  acknowledgedSameReceipt: number;
}

export const emptyRetryFigures = (): RetryFigures => ({
  unknownRetried: 0,
  unknownNotRetried: 0,
  landedBeforeReplayed: 0,
  flaggedBeforeRefusedAgain: 0,
  landedOnRetry: 0,
  refusedOnRetry: {},
  acknowledgedRetried: 0,
  acknowledgedSameReceipt: 0,
});

export interface RetryOptions {
  readonly url: string;
  readonly load: CrashLoad;
  readonly disk: DiskState;
  readonly rand: () => number;
  /** Share of unknown writes retried (erasures always are). */
  readonly retryShare: number;
  /** Acknowledged writes retried after each restart. */
  readonly acknowledgedSample: number;
  readonly figures: RetryFigures;
  readonly label: string;
  readonly violation: (sentence: string) => void;
}

/** The receipt fields a replay must repeat. */
const receiptOf = (r: SubmitResult) => canonicalJson({ index: r.index, leafHash: r.leafHash, type: r.type, records: r.records, lastIndex: r.lastIndex, check: r.check ?? null, receipt: r.receipt });

/** Retries unknown writes and a sample of acknowledged ones; returns the prescriptions a retry changed. */
export async function retryAfterRestart(o: RetryOptions): Promise<Set<string>> {
  const say = (s: string) => o.violation(`${o.label}: ${s}`);
  const client = clientOf(o.url);
  const changed = new Set<string>();
  const chosen: SentWrite[] = [];
  for (const w of o.load.unknown) {
    if (w.action === 'patient.erase-identity' || o.rand() < o.retryShare) chosen.push(w);
    else o.figures.unknownNotRetried++;
  }
  o.load.unknown = [];
  o.figures.unknownRetried += chosen.length;

  // Without a replay (the verifier stopped early, already a violation) a retry cannot be judged.
  const judged = o.disk.state !== undefined;
  const retryStatement = async (w: SentWrite): Promise<void> => {
    const s = w.signed.statement;
    const landedAt = o.disk.state?.idempotency(s.actor, s.idempotencyKey)?.index;
    const flagged = landedAt !== undefined && o.disk.flagIndexes.has(landedAt);
    let r: SubmitResult;
    try {
      r = await client.submit(w.signed);
    } catch (err) {
      if (err instanceof RxError && err.code !== 'SOURCE_UNAVAILABLE' && err.code !== 'INTERNAL') {
        if (flagged) {
          if (err.code === 'RX_TRACE_CODE_DUPLICATE') o.figures.flaggedBeforeRefusedAgain++;
          else say(`write ${w.seq} (${w.action}) had been flagged at index ${landedAt} but its retry was refused with ${err.code}`);
        } else if (landedAt !== undefined) say(`write ${w.seq} (${w.action}) had landed at index ${landedAt} but its retry was refused with ${err.code}`);
        else o.figures.refusedOnRetry[err.code] = (o.figures.refusedOnRetry[err.code] ?? 0) + 1;
        return;
      }
      say(`the retry of write ${w.seq} (${w.action}) got no answer from the restarted service (${err instanceof RxError ? err.code : (err as Error).message})`);
      return;
    }
    if (flagged) say(`write ${w.seq} (${w.action}) had been flagged at index ${landedAt}; its retry answered ${r.replayed ? 'a replay' : 'a new entry'} at index ${r.index}`);
    else if (landedAt !== undefined) {
      if (!r.replayed || r.index !== landedAt || r.leafHash !== o.disk.leafHashes[landedAt]) say(`write ${w.seq} (${w.action}) had landed at index ${landedAt}; its retry answered ${r.replayed ? 'a replay' : 'a new entry'} at index ${r.index}`);
      else o.figures.landedBeforeReplayed++;
    } else if (r.replayed) {
      if (judged) say(`write ${w.seq} (${w.action}) was not in the log, yet its retry was answered as a replay of index ${r.index}`);
    } else {
      o.figures.landedOnRetry++;
      if (w.prescriptionId !== undefined) changed.add(w.prescriptionId);
    }
    o.load.acknowledgeRetry(w, r);
  };

  const retryIdentify = async (w: SentWrite): Promise<void> => {
    const created = o.disk.identifyRequests.get(statementKey(w));
    let r;
    try {
      r = await client.identifyPatient(w.signed);
    } catch (err) {
      if (err instanceof RxError && err.code !== 'SOURCE_UNAVAILABLE' && err.code !== 'INTERNAL') {
        if (created !== undefined) say(`identification ${w.seq} had been stored but its retry was refused with ${err.code}`);
        else o.figures.refusedOnRetry[err.code] = (o.figures.refusedOnRetry[err.code] ?? 0) + 1;
        return;
      }
      say(`the retry of identification ${w.seq} got no answer from the restarted service`);
      return;
    }
    if (created !== undefined) {
      if (!r.replayed || r.identityCommitment !== created) say(`identification ${w.seq} had been stored; its retry answered ${r.replayed ? 'another commitment' : 'a new record'}`);
      else o.figures.landedBeforeReplayed++;
    } else if (r.replayed) say(`identification ${w.seq} was not stored, yet its retry was answered as a replay`);
    else o.figures.landedOnRetry++;
    o.load.acknowledgeIdentityRetry(w, { pseudonym: r.pseudonym, identityCommitment: r.identityCommitment });
  };

  const retryAcknowledged = async (): Promise<void> => {
    const statements = o.load.acked;
    for (let n = 0; n < o.acknowledgedSample && statements.length > 0; n++) {
      const w = statements[Math.floor(o.rand() * statements.length)]!;
      o.figures.acknowledgedRetried++;
      let r: SubmitResult;
      try {
        r = await client.submit(w.signed);
      } catch (err) {
        say(`the retry of acknowledged write ${w.seq} (${w.action}) failed with ${err instanceof RxError ? err.code : (err as Error).message}`);
        continue;
      }
      if (!r.replayed || receiptOf(r) !== receiptOf(w.receipt)) say(`the retry of acknowledged write ${w.seq} (${w.action}, index ${w.receipt.index}) did not return its original receipt (index ${r.index}, replayed ${r.replayed})`);
      else o.figures.acknowledgedSameReceipt++;
    }
    const identities = o.load.ackedIdentities;
    if (identities.length > 0) {
      const w = identities[Math.floor(o.rand() * identities.length)]!;
      o.figures.acknowledgedRetried++;
      try {
        const r = await client.identifyPatient(w.signed);
        if (!r.replayed || r.identityCommitment !== w.patient.identityCommitment) say(`the retry of acknowledged identification ${w.seq} did not return its original commitment`);
        else o.figures.acknowledgedSameReceipt++;
      } catch (err) {
        // An erased identity is gone for good: its request is answered PATIENT_IDENTITY_ERASED.
        if (err instanceof RxError && err.code === 'PATIENT_IDENTITY_ERASED' && o.load.erasing.has(w.patient.identityCommitment)) o.figures.acknowledgedSameReceipt++;
        else say(`the retry of acknowledged identification ${w.seq} failed with ${err instanceof RxError ? err.code : (err as Error).message}`);
      }
    }
  };

  await Promise.all([...chosen.map((w) => (w.action === 'patient.identify' ? retryIdentify(w) : retryStatement(w))), retryAcknowledged()]);
  return changed;
}
