/**
 * What the crash campaign checks after each kill, on the files the dead server left, and after each
 * restart, against what the live service serves.
 *
 * On disk (`inspectAfterKill`):
 *   - the verifier (`verifyLog` on the database, registry tables compared with its replay) passes,
 *     and the log extends the checkpoint verified after the previous kill (no rollback);
 *   - every acknowledged write is there: its entry (and its follow-up records, a submission's
 *     check result) at the index and with the leaf hash of its receipt, and of the type it was;
 *     every acknowledged patient identification is in the identity store, every acknowledged
 *     erasure has erased its record;
 *   - nothing is half-applied: entries are contiguous; exactly the complete subtrees of the log's
 *     size are stored; no checkpoint, recorded key set or rule-set activation lies beyond the log;
 *     every projection row (prescriptions, traceability codes, spent nonces and idempotency keys)
 *     is the one the replay derives from the log, and refers only to entries in it; the oversight
 *     fold's cursor is within the log. (A submission without its check result is the verifier's
 *     RX_CHECK_MISMATCH.)
 * Served (`compareServedWithReplay`): each prescription the clients touched, each pharmacy's queue,
 * the courier's assignments, the oversight totals and the log size are what the replay says.
 * Restarted (`checkErasuresApplied`): every erasure the log held when the server died has erased
 * its record by the time the restarted service listens, acknowledged or not.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RxError } from '../../src/core/errors.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { encodeBase64 } from '../../src/core/bytes.js';
import { parseEntry } from '../../src/core/entry.js';
import type { LedgerClient } from '../../src/client/index.js';
import type { MemoryState } from '../../src/domain/memory-state.js';
import { TRACE_FLAG_TYPE } from '../../src/domain/prescription/lifecycle-records.js';
import { effectiveState } from '../../src/domain/prescription/prescription-record.js';
import type { RuleSet } from '../../src/domain/prescription/checker.js';
import { parseBundle } from '../../src/domain/checker/knowledge-bundle.js';
import { createKnowledgeRuleSet } from '../../src/domain/checker/knowledge-rule-set.js';
import { prescriptionDetail, prescriptionStatus } from '../../src/domain/prescription/prescription-summary.js';
import { createNodeEd25519Verifier } from '../../src/platform/node-ed25519.js';
import { nodeMerkleHasher } from '../../src/platform/node-merkle-hasher.js';
import { erasureSearch } from '../../src/patients/recorded-erasures.js';
import { openDbLogSource } from '../../src/verify/db-log-source.js';
import { verifyLog, type VerifyReport } from '../../src/verify/log-verifier.js';
import type { PatientRef } from '../lib/rx-builders.js';
import type { AckedIdentity, AckedWrite, SentWrite } from './crash-load.js';

const LEDGER_FILE = 'ledger.sqlite';
const IDENTITY_FILE = 'identity.sqlite';
/** Entry types that spend no statement of their own. (`rx.flag` spends its refused attempt's, like a signed entry.) */
const UNSIGNED_TYPES = ['ledger.checkpoint-keys', 'ledger.auth-policy', 'ledger.rule-set', 'rx.checked'];

/** What a kill left on disk, as the verifier replayed it. */
export interface DiskState {
  readonly size: number;
  readonly report: VerifyReport;
  /** The replay's derived state (undefined if the verifier stopped before the end). */
  readonly state: MemoryState | undefined;
  /** The latest signed checkpoint, trusted from here on (the next kill's log must extend it). */
  readonly latestCheckpoint: string | undefined;
  /** Stored leaf hashes (base64) by index. */
  readonly leafHashes: readonly string[];
  /**
   * Indexes of `rx.flag` entries. A flag spends its refused attempt's idempotency key, so an
   * unknown write whose key is spent at one of these was refused and flagged before the kill.
   */
  readonly flagIndexes: ReadonlySet<number>;
  /** Identity-store requests: `actor\nidempotencyKey` → the commitment it created. */
  readonly identifyRequests: ReadonlyMap<string, string>;
}

