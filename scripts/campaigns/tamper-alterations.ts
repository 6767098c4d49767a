/**
 * The alterations the tamper campaign applies to a copy of the original database, one per copy,
 * each drawn from a seeded PRNG. Every kind works on the stored bytes and rows, behind the
 * ledger's back, with constraints (foreign keys, CHECKs) switched off the way anyone editing the
 * file could. What an alteration really changed is established afterwards by comparing the copy
 * with the original (tamper-snapshot.ts), not taken from its description.
 */
import { copyFileSync, truncateSync } from 'node:fs';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { parseCheckpoint, formatCheckpoint } from '../../src/core/checkpoint.js';
import { encodeEntry, encodePrev, parseEntry } from '../../src/core/entry.js';
import { createNoteSigner, createSigningKey } from '../../src/core/note-keys.js';
import { formatSignedNote, parseSignedNote, signNote } from '../../src/core/signed-note.js';
import type { TamperOriginal } from './tamper-original.js';

/** Seeded choices. */
export class Dice {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('nothing to pick from');
    return items[this.int(items.length)]!;
  }
  hex(bytes: number): string {
    return Array.from({ length: bytes * 2 }, () => '0123456789abcdef'[this.int(16)]).join('');
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
}

export interface AlterationContext {
  readonly dice: Dice;
  /** The copy: the original's database file, and its WAL unless the kind writes its own. */
  readonly dbPath: string;
  readonly walPath: string;
  readonly original: TamperOriginal;
}

export interface AppliedAlteration {
  /** What was done, for reports (ids and positions, never payloads). */
  readonly description: string;
  /**
   * An inserted entry that is itself well formed and links to the one before: nothing at its own
   * index betrays it unless a stored subtree ends there, so its fault may show at the next index.
   */
  readonly wellFormedInsert?: boolean;
}

export interface AlterationKind {
  readonly name: string;
  /** The categories: entry bytes, rows, tables, checkpoints, WAL. */
  readonly family: string;
  /** How many slots the kind gets in each block of the schedule. */
  readonly weight: number;
  /** True if the copy needs the original's WAL beside it (false: the kind writes the WAL itself). */
  readonly withWal?: boolean;
  apply(ctx: AlterationContext): AppliedAlteration;
}

const leafHash = (data: Uint8Array): Buffer => createHash('sha256').update(Buffer.from([0])).update(data).digest();

/** Runs `edit` on the copy, read-write, constraints off, in one transaction. */
function editCopy<T>(ctx: AlterationContext, edit: (db: Database.Database) => T): T {
  const db = new Database(ctx.dbPath);
  try {
    db.pragma('foreign_keys = OFF');
    db.pragma('ignore_check_constraints = ON');
    return db.transaction(() => edit(db))();
  } finally {
    db.close();
  }
}

