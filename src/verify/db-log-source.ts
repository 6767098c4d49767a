/**
 * Reads a ledger database file directly (read-only) for independent verification. It uses its own
 * SQL rather than the ledger's store, so a bug there cannot hide itself here.
 */
import Database from 'better-sqlite3';
import { RxError } from '../core/errors.js';
import type { ClaimedStateTables, LogSource, SourceEntry } from './log-source.js';

const PAGE = 5000;
const toBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export function openDbLogSource(path: string): LogSource {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new RxError('SOURCE_UNAVAILABLE', `cannot open database ${path}`, { cause });
  }
  // One read transaction for the source's life: checkpoint, size, entries, nodes and registry
  // tables all come from the same snapshot, even while a running service appends (WAL readers
  // see a fixed state until they end their transaction).
  db.exec('BEGIN');
  const page = db.prepare<[number, number, number], { idx: number; data: Buffer }>(
    'SELECT idx, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx LIMIT ?',
  );
  const node = db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?');
  const leaf = db.prepare<[number], { hash: Buffer }>('SELECT leaf_hash AS hash FROM entries WHERE idx = ?');
  const nodePage = db.prepare<[number, number, number], { idx: number; hash: Buffer }>('SELECT idx, hash FROM tree_nodes WHERE level = ? AND idx >= ? ORDER BY idx LIMIT ?');
  const leafPage = db.prepare<[number, number], { idx: number; hash: Buffer }>('SELECT idx, leaf_hash AS hash FROM entries WHERE idx >= ? ORDER BY idx LIMIT ?');
  return {
    description: `database ${path}`,
    async checkpoint() {
      const row = db.prepare<[], { latest_checkpoint: string | null }>('SELECT latest_checkpoint FROM log_state WHERE id = 1').get();
      if (row?.latest_checkpoint == null) throw new RxError('CHECKPOINT_MISSING', 'the database holds no checkpoint');
      return row.latest_checkpoint;
    },
    async size() {
      const row = db.prepare<[], { m: number | null }>('SELECT max(idx) AS m FROM entries').get();
      return row?.m == null ? 0 : row.m + 1;
    },
    async *entries(start, end): AsyncIterable<SourceEntry> {
      let next = start;
      while (next < end) {
        const rows = page.all(next, end, PAGE);
        if (rows.length === 0) return;
        for (const r of rows) yield { index: r.idx, data: toBytes(r.data) };
        next = (rows[rows.length - 1] as { idx: number }).idx + 1;
      }
    },
    readStoredNode(level, index) {
      // Level 0 (leaf hashes) is stored beside each entry; higher levels in tree_nodes.
      const row = level === 0 ? leaf.get(index) : node.get(level, index);
      return row === undefined ? undefined : toBytes(row.hash);
    },
    readStoredNodes(level, start, limit) {
      const rows = level === 0 ? leafPage.all(start, limit) : nodePage.all(level, start, limit);
      return rows.map((r) => ({ index: r.idx, hash: toBytes(r.hash) }));
    },
    async checkpointHistory() {
      return db.prepare<[], { note: string }>('SELECT note FROM checkpoints ORDER BY size').all().map((r) => r.note);
    },
    async ruleSetBundle(hash) {
      const row = db.prepare<[string], { bytes: Buffer }>('SELECT bytes FROM rule_set_bundles WHERE hash = ?').get(hash);
      return row === undefined ? undefined : toBytes(row.bytes);
    },
    registrySnapshotName: 'the registry tables',
    async registrySnapshot() {
      return readRegistryTables(db);
    },
    claimedState: () => readStateTables(db),
    close() {
      db.exec('COMMIT');
      db.close();
    },
  };
}