export interface InspectOptions {
  readonly dataDir: string;
  readonly trustedKeys: readonly string[];
  /** The checkpoint verified after the previous kill. */
  readonly previousCheckpoint: string | undefined;
  readonly acked: readonly AckedWrite[];
  /** Acknowledged writes from this index on have not had their entry type checked yet. */
  readonly typeCheckFrom: number;
  readonly ackedIdentities: readonly AckedIdentity[];
  /** Patients identified at set-up (never erased). */
  readonly patients: readonly PatientRef[];
  /** Commitments whose erasure was acknowledged. */
  readonly erased: ReadonlySet<string>;
  /** Commitments an erasure was sent for (acknowledged or not). */
  readonly erasing: ReadonlySet<string>;
  /**
   * Rule sets compiled by earlier inspections, by hash, handed to the verifier so that it does not
   * compile the same bundle after every kill; bundles found on disk are added. A bundle is keyed
   * by the hash of its bytes, so the log's activations select exactly the rule set they name.
   */
  readonly ruleSets: Map<string, RuleSet>;
  /** Prefix for violation sentences ("after kill 17"). */
  readonly label: string;
  readonly violation: (sentence: string) => void;
}

const signatures = createNodeEd25519Verifier();

/** Verifies the database the kill left and checks it for lost or half-applied writes. */
export async function inspectAfterKill(o: InspectOptions): Promise<DiskState> {
  const say = (s: string) => o.violation(`${o.label}: ${s}`);
  let state: MemoryState | undefined;
  const source = openDbLogSource(join(o.dataDir, LEDGER_FILE));
  let report: VerifyReport;
  try {
    report = await verifyLog(source, {
      trustedKeys: o.trustedKeys,
      ...(o.previousCheckpoint === undefined ? {} : { previousCheckpoint: o.previousCheckpoint }),
      hasher: nodeMerkleHasher,
      verifySignature: (sig, msg, pub) => signatures.verify(sig, msg, pub),
      ruleSets: [...o.ruleSets.values()],
      onReplayed: (s) => (state = s),
    });
  } finally {
    await source.close?.();
  }
  if (!report.ok) {
    const f = report.failure;
    say(`the verifier fails: ${f?.code}${f?.index === undefined ? '' : ` at index ${f.index}`}: ${f?.message}`);
  }

  const db = new Database(join(o.dataDir, LEDGER_FILE), { readonly: true, fileMustExist: true });
  let disk: Omit<DiskState, 'report' | 'state' | 'identifyRequests'>;
  try {
    db.exec('BEGIN');
    disk = inspectLedgerTables(db, o, report, state, say);
    db.exec('COMMIT');
  } finally {
    db.close();
  }
  const identifyRequests = inspectIdentityStore(join(o.dataDir, IDENTITY_FILE), o, say);
  return { ...disk, report, state, identifyRequests };
}

