/**
 * What the fold remembers about each prescription between its entries: who wrote it, for whom,
 * which classes and rules it falls under, its lines with their quantities, the times its
 * turnarounds start from, and a coarse phase (enough to derive expiry and to tell a complete
 * dispensing from a partial one; the lifecycle rules themselves decided every transition already).
 */
import { toMicros } from '../domain/prescription/quantities.js';
import { startOfDay } from '../domain/prescription/calendar.js';
import type { DimKey } from './fold-writer.js';
import type { SubmissionFacts } from './entry-facts.js';
import type { DrugClassifier } from './drug-classifier.js';
import { TOTAL_KEY, UNCLASSIFIED } from './oversight-model.js';

export interface RxLine {
  readonly line: number;
  readonly drug: string;
  readonly days: number;
  /** Millionths per fill. */
  readonly micros: number;
  readonly repeats: number;
}

/**
 * pending: submitted or awaiting override; active: claimable; held: at a pharmacy; expired: its
 * last claim window closed unclaimed, and only its prescriber's cancellation can still follow
 * (the lifecycle lets a prescriber cancel a prescription it still stores as active).
 */
export type RxPhase = 'pending' | 'active' | 'held' | 'expired';

/**
 * Kept while an entry can still concern the prescription: once it is finished (rejected, refused,
 * cancelled, superseded, or handed over with nothing more to dispense) the lifecycle refuses every
 * later entry about it, so its facts are deleted rather than kept for ever with a final mark, and
 * the fold's state grows with the prescriptions in flight (and those that expired unclaimed), not
 * with history.
 */
export interface RxFacts {
  readonly prescriber: string;
  readonly institution: string;
  readonly patient: string;
  readonly classes: readonly string[];
  readonly rules: readonly string[];
  readonly lines: readonly RxLine[];
  readonly fillCount: number;
  /** End of the last fill's claim window (ms): active past it reads as expired. */
  readonly lastClosesAt: number;
  readonly submittedAt: number;
  readonly phase: RxPhase;
  readonly cancelPending: boolean;
  readonly fill: number;
  readonly holder: string | null;
  /** Line → millionths dispensed on the current fill. */
  readonly dispensed: Readonly<Record<string, number>>;
  readonly firstClaimAt: number | null;
  readonly firstDispenseAt: number | null;
  readonly lastDispenseAt: number | null;
}

/** The namespace the fold keeps prescriptions under. */
export const RX_NS = 'rx';

/** The facts recorded at submission; `ruleSet` is the hash active at that index. */
export function rxFactsOf(s: SubmissionFacts, time: number, ruleSet: string | undefined, classify: DrugClassifier): RxFacts {
  const lines = s.items.map((i) => {
    const c = classify(ruleSet, i.drugCode, i.genericName);
    return { line: i.line, drug: c.drug, days: i.days, micros: safeMicros(i.quantity), repeats: i.repeats, classes: c.classes };
  });
  const repeats = Math.max(0, ...s.items.map((i) => i.repeats));
  const interval = s.items.find((i) => i.repeats > 0)?.intervalDays ?? 0;
  // The same windows as the lifecycle rules (docs/LIFECYCLE.md §5): fill 0 for the validity days, repeat k until k+1 opens.
  const lastClosesAt = repeats === 0 ? startOfDay(s.encounterDate, s.validityDays) : startOfDay(s.encounterDate, (repeats + 1) * interval);
  return {
    prescriber: s.prescriberId,
    institution: s.institutionId,
    patient: s.pseudonym,
    classes: [...new Set(lines.flatMap((l) => l.classes))].sort(),
    rules: [],
    lines: lines.map(({ classes: _classes, ...l }) => l),
    fillCount: repeats + 1,
    lastClosesAt,
    submittedAt: time,
    phase: 'pending',
    cancelPending: false,
    fill: 0,
    holder: null,
    dispensed: {},
    firstClaimAt: null,
    firstDispenseAt: null,
    lastDispenseAt: null,
  };
}

/** Millionths of a decimal quantity; 0 for anything that is not one (the ledger validated it already). */
export function safeMicros(decimal: string): number {
  try {
    return toMicros(decimal);
  } catch {
    return 0;
  }
}

/** Every dimension key a prescription's events count under. */
export function dimKeysOf(rx: RxFacts, withRules = true): DimKey[] {
  return [
    ['total', TOTAL_KEY],
    ['prescriber', rx.prescriber],
    ['institution', rx.institution],
    ...(rx.classes.length === 0 ? [UNCLASSIFIED] : rx.classes).map((c): DimKey => ['drugClass', c]),
    ...(withRules ? rx.rules.map((r): DimKey => ['rule', r]) : []),
  ];
}

/** Lines of fill k: every line on fill 0, the repeating ones on repeat k. */
export function linesOfFill(rx: RxFacts, fill: number): RxLine[] {
  return rx.lines.filter((l) => fill === 0 || l.repeats >= fill);
}

/** Whether anything is still owed on the current fill. */
export function owesOnFill(rx: RxFacts): boolean {
  return linesOfFill(rx, rx.fill).some((l) => (rx.dispensed[l.line] ?? 0) < l.micros);
}
