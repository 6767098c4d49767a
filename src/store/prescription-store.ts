/**
 * The prescription projection in SQLite: the PrescriptionView the lifecycle rules read inside the
 * commit transaction, the writer of the mutations they return, and the indexed lookups behind the
 * pharmacy queue, the courier's assignments and the patient's live prescriptions the check reads.
 */
import { livePrescription, livePrescriptionFixedPart, type LivePrescription, type LivePrescriptionFixedPart, type PrescriptionMutation, type PrescriptionRecord, type PrescriptionView } from '../domain/prescription/prescription-record.js';
import type { SqliteDatabase } from './database.js';
import { jsonTextOf } from '../core/value-texts.js';

export interface QueuePage {
  readonly items: PrescriptionRecord[];
  /** Pass as `after` for the next page; absent on the last page. */
  readonly next?: number;
}

export interface PrescriptionStore extends PrescriptionView {
  applyPrescription(mutation: PrescriptionMutation): void;
  /**
   * Runs `fn` with the records it puts held back and each written once when it returns: a
   * submission puts its record twice within one entry (submitted, then checked), and only the
   * second needs to reach the table. Reads inside `fn` see the held records. If `fn` throws,
   * nothing held is written (the caller's savepoint rolls back whatever else it wrote).
   */
  deferWrites<T>(fn: () => T): T;
  /** Active prescriptions routed to `pharmacyId` and claimable at `now`, oldest submission first. */
  queue(pharmacyId: string, now: number, after: number, limit: number): QueuePage;
  /** Deliveries assigned to the courier that are not finished. */
  assignments(courierId: string): PrescriptionRecord[];
}

const OPEN_DELIVERY_STATES = ['delivery-assigned', 'picked-up', 'in-transit'];

/**
 * A prescription the checker reads as live: not awaiting its check (`submitted`) and not in a
 * final state (FINAL_STATES). The WHERE term of the partial index rx_prescriptions_live
 * (migration 8), word for word: SQLite uses a partial index only for a query that repeats its
 * term, so a change to the states it names needs a new migration of the index as well.
 */
export const LIVE_PRESCRIPTION_TERM = "state NOT IN ('submitted', 'rejected', 'refused', 'delivered', 'collected', 'cancelled', 'superseded', 'expired')";

/** Records remembered with their stored text (about 6 KB each, text and object). */
const RECORD_CACHE_MAX = 2048;

/**
 * A record's stored text: `JSON.stringify(record)` when, as always, `prescription` is the record's
 * last member, with the prescription's own text (most of it) made once per prescription object,
 * usually by the intake's worker (src/core/value-texts.ts). Records are values: the rules build new
 * ones and never change one they read or wrote.
 */
function recordText(r: PrescriptionRecord): string {
  const p = jsonTextOf(r.prescription);
  const { prescription: _, ...rest } = r;
  const head = JSON.stringify(rest);
  return head === '{}' ? `{"prescription":${p}}` : `${head.slice(0, -1)},"prescription":${p}}`;
}

