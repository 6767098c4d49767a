/**
 * The oversight fold: one ledger entry, the projection's state as of the entry before it, and the
 * settings in; the updates to counters, histograms, detector state and alerts out. Pure: no
 * clock (every time is the entry's log time), no I/O, no randomness; the same log and settings
 * always give the same projection (docs/OVERSIGHT.md defines every figure and alert).
 */
import type { LedgerEntry } from '../core/entry.js';
import { RULE_SET_TYPE } from '../domain/checker/rule-set-activation.js';
import { CHECK_RESULT_TYPE, TRACE_FLAG_TYPE } from '../domain/prescription/lifecycle-records.js';
import { detectDoctorShopping } from './detectors/doctor-shopping.js';
import { detectEarlyRefills, type DispensedDrug } from './detectors/early-refill.js';
import { detectOffHoursBurst } from './detectors/off-hours.js';
import { detectOverrideConcentration } from './detectors/override-concentration.js';
import { noteKeyRevocation, noteKeyUse } from './detectors/revoked-key.js';
import { detectTraceCodeReuse } from './detectors/trace-code-reuse.js';
import { detectVolumeSpike } from './detectors/volume-spike.js';
import type { DrugClassifier } from './drug-classifier.js';
import { arr, checkOf, int, obj, statementOf, str, submissionOf, type StatementFacts } from './entry-facts.js';
import { FoldWriter, type DimKey } from './fold-writer.js';
import type { OversightUpdate, OversightView } from './oversight-model.js';
import type { OversightSettings } from './oversight-settings.js';
import { RX_NS, dimKeysOf, linesOfFill, owesOnFill, rxFactsOf, safeMicros, type RxFacts } from './prescription-facts.js';

export interface FoldContext {
  readonly settings: OversightSettings;
  readonly classify: DrugClassifier;
}

interface At {
  readonly index: number;
  readonly time: number;
}

export function foldEntry(entry: LedgerEntry, view: OversightView, ctx: FoldContext): OversightUpdate[] {
  const w = new FoldWriter(view, ctx.settings.utcOffsetMinutes);
  const at: At = { index: entry.index, time: entry.time };
  expireDue(w, entry.time);
  switch (entry.type) {
    case RULE_SET_TYPE: {
      const hash = str(entry.body.hash);
      if (hash !== undefined) w.put('meta', 'ruleSet', hash);
      break;
    }
    case CHECK_RESULT_TYPE:
      foldCheck(w, at, entry);
      break;
    case TRACE_FLAG_TYPE: {
      const attempt = statementOf(entry.body.attempt);
      if (attempt !== undefined) noteKeyUse(w, at, attempt, ctx.settings.revokedKey);
      const id = str(attempt?.payload.prescriptionId);
      const rx = id === undefined ? undefined : w.get<RxFacts>(RX_NS, id);
      if (rx !== undefined) w.add(dimKeysOf(rx), 'flagged', at.time);
      detectTraceCodeReuse(w, at, entry.body.firstDispensed, attempt, rx?.holder ?? null);
      break;
    }
    default: {
      const statement = statementOf(entry.body);
      if (statement === undefined) break;
      noteKeyUse(w, at, statement, ctx.settings.revokedKey);
      if (entry.type === 'registry.key-revoke') {
        const keyId = str(statement.payload.keyId);
        const actorId = str(statement.payload.actorId);
        const reason = str(statement.payload.reason);
        if (keyId !== undefined && actorId !== undefined && reason !== undefined) noteKeyRevocation(w, at, { keyId, actorId, reason }, ctx.settings.revokedKey);
      } else if (entry.type.startsWith('rx.')) {
        foldLifecycle(w, at, entry.type, statement, ctx);
      }
    }
  }
  return w.updates;
}

/** Active prescriptions whose last claim window has closed by `time` expire, counted when the window closed. */
function expireDue(w: FoldWriter, time: number): void {
  for (const { prescriptionId, at } of w.dueExpiries(time)) {
    const rx = w.get<RxFacts>(RX_NS, prescriptionId);
    w.expiry(prescriptionId, null);
    if (rx === undefined || rx.phase !== 'active') continue;
    w.add(dimKeysOf(rx), 'expired', at);
    // Kept: its prescriber may still cancel it, which counts under its dimensions.
    w.put(RX_NS, prescriptionId, { ...rx, phase: 'expired' } satisfies RxFacts);
  }
}