const count = (db: Database.Database, table: string, where = ''): number => db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table} ${where}`).get()!.n;

/** A random row of `table` (optionally filtered), or undefined if none. */
function randomRow<R>(db: Database.Database, dice: Dice, table: string, columns: string, where = '', order = ''): R | undefined {
  const n = count(db, table, where);
  if (n === 0) return undefined;
  return db.prepare<[number], R>(`SELECT ${columns} FROM ${table} ${where} ${order} LIMIT 1 OFFSET ?`).get(dice.int(n));
}

function flipByte(dice: Dice, bytes: Uint8Array): { bytes: Buffer; at: number } {
  const out = Buffer.from(bytes);
  const at = dice.int(out.length);
  out[at] = out[at]! ^ (1 + dice.int(255));
  return { bytes: out, at };
}

/** Moves entries at `from` and after one place up, leaving `from` free. */
function shiftEntriesUp(db: Database.Database, from: number): void {
  const far = 1_000_000_000;
  db.prepare('UPDATE entries SET idx = idx + ? WHERE idx >= ?').run(far, from);
  db.prepare('UPDATE entries SET idx = idx - ? WHERE idx >= ?').run(far - 1, far);
}

// --- Entry bytes, leaf hashes and tree nodes -------------------------------------------------

const entryByteFlip: AlterationKind = {
  name: 'entry-byte-flip',
  family: 'entry bytes',
  weight: 2,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const row = randomRow<{ idx: number; data: Buffer }>(db, ctx.dice, 'entries', 'idx, data')!;
      let data: Buffer = Buffer.from(row.data);
      const flips = 1 + ctx.dice.int(3);
      const at: number[] = [];
      for (let k = 0; k < flips; k++) {
        const f = flipByte(ctx.dice, data);
        data = f.bytes;
        at.push(f.at);
      }
      db.prepare('UPDATE entries SET data = ? WHERE idx = ?').run(data, row.idx);
      return { description: `entry ${row.idx}: ${flips} byte(s) flipped at offset(s) ${at.join(', ')}` };
    });
  },
};

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SIGNATURE_MARKER = Buffer.from('{"body":{"signature":"');

const entrySignatureEdit: AlterationKind = {
  name: 'entry-signature-edit',
  family: 'entry bytes',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      // Statements' envelopes start with their signature (members are sorted).
      const where = `WHERE substr(data, 1, ${SIGNATURE_MARKER.length}) = X'${SIGNATURE_MARKER.toString('hex')}'`;
      const row = randomRow<{ idx: number; data: Buffer }>(db, ctx.dice, 'entries', 'idx, data', where)!;
      const data = Buffer.from(row.data);
      // 64 bytes are 86 significant base64 characters then "=="; the 86th carries unused bits.
      const at = SIGNATURE_MARKER.length + ctx.dice.int(85);
      const old = String.fromCharCode(data[at]!);
      let next = old;
      while (next === old) next = ctx.dice.pick([...BASE64]);
      data[at] = next.charCodeAt(0);
      // The stored leaf hash is made to match: only the signature check can tell.
      db.prepare('UPDATE entries SET data = ?, leaf_hash = ? WHERE idx = ?').run(data, leafHash(data), row.idx);
      return { description: `entry ${row.idx}: one character of its statement's signature changed, leaf hash recomputed` };
    });
  },
};

const leafHashFlip: AlterationKind = {
  name: 'leaf-hash-flip',
  family: 'entry bytes',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const row = randomRow<{ idx: number; leaf_hash: Buffer }>(db, ctx.dice, 'entries', 'idx, leaf_hash')!;
      const { bytes, at } = flipByte(ctx.dice, row.leaf_hash);
      db.prepare('UPDATE entries SET leaf_hash = ? WHERE idx = ?').run(bytes, row.idx);
      return { description: `entry ${row.idx}: stored leaf hash byte ${at} flipped` };
    });
  },
};

const treeNodeFlip: AlterationKind = {
  name: 'tree-node-flip',
  family: 'entry bytes',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const row = randomRow<{ level: number; idx: number; hash: Buffer }>(db, ctx.dice, 'tree_nodes', 'level, idx, hash')!;
      const { bytes, at } = flipByte(ctx.dice, row.hash);
      db.prepare('UPDATE tree_nodes SET hash = ? WHERE level = ? AND idx = ?').run(bytes, row.level, row.idx);
      return { description: `tree node (${row.level}, ${row.idx}): byte ${at} flipped` };
    });
  },
};

// --- Rows: deleted, reordered, inserted ------------------------------------------------------

const entryRowDelete: AlterationKind = {
  name: 'entry-row-delete',
  family: 'rows',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const row = randomRow<{ idx: number }>(db, ctx.dice, 'entries', 'idx')!;
      db.prepare('DELETE FROM entries WHERE idx = ?').run(row.idx);
      return { description: `entry ${row.idx} deleted` };
    });
  },
};

const treeNodeDelete: AlterationKind = {
  name: 'tree-node-delete',
  family: 'rows',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const row = randomRow<{ level: number; idx: number }>(db, ctx.dice, 'tree_nodes', 'level, idx')!;
      db.prepare('DELETE FROM tree_nodes WHERE level = ? AND idx = ?').run(row.level, row.idx);
      return { description: `tree node (${row.level}, ${row.idx}) deleted` };
    });
  },
};