function inspectLedgerTables(db: Database.Database, o: InspectOptions, report: VerifyReport, state: MemoryState | undefined, say: (s: string) => void) {
  // Entries: contiguous from 0.
  const leaves = db.prepare<[], { idx: number; leaf_hash: Buffer }>('SELECT idx, leaf_hash FROM entries ORDER BY idx').all();
  const leafHashes: string[] = [];
  for (const r of leaves) leafHashes[r.idx] = encodeBase64(r.leaf_hash);
  const gap = leaves.findIndex((r, i) => r.idx !== i);
  if (gap >= 0) say(`entries are not contiguous: position ${gap} holds index ${leaves[gap]!.idx}`);
  const size = leaves.length;

  // Every acknowledged write, with its follow-up records, at its index with its leaf hash.
  for (const w of o.acked) {
    for (const e of [{ index: w.receipt.index, leafHash: w.receipt.leafHash, type: w.receipt.type }, ...w.receipt.records]) {
      const stored = leafHashes[e.index];
      if (stored === undefined) say(`acknowledged ${e.type} at index ${e.index} (write ${w.seq}, round ${w.round}) is missing: the log holds ${size} entries`);
      else if (stored !== e.leafHash) say(`acknowledged ${e.type} at index ${e.index} (write ${w.seq}, round ${w.round}) has another leaf hash`);
    }
  }
  const data = db.prepare<[number], { data: Buffer }>('SELECT data FROM entries WHERE idx = ?');
  for (const w of o.acked.slice(o.typeCheckFrom)) {
    for (const e of [{ index: w.receipt.index, type: w.receipt.type }, ...w.receipt.records]) {
      const row = data.get(e.index);
      if (row === undefined) continue; // reported above
      const entry = parseEntry(row.data);
      if (entry.type !== e.type) say(`acknowledged ${e.type} at index ${e.index} is stored as ${entry.type}`);
    }
    if (w.receipt.type !== w.action) say(`write ${w.seq} (${w.action}) was acknowledged as ${w.receipt.type}`);
  }

  // Exactly the complete subtrees of a log of this size.
  const levels = new Map(db.prepare<[], { level: number; n: number; top: number }>('SELECT level, count(*) AS n, max(idx) AS top FROM tree_nodes GROUP BY level').all().map((r) => [r.level, r]));
  for (let level = 1; level < 64; level++) {
    const expected = Math.floor(size / 2 ** level);
    const row = levels.get(level);
    if ((row?.n ?? 0) !== expected || (expected > 0 && row?.top !== expected - 1)) say(`tree level ${level} stores ${row?.n ?? 0} nodes (up to ${row?.top ?? '-'}), a log of ${size} has ${expected} complete subtrees there`);
  }

  // Checkpoints, recorded keys and rule-set activations within the log.
  const maxCheckpoint = db.prepare<[], { size: number | null; note: string | null }>('SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1').get();
  const logState = db.prepare<[], { latest_checkpoint: string | null; keys_entry_index: number | null }>('SELECT latest_checkpoint, keys_entry_index FROM log_state WHERE id = 1').get();
  if ((maxCheckpoint?.size ?? 0) > size) say(`a checkpoint covers ${maxCheckpoint!.size} entries, the log holds ${size}`);
  if ((maxCheckpoint?.note ?? null) !== (logState?.latest_checkpoint ?? null)) say('the latest checkpoint in log_state is not the largest stored checkpoint');
  if ((logState?.keys_entry_index ?? -1) >= size) say(`log_state names a key entry at ${logState!.keys_entry_index}, beyond the log`);
  for (const a of db.prepare<[], { idx: number }>('SELECT idx FROM rule_set_activations').all()) {
    const row = data.get(a.idx);
    if (row === undefined || parseEntry(row.data).type !== 'ledger.rule-set') say(`rule-set activation row ${a.idx} has no ledger.rule-set entry`);
  }
  for (const b of db.prepare<[], { hash: string; bytes: Buffer }>('SELECT hash, bytes FROM rule_set_bundles').all()) {
    if (o.ruleSets.has(b.hash)) continue;
    const bundle = parseBundle(b.bytes);
    if (bundle.hash === b.hash) o.ruleSets.set(bundle.hash, createKnowledgeRuleSet(bundle));
  }

  // Projection rows: each the replay's, referring only to entries in the log.
  if (state !== undefined) {
    const rows = db.prepare<[], { prescription_id: string; state: string; submitted_idx: number; record: string }>('SELECT prescription_id, state, submitted_idx, record FROM rx_prescriptions').all();
    for (const row of rows) {
      const rec = state.prescription(row.prescription_id);
      const stored = JSON.parse(row.record) as { lastIndex: number; state: string };
      if (rec === undefined) say(`prescription ${row.prescription_id} is in rx_prescriptions but the log never submitted it`);
      else if (canonicalJson(stored) !== canonicalJson(rec)) say(`prescription ${row.prescription_id}: the stored record (${stored.state}, last entry ${stored.lastIndex}) is not the replay's (${rec.state}, last entry ${rec.lastIndex})`);
      if (row.state !== stored.state || row.submitted_idx >= size || stored.lastIndex >= size) say(`prescription ${row.prescription_id}: the row (${row.state}, submitted at ${row.submitted_idx}) disagrees with its record or lies beyond the log`);
    }
    const replayed = state.prescriptions().length;
    if (rows.length !== replayed) say(`rx_prescriptions holds ${rows.length} prescriptions, the log ${replayed}`);
    for (const c of db.prepare<[], { code: string; prescription_id: string; idx: number }>('SELECT code, prescription_id, idx FROM rx_trace_codes').all()) {
      const first = state.traceabilityCode(c.code);
      if (first?.prescriptionId !== c.prescription_id || first.index !== c.idx) say(`traceability code row (${c.prescription_id}, ${c.idx}) is not the replay's`);
    }
    const statements = db.prepare<[], { actor_id: string; nonce: string; idempotency_key: string; request_hash: string; idx: number }>('SELECT actor_id, nonce, idempotency_key, request_hash, idx FROM registry_statements').all();
    for (const s of statements) {
      const spent = state.idempotency(s.actor_id, s.idempotency_key);
      if (spent?.index !== s.idx || spent.requestHash !== s.request_hash || !state.nonceUsed(s.actor_id, s.nonce)) say(`spent statement row (${s.actor_id}, index ${s.idx}) is not the replay's`);
    }
    const types = report.entryTypes ?? {};
    const signed = Object.entries(types).reduce((n, [type, count]) => (UNSIGNED_TYPES.includes(type) ? n : n + count), 0);
    if (statements.length !== signed) say(`registry_statements holds ${statements.length} spent statements, the log ${signed} signed entries and flagged attempts`);
  }

  // The oversight fold never runs ahead of the log.
  const folded = Number(db.prepare<[], { value: string }>("SELECT value FROM ov_meta WHERE name = 'size'").get()?.value ?? '0');
  if (folded > size) say(`the oversight fold's cursor is at ${folded}, beyond the log's ${size} entries`);
  for (const a of db.prepare<[], { entries: string }>('SELECT entries FROM ov_alerts').all()) {
    const indexes = (JSON.parse(a.entries) as unknown[]).filter((i): i is number => typeof i === 'number');
    if (indexes.some((i) => i >= size)) say('an oversight alert names an entry beyond the log');
  }
  return { size, leafHashes, flagIndexes: flagIndexesOf(db), latestCheckpoint: logState?.latest_checkpoint ?? undefined };
}

