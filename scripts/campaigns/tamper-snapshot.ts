/**
 * What a database holds, logically: every row of every table the ledger's promise covers, keyed by
 * its primary key, with its values digested (BLOBs by their bytes, JSON columns by their value
 * whatever their formatting, rowids ignored). Comparing an altered copy's snapshot with the
 * original's says what an alteration really changed, independently of how it was made:
 *
 *   - nothing: a no-op (the copy holds the same log and the same state), which the verifier must
 *     pass;
 *   - otherwise the *locus* the verifier must name: the first entry affected (an entry, a leaf
 *     hash, a tree node, a rule-set bundle an activation names), else the checkpoints affected,
 *     else the derived-state records changed.
 *
 * The oversight projection (`ov_*`) is left out: it is not the ledger's (docs/OVERSIGHT.md), is
 * folded again from the log, and is rolled back together with its cursor.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { parseCheckpoint } from '../../src/core/checkpoint.js';
import { parseSignedNote } from '../../src/core/signed-note.js';

interface TableSpec {
  readonly name: string;
  readonly key: readonly string[];
  /** Columns holding JSON text, compared by value. */
  readonly json?: readonly string[];
}

const TABLES: readonly TableSpec[] = [
  { name: 'entries', key: ['idx'] },
  { name: 'tree_nodes', key: ['level', 'idx'] },
  { name: 'checkpoints', key: ['size'] },
  { name: 'checkpoint_cosignatures', key: ['size', 'witness'] },
  { name: 'registry_institutions', key: ['institution_id'] },
  { name: 'registry_actors', key: ['actor_id'], json: ['privileges'] },
  { name: 'registry_keys', key: ['key_id'] },
  { name: 'registry_statements', key: ['actor_id', 'nonce'] },
  { name: 'registry_settings', key: ['name'] },
  { name: 'rx_prescriptions', key: ['prescription_id'], json: ['record'] },
  { name: 'rx_trace_codes', key: ['code'] },
  { name: 'rule_set_bundles', key: ['hash'] },
  { name: 'rule_set_activations', key: ['idx'], json: ['policy'] },
];
/** The single log_state row, one pseudo-row per column (so the diff names the column). */
const LOG_STATE_COLUMNS = ['origin', 'latest_checkpoint', 'keys_entry_index'] as const;

/** Rows by table, then by key (JSON of the key values); values are digests. */
export type LogicalSnapshot = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** The raw text of the notes in `checkpoints` and `log_state`, kept to name checkpoint sizes. */
export interface SnapshotNotes {
  readonly latest: string | null;
  readonly history: ReadonlyMap<number, string>;
}

/** A stable text for a JSON value: members sorted, so formatting and member order do not count. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function cell(value: unknown, json: boolean): string {
  if (Buffer.isBuffer(value)) return `x${value.toString('hex')}`;
  if (json && typeof value === 'string') {
    try {
      return `j${stableJson(JSON.parse(value))}`;
    } catch {
      return `s${JSON.stringify(value)}`;
    }
  }
  if (typeof value === 'bigint') return `n${value}`;
  return `${typeof value === 'string' ? 's' : 'v'}${JSON.stringify(value)}`;
}

const digest = (text: string): string => createHash('sha256').update(text).digest('base64');

/** Reads a logical snapshot of the database at `path` (read-only; a WAL beside it is read too). */
export function readLogicalSnapshot(path: string): { snapshot: LogicalSnapshot; notes: SnapshotNotes } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.exec('BEGIN');
    const snapshot = new Map<string, Map<string, string>>();
    for (const spec of TABLES) {
      const rows = new Map<string, string>();
      for (const row of db.prepare<[], Record<string, unknown>>(`SELECT * FROM ${spec.name}`).iterate()) {
        const key = JSON.stringify(spec.key.map((k) => (typeof row[k] === 'bigint' ? String(row[k]) : Buffer.isBuffer(row[k]) ? (row[k] as Buffer).toString('hex') : row[k])));
        const values = Object.keys(row)
          .sort()
          .map((c) => `${c}=${cell(row[c], spec.json?.includes(c) ?? false)}`)
          .join('\n');
        // A duplicated key (a table stripped of its constraints) is a row of its own.
        let unique = key;
        for (let n = 2; rows.has(unique); n++) unique = `${key}#${n}`;
        rows.set(unique, digest(values));
      }
      snapshot.set(spec.name, rows);
    }
    const state = new Map<string, string>();
    const row = db.prepare<[], Record<string, unknown>>('SELECT * FROM log_state').all();
    if (row.length > 1) state.set('"rows"', String(row.length));
    for (const column of LOG_STATE_COLUMNS) if (row[0] !== undefined) state.set(JSON.stringify([column]), digest(cell(row[0][column], false)));
    snapshot.set('log_state', state);
    const latest = (row[0]?.latest_checkpoint as string | null | undefined) ?? null;
    const history = new Map(db.prepare<[], { size: number; note: string }>('SELECT size, note FROM checkpoints').all().map((r) => [r.size, r.note]));
    db.exec('COMMIT');
    return { snapshot, notes: { latest, history } };
  } finally {
    db.close();
  }
}

