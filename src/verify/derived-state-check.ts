/**
 * Compares the derived state a source claims (a database's state tables, read with the source's
 * own SQL) with the state the verifier's replay derived from the entries, record by record, so an
 * edited, deleted or inserted row is found and named: its table, its key and, where the log wrote
 * it, the entry that last did. Registry institutions, actors and keys are compared separately, as
 * a RegistrySnapshot (registry-snapshot.ts), since export bundles carry them too.
 *
 * Claimed rows are streamed and looked up in the replayed state by key; nothing is materialised
 * twice. What is held while comparing: which replayed records were matched (one byte per entry
 * for statements; the ids of prescriptions and codes).
 *
 * Each differing record is one failure: REGISTRY_SNAPSHOT_MISMATCH for the registry's own tables
 * (statements with their nonces and idempotency keys, settings), STATE_SNAPSHOT_MISMATCH for the
 * others (prescriptions, traceability codes, rule-set activations, the log-state row).
 * (LEDGER_INTEGRITY is the service's refusal to start on a store it cannot trust; these are the
 * verifier's findings about tables it only compares.)
 */
import type { ErrorCode } from '../core/errors.js';
import { livePrescriptionFixedPart, type PrescriptionRecord } from '../domain/prescription/prescription-record.js';
import type { VerifyFailure } from './failure-record.js';
import type { ClaimedPrescriptionRow, ClaimedStateTables } from './log-source.js';
import type { ReplayedState } from './replayed-state.js';

export interface DerivedStateExpectations {
  /** The log's origin (from its verified checkpoint). */
  readonly origin: string;
}

type Report = (failure: VerifyFailure) => void;

/** Reports (through `report`, which may throw to stop) every claimed record that differs from the replay. */
export function checkDerivedState(replayed: ReplayedState, claimed: ClaimedStateTables, expected: DerivedStateExpectations, report: Report): void {
  const fail = (code: ErrorCode, message: string) => report({ code, message: `${claimed.name}: ${message}` });
  checkLogState(replayed, claimed, expected, (m) => fail('STATE_SNAPSHOT_MISMATCH', m));
  checkSettings(replayed, claimed, (m) => fail('REGISTRY_SNAPSHOT_MISMATCH', m));
  checkStatements(replayed, claimed, (m) => fail('REGISTRY_SNAPSHOT_MISMATCH', m));
  checkPrescriptions(replayed, claimed, (m) => fail('STATE_SNAPSHOT_MISMATCH', m));
  checkTraceCodes(replayed, claimed, (m) => fail('STATE_SNAPSHOT_MISMATCH', m));
  checkActivations(replayed, claimed, (m) => fail('STATE_SNAPSHOT_MISMATCH', m));
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/**
 * A key as it appears in a message: strings and numbers as they are (ids, nonces, codes and
 * indexes hold no personal data), anything else by its type.
 */
const shown = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : `${v === null ? 'null' : typeof v} value`);
const writtenBy = (index: number | undefined): string => (index === undefined ? '' : ` (last written by entry ${index})`);

function checkLogState(replayed: ReplayedState, claimed: ClaimedStateTables, expected: DerivedStateExpectations, fail: (m: string) => void): void {
  const row = claimed.logState();
  if (row === undefined) return fail('log_state has no row');
  if (row.origin !== expected.origin) fail(`log_state.origin is not the checkpoint's origin`);
  const keys = replayed.keysEntryIndex;
  if (row.keysEntryIndex !== keys) {
    fail(`log_state.keys_entry_index is ${shown(row.keysEntryIndex)}, the log's last ledger.checkpoint-keys entry is ${keys ?? 'none'}`);
  }
}