/** The registry tables as a RegistrySnapshot (registry-snapshot.ts), read with this module's own SQL. */
function readRegistryTables(db: Database.Database): unknown {
  const institutions = db
    .prepare<[], { institution_id: string; kind: string; region: string; delivers: number }>('SELECT institution_id, kind, region, delivers FROM registry_institutions ORDER BY institution_id')
    .all()
    .map((r) => ({ institutionId: r.institution_id, kind: r.kind, region: r.region, delivers: r.delivers === 1 }));
  const actors = db
    .prepare<[], { actor_id: string; role: string; institution_id: string | null; region: string | null; privileges: string | null; suspended: number }>(
      'SELECT actor_id, role, institution_id, region, privileges, suspended FROM registry_actors ORDER BY actor_id',
    )
    .all()
    .map((r) => ({ actorId: r.actor_id, role: r.role, institutionId: r.institution_id, region: r.region, privileges: r.privileges === null ? null : parseJsonOrText(r.privileges), suspended: r.suspended === 1 }));
  const keys = db
    .prepare<[], { key_id: string; actor_id: string; public_key: Buffer; not_before: number; not_after: number | null; revoked_at: number | null }>(
      'SELECT key_id, actor_id, public_key, not_before, not_after, revoked_at FROM registry_keys ORDER BY key_id',
    )
    .all()
    .map((r) => ({ keyId: r.key_id, actorId: r.actor_id, publicKey: Buffer.isBuffer(r.public_key) ? r.public_key.toString('base64') : r.public_key, notBefore: r.not_before, notAfter: r.not_after, revokedAt: r.revoked_at }));
  return { institutions, actors, keys };
}

/** A cell's JSON value; a cell that is not JSON is kept as its text, for the comparison to name. */
function parseJsonOrText(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The other derived-state tables (docs/FORMAT.md §9), streamed row by row in key order with this
 * module's own SQL. Identity (a separate file), witness cosignatures and the oversight projection
 * are not derived by the ledger's replay and are not read.
 */
function readStateTables(db: Database.Database): ClaimedStateTables {
  // Raw rows (arrays) streamed in key order: no object per row is built twice.
  const rows = (sql: string): Iterable<unknown[]> => db.prepare<[], unknown[]>(sql).raw().iterate();
  return {
    name: 'the state tables',
    logState() {
      const row = db.prepare<[], { origin: unknown; keys_entry_index: unknown }>('SELECT origin, keys_entry_index FROM log_state WHERE id = 1').get();
      return row === undefined ? undefined : { origin: row.origin, keysEntryIndex: row.keys_entry_index };
    },
    *settings() {
      for (const [name, value] of rows('SELECT name, value FROM registry_settings ORDER BY name')) yield { name, value };
    },
    *statements() {
      for (const [actorId, nonce, idempotencyKey, requestHash, index] of rows('SELECT actor_id, nonce, idempotency_key, request_hash, idx FROM registry_statements ORDER BY actor_id, nonce')) {
        yield { actorId, nonce, idempotencyKey, requestHash, index };
      }
    },
    *prescriptions() {
      const columns = 'prescription_id, pseudonym, state, route_pharmacy, holder, courier_id, submitted_idx, claim_from, claim_until, record';
      const withSummary = db.prepare("SELECT 1 FROM pragma_table_info('rx_prescriptions') WHERE name = 'check_summary'").get() !== undefined;
      for (const [prescriptionId, pseudonym, state, routePharmacy, holder, courierId, submittedIndex, claimFrom, claimUntil, record, checkSummary] of rows(
        `SELECT ${columns}${withSummary ? ', check_summary' : ''} FROM rx_prescriptions`,
      )) {
        const row = { prescriptionId, pseudonym, state, routePharmacy, holder, courierId, submittedIndex, claimFrom, claimUntil, record };
        yield withSummary ? { ...row, checkSummary } : row;
      }
    },
    *traceCodes() {
      for (const [code, prescriptionId, index] of rows('SELECT code, prescription_id, idx FROM rx_trace_codes ORDER BY code')) yield { code, prescriptionId, index };
    },
    *ruleSetActivations() {
      for (const [index, hash, policy] of rows('SELECT idx, hash, policy FROM rule_set_activations ORDER BY idx')) yield { index, hash, policy };
    },
  };
}