/** The keys (JSON arrays of key values) that differ between two snapshots, by table. */
export function diffSnapshots(a: LogicalSnapshot, b: LogicalSnapshot): Map<string, string[]> {
  const diff = new Map<string, string[]>();
  for (const table of new Set([...a.keys(), ...b.keys()])) {
    const ra = a.get(table) ?? new Map<string, string>();
    const rb = b.get(table) ?? new Map<string, string>();
    const keys = [...new Set([...ra.keys(), ...rb.keys()])].filter((k) => ra.get(k) !== rb.get(k));
    if (keys.length > 0) diff.set(table, keys);
  }
  return diff;
}

/** A derived-state record changed, with the phrases a failure naming it would contain. */
export interface ChangedRecord {
  readonly table: string;
  readonly key: string;
  /** Any of these in a failure message names the record. */
  readonly names: readonly string[];
}

/** What the verifier must name for an alteration. */
export type Locus =
  | { readonly kind: 'none' }
  /** The first entry whose content, stored leaf hash, completed subtree or re-run rule set differs. */
  | { readonly kind: 'entry'; readonly index: number }
  /** Checkpoints whose stored notes differ, by size (the sizes their notes claim included). */
  | { readonly kind: 'checkpoint'; readonly sizes: readonly number[] }
  | { readonly kind: 'records'; readonly records: readonly ChangedRecord[] };

const keyOf = (key: string): unknown[] => JSON.parse(key.replace(/#\d+$/, '')) as unknown[];

/** How a failure message names a record of each derived-state table (src/verify messages). */
function recordNames(table: string, key: unknown[]): string[] {
  const [a, b] = key.map(String);
  switch (table) {
    case 'registry_institutions':
      return [`institution ${a}`];
    case 'registry_actors':
      return [`actor ${a}`];
    case 'registry_keys':
      return [`key ${a}`];
    case 'registry_statements':
      return [`nonce ${b}`];
    case 'registry_settings':
      return [`setting ${a}`];
    case 'rx_prescriptions':
      return [`prescription ${a}`];
    case 'rx_trace_codes':
      return [`traceability code ${a}`];
    case 'rule_set_activations':
      return [`activation at index ${a}`];
    case 'log_state':
      return [`log_state.${a}`, 'log_state has no row'];
    default:
      return [];
  }
}

function noteSize(note: string | null | undefined): number | undefined {
  if (note === null || note === undefined) return undefined;
  try {
    return parseCheckpoint(parseSignedNote(note).text).size;
  } catch {
    return undefined;
  }
}

/**
 * The locus of a difference. `activations` maps each rule-set hash the original log activates to
 * the index of its first activation: a changed bundle shows where it is first needed.
 */
export function locusOf(
  diff: ReadonlyMap<string, readonly string[]>,
  notes: { readonly original: SnapshotNotes; readonly altered: SnapshotNotes },
  activations: ReadonlyMap<string, number>,
): Locus {
  if (diff.size === 0) return { kind: 'none' };
  const firsts: number[] = [];
  for (const key of diff.get('entries') ?? []) firsts.push(Number(keyOf(key)[0]));
  for (const key of diff.get('tree_nodes') ?? []) {
    const [level, idx] = keyOf(key).map(Number) as [number, number];
    firsts.push(idx * 2 ** level + 2 ** level - 1);
  }
  for (const key of diff.get('rule_set_bundles') ?? []) {
    const at = activations.get(String(keyOf(key)[0]));
    if (at !== undefined) firsts.push(at);
  }
  if (firsts.length > 0) return { kind: 'entry', index: Math.min(...firsts) };
  const sizes = new Set<number>();
  for (const key of diff.get('checkpoints') ?? []) {
    const size = Number(keyOf(key)[0]);
    sizes.add(size);
    for (const note of [notes.original.history.get(size), notes.altered.history.get(size)]) {
      const claimed = noteSize(note);
      if (claimed !== undefined) sizes.add(claimed);
    }
  }
  const latestChanged = (diff.get('log_state') ?? []).some((k) => keyOf(k)[0] === 'latest_checkpoint');
  if (latestChanged) {
    for (const note of [notes.original.latest, notes.altered.latest]) {
      const claimed = noteSize(note);
      if (claimed !== undefined) sizes.add(claimed);
    }
  }
  if (sizes.size > 0 || latestChanged) return { kind: 'checkpoint', sizes: [...sizes].sort((x, y) => x - y) };
  const records: ChangedRecord[] = [];
  for (const [table, keys] of diff) {
    for (const key of keys) records.push({ table, key, names: recordNames(table, keyOf(key)) });
  }
  return { kind: 'records', records };
}