/**
 * The flag entries' indexes. The byte search only narrows the scan (canonical JSON writes the
 * envelope's type member exactly so); each candidate is parsed, so a nested member that happens
 * to read the same is not taken for a flag.
 */
function flagIndexesOf(db: Database.Database): Set<number> {
  const needle = Buffer.from(`"type":"${TRACE_FLAG_TYPE}"`);
  const rows = db.prepare<[Buffer], { idx: number; data: Buffer }>('SELECT idx, data FROM entries WHERE instr(data, ?) > 0').all(needle);
  return new Set(rows.filter((r) => parseEntry(r.data).type === TRACE_FLAG_TYPE).map((r) => r.idx));
}

function inspectIdentityStore(path: string, o: InspectOptions, say: (s: string) => void): Map<string, string> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.exec('BEGIN');
    const identities = new Map(db.prepare<[], { commitment: string; erased_at: number | null }>('SELECT commitment, erased_at FROM identities').all().map((r) => [r.commitment, r.erased_at]));
    const requests = new Map(
      db.prepare<[], { actor_id: string; idempotency_key: string; commitment: string }>('SELECT actor_id, idempotency_key, commitment FROM identity_requests').all().map((r) => [`${r.actor_id}\n${r.idempotency_key}`, r.commitment]),
    );
    db.exec('COMMIT');
    for (const p of o.patients) if (identities.get(p.identityCommitment) !== null) say(`patient ${p.pseudonym.slice(0, 12)}… identified at set-up is missing or erased`);
    for (const w of o.ackedIdentities) {
      const commitment = w.patient.identityCommitment;
      if (!identities.has(commitment)) say(`acknowledged identification (write ${w.seq}, round ${w.round}) is missing from the identity store`);
      else if (identities.get(commitment) !== null && !o.erasing.has(commitment)) say(`identity of write ${w.seq} is erased but no erasure was sent`);
      const s = w.signed.statement;
      if (requests.get(`${s.actor}\n${s.idempotencyKey}`) !== commitment) say(`acknowledged identification (write ${w.seq}) is not recorded as its request`);
    }
    for (const commitment of o.erased) if (identities.has(commitment) && identities.get(commitment) === null) say(`an acknowledged erasure left identity ${commitment.slice(0, 12)}… in place`);
    return requests;
  } finally {
    db.close();
  }
}

