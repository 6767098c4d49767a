/**
 * An in-memory projection for the fold's tests: applies updates to maps and answers the view,
 * exactly as the SQLite store does (src/store/oversight-store.ts), without SQL. State values with
 * a `forgetAt` are deleted before the first entry at or after that time (the earliest the store
 * may delete them), unless `forget: false` keeps every value, to compare both.
 */
import type { LedgerEntry } from '../../src/core/entry.js';
import type { DrugClassifier } from '../../src/oversight/drug-classifier.js';
import { foldEntry } from '../../src/oversight/oversight-fold.js';
import type { Alert, OversightView } from '../../src/oversight/oversight-model.js';
import { DEFAULT_OVERSIGHT_SETTINGS, type OversightSettings } from '../../src/oversight/oversight-settings.js';
import { GRAINS, periodsOfDay } from '../../src/oversight/periods.js';

export const GENESIS_PREV = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Lines whose drug code starts with `benzo` are diazepam (a benzodiazepine); `ccb` amlodipine; anything else unresolved. */
export const testClassifier: DrugClassifier = (_hash, drugCode) => {
  if (drugCode.startsWith('benzo')) return { drug: 'diazepam', classes: ['benzodiazepine', 'cns-depressant'] };
  if (drugCode.startsWith('ccb')) return { drug: 'amlodipine', classes: ['dhp-ccb'] };
  return { drug: `code:${drugCode}`, classes: [] };
};

export function memoryProjection(settings: OversightSettings = DEFAULT_OVERSIGHT_SETTINGS, classify: DrugClassifier = testClassifier, options: { forget?: boolean } = {}) {
  const state = new Map<string, { value: unknown; forgetAt: number | undefined }>();
  const expiries = new Map<string, number>();
  const counts = new Map<string, number>();
  const histograms = new Map<string, number>();
  const alerts: Alert[] = [];
  const view: OversightView = {
    get: <T>(ns: string, key: string) => state.get(`${ns}\n${key}`)?.value as T | undefined,
    dueExpiries: (time) =>
      [...expiries].filter(([, at]) => at <= time).map(([prescriptionId, at]) => ({ prescriptionId, at })).sort((a, b) => a.at - b.at || (a.prescriptionId < b.prescriptionId ? -1 : 1)),
  };
  return {
    alerts,
    counts,
    histograms,
    /** The state's keys (`ns\nkey`) and their forgetAt times. */
    state: () => new Map([...state].map(([k, s]) => [k, s.forgetAt])),
    fold(entry: LedgerEntry) {
      if (options.forget !== false) for (const [k, s] of state) if (s.forgetAt !== undefined && s.forgetAt <= entry.time) state.delete(k);
      for (const u of foldEntry(entry, view, { settings, classify })) {
        if (u.kind === 'add') {
          periodsOfDay(u.day).forEach((period, g) => {
            const k = [u.dim, GRAINS[g], period, u.key, u.figure].join('|');
            counts.set(k, (counts.get(k) ?? 0) + u.n);
          });
        } else if (u.kind === 'observe') {
          periodsOfDay(u.day).forEach((period, g) => {
            const k = [u.dim, GRAINS[g], period, u.key, u.metric, u.bucket].join('|');
            histograms.set(k, (histograms.get(k) ?? 0) + 1);
          });
        } else if (u.kind === 'put') {
          if (u.value === undefined) state.delete(`${u.ns}\n${u.key}`);
          else state.set(`${u.ns}\n${u.key}`, { value: JSON.parse(JSON.stringify(u.value)), forgetAt: u.forgetAt });
        } else if (u.kind === 'expiry') {
          if (u.at === null) expiries.delete(u.prescriptionId);
          else expiries.set(u.prescriptionId, u.at);
        } else alerts.push(u.alert);
      }
    },
    /** A counter: `total|day|2026-11-23|all|submitted`. */
    count: (dim: string, grain: string, period: string, key: string, figure: string) => counts.get([dim, grain, period, key, figure].join('|')) ?? 0,
  };
}

