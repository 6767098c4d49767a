/**
 * The oversight projection in SQLite (migrations 7 and 10): counters and turnaround histograms by
 * dimension, grain and period, alerts, the fold's own state (per-prescription facts and detector
 * windows, each deleted once the fold would read it as none), scheduled expiries, and the cursor:
 * how many log entries have been folded.
 *
 * Contracts:
 *   - `fold` MUST write the counters, histograms, state, alerts and the cursor of a batch in one
 *     transaction: after a crash the projection is exactly that of some prefix of the log and is
 *     resumed from its cursor, so nothing is counted twice or lost.
 *   - The projection is a function of the log and the settings. A database folded with other
 *     settings (or another fold version) is cleared and refolded from index 0 on open.
 *
 * Reads never touch the ledger's tables.
 */
import type { LedgerEntry } from '../core/entry.js';
import { RxError } from '../core/errors.js';
import type { DrugClassifier } from '../oversight/drug-classifier.js';
import { ALERT_KINDS, type Alert, type AlertKind, type OversightUpdate, type OversightView, type StateValue } from '../oversight/oversight-model.js';
import { foldEntry } from '../oversight/oversight-fold.js';
import { FOLD_VERSION, type OversightSettings } from '../oversight/oversight-settings.js';
import { statsRow } from '../oversight/stats-rows.js';
import { GRAINS, periodsOfDay } from '../oversight/periods.js';
import type { AlertSummary, AlertsPage, AlertsQuery, OversightPosition, OversightReads, StatsPage, StatsQuery } from '../oversight/oversight-queries.js';
import type { SqliteDatabase } from './database.js';

export interface OversightStore extends OversightReads {
  position(): OversightPosition;
  /** Whether opening cleared a projection computed with other settings. */
  readonly rebuilt: boolean;
  /** Folds consecutive entries starting at position().size, in one transaction with the cursor. */
  fold(entries: readonly LedgerEntry[]): void;
}

export interface OversightStoreOptions {
  readonly settings: OversightSettings;
  readonly classify: DrugClassifier;
}

const TABLES = ['ov_counts', 'ov_histograms', 'ov_state', 'ov_expiries', 'ov_alerts', 'ov_meta'] as const;

/** What the projection was computed with: settings and fold version, as canonical-enough JSON (fixed key order). */
export function settingsFingerprint(settings: OversightSettings): string {
  return JSON.stringify({ version: FOLD_VERSION, settings });
}