function foldCheck(w: FoldWriter, at: At, entry: LedgerEntry): void {
  const check = checkOf(entry.body);
  const before = check === undefined ? undefined : w.get<RxFacts>(RX_NS, check.prescriptionId);
  if (check === undefined || before === undefined) return;
  const rules = [...new Set(check.findings.map((f) => f.ruleId))].sort();
  const rx: RxFacts = { ...before, rules, phase: check.outcome === 'active' ? 'active' : 'pending' };
  // A rejected prescription is finished: its facts are forgotten (see RxFacts).
  w.put(RX_NS, check.prescriptionId, check.outcome === 'rejected' ? undefined : rx);
  if (rx.phase === 'active') w.expiry(check.prescriptionId, rx.lastClosesAt);
  const keys = dimKeysOf(rx, false);
  const actions = new Set(check.findings.map((f) => f.action));
  if (check.outcome === 'active') w.add(keys, 'approved', at.time);
  if (check.outcome === 'awaiting-override') w.add(keys, 'overrideRequested', at.time);
  if (check.outcome === 'rejected') {
    w.add(keys, 'rejected', at.time);
    w.add(keys, 'blocked', at.time);
  }
  if (actions.has('warn')) w.add(keys, 'warned', at.time);
  // Under the rule dimension a prescription is counted by what that rule's finding did.
  for (const rule of rules) {
    const ruleActions = new Set(check.findings.filter((f) => f.ruleId === rule).map((f) => f.action));
    const key: DimKey[] = [['rule', rule]];
    w.add(key, 'submitted', at.time);
    if (check.outcome === 'active') w.add(key, 'approved', at.time);
    if (check.outcome === 'rejected') w.add(key, 'rejected', at.time);
    if (ruleActions.has('block')) w.add(key, 'blocked', at.time);
    if (ruleActions.has('warn')) w.add(key, 'warned', at.time);
    if (ruleActions.has('override') && check.outcome === 'awaiting-override') w.add(key, 'overrideRequested', at.time);
  }
  w.observe(dimKeysOf(rx), 'submitToCheck', at.time, at.time - rx.submittedAt);
}

function foldLifecycle(w: FoldWriter, at: At, type: string, statement: StatementFacts, ctx: FoldContext): void {
  const p = statement.payload;
  if (type === 'rx.submit') {
    foldSubmit(w, at, statement, ctx);
    return;
  }
  const id = str(p.prescriptionId);
  const rx = id === undefined ? undefined : w.get<RxFacts>(RX_NS, id);
  if (id === undefined || rx === undefined) return;
  const keys = dimKeysOf(rx);
  const put = (next: RxFacts) => w.put(RX_NS, id, next);
  // Nothing more can happen to it (docs/LIFECYCLE.md): its facts are forgotten (see RxFacts).
  const finish = () => w.put(RX_NS, id, undefined);
  const activate = (next: RxFacts) => {
    put({ ...next, phase: 'active', holder: null });
    w.expiry(id, next.lastClosesAt);
  };
  const reason = str(p.reason);
  switch (type) {
    case 'rx.override': {
      w.add(dimKeysOf(rx, false), 'overridden', at.time);
      for (const raw of arr(p.reasons)) {
        const ruleId = str(obj(raw)?.ruleId);
        const code = str(obj(raw)?.code);
        if (ruleId === undefined || code === undefined) continue;
        w.add(dimKeysOf(rx, false), `overrideReasons.${code}`, at.time);
        w.add([['rule', ruleId]], 'overridden', at.time);
        w.add([['rule', ruleId]], `overrideReasons.${code}`, at.time);
      }
      activate(rx);
      detectOverrideConcentration(w, at, statement.actor, ctx.settings.overrideConcentration, ctx.settings.utcOffsetMinutes);
      return;
    }
    case 'rx.cancel':
      w.add(keys, 'cancelled', at.time);
      if (reason !== undefined) w.add(keys, `cancelReasons.${reason}`, at.time);
      if (rx.phase === 'held') put({ ...rx, cancelPending: true });
      else {
        finish();
        w.expiry(id, null);
      }
      return;
    case 'rx.claim': {
      const fill = int(p.fill) ?? rx.fill;
      w.add(keys, 'claimed', at.time);
      if (rx.firstClaimAt === null) w.observe(keys, 'submitToClaim', at.time, at.time - rx.submittedAt);
      put({ ...rx, phase: 'held', holder: str(p.pharmacyId) ?? null, fill, dispensed: fill === rx.fill ? rx.dispensed : {}, firstClaimAt: rx.firstClaimAt ?? at.time });
      w.expiry(id, null);
      return;
    }
    case 'rx.review':
      if (str(p.decision) === 'approve') w.add(keys, 'reviewApproved', at.time);
      else {
        w.add(keys, 'refused', at.time);
        if (reason !== undefined) w.add(keys, `refusalReasons.${reason}`, at.time);
        finish();
      }
      return;
    case 'rx.return':
      w.add(keys, 'returned', at.time);
      if (reason !== undefined) w.add(keys, `returnReasons.${reason}`, at.time);
      if (rx.cancelPending) finish();
      else activate(rx);
      return;
    case 'rx.dispense':
      foldDispense(w, at, id, rx, p, ctx);
      return;
    case 'rx.delivery-fail':
      w.add(keys, 'deliveryFailed', at.time);
      if (reason !== undefined) w.add(keys, `deliveryFailureReasons.${reason}`, at.time);
      return;
    case 'rx.delivery-complete':
    case 'rx.collect': {
      if (type === 'rx.collect') w.add(keys, 'collected', at.time);
      else {
        w.add(keys, 'delivered', at.time);
        if (rx.lastDispenseAt !== null) w.observe(keys, 'dispenseToDelivered', at.time, at.time - rx.lastDispenseAt);
      }
      // Handed over: more owed on this fill, the next fill, or done (docs/LIFECYCLE.md §2).
      if (owesOnFill(rx)) put({ ...rx, phase: 'held' });
      else if (rx.fill + 1 < rx.fillCount) activate({ ...rx, fill: rx.fill + 1, dispensed: {} });
      else finish();
      return;
    }
    default:
      return; // delivery assignment, pickup and transit change no figure
  }
}