const treeNodeInsert: AlterationKind = {
  name: 'tree-node-insert',
  family: 'rows',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      // A node no subtree of the log completes (yet): beyond the right edge of some level.
      const size = ctx.original.size;
      const top = Math.floor(Math.log2(size)) + 1;
      const level = 1 + ctx.dice.int(top);
      const idx = Math.floor(size / 2 ** level) + ctx.dice.int(3);
      db.prepare('INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)').run(level, idx, Buffer.from(ctx.dice.bytes(32)));
      return { description: `tree node (${level}, ${idx}) inserted beyond the tree` };
    });
  },
};

const entryRowsSwap: AlterationKind = {
  name: 'entry-rows-swap',
  family: 'rows',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const n = ctx.original.size;
      const i = ctx.dice.int(n - 1);
      const j = ctx.dice.chance(0.5) ? i + 1 : i + 1 + ctx.dice.int(n - i - 1);
      const get = db.prepare<[number], { data: Buffer; leaf_hash: Buffer }>('SELECT data, leaf_hash FROM entries WHERE idx = ?');
      const [a, b] = [get.get(i)!, get.get(j)!];
      const put = db.prepare('UPDATE entries SET data = ?, leaf_hash = ? WHERE idx = ?');
      put.run(b.data, b.leaf_hash, i);
      put.run(a.data, a.leaf_hash, j);
      return { description: `entries ${i} and ${j} swapped (bytes and leaf hashes)` };
    });
  },
};

const entryRowDuplicate: AlterationKind = {
  name: 'entry-row-duplicate',
  family: 'rows',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const n = ctx.original.size;
      const at = ctx.dice.int(n);
      let from = ctx.dice.int(n);
      while (from === at) from = ctx.dice.int(n);
      const copy = db.prepare<[number], { data: Buffer; leaf_hash: Buffer }>('SELECT data, leaf_hash FROM entries WHERE idx = ?').get(from)!;
      shiftEntriesUp(db, at);
      db.prepare('INSERT INTO entries (idx, leaf_hash, data) VALUES (?, ?, ?)').run(at, copy.leaf_hash, copy.data);
      return { description: `a copy of entry ${from} inserted at ${at}, later entries moved up` };
    });
  },
};

const entryRowForge: AlterationKind = {
  name: 'entry-row-forge',
  family: 'rows',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const n = ctx.original.size;
      const at = 1 + ctx.dice.int(n - 1);
      const before = db.prepare<[number], { data: Buffer; leaf_hash: Buffer }>('SELECT data, leaf_hash FROM entries WHERE idx = ?').get(at - 1)!;
      const previous = parseEntry(before.data);
      // An entry the ledger writes itself (no actor signature to fail), well formed, at its own
      // index, linked to the one before, at that entry's time, with the values the log already has.
      const first = parseEntry(db.prepare<[], { data: Buffer }>('SELECT data FROM entries WHERE idx = 0').get()!.data);
      const body = ctx.dice.chance(0.5) ? { type: 'ledger.auth-policy', body: { timestampWindowMs: 300_000 } } : { type: first.type, body: first.body };
      const data = encodeEntry({ v: 1, index: at, prev: encodePrev(before.leaf_hash), time: previous.time, type: body.type, body: body.body });
      shiftEntriesUp(db, at);
      db.prepare('INSERT INTO entries (idx, leaf_hash, data) VALUES (?, ?, ?)').run(at, leafHash(data), Buffer.from(data));
      return { description: `a forged, well-formed ${body.type} entry inserted at ${at}, later entries moved up`, wellFormedInsert: true };
    });
  },
};

// --- Derived-state and registry tables -------------------------------------------------------

