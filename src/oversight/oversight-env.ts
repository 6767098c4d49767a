/**
 * The oversight settings' environment variables, validated with the rest of the configuration by
 * src/config.ts (the one module that reads the environment). README's configuration table lists
 * them; docs/OVERSIGHT.md says what each threshold means.
 */
import { z } from 'zod';
import { DEFAULT_OVERSIGHT_SETTINGS as D, type OversightSettings } from './oversight-settings.js';
import { parseUtcOffset } from './periods.js';

const count = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const OversightEnvSchema = z.object({
  /** The fixed UTC offset of days, weeks, months and off-hours: `+08:00`, `-05:30`, `Z`. */
  OVERSIGHT_UTC_OFFSET: z
    .string()
    .transform((s, ctx) => {
      const minutes = parseUtcOffset(s);
      if (minutes === undefined) {
        ctx.addIssue({ code: 'custom', message: 'a UTC offset such as +08:00' });
        return z.NEVER;
      }
      return minutes;
    })
    .default(D.utcOffsetMinutes),
  OVERSIGHT_FOLD_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(500),
  OVERSIGHT_DOCTOR_SHOPPING_PRESCRIBERS: z.coerce.number().int().min(2).max(100).default(D.doctorShopping.prescribers),
  OVERSIGHT_DOCTOR_SHOPPING_WINDOW_DAYS: count(366, D.doctorShopping.windowDays),
  /** Comma-separated class ids of the rule set; empty or unset: every class. */
  OVERSIGHT_DOCTOR_SHOPPING_CLASSES: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*(,[a-z0-9][a-z0-9-]*)*$/, 'class ids separated by commas')
    .transform((s) => [...new Set(s.split(','))].sort())
    .default([]),
  OVERSIGHT_EARLY_REFILL_TOLERANCE_PERCENT: z.coerce.number().int().min(0).max(100).default(D.earlyRefill.tolerancePercent),
  OVERSIGHT_SPIKE_MIN_COUNT: count(100_000, D.volumeSpike.minCount),
  OVERSIGHT_SPIKE_FACTOR: z.coerce.number().min(1).max(1000).default(D.volumeSpike.factor),
  OVERSIGHT_SPIKE_BASELINE_DAYS: count(365, D.volumeSpike.baselineDays),
  /** Local off-hours as `start-end` whole hours, e.g. `22-6` (wrapping midnight). */
  OVERSIGHT_OFF_HOURS: z
    .string()
    .regex(/^([01]?[0-9]|2[0-3])-([01]?[0-9]|2[0-3])$/, 'start-end hours 0 to 23, e.g. 22-6')
    .refine((s) => new Set(s.split('-')).size === 2, 'start and end must differ')
    .transform((s) => s.split('-').map(Number) as [number, number])
    .default([D.offHours.startHour, D.offHours.endHour]),
  OVERSIGHT_OFF_HOURS_COUNT: count(100_000, D.offHours.count),
  OVERSIGHT_OVERRIDE_SHARE_PERCENT: z.coerce.number().int().min(1).max(100).default(D.overrideConcentration.sharePercent),
  OVERSIGHT_OVERRIDE_MIN_COUNT: count(100_000, D.overrideConcentration.minCount),
  OVERSIGHT_OVERRIDE_WINDOW_DAYS: count(366, D.overrideConcentration.windowDays),
  OVERSIGHT_COMPROMISED_LOOKBACK_HOURS: z.coerce.number().int().min(0).max(8760).default(D.revokedKey.compromisedLookbackHours),
});
export type OversightEnv = z.infer<typeof OversightEnvSchema>;

export function oversightSettingsFrom(e: OversightEnv): OversightSettings {
  return Object.freeze({
    utcOffsetMinutes: e.OVERSIGHT_UTC_OFFSET,
    doctorShopping: Object.freeze({ prescribers: e.OVERSIGHT_DOCTOR_SHOPPING_PRESCRIBERS, windowDays: e.OVERSIGHT_DOCTOR_SHOPPING_WINDOW_DAYS, classes: Object.freeze([...e.OVERSIGHT_DOCTOR_SHOPPING_CLASSES]) }),
    earlyRefill: Object.freeze({ tolerancePercent: e.OVERSIGHT_EARLY_REFILL_TOLERANCE_PERCENT }),
    volumeSpike: Object.freeze({ minCount: e.OVERSIGHT_SPIKE_MIN_COUNT, factor: e.OVERSIGHT_SPIKE_FACTOR, baselineDays: e.OVERSIGHT_SPIKE_BASELINE_DAYS }),
    offHours: Object.freeze({ startHour: e.OVERSIGHT_OFF_HOURS[0], endHour: e.OVERSIGHT_OFF_HOURS[1], count: e.OVERSIGHT_OFF_HOURS_COUNT }),
    overrideConcentration: Object.freeze({ sharePercent: e.OVERSIGHT_OVERRIDE_SHARE_PERCENT, minCount: e.OVERSIGHT_OVERRIDE_MIN_COUNT, windowDays: e.OVERSIGHT_OVERRIDE_WINDOW_DAYS }),
    revokedKey: Object.freeze({ compromisedLookbackHours: e.OVERSIGHT_COMPROMISED_LOOKBACK_HOURS }),
  });
}