function foldSubmit(w: FoldWriter, at: At, statement: StatementFacts, ctx: FoldContext): void {
  const s = submissionOf(statement.payload);
  if (s === undefined) return;
  if (s.revises !== undefined) {
    // The revised prescription is superseded: finished, its facts forgotten (see RxFacts).
    if (w.get<RxFacts>(RX_NS, s.revises) !== undefined) {
      w.put(RX_NS, s.revises, undefined);
      w.expiry(s.revises, null);
    }
  }
  const rx = rxFactsOf(s, at.time, w.get<string>('meta', 'ruleSet'), ctx.classify);
  w.put(RX_NS, s.prescriptionId, rx);
  w.add(dimKeysOf(rx, false), 'submitted', at.time);
  const settings = ctx.settings;
  detectDoctorShopping(w, at, { patient: rx.patient, prescriber: rx.prescriber, classes: rx.classes }, settings.doctorShopping);
  detectVolumeSpike(w, at, rx.prescriber, settings.volumeSpike, settings.utcOffsetMinutes);
  detectOffHoursBurst(w, at, rx.prescriber, settings.offHours, settings.utcOffsetMinutes);
}

function foldDispense(w: FoldWriter, at: At, id: string, rx: RxFacts, p: Record<string, unknown>, ctx: FoldContext): void {
  const fill = int(p.fill) ?? rx.fill;
  const base = fill === rx.fill ? rx.dispensed : {};
  const dispensed: Record<string, number> = { ...base };
  // A drug this fill has been dispensed before is its balance, not a new supply (early-refill.ts).
  const suppliedBefore = new Set(rx.lines.filter((l) => (base[l.line] ?? 0) > 0).map((l) => l.drug));
  const drugs = new Map<string, number>();
  for (const raw of arr(p.lines)) {
    const lineNo = int(obj(raw)?.line);
    const quantity = str(obj(raw)?.quantity);
    const line = rx.lines.find((l) => l.line === lineNo);
    if (line === undefined || quantity === undefined) continue;
    const micros = safeMicros(quantity);
    dispensed[line.line] = (dispensed[line.line] ?? 0) + micros;
    if (micros > 0 && !suppliedBefore.has(line.drug)) drugs.set(line.drug, Math.max(drugs.get(line.drug) ?? 0, line.days));
  }
  const next: RxFacts = { ...rx, fill, dispensed, phase: 'held', firstDispenseAt: rx.firstDispenseAt ?? at.time, lastDispenseAt: at.time };
  const keys = dimKeysOf(rx);
  const complete = linesOfFill(next, fill).every((l) => (dispensed[l.line] ?? 0) >= l.micros);
  w.add(keys, complete ? 'dispensed' : 'partiallyDispensed', at.time);
  if (rx.firstDispenseAt === null) w.observe(keys, 'submitToDispense', at.time, at.time - rx.submittedAt);
  w.put(RX_NS, id, next);
  const list: DispensedDrug[] = [...drugs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([drug, days]) => ({ drug, days }));
  detectEarlyRefills(w, at, { patient: rx.patient, prescriptionId: id, fill, drugs: list }, ctx.settings.earlyRefill);
}