interface ColumnSpec {
  readonly name: string;
  readonly json?: boolean;
  readonly bool?: boolean;
}
interface TableSpec {
  readonly table: string;
  readonly key: readonly string[];
  readonly columns: readonly ColumnSpec[];
  /** A fresh key for an inserted row (other unique columns too), given a copied row. */
  fresh(dice: Dice, row: Record<string, unknown>, size: number): Record<string, unknown>;
}

const STATE_TABLES: readonly TableSpec[] = [
  {
    table: 'registry_statements',
    key: ['actor_id', 'nonce'],
    columns: [{ name: 'actor_id' }, { name: 'nonce' }, { name: 'idempotency_key' }, { name: 'request_hash' }, { name: 'idx' }],
    fresh: (dice) => ({ nonce: dice.hex(16), idempotency_key: `idem-${dice.hex(12)}` }),
  },
  {
    table: 'registry_settings',
    key: ['name'],
    columns: [{ name: 'name' }, { name: 'value' }],
    fresh: (dice) => ({ name: `setting${dice.hex(2)}` }),
  },
  {
    table: 'rx_prescriptions',
    key: ['prescription_id'],
    columns: [
      { name: 'record', json: true },
      { name: 'prescription_id' },
      { name: 'pseudonym' },
      { name: 'state' },
      { name: 'route_pharmacy' },
      { name: 'holder' },
      { name: 'courier_id' },
      { name: 'submitted_idx' },
      { name: 'claim_from' },
      { name: 'claim_until' },
    ],
    fresh: (dice) => ({ prescription_id: `rx-forged-${dice.hex(4)}` }),
  },
  {
    table: 'rx_trace_codes',
    key: ['code'],
    columns: [{ name: 'code' }, { name: 'prescription_id' }, { name: 'idx' }],
    fresh: (dice) => ({ code: Array.from({ length: 20 }, () => String(dice.int(10))).join('') }),
  },
  {
    table: 'rule_set_activations',
    key: ['idx'],
    columns: [{ name: 'idx' }, { name: 'hash' }, { name: 'policy', json: true }],
    fresh: (dice, _row, size) => ({ idx: 3 + dice.int(size - 3) }),
  },
];

const REGISTRY_TABLES: readonly TableSpec[] = [
  {
    table: 'registry_institutions',
    key: ['institution_id'],
    columns: [{ name: 'institution_id' }, { name: 'kind' }, { name: 'region' }, { name: 'delivers', bool: true }],
    fresh: (dice) => ({ institution_id: `forged-inst-${dice.hex(3)}` }),
  },
  {
    table: 'registry_actors',
    key: ['actor_id'],
    columns: [{ name: 'actor_id' }, { name: 'role' }, { name: 'institution_id' }, { name: 'region' }, { name: 'privileges', json: true }, { name: 'suspended', bool: true }],
    fresh: (dice) => ({ actor_id: `forged-actor-${dice.hex(3)}` }),
  },
  {
    table: 'registry_keys',
    key: ['key_id'],
    columns: [{ name: 'key_id' }, { name: 'actor_id' }, { name: 'public_key' }, { name: 'not_before' }, { name: 'not_after' }, { name: 'revoked_at' }],
    fresh: (dice) => ({ key_id: dice.hex(8) }),
  },
];

/** Other values of a column in the table, for plausible edits (another row's holder, state…). */
function otherValues(db: Database.Database, table: string, column: string): unknown[] {
  return db.prepare<[], { v: unknown }>(`SELECT DISTINCT ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL LIMIT 50`).all().map((r) => r.v);
}

function mutateText(dice: Dice, text: string): string {
  if (text.length === 0) return 'x';
  const at = dice.int(text.length);
  const alphabet = /^[0-9a-f]+$/.test(text) ? '0123456789abcdef' : /^[0-9]+$/.test(text) ? '0123456789' : 'abcdefghijklmnopqrstuvwxyz0123456789-';
  let c = text[at]!;
  while (c === text[at]) c = dice.pick([...alphabet]);
  return text.slice(0, at) + c + text.slice(at + 1);
}

