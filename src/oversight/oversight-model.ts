/**
 * The vocabulary of the oversight projection: dimensions, figures, turnaround metrics, alerts, and
 * the updates a folded entry makes. The fold (oversight-fold.ts) reads a view and returns updates;
 * whoever holds the projection (SQLite in src/store/oversight-store.ts, memory in the tests'
 * test/oversight/memory-projection.ts) applies them, so both are computed by the same code.
 */
export const DIMENSIONS = ['total', 'prescriber', 'institution', 'drugClass', 'rule'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The key of the `total` dimension's only row. */
export const TOTAL_KEY = 'all';
/** The drugClass key of a prescription none of whose lines is in a class of the rule set. */
export const UNCLASSIFIED = 'unclassified';

/** Event counts; docs/OVERSIGHT.md §2 defines each. */
export const FIGURES = [
  'submitted',
  'approved',
  'warned',
  'blocked',
  'overrideRequested',
  'overridden',
  'rejected',
  'cancelled',
  'expired',
  'claimed',
  'reviewApproved',
  'refused',
  'returned',
  'dispensed',
  'partiallyDispensed',
  'delivered',
  'deliveryFailed',
  'collected',
  'flagged',
] as const;
export type Figure = (typeof FIGURES)[number];

/** Coded reasons counted per code: `<group>.<code>` figures. */
export const REASON_GROUPS = ['overrideReasons', 'deliveryFailureReasons', 'refusalReasons', 'returnReasons', 'cancelReasons'] as const;
export type ReasonGroup = (typeof REASON_GROUPS)[number];

export const TURNAROUNDS = ['submitToCheck', 'submitToClaim', 'submitToDispense', 'dispenseToDelivered'] as const;
export type Turnaround = (typeof TURNAROUNDS)[number];

export const ALERT_KINDS = [
  'doctor-shopping',
  'early-refill',
  'trace-code-reuse',
  'volume-spike',
  'off-hours-burst',
  'override-concentration',
  'revoked-key-use',
  'compromised-key-use',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const SUBJECT_KINDS = ['prescriber', 'patient', 'traceCode', 'key'] as const;

/**
 * An alert. Pseudonymous by construction: the subject is an actor id, a patient pseudonym, a
 * traceability code or a key id; the summary and details carry ids and figures, never a name,
 * phone number or address (the ledger holds none).
 */
export interface Alert {
  /** `<kind>-<index of the entry that raised it>[-<8 hex of what distinguishes it>]`: stable for a log and settings. */
  readonly id: string;
  readonly kind: AlertKind;
  /** Log time of the entry that raised it. */
  readonly time: number;
  readonly subject: { readonly kind: (typeof SUBJECT_KINDS)[number]; readonly id: string };
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** Log indexes of the entries behind it, ascending. */
  readonly entries: readonly number[];
}

/** Values the fold keeps between entries, by namespace and key (JSON-serialisable). */
export type StateValue = unknown;

export type OversightUpdate =
  /**
   * Adds `n` to a counter (figures, reason codes, turnaround sums and counts) on local day `day`
   * (days since 1970-01-01 in the offset); the holder adds it to that day's week and month too
   * (periodsOfDay), after aggregating a batch by day.
   */
  | { readonly kind: 'add'; readonly dim: Dimension; readonly key: string; readonly day: number; readonly figure: string; readonly n: number }
  /** Adds one observation to a turnaround histogram bucket, on local day `day`. */
  | { readonly kind: 'observe'; readonly dim: Dimension; readonly key: string; readonly day: number; readonly metric: Turnaround; readonly bucket: number }
  /**
   * Replaces (or, with undefined, deletes) a state value. With `forgetAt`, the fold reads the value
   * from that log time on exactly as it reads no value, so the holder may delete it once the log
   * has reached that time (log times never go back): detector windows that have closed are not
   * kept for ever.
   */
  | { readonly kind: 'put'; readonly ns: string; readonly key: string; readonly value: StateValue | undefined; readonly forgetAt?: number }
  /** Schedules (or, with null, cancels) a prescription's expiry at `at`. */
  | { readonly kind: 'expiry'; readonly prescriptionId: string; readonly at: number | null }
  | { readonly kind: 'alert'; readonly alert: Alert };

/** What the fold reads: its own state as of the previous entry. */
export interface OversightView {
  get<T = StateValue>(ns: string, key: string): T | undefined;
  /** Scheduled expiries at or before `time`, by time then prescription id. */
  dueExpiries(time: number): ReadonlyArray<{ readonly prescriptionId: string; readonly at: number }>;
}