export function createOversightStore(db: SqliteDatabase, options: OversightStoreOptions): OversightStore {
  const q = {
    meta: db.prepare<[string], { value: string }>('SELECT value FROM ov_meta WHERE name = ?'),
    setMeta: db.prepare<[string, string]>('INSERT INTO ov_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
    state: db.prepare<[string, string], { value: string }>('SELECT value FROM ov_state WHERE ns = ? AND key = ?'),
    putState: db.prepare<[string, string, string, number | null]>(
      'INSERT INTO ov_state (ns, key, value, forget_at) VALUES (?, ?, ?, ?) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, forget_at = excluded.forget_at',
    ),
    deleteState: db.prepare<[string, string]>('DELETE FROM ov_state WHERE ns = ? AND key = ?'),
    forgetStates: db.prepare<[number]>('DELETE FROM ov_state WHERE forget_at IS NOT NULL AND forget_at <= ?'),
    due: db.prepare<[number], { prescription_id: string; at: number }>('SELECT prescription_id, at FROM ov_expiries WHERE at <= ? ORDER BY at, prescription_id'),
    firstDue: db.prepare<[], { at: number }>('SELECT at FROM ov_expiries ORDER BY at LIMIT 1'),
    putExpiry: db.prepare<[string, number]>('INSERT INTO ov_expiries (prescription_id, at) VALUES (?, ?) ON CONFLICT (prescription_id) DO UPDATE SET at = excluded.at'),
    deleteExpiry: db.prepare<[string]>('DELETE FROM ov_expiries WHERE prescription_id = ?'),
    add: db.prepare<[string, string, string, string, string, number]>(
      'INSERT INTO ov_counts (dim, grain, period, key, figure, n) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dim, grain, period, key, figure) DO UPDATE SET n = n + excluded.n',
    ),
    observe: db.prepare<[string, string, string, string, string, number, number]>(
      'INSERT INTO ov_histograms (dim, grain, period, key, metric, bucket, n) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dim, grain, period, key, metric, bucket) DO UPDATE SET n = n + excluded.n',
    ),
    alert: db.prepare<[string, string, number, string, string, string, string, string]>(
      'INSERT INTO ov_alerts (id, kind, time, subject_kind, subject_id, summary, details, entries) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
  };
  const meta = (name: string): string | undefined => q.meta.get(name)?.value;

  // A projection computed with other settings would mix two definitions: start again.
  const fingerprint = settingsFingerprint(options.settings);
  const stored = meta('fingerprint');
  const rebuilt = stored !== undefined && stored !== fingerprint;
  if (stored !== fingerprint) {
    db.transaction(() => {
      for (const table of TABLES) db.exec(`DELETE FROM ${table}`);
      q.setMeta.run('fingerprint', fingerprint);
      q.setMeta.run('size', '0');
    }).immediate();
  }

  const position = (): OversightPosition => {
    const time = meta('time');
    return { size: Number(meta('size') ?? '0'), time: time === undefined ? null : Number(time) };
  };

  function fold(entries: readonly LedgerEntry[]): void {
    if (entries.length === 0) return;
    // The projection is derived and resumes from its cursor, so its commit need not wait for an
    // fsync (which would hold the event loop and the ledger's appends): under synchronous=NORMAL
    // a power loss can only take the last folds back to an earlier, consistent cursor. The next
    // durable commit on the connection syncs them anyway.
    db.pragma('synchronous = NORMAL');
    try {
      foldDurablyLater(entries);
    } finally {
      db.pragma('synchronous = FULL');
    }
  }

  function foldDurablyLater(entries: readonly LedgerEntry[]): void {
    const expectAt = (start: number): void => {
      entries.forEach((e, n) => {
        if (e.index !== start + n) throw new RxError('ENTRY_INDEX_MISMATCH', `oversight expected entry ${start + n}, got ${e.index}`, { index: e.index });
      });
    };
    // The batch is computed before the write transaction and only written inside it: the fold
    // may run on its own connection (a worker thread, src/ledger/oversight-thread.ts), and the
    // ledger's commits wait for SQLite's write lock, so the lock is held for the writes alone.
    // Nothing but the fold writes these tables, so what it reads does not change meanwhile.
    const start = position().size;
    expectAt(start);
    const batch = createBatch(q);
    for (const entry of entries) batch.apply(foldEntry(entry, batch, options));
    const flush = batch.prepareFlush();
    const last = entries[entries.length - 1]!;
    db.transaction(() => {
      // Re-read inside the transaction: another fold of the same batch must not apply it twice.
      expectAt(position().size);
      flush();
      // Log times never go back, so what reads as none at the last entry's time does for every
      // later entry: deleted now, which leaves the same state at the same cursor however the log
      // was batched.
      q.forgetStates.run(last.time);
      q.setMeta.run('size', String(last.index + 1));
      q.setMeta.run('time', String(last.time));
    }).immediate();
  }

  return {
    rebuilt,
    position,
    fold,
    stats: (query) => readStats(db, query),
    alerts: (query) => readAlerts(db, query),
    alertSummary(since) {
      const rows = db
        .prepare<[number], { kind: string; n: number; latest: number }>('SELECT kind, count(*) AS n, max(time) AS latest FROM ov_alerts WHERE time >= ? GROUP BY kind')
        .all(since ?? 0);
      const summary = Object.fromEntries(ALERT_KINDS.map((k) => [k, { count: 0, latest: null }])) as AlertSummary;
      for (const r of rows) if ((ALERT_KINDS as readonly string[]).includes(r.kind)) summary[r.kind as AlertKind] = { count: r.n, latest: r.latest };
      return summary;
    },
  };
}

type Statements = {
  firstDue: { get(): { at: number } | undefined };
  state: { get(ns: string, key: string): { value: string } | undefined };
  due: { all(time: number): Array<{ prescription_id: string; at: number }> };
  putState: { run(ns: string, key: string, value: string, forgetAt: number | null): unknown };
  deleteState: { run(ns: string, key: string): unknown };
  putExpiry: { run(id: string, at: number): unknown };
  deleteExpiry: { run(id: string): unknown };
  add: { run(dim: string, grain: string, period: string, key: string, figure: string, n: number): unknown };
  observe: { run(dim: string, grain: string, period: string, key: string, metric: string, bucket: number, n: number): unknown };
  alert: { run(...args: [string, string, number, string, string, string, string, string]): unknown };
};

/**
 * One batch's updates, held in memory and written once at the end: a counter touched by a
 * thousand entries is one upsert, a detector's state one write. Reads see the batch's own writes.
 */
function createBatch(q: Statements): OversightView & { apply(updates: readonly OversightUpdate[]): void; prepareFlush(): () => void } {
  const state = new Map<string, { ns: string; key: string; value: StateValue | undefined; forgetAt?: number; dirty: boolean }>();
  const expiries = new Map<string, number | null>();
  const counts = new Map<string, number>();
  const histograms = new Map<string, number>();
  const alerts: Alert[] = [];
  const sep = '\u0000';
  // The earliest stored expiry, read once: entries before it need no query (most entries are).
  let storedMin = q.firstDue.get()?.at ?? Infinity;
  // A lower bound of the batch's own scheduled expiries (a cancelled one may linger until the next query).
  let heldMin = Infinity;
  return {
    get<T>(ns: string, key: string): T | undefined {
      const k = `${ns}${sep}${key}`;
      const held = state.get(k);
      if (held !== undefined) return held.value as T | undefined;
      const row = q.state.get(ns, key);
      const value = row === undefined ? undefined : (JSON.parse(row.value) as StateValue);
      state.set(k, { ns, key, value, dirty: false });
      return value as T | undefined;
    },
    dueExpiries(time) {
      if (time < storedMin && time < heldMin) return [];
      const due = new Map(q.due.all(time).map((r) => [r.prescription_id, r.at]));
      if (due.size === 0) storedMin = q.firstDue.get()?.at ?? Infinity;
      heldMin = Infinity;
      for (const [id, at] of expiries) {
        if (at !== null && at <= time) due.set(id, at);
        else due.delete(id);
        if (at !== null && at < heldMin) heldMin = at;
      }
      return [...due].map(([prescriptionId, at]) => ({ prescriptionId, at })).sort((a, b) => a.at - b.at || (a.prescriptionId < b.prescriptionId ? -1 : a.prescriptionId > b.prescriptionId ? 1 : 0));
    },
    apply(updates) {
      for (const u of updates) {
        switch (u.kind) {
          case 'add': {
            const k = `${u.dim}${sep}${u.key}${sep}${u.day}${sep}${u.figure}`;
            counts.set(k, (counts.get(k) ?? 0) + u.n);
            break;
          }
          case 'observe': {
            const k = `${u.dim}${sep}${u.key}${sep}${u.day}${sep}${u.metric}${sep}${u.bucket}`;
            histograms.set(k, (histograms.get(k) ?? 0) + 1);
            break;
          }
          case 'put':
            state.set(`${u.ns}${sep}${u.key}`, { ns: u.ns, key: u.key, value: u.value, forgetAt: u.forgetAt, dirty: true });
            break;
          case 'expiry':
            expiries.set(u.prescriptionId, u.at);
            if (u.at !== null && u.at < heldMin) heldMin = u.at;
            break;
          case 'alert':
            alerts.push(u.alert);
            break;
        }
      }
    },
    prepareFlush() {
      // Everything but the statements is worked out before the write transaction, which then
      // holds SQLite's write lock (and the ledger's commits waiting on it) for the writes alone.
      // A day's counters are also its week's and month's: expanded here, once per batch and day.
      const adds = [...rollUp(counts, sep)].map(([k, n]) => [...(k.split(sep) as [string, string, string, string, string]), n] as const);
      const observations = [...rollUp(histograms, sep)].map(([k, n]) => {
        const [dim, grain, period, key, metric, bucket] = k.split(sep) as [string, string, string, string, string, string];
        return [dim, grain, period, key, metric, Number(bucket), n] as const;
      });
      const states = [...state.values()]
        .filter((s) => s.dirty)
        .map((s) => ({ ns: s.ns, key: s.key, text: s.value === undefined ? undefined : JSON.stringify(s.value), forgetAt: s.forgetAt ?? null }));
      const alertRows = alerts.map((a) => [a.id, a.kind, a.time, a.subject.kind, a.subject.id, a.summary, JSON.stringify(a.details), JSON.stringify(a.entries)] as const);
      return () => {
        for (const row of adds) q.add.run(...row);
        for (const row of observations) q.observe.run(...row);
        for (const s of states) {
          if (s.text === undefined) q.deleteState.run(s.ns, s.key);
          else q.putState.run(s.ns, s.key, s.text, s.forgetAt);
        }
        for (const [id, at] of expiries) {
          if (at === null) q.deleteExpiry.run(id);
          else q.putExpiry.run(id, at);
        }
        for (const row of alertRows) q.alert.run(...row);
      };
    },
  };
}

/** `dim␀key␀day␀rest` → `dim␀grain␀period␀key␀rest` for the day, its week and its month, summed. */
function rollUp(byDay: ReadonlyMap<string, number>, sep: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, n] of byDay) {
    const [dim, key, day, ...rest] = k.split(sep) as [string, string, string, ...string[]];
    const periods = periodsOfDay(Number(day));
    GRAINS.forEach((grain, g) => {
      const target = [dim, grain, periods[g], key, ...rest].join(sep);
      out.set(target, (out.get(target) ?? 0) + n);
    });
  }
  return out;
}