/** A changed leaf somewhere in a JSON value (or an element dropped from an array). */
function mutateJson(dice: Dice, value: unknown): unknown {
  const leaves: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const arrays: unknown[][] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (v.length > 0) arrays.push(v);
      v.forEach((x, i) => (x !== null && typeof x === 'object' ? walk(x) : leaves.push({ parent: v, key: i })));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) (x !== null && typeof x === 'object' ? walk(x) : leaves.push({ parent: v as Record<string, unknown>, key: k }));
    }
  };
  walk(value);
  if (arrays.length > 0 && (leaves.length === 0 || dice.chance(0.1))) {
    dice.pick(arrays).splice(0, 1);
    return value;
  }
  if (leaves.length === 0) return { forged: true };
  const { parent, key } = dice.pick(leaves);
  const old = (parent as Record<string | number, unknown>)[key];
  const next = typeof old === 'string' ? mutateText(dice, old) : typeof old === 'number' ? old + 1 + dice.int(1000) : typeof old === 'boolean' ? !old : 'x';
  (parent as Record<string | number, unknown>)[key] = next;
  return value;
}

/** A value for `column` different from `old`. */
function newValue(db: Database.Database, dice: Dice, table: string, column: ColumnSpec, old: unknown): unknown {
  if (column.bool && typeof old === 'number') return old === 1 ? 0 : 1;
  if (column.json && typeof old === 'string') return JSON.stringify(mutateJson(dice, JSON.parse(old) as unknown));
  if (Buffer.isBuffer(old)) return flipByte(dice, old).bytes;
  const others = otherValues(db, table, column.name).filter((v) => v !== old && !Buffer.isBuffer(v));
  if (others.length > 0 && dice.chance(0.5)) return dice.pick(others);
  if (old === null) return others.length > 0 ? dice.pick(others) : dice.chance(0.5) ? 'x' : 1;
  if (typeof old === 'number') return dice.chance(0.1) ? null : old + (dice.chance(0.5) ? 1 : -1) * (1 + dice.int(1000));
  if (typeof old === 'string') return mutateText(dice, old);
  return null;
}

const keyWhere = (spec: TableSpec): string => spec.key.map((k) => `${k} = ?`).join(' AND ');
const keyValues = (spec: TableSpec, row: Record<string, unknown>): unknown[] => spec.key.map((k) => row[k]);
const keyText = (spec: TableSpec, row: Record<string, unknown>): string => spec.key.map((k) => String(row[k])).join('/');

/** One edit of one table: a value changed, a row deleted, a row inserted or two rows' values swapped. */
function editTable(db: Database.Database, dice: Dice, spec: TableSpec, size: number): string {
  const cols = spec.columns.map((c) => c.name).join(', ');
  const rows = count(db, spec.table);
  const op = dice.random();
  const row = randomRow<Record<string, unknown>>(db, dice, spec.table, cols)!;
  if (op < 0.15) {
    db.prepare(`DELETE FROM ${spec.table} WHERE ${keyWhere(spec)}`).run(...keyValues(spec, row));
    return `${spec.table}: row ${keyText(spec, row)} deleted`;
  }
  if (op < 0.3) {
    const inserted = { ...row, ...spec.fresh(dice, row, size) };
    db.prepare(`INSERT INTO ${spec.table} (${cols}) VALUES (${spec.columns.map(() => '?').join(', ')})`).run(...spec.columns.map((c) => inserted[c.name]));
    return `${spec.table}: row ${keyText(spec, inserted)} inserted (a copy of ${keyText(spec, row)} under a new key)`;
  }
  // Swapped or changed values: key columns as well as the others (a changed key is a row gone
  // and another come).
  const column = spec.columns[0]!.json && dice.chance(0.5) ? spec.columns[0]! : dice.pick(spec.columns);
  if (op < 0.45 && rows > 1) {
    let other = randomRow<Record<string, unknown>>(db, dice, spec.table, cols)!;
    while (keyText(spec, other) === keyText(spec, row)) other = randomRow<Record<string, unknown>>(db, dice, spec.table, cols)!;
    // Through a value no row holds, so neither a key nor a unique column collides half-way.
    const set = db.prepare(`UPDATE ${spec.table} SET ${column.name} = ? WHERE ${keyWhere(spec)}`);
    const park = `parked-${dice.hex(8)}`;
    set.run(park, ...keyValues(spec, row));
    set.run(row[column.name], ...keyValues(spec, other));
    set.run(other[column.name], ...keyValues(spec, { ...row, [column.name]: park }));
    return `${spec.table}: ${column.name} swapped between rows ${keyText(spec, row)} and ${keyText(spec, other)}`;
  }
  const value = newValue(db, dice, spec.table, column, row[column.name]);
  db.prepare(`UPDATE ${spec.table} SET ${column.name} = ? WHERE ${keyWhere(spec)}`).run(value, ...keyValues(spec, row));
  return `${spec.table}: ${column.name} of row ${keyText(spec, row)} changed`;
}