/**
 * Every `patient.erase-identity` entry among the log's first `size` has erased its record (or the
 * record was never stored): what a restarted service must have done before it listens, whether or
 * not the dead one applied the erasure or its client heard back. Read-only, beside the live service.
 */
export function checkErasuresApplied(dataDir: string, size: number, label: string, violation: (s: string) => void): number {
  const ledger = new Database(join(dataDir, LEDGER_FILE), { readonly: true, fileMustExist: true });
  const identities = new Database(join(dataDir, IDENTITY_FILE), { readonly: true, fileMustExist: true });
  try {
    const erasures = erasureSearch(ledger)(0, size);
    const stored = identities.prepare<[string], { erased_at: number | null }>('SELECT erased_at FROM identities WHERE commitment = ?');
    for (const e of erasures) {
      const row = stored.get(e.identityCommitment);
      if (row !== undefined && row.erased_at === null) violation(`${label}: the erasure at index ${e.index} left identity ${e.identityCommitment.slice(0, 12)}… in place after the restart`);
    }
    return erasures.length;
  } finally {
    identities.close();
    ledger.close();
  }
}

export interface CompareOptions {
  readonly regulator: LedgerClient;
  readonly courier: { readonly id: string; readonly client: LedgerClient };
  readonly pharmacies: readonly string[];
  readonly disk: DiskState;
  /** Prescriptions to compare one by one. */
  readonly ids: Iterable<string>;
  readonly label: string;
  readonly violation: (sentence: string) => void;
}

/**
 * After a restart, before anything is written: what the service serves is what the replay of the
 * log on disk derives. Returns how many comparisons were made.
 */