/** Builds entries in log order with increasing indexes; times are given. */
export function entryLog() {
  let index = 0;
  const entries: LedgerEntry[] = [];
  const push = (time: number, type: string, body: Record<string, unknown>): LedgerEntry => {
    const entry = { v: 1, index: index++, prev: GENESIS_PREV, time, type, body } as LedgerEntry;
    entries.push(entry);
    return entry;
  };
  const signed = (time: number, action: string, actor: string, payload: Record<string, unknown>, keyId = `key-${actor}`) =>
    push(time, action, { statement: { v: 1, origin: 'test/log', actor, keyId, action, payload, timestamp: time, nonce: `n${index}`, idempotencyKey: `idem-${index}` }, signature: 'sig' });
  return {
    entries,
    push,
    signed,
    /** rx.submit followed by its rx.checked, like the ledger writes them. */
    submit(time: number, o: { id: string; prescriber: string; patient: string; drugCode?: string; days?: number; quantity?: string; outcome?: 'active' | 'awaiting-override' | 'rejected'; findings?: Array<{ ruleId: string; action: string }>; date?: string; repeats?: number; institution?: string; revises?: string }) {
      const days = o.days ?? 7;
      const submitted = signed(time, 'rx.submit', o.prescriber, {
        prescription: {
          prescriptionId: o.id,
          prescriberId: o.prescriber,
          institutionId: o.institution ?? 'hosp-1',
          encounter: { type: 'outpatient', date: o.date ?? '2026-11-23', longPrescription: o.repeats !== undefined, validityDays: 1 },
          patient: { pseudonym: o.patient, identityCommitment: 'c'.repeat(64) },
          items: [{ line: 1, drugCode: o.drugCode ?? 'ccb-1', genericName: 'x', days, quantity: { value: o.quantity ?? String(days), unit: '片' }, ...(o.repeats ? { repeats: { count: o.repeats, intervalDays: days } } : {}) }],
        },
        routing: { mode: 'nominated', pharmacyId: 'ph-1' },
        ...(o.revises === undefined ? {} : { revises: o.revises }),
      });
      push(time, 'rx.checked', { prescriptionId: o.id, submission: submitted.index, ruleSet: 'f'.repeat(64), inputHash: 'e'.repeat(64), outcome: o.outcome ?? 'active', findings: o.findings ?? [] });
      return submitted;
    },
    step: (time: number, action: string, actor: string, id: string, payload: Record<string, unknown> = {}) => signed(time, action, actor, { prescriptionId: id, previous: 0, ...payload }),
  };
}

/** 2026-11-23 00:00 in China Standard Time (a Monday). */
export const MONDAY_CST = Date.UTC(2026, 10, 22, 16, 0);
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Ten days of two prescribers' prescriptions: figures in several days and periods, and alerts of several kinds. */
export function sampleLog(): LedgerEntry[] {
  const log = entryLog();
  const P = 'a'.repeat(64);
  let n = 0;
  for (let d = 0; d < 10; d++) {
    for (const dr of ['dr-a', 'dr-b']) {
      const id = `rx-${String(n++).padStart(6, '0')}`;
      const t0 = MONDAY_CST + d * DAY + 10 * HOUR;
      // Issued that day (China Standard Time), so still claimable an hour later.
      const date = new Date(t0 + 8 * HOUR).toISOString().slice(0, 10);
      log.submit(t0, { id, prescriber: dr, patient: d % 3 === 0 ? P : `${d}`.repeat(64).slice(0, 64), drugCode: d % 2 ? 'benzo-1' : 'ccb-1', outcome: d === 4 ? 'awaiting-override' : 'active', findings: d === 4 ? [{ ruleId: 'r.x', action: 'override' }] : [], date });
      if (d === 4) log.step(t0 + 1000, 'rx.override', dr, id, { reasons: [{ ruleId: 'r.x', code: 'monitored' }] });
      log.step(t0 + HOUR, 'rx.claim', 'rph-1', id, { pharmacyId: 'ph-1', fill: 0 });
      log.step(t0 + HOUR, 'rx.review', 'rph-1', id, { fill: 0, decision: 'approve' });
      log.step(t0 + 2 * HOUR, 'rx.dispense', 'rph-1', id, { fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [] }] });
      if (d % 2) log.step(t0 + 3 * HOUR, 'rx.collect', 'rph-1', id, { fill: 0 });
    }
  }
  return log.entries;
}