function readStats(db: SqliteDatabase, query: StatsQuery): StatsPage {
  const where = ['dim = ?', 'grain = ?', 'period >= ?', 'period <= ?'];
  const args: (string | number)[] = [query.by, query.grain, query.from, query.to];
  if (query.key !== undefined) {
    where.push('key = ?');
    args.push(query.key);
  }
  if (query.after !== undefined) {
    where.push('(period, key) > (?, ?)');
    args.push(query.after.period, query.after.key);
  }
  const cells = db
    .prepare<(string | number)[], { period: string; key: string }>(`SELECT DISTINCT period, key FROM ov_counts WHERE ${where.join(' AND ')} ORDER BY period, key LIMIT ?`)
    .all(...args, query.limit + 1);
  const more = cells.length > query.limit;
  const page = cells.slice(0, query.limit);
  if (page.length === 0) return { rows: [] };
  const first = page[0]!;
  const last = page[page.length - 1]!;
  // The page's cells are contiguous in (period, key) order: read every counter between its ends.
  const range = `dim = ? AND grain = ? AND (period, key) >= (?, ?) AND (period, key) <= (?, ?)${query.key === undefined ? '' : ' AND key = ?'}`;
  const rangeArgs = [query.by, query.grain, first.period, first.key, last.period, last.key, ...(query.key === undefined ? [] : [query.key])];
  const figures = db.prepare<string[], { period: string; key: string; figure: string; n: number }>(`SELECT period, key, figure, n FROM ov_counts WHERE ${range}`).all(...rangeArgs);
  const buckets = db
    .prepare<string[], { period: string; key: string; metric: string; bucket: number; n: number }>(`SELECT period, key, metric, bucket, n FROM ov_histograms WHERE ${range}`)
    .all(...rangeArgs);
  const raw = new Map(page.map((c) => [`${c.period}\u0000${c.key}`, { key: c.key, period: c.period, figures: new Map<string, number>(), histograms: new Map<string, Map<number, number>>() }]));
  for (const f of figures) raw.get(`${f.period}\u0000${f.key}`)?.figures.set(f.figure, f.n);
  for (const b of buckets) {
    const cell = raw.get(`${b.period}\u0000${b.key}`);
    if (cell === undefined) continue;
    const h = cell.histograms.get(b.metric) ?? new Map<number, number>();
    h.set(b.bucket, b.n);
    cell.histograms.set(b.metric, h);
  }
  return { rows: [...raw.values()].map(statsRow), ...(more ? { next: { period: last.period, key: last.key } } : {}) };
}

interface AlertRow {
  seq: number;
  id: string;
  kind: string;
  time: number;
  subject_kind: string;
  subject_id: string;
  summary: string;
  details: string;
  entries: string;
}

function readAlerts(db: SqliteDatabase, query: AlertsQuery): AlertsPage {
  const where = ['time >= ?'];
  const args: (string | number)[] = [query.since ?? 0];
  if (query.kind !== undefined) {
    where.push('kind = ?');
    args.push(query.kind);
  }
  if (query.before !== undefined) {
    where.push('seq < ?');
    args.push(query.before);
  }
  const rows = db.prepare<(string | number)[], AlertRow>(`SELECT * FROM ov_alerts WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`).all(...args, query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    alerts: page.map((r) => ({
      id: r.id,
      kind: r.kind as AlertKind,
      time: r.time,
      subject: { kind: r.subject_kind as Alert['subject']['kind'], id: r.subject_id },
      summary: r.summary,
      details: JSON.parse(r.details) as Alert['details'],
      entries: JSON.parse(r.entries) as number[],
    })),
    ...(rows.length > query.limit ? { next: page[page.length - 1]!.seq } : {}),
  };
}