export async function compareServedWithReplay(o: CompareOptions): Promise<number> {
  const say = (s: string) => o.violation(`${o.label}: ${s}`);
  const state = o.disk.state;
  if (state === undefined) return 0;
  let compared = 0;
  const info = await o.regulator.log();
  if (info.size !== o.disk.size) say(`the service serves a log of ${info.size} entries, the disk holds ${o.disk.size}`);
  compared++;

  for (const id of o.ids) {
    const rec = state.prescription(id);
    let served: unknown;
    try {
      served = await o.regulator.prescription(id);
    } catch (err) {
      if (!(err instanceof RxError && err.code === 'RX_NOT_FOUND')) throw err;
      served = undefined;
    }
    compared++;
    const now = Date.now();
    if (rec === undefined) {
      if (served !== undefined) say(`the service serves ${id}, which the log never submitted`);
      continue;
    }
    if (served === undefined) {
      say(`the service does not know ${id}, which the log holds as ${rec.state}`);
      continue;
    }
    const expected = JSON.parse(JSON.stringify(prescriptionDetail(rec, now))) as Record<string, unknown>;
    const got = { ...(served as Record<string, unknown>) };
    // The reading instant may fall either side of an expiry: `expired` is derived at read time.
    if (got.state === 'expired' && effectiveState(rec, now - 60_000) === 'active') got.state = expected.state;
    const differs = firstDifference(got, expected);
    if (differs !== undefined) say(`the service serves ${id} with another ${differs} than the replay derives (${rec.state}, last entry ${rec.lastIndex})`);
  }

  const all = state.prescriptions();
  for (const pharmacyId of o.pharmacies) {
    const now = Date.now();
    const served: string[] = [];
    let after: number | undefined;
    do {
      const page = await o.regulator.queue(pharmacyId, after === undefined ? { limit: 100 } : { after, limit: 100 });
      served.push(...page.items.map((i) => `${i.prescriptionId}@${i.lastIndex}`));
      after = page.next;
    } while (after !== undefined);
    const expected = all
      .filter((rx) => rx.state === 'active' && rx.routing.mode !== 'open' && rx.routing.pharmacyId === pharmacyId && rx.fills[rx.fill]!.opensAt <= now && rx.fills[rx.fills.length - 1]!.closesAt > now)
      .sort((a, b) => a.submittedAt - b.submittedAt)
      .map((rx) => `${rx.prescriptionId}@${prescriptionStatus(rx, now).lastIndex}`);
    compared++;
    const at = served.findIndex((item, n) => item !== expected[n]);
    if (at >= 0 || served.length !== expected.length) say(`${pharmacyId}'s queue serves ${served.length} prescriptions, the replay derives ${expected.length}; they differ from position ${at >= 0 ? at : Math.min(served.length, expected.length)}`);
  }

  const assignments = (await o.courier.client.assignments(o.courier.id)).items.map((i) => `${i.prescriptionId}@${i.state}@${i.lastIndex}`);
  const expectedAssignments = all
    .filter((rx) => rx.delivery?.courierId === o.courier.id && ['delivery-assigned', 'picked-up', 'in-transit'].includes(rx.state))
    .sort((a, b) => a.submittedAt - b.submittedAt)
    .map((rx) => `${rx.prescriptionId}@${rx.state}@${rx.lastIndex}`);
  compared++;
  const differsAt = assignments.findIndex((item, n) => item !== expectedAssignments[n]);
  if (differsAt >= 0 || assignments.length !== expectedAssignments.length) say(`the courier is served ${assignments.length} open deliveries, the replay derives ${expectedAssignments.length}; they differ from position ${differsAt >= 0 ? differsAt : Math.min(assignments.length, expectedAssignments.length)}`);

  // The oversight projection counts each entry once, whatever the kills interrupted.
  const stats = await o.regulator.oversightStats({ by: 'total', period: 'month' });
  const sum = (figure: string) => stats.rows.reduce((n, row) => n + ((row.counts as Record<string, number>)[figure] ?? 0), 0);
  const types = o.disk.report.entryTypes ?? {};
  const figures: ReadonlyArray<readonly [string, string]> = [
    ['submitted', 'rx.submit'],
    ['overridden', 'rx.override'],
    ['cancelled', 'rx.cancel'],
    ['claimed', 'rx.claim'],
    ['returned', 'rx.return'],
    ['collected', 'rx.collect'],
    ['delivered', 'rx.delivery-complete'],
    ['deliveryFailed', 'rx.delivery-fail'],
  ];
  compared++;
  if (stats.asOf.index !== o.disk.size - 1) say(`the oversight figures are as of index ${stats.asOf.index}, the log ends at ${o.disk.size - 1}`);
  for (const [figure, type] of figures) if (sum(figure) !== (types[type] ?? 0)) say(`oversight counts ${sum(figure)} ${figure}, the log holds ${types[type] ?? 0} ${type} entries`);
  return compared;
}

/** The path of the first member where two JSON values differ (`holder`, `fills.0.lines.1.owing`), or undefined if they are equal. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === undefined || b === undefined) return a === b ? undefined : path || 'value';
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return canonicalJson(a) === canonicalJson(b) ? undefined : path || 'value';
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of [...keys].sort()) {
    const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `actor\nidempotencyKey` of a sent write: how the log and the identity store key a statement. */
export const statementKey = (w: SentWrite): string => `${w.signed.statement.actor}\n${w.signed.statement.idempotencyKey}`;