function checkSettings(replayed: ReplayedState, claimed: ClaimedStateTables, fail: (m: string) => void): void {
  const window = replayed.state.timestampWindowMs();
  let seen = false;
  for (const row of claimed.settings()) {
    if (row.name !== 'timestampWindowMs' || window === undefined) {
      fail(`registry_settings holds setting ${shown(row.name)}, which no entry the replay accepted records`);
    } else if (seen) {
      fail('registry_settings holds setting timestampWindowMs twice');
    } else {
      seen = true;
      if (row.value !== window) fail(`registry_settings and the log disagree on setting timestampWindowMs${writtenBy(replayed.writer('setting', 'timestampWindowMs'))}`);
    }
  }
  if (window !== undefined && !seen) fail(`registry_settings lacks setting timestampWindowMs${writtenBy(replayed.writer('setting', 'timestampWindowMs'))}`);
}

function checkStatements(replayed: ReplayedState, claimed: ClaimedStateTables, fail: (m: string) => void): void {
  // A statement is identified by the entry that recorded it (one per entry at most): one byte per entry.
  const matched = new Uint8Array(replayed.statementSpan);
  let count = 0;
  for (const row of claimed.statements()) {
    const name = `the statement of ${shown(row.actorId)} with nonce ${shown(row.nonce)}`;
    // Found by (actor, idempotency key), as the ledger looks a retry up; the nonce that statement
    // spent must be the row's.
    const recorded = typeof row.actorId === 'string' && typeof row.idempotencyKey === 'string' ? replayed.state.idempotency(row.actorId, row.idempotencyKey) : undefined;
    if (recorded === undefined) {
      fail(`registry_statements holds ${name}, which no entry the replay accepted records`);
    } else if (matched[recorded.index] === 1) {
      fail(`registry_statements holds ${name} twice${writtenBy(recorded.index)}`);
    } else {
      matched[recorded.index] = 1;
      count++;
      if (row.nonce !== replayed.nonceAt(recorded.index) || row.index !== recorded.index || row.requestHash !== recorded.requestHash) {
        fail(`registry_statements and the log disagree on ${name}${writtenBy(recorded.index)}`);
      }
    }
  }
  if (count < replayed.statementCount) {
    for (const index of replayed.statementIndexes()) {
      if (matched[index] !== 1) {
        // The first is named; how many more is the difference in counts.
        fail(`registry_statements lacks the statement with nonce ${replayed.nonceAt(index)}${writtenBy(index)}`);
        return;
      }
    }
  }
}

/** The columns the store copies out of a record for its lookups, as the record determines them. */
function prescriptionColumns(r: PrescriptionRecord): Omit<ClaimedPrescriptionRow, 'record' | 'checkSummary'> {
  return {
    prescriptionId: r.prescriptionId,
    pseudonym: r.pseudonym,
    state: r.state,
    routePharmacy: r.routing.mode === 'open' ? null : r.routing.pharmacyId,
    holder: r.holder,
    courierId: r.delivery?.courierId ?? null,
    submittedIndex: r.submittedAt,
    claimFrom: r.fills[r.fill]?.opensAt,
    claimUntil: r.fills[r.fills.length - 1]?.closesAt,
  };
}

const COLUMN_NAMES: Readonly<Record<keyof Omit<ClaimedPrescriptionRow, 'record' | 'checkSummary' | 'prescriptionId'>, string>> = {
  pseudonym: 'pseudonym',
  state: 'state',
  routePharmacy: 'route_pharmacy',
  holder: 'holder',
  courierId: 'courier_id',
  submittedIndex: 'submitted_idx',
  claimFrom: 'claim_from',
  claimUntil: 'claim_until',
};