/** Tries an edit; one that breaks a constraint SQLite enforces whatever the pragmas is rolled back and drawn again. */
function editSomeTable(ctx: AlterationContext, specs: readonly TableSpec[], extra?: (db: Database.Database) => string | undefined): AppliedAlteration {
  for (let attempt = 0; ; attempt++) {
    try {
      return editCopy(ctx, (db) => {
        const special = extra?.(db);
        if (special !== undefined) return { description: special };
        return { description: editTable(db, ctx.dice, ctx.dice.pick(specs), ctx.original.size) };
      });
    } catch (err) {
      // A value the schema refuses (a duplicate key, a NULL where none may be, text for a rowid)
      // is drawn again.
      const code = String((err as { code?: unknown }).code);
      if (attempt >= 20 || !(code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH')) throw err;
    }
  }
}

const stateTableEdit: AlterationKind = {
  name: 'state-table-edit',
  family: 'tables',
  weight: 4,
  apply(ctx) {
    return editSomeTable(ctx, STATE_TABLES, (db) => {
      // The log-state row's derived columns, as often as one table.
      if (!ctx.dice.chance(1 / (STATE_TABLES.length + 1))) return undefined;
      const row = db.prepare<[], { origin: string; keys_entry_index: number | null }>('SELECT origin, keys_entry_index FROM log_state').get()!;
      if (ctx.dice.chance(0.5)) {
        db.prepare('UPDATE log_state SET origin = ?').run(mutateText(ctx.dice, row.origin));
        return 'log_state: origin changed';
      }
      const next = ctx.dice.chance(0.2) ? null : (row.keys_entry_index ?? 0) + 1 + ctx.dice.int(ctx.original.size);
      db.prepare('UPDATE log_state SET keys_entry_index = ?').run(next);
      return 'log_state: keys_entry_index changed';
    });
  },
};

const registryTableEdit: AlterationKind = {
  name: 'registry-table-edit',
  family: 'tables',
  weight: 3,
  apply: (ctx) => editSomeTable(ctx, REGISTRY_TABLES),
};

const ruleSetBundleEdit: AlterationKind = {
  name: 'rule-set-bundle-edit',
  family: 'tables',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const row = randomRow<{ hash: string; bytes: Buffer }>(db, ctx.dice, 'rule_set_bundles', 'hash, bytes')!;
      if (ctx.dice.chance(0.3)) {
        db.prepare('DELETE FROM rule_set_bundles WHERE hash = ?').run(row.hash);
        return { description: `rule-set bundle ${row.hash.slice(0, 12)}… deleted` };
      }
      const { bytes, at } = flipByte(ctx.dice, row.bytes);
      db.prepare('UPDATE rule_set_bundles SET bytes = ? WHERE hash = ?').run(bytes, row.hash);
      return { description: `rule-set bundle ${row.hash.slice(0, 12)}…: byte ${at} flipped` };
    });
  },
};

// --- Checkpoints -----------------------------------------------------------------------------

function latestNote(db: Database.Database): string {
  return db.prepare<[], { latest_checkpoint: string }>('SELECT latest_checkpoint FROM log_state').get()!.latest_checkpoint;
}