export function createPrescriptionStore(db: SqliteDatabase): PrescriptionStore {
  const q = {
    get: db.prepare<[string], { prescription_id: string; record: string }>('SELECT prescription_id, record FROM rx_prescriptions WHERE prescription_id = ?'),
    livePrescriptionsOf: db.prepare<[string, string], { prescription_id: string; state: LivePrescription['state']; claim_until: number; check_summary: string }>(
      `SELECT prescription_id, state, claim_until, check_summary FROM rx_prescriptions WHERE pseudonym = ? AND prescription_id <> ? AND ${LIVE_PRESCRIPTION_TERM}`,
    ),
    code: db.prepare<[string], { prescription_id: string; idx: number }>('SELECT prescription_id, idx FROM rx_trace_codes WHERE code = ?'),
    // check_summary is written once, with the row: what it holds never changes (a revision is
    // another prescription).
    upsert: db.prepare<[string, string, string, string | null, string | null, string | null, number, number, number, string, string]>(
      `INSERT INTO rx_prescriptions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (prescription_id) DO UPDATE SET state = excluded.state, holder = excluded.holder, courier_id = excluded.courier_id,
         claim_from = excluded.claim_from, claim_until = excluded.claim_until, record = excluded.record`,
    ),
    insertCode: db.prepare<[string, string, number]>('INSERT INTO rx_trace_codes VALUES (?, ?, ?)'),
    queue: db.prepare<[string, number, number, number, number], { prescription_id: string; record: string }>(
      `SELECT prescription_id, record FROM rx_prescriptions
        WHERE route_pharmacy = ? AND state = 'active' AND claim_from <= ? AND claim_until > ? AND submitted_idx > ?
        ORDER BY submitted_idx LIMIT ?`,
    ),
    assignments: db.prepare<[string], { prescription_id: string; record: string; state: string }>(
      'SELECT prescription_id, record, state FROM rx_prescriptions WHERE courier_id = ? ORDER BY submitted_idx',
    ),
  };
  // The last records written or read, with the text they were stored as: a row whose text is
  // exactly what was remembered is that record, and is not parsed again (a submission's check
  // reads back the record written a moment before). Any other text is parsed, so a rolled-back
  // write or a row changed by other means can never be answered from here.
  const cache = new Map<string, { readonly text: string; readonly record: PrescriptionRecord }>();
  const remember = (id: string, text: string, record: PrescriptionRecord): void => {
    if (!cache.delete(id) && cache.size >= RECORD_CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(id, { text, record });
  };
  const write = (r: PrescriptionRecord): void => {
    const current = r.fills[r.fill]!;
    const text = recordText(r);
    q.upsert.run(
      r.prescriptionId,
      r.pseudonym,
      r.state,
      r.routing.mode === 'open' ? null : r.routing.pharmacyId,
      r.holder,
      r.delivery?.courierId ?? null,
      r.submittedAt,
      current.opensAt,
      r.fills[r.fills.length - 1]!.closesAt,
      text,
      JSON.stringify(livePrescriptionFixedPart(r)),
    );
    remember(r.prescriptionId, text, r);
  };
  /** Records put inside deferWrites, by id, in the order first put (the rows' insertion order, as before). */
  let held: Map<string, PrescriptionRecord> | undefined;
  const flush = (): void => {
    if (held === undefined) return;
    for (const r of held.values()) write(r);
    held.clear();
  };
  const parse = (row: { prescription_id: string; record: string }): PrescriptionRecord => {
    const known = cache.get(row.prescription_id);
    if (known !== undefined && known.text === row.record) return known.record;
    const record = JSON.parse(row.record) as PrescriptionRecord;
    remember(row.prescription_id, row.record, record);
    return record;
  };
  return {
    prescription(id) {
      const kept = held?.get(id);
      if (kept !== undefined) return kept;
      const row = q.get.get(id);
      return row && parse(row);
    },
    livePrescriptionsOf(pseudonym, exceptId) {
      // A held record the query could return (a revision's superseded original) is written first;
      // the one being checked, the usual held record, is excluded by the query anyway.
      if (held !== undefined && [...held.values()].some((r) => r.pseudonym === pseudonym && r.prescriptionId !== exceptId)) flush();
      // The check's part of each record from its own column: parsing whole records (a few KB
      // each, seldom still in the record cache by the patient's next visit) was about a tenth of
      // the event loop's time per submission (docs/BENCHMARKS.md).
      return q.livePrescriptionsOf.all(pseudonym, exceptId).map((row) => livePrescription(row.prescription_id, row.state, row.claim_until, JSON.parse(row.check_summary) as LivePrescriptionFixedPart));
    },
    traceabilityCode(code) {
      const row = q.code.get(code);
      return row && { prescriptionId: row.prescription_id, index: row.idx };
    },
    applyPrescription(m) {
      if (m.kind === 'rx-trace-codes') {
        for (const code of m.codes) q.insertCode.run(code, m.prescriptionId, m.index);
        return;
      }
      if (held !== undefined) held.set(m.record.prescriptionId, m.record);
      else write(m.record);
    },
    deferWrites(fn) {
      if (held !== undefined) return fn();
      held = new Map();
      try {
        const result = fn();
        flush();
        return result;
      } finally {
        held = undefined;
      }
    },
    queue(pharmacyId, now, after, limit) {
      flush();
      const rows = q.queue.all(pharmacyId, now, now, after, limit + 1).map(parse);
      const items = rows.slice(0, limit);
      return rows.length > limit ? { items, next: items[items.length - 1]!.submittedAt } : { items };
    },
    assignments(courierId) {
      flush();
      return q.assignments.all(courierId).filter((row) => OPEN_DELIVERY_STATES.includes(row.state)).map(parse);
    },
  };
}
