/**
 * What the oversight projection is computed with: the offset its calendar periods use and every
 * alert threshold. The projection is a function of the log and these settings, so the store keeps
 * a fingerprint of them and refolds from the start when they change (the same log and settings
 * always give the same figures and alerts).
 */
export interface OversightSettings {
  /** Minutes east of UTC for days, weeks, months and off-hours (+480: China Standard Time). */
  readonly utcOffsetMinutes: number;
  readonly doctorShopping: {
    /** Distinct prescribers of one drug class for one patient that raise the alert. */
    readonly prescribers: number;
    readonly windowDays: number;
    /** Only these drug classes; empty means every class of the active rule set. */
    readonly classes: readonly string[];
  };
  readonly earlyRefill: {
    /** A fill is early when more than this share (%) of the previous fill's days of supply remain. */
    readonly tolerancePercent: number;
  };
  readonly volumeSpike: {
    /** Submissions by one prescriber in one local day that can raise the alert at all. */
    readonly minCount: number;
    /** …and at least this multiple of the prescriber's mean daily count over the baseline. */
    readonly factor: number;
    readonly baselineDays: number;
  };
  readonly offHours: {
    /** Local hours [startHour, endHour) wrapping midnight when start > end, e.g. 22 → 6. */
    readonly startHour: number;
    readonly endHour: number;
    /** Submissions by one prescriber within one off-hours span that raise the alert. */
    readonly count: number;
  };
  readonly overrideConcentration: {
    /** A prescriber's share (%) of all overrides in the window that raises the alert… */
    readonly sharePercent: number;
    /** …once the prescriber has made at least this many overrides in the window. */
    readonly minCount: number;
    readonly windowDays: number;
  };
  readonly revokedKey: {
    /** For a key revoked as `compromised`: how far back (hours) its uses are listed. 0 disables. */
    readonly compromisedLookbackHours: number;
  };
}

export const DEFAULT_OVERSIGHT_SETTINGS: OversightSettings = Object.freeze({
  utcOffsetMinutes: 480,
  doctorShopping: Object.freeze({ prescribers: 3, windowDays: 30, classes: Object.freeze([]) as readonly string[] }),
  earlyRefill: Object.freeze({ tolerancePercent: 25 }),
  volumeSpike: Object.freeze({ minCount: 30, factor: 3, baselineDays: 28 }),
  offHours: Object.freeze({ startHour: 22, endHour: 6, count: 10 }),
  overrideConcentration: Object.freeze({ sharePercent: 50, minCount: 10, windowDays: 30 }),
  revokedKey: Object.freeze({ compromisedLookbackHours: 72 }),
});

/**
 * Bumped whenever the fold's definitions change: a stored projection computed by another version
 * is refolded from the start. 2: finished prescriptions' facts and closed detector windows are
 * forgotten, and a fill's balance is told from its prescription's facts (early refills).
 */
export const FOLD_VERSION = 2;