/** Replaces a note wherever it is stored (the latest in log_state, the history row), or only in log_state. */
function replaceNote(db: Database.Database, old: string, next: string, onlyLatest = false): void {
  db.prepare('UPDATE log_state SET latest_checkpoint = ? WHERE latest_checkpoint = ?').run(next, old);
  if (!onlyLatest) db.prepare('UPDATE checkpoints SET note = ? WHERE note = ?').run(next, old);
}

/** The checkpoint text of `note` with its size, root or origin changed. */
function tamperedText(dice: Dice, note: string): { text: string; what: string } {
  const cp = parseCheckpoint(parseSignedNote(note).text);
  const r = dice.random();
  if (r < 0.4) {
    const size = Math.max(0, cp.size + (dice.chance(0.5) ? 1 : -1) * (1 + dice.int(10)));
    return { text: formatCheckpoint({ ...cp, size: size === cp.size ? cp.size + 1 : size }), what: 'size' };
  }
  if (r < 0.9) {
    const root = Buffer.from(cp.rootHash);
    const at = dice.int(32);
    root[at] = root[at]! ^ (1 << dice.int(8));
    return { text: formatCheckpoint({ ...cp, rootHash: root }), what: 'root' };
  }
  return { text: formatCheckpoint({ ...cp, origin: `${cp.origin}x` }), what: 'origin' };
}

const checkpointTamper: AlterationKind = {
  name: 'checkpoint-tamper',
  family: 'checkpoints',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const old = latestNote(db);
      const { text, what } = tamperedText(ctx.dice, old);
      const onlyLatest = ctx.dice.chance(0.2);
      replaceNote(db, old, formatSignedNote({ ...parseSignedNote(old), text }), onlyLatest);
      return { description: `latest checkpoint: ${what} changed, signature kept${onlyLatest ? ' (log_state only)' : ''}` };
    });
  },
};

const checkpointResigned: AlterationKind = {
  name: 'checkpoint-resigned',
  family: 'checkpoints',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const old = latestNote(db);
      const parsed = parseSignedNote(old);
      const same = ctx.dice.chance(0.4);
      const text = same ? parsed.text : tamperedText(ctx.dice, old).text;
      // A well-formed signature under the log's key name, by a key the regulator does not trust.
      const forger = createNoteSigner(createSigningKey(parsed.signatures[0]!.name, ctx.dice.bytes(32)));
      replaceNote(db, old, formatSignedNote(signNote(text, [forger])));
      return { description: `latest checkpoint re-signed by another key under the log's key name${same ? '' : ', text changed'}` };
    });
  },
};

const checkpointSignatureFlip: AlterationKind = {
  name: 'checkpoint-signature-flip',
  family: 'checkpoints',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const latest = latestNote(db);
      const history = db.prepare<[], { size: number; note: string }>('SELECT size, note FROM checkpoints ORDER BY size').all();
      const target = ctx.dice.chance(0.5) ? latest : ctx.dice.pick(history).note;
      const parsed = parseSignedNote(target);
      const sig = parsed.signatures[0]!;
      const flipped = { ...sig, signature: flipByte(ctx.dice, sig.signature).bytes };
      replaceNote(db, target, formatSignedNote({ ...parsed, signatures: [flipped, ...parsed.signatures.slice(1)] }));
      const size = parseCheckpoint(parsed.text).size;
      return { description: `checkpoint at size ${size}${target === latest ? ' (the latest)' : ''}: a signature byte flipped` };
    });
  },
};