function checkPrescriptions(replayed: ReplayedState, claimed: ClaimedStateTables, fail: (m: string) => void): void {
  const matched = new Set<string>();
  for (const row of claimed.prescriptions()) {
    const id = row.prescriptionId;
    const record = typeof id === 'string' ? replayed.state.prescription(id) : undefined;
    if (record === undefined || typeof id !== 'string') {
      fail(`rx_prescriptions holds prescription ${shown(id)}, which no entry the replay accepted records`);
      continue;
    }
    if (matched.has(id)) {
      fail(`rx_prescriptions holds prescription ${id} twice${writtenBy(record.lastIndex)}`);
      continue;
    }
    matched.add(id);
    const columns = prescriptionColumns(record);
    const differing = (Object.keys(COLUMN_NAMES) as Array<keyof typeof COLUMN_NAMES>).filter((c) => row[c] !== columns[c]).map((c) => COLUMN_NAMES[c]);
    if (!sameJsonText(row.record, record)) differing.push('record');
    // What other prescriptions' checks read of this one: an edit here would change their findings.
    if ('checkSummary' in row && !sameJsonText(row.checkSummary, livePrescriptionFixedPart(record))) differing.push('check_summary');
    if (differing.length > 0) fail(`rx_prescriptions and the log disagree on prescription ${id} [${differing.join(', ')}]${writtenBy(record.lastIndex)}`);
  }
  const all = replayed.state.prescriptions();
  if (matched.size < all.length) {
    const missing = all.find((r) => !matched.has(r.prescriptionId))!;
    fail(`rx_prescriptions lacks prescription ${missing.prescriptionId}${writtenBy(missing.lastIndex)}`);
  }
}

function checkTraceCodes(replayed: ReplayedState, claimed: ClaimedStateTables, fail: (m: string) => void): void {
  const matched = new Set<string>();
  for (const row of claimed.traceCodes()) {
    const recorded = typeof row.code === 'string' ? replayed.state.traceabilityCode(row.code) : undefined;
    if (recorded === undefined || typeof row.code !== 'string') {
      fail(`rx_trace_codes holds traceability code ${shown(row.code)}, which the log never dispensed`);
    } else if (matched.has(row.code)) {
      fail(`rx_trace_codes holds traceability code ${row.code} twice${writtenBy(recorded.index)}`);
    } else {
      matched.add(row.code);
      if (row.prescriptionId !== recorded.prescriptionId || row.index !== recorded.index) {
        fail(`rx_trace_codes and the log disagree on traceability code ${row.code}${writtenBy(recorded.index)}`);
      }
    }
  }
  if (matched.size < replayed.traceCodeCount) {
    const missing = replayed.traceCodes().find((code) => !matched.has(code))!;
    fail(`rx_trace_codes lacks traceability code ${missing}${writtenBy(replayed.state.traceabilityCode(missing)?.index)}`);
  }
}

function checkActivations(replayed: ReplayedState, claimed: ClaimedStateTables, fail: (m: string) => void): void {
  const byIndex = new Map(replayed.activations.map((a) => [a.index, a]));
  const matched = new Set<number>();
  for (const row of claimed.ruleSetActivations()) {
    const activation = isIndex(row.index) ? byIndex.get(row.index) : undefined;
    if (activation === undefined || !isIndex(row.index)) {
      fail(`rule_set_activations holds an activation at index ${shown(row.index)}, which no entry the replay accepted records`);
    } else if (matched.has(row.index)) {
      fail(`rule_set_activations holds the activation at index ${row.index} twice`);
    } else {
      matched.add(row.index);
      if (row.hash !== activation.hash || !sameJsonText(row.policy, activation.policy)) {
        fail(`rule_set_activations and the log disagree on the activation at index ${row.index}`);
      }
    }
  }
  const missing = replayed.activations.find((a) => !matched.has(a.index));
  if (missing !== undefined) fail(`rule_set_activations lacks the activation at index ${missing.index}`);
}

/** True if `text` is JSON text of a value equal to `value` (member order aside). */
function sameJsonText(text: unknown, value: unknown): boolean {
  if (typeof text !== 'string') return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  return equalJson(parsed, value);
}

/**
 * Structural equality of JSON values: objects by their members (whatever their order; a member
 * whose value is undefined counts as absent, as in JSON text), arrays element by element.
 */
export function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalJson(a[i], b[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let defined = 0;
  for (const key of Object.keys(ra)) {
    if (ra[key] === undefined) continue;
    defined++;
    if (!Object.hasOwn(rb, key) || !equalJson(ra[key], rb[key])) return false;
  }
  for (const key of Object.keys(rb)) if (rb[key] !== undefined) defined--;
  return defined === 0;
}