const checkpointRollback: AlterationKind = {
  name: 'checkpoint-rollback',
  family: 'checkpoints',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const history = db.prepare<[], { size: number; note: string }>('SELECT size, note FROM checkpoints ORDER BY size').all();
      const r = ctx.dice.random();
      if (r < 0.1) {
        if (ctx.dice.chance(0.5)) db.prepare('UPDATE log_state SET latest_checkpoint = NULL').run();
        else db.prepare('DELETE FROM log_state').run();
        return { description: 'latest checkpoint removed' };
      }
      const older = ctx.dice.pick(history.slice(0, -1));
      db.prepare('UPDATE log_state SET latest_checkpoint = ?').run(older.note);
      // Consistently (the newer history removed too) or only the latest replaced.
      if (r < 0.75) {
        db.prepare('DELETE FROM checkpoints WHERE size > ?').run(older.size);
        return { description: `rolled back to the genuine checkpoint at size ${older.size}, newer ones removed` };
      }
      return { description: `latest checkpoint replaced by the genuine one at size ${older.size}` };
    });
  },
};

const checkpointHistoryTamper: AlterationKind = {
  name: 'checkpoint-history-tamper',
  family: 'checkpoints',
  weight: 1,
  apply(ctx) {
    return editCopy(ctx, (db) => {
      const history = db.prepare<[], { size: number; note: string }>('SELECT size, note FROM checkpoints ORDER BY size').all();
      const older = history.slice(0, -1);
      const row = ctx.dice.pick(older);
      const r = ctx.dice.random();
      if (r < 0.4) {
        const { text, what } = tamperedText(ctx.dice, row.note);
        db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(formatSignedNote({ ...parseSignedNote(row.note), text }), row.size);
        return { description: `stored checkpoint at size ${row.size}: ${what} changed, signature kept` };
      }
      if (r < 0.7 && older.length > 1) {
        let other = ctx.dice.pick(older);
        while (other.size === row.size) other = ctx.dice.pick(older);
        const set = db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?');
        set.run(other.note, row.size);
        set.run(row.note, other.size);
        return { description: `stored checkpoints at sizes ${row.size} and ${other.size} swapped` };
      }
      // A genuine note stored again under a size of its own.
      const taken = new Set(history.map((h) => h.size));
      let size = row.size + 1 + ctx.dice.int(5);
      while (taken.has(size)) size++;
      db.prepare('INSERT INTO checkpoints (size, note, published_ms) VALUES (?, ?, ?)').run(size, row.note, Date.now());
      return { description: `the genuine checkpoint of size ${row.size} stored again as size ${size}` };
    });
  },
};

// --- The write-ahead log ---------------------------------------------------------------------

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

const walTruncate: AlterationKind = {
  name: 'wal-truncate',
  family: 'WAL',
  weight: 2,
  withWal: false,
  apply(ctx) {
    const { walBytes, pageSize } = ctx.original;
    const frame = FRAME_HEADER + pageSize;
    const frames = Math.floor((walBytes - WAL_HEADER) / frame);
    const r = ctx.dice.random();
    // Inside the last frame (only the last commit, the final checkpoint, is lost), at a frame
    // boundary (whole frames kept), anywhere inside a frame, or inside the header (no frame kept).
    const keep =
      r < 0.15
        ? walBytes - 1 - ctx.dice.int(frame)
        : r < 0.55
          ? WAL_HEADER + ctx.dice.int(frames) * frame
          : r < 0.9
            ? WAL_HEADER + ctx.dice.int(walBytes - WAL_HEADER)
            : ctx.dice.int(WAL_HEADER);
    copyFileSync(ctx.original.walPath, ctx.walPath);
    truncateSync(ctx.walPath, keep);
    return { description: `WAL truncated from ${walBytes} to ${keep} bytes (${Math.max(0, Math.floor((keep - WAL_HEADER) / frame))} of ${frames} whole frames kept)` };
  },
};

export const ALTERATION_KINDS: readonly AlterationKind[] = [
  entryByteFlip,
  entrySignatureEdit,
  leafHashFlip,
  treeNodeFlip,
  entryRowDelete,
  treeNodeDelete,
  treeNodeInsert,
  entryRowsSwap,
  entryRowDuplicate,
  entryRowForge,
  stateTableEdit,
  registryTableEdit,
  ruleSetBundleEdit,
  checkpointTamper,
  checkpointResigned,
  checkpointSignatureFlip,
  checkpointRollback,
  checkpointHistoryTamper,
  walTruncate,
];
