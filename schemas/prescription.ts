/**
 * The prescription model: what a prescriber signs and the ledger records. Pure zod, emitted as
 * JSON Schema beside this file (`npm run schemas`; a test keeps the files in step).
 *
 * Nothing here identifies a patient directly: the patient appears as a pseudonym (a keyed hash
 * the service computes from the national id, docs/PRESCRIPTIONS.md) and as a salted commitment to
 * the identity record held in the separate, erasable identity store. Quantities that are not whole
 * numbers are decimal strings, never floats, because everything here is hashed and signed.
 */
import { z } from 'zod';

/** A non-negative decimal with up to 6 fraction digits, as a string: "0.5", "250", "12.125". */
export const DecimalSchema = z.string().regex(/^(0|[1-9][0-9]{0,8})(\.[0-9]{1,6})?$/, 'a non-negative decimal string, e.g. "0.5"');
/** The same, above zero: a strength, dose, quantity or weight of nothing is a slip, not a value. */
export const PositiveDecimalSchema = z.string().regex(/^([1-9][0-9]{0,8}(\.[0-9]{1,6})?|0\.(?=[0-9]*[1-9])[0-9]{1,6})$/, 'a decimal string above zero, e.g. "0.5"');
/** A calendar date, YYYY-MM-DD (the prescription's own day, in the deployment's time zone). */
export const DateSchema = z
  .string()
  .regex(/^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/, 'a date YYYY-MM-DD')
  .refine(isCalendarDate, 'a day that exists (no 30 February)');

/** Whether a YYYY-MM-DD text names a real day of the proleptic Gregorian calendar. */
function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  day.setUTCFullYear(y);
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}
/** 64 lowercase hex digits: a SHA-256 or HMAC-SHA-256 value. */
export const Hex256Schema = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');
const IdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lowercase letters, digits and hyphens, 3 to 64');
const Text = (max: number) => z.string().min(1).max(max).refine((s) => s.isWellFormed() && !/[\u0000-\u001f]/.test(s), 'no control characters');
/** A UCUM unit, or a dispensing unit such as 片 / 盒 / 支 where UCUM has none. */
const UnitSchema = Text(16);

export const ENCOUNTER_TYPES = ['outpatient', 'emergency', 'discharge', 'internet-follow-up'] as const;

export const EncounterSchema = z.strictObject({
  type: z.enum(ENCOUNTER_TYPES),
  /** The institution's own encounter number, for its records; opaque to the ledger. */
  encounterRef: Text(64).optional(),
  /** Day of issue. */
  date: DateSchema,
  /** 长期处方: long prescription for a stable chronic patient, with repeats. */
  longPrescription: z.boolean(),
  /** Valid on the day of issue; the prescriber may extend to at most 3 days (处方管理办法). */
  validityDays: z.number().int().min(1).max(3),
});

export const SEXES = ['female', 'male', 'unknown'] as const;
export const PREGNANCY = ['no', 'yes', 'unknown'] as const;

/** The clinical context the rational-drug-use checker needs. */
export const PatientContextSchema = z
  .strictObject({
    /** HMAC-SHA-256 pseudonym of the national id under the deployment's pseudonym key. */
    pseudonym: Hex256Schema,
    /** Salted commitment to the identity record in the identity store (erasable). */
    identityCommitment: Hex256Schema,
    birthDate: DateSchema.optional(),
    /** Age in whole months when the birth date is not known (infants need months or days). */
    ageMonths: z.number().int().min(0).max(1800).optional(),
    sex: z.enum(SEXES),
    weightKg: PositiveDecimalSchema.optional(),
    pregnancy: z.enum(PREGNANCY),
    lactation: z.boolean(),
    allergies: z
      .array(z.strictObject({ substance: Text(64), group: Text(64).optional(), reaction: Text(128).optional() }))
      .max(32),
    renal: z
      .strictObject({
        /** eGFR, mL/min/1.73 m². */
        egfr: DecimalSchema.optional(),
        /** Creatinine clearance (Cockcroft–Gault), mL/min. */
        creatinineClearance: DecimalSchema.optional(),
      })
      .optional(),
    diagnoses: z
      .array(z.strictObject({ icd10: z.string().regex(/^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/, 'an ICD-10 code such as I10 or E11.9'), text: Text(128) }))
      .min(1)
      .max(16),
  })
  .refine((p) => p.birthDate !== undefined || p.ageMonths !== undefined, { message: 'birthDate or ageMonths is required', path: ['birthDate'] });

export const DOSAGE_FORMS = [
  'tablet', 'capsule', 'granule', 'oral-solution', 'syrup', 'injection', 'infusion', 'ointment', 'cream', 'gel',
  'eye-drops', 'ear-drops', 'nasal-spray', 'inhaler', 'suppository', 'patch', 'powder', 'pill', 'other',
] as const;
export const ROUTES = ['oral', 'sublingual', 'iv', 'im', 'sc', 'topical', 'transdermal', 'inhalation', 'nasal', 'ophthalmic', 'otic', 'rectal', 'vaginal'] as const;
/** Frequencies as written on Chinese prescriptions (qd, bid, …), with the doses per day they mean. */
export const FREQUENCIES = { once: 1, qd: 1, qn: 1, bid: 2, q12h: 2, tid: 3, q8h: 3, qid: 4, q6h: 4, qod: 1, qw: 1, prn: 0 } as const;

export const ItemSchema = z.strictObject({
  /** 1-based line number, unique within the prescription. */
  line: z.number().int().min(1).max(20),
  /** National medical-insurance drug code (or the deployment's formulary code). */
  drugCode: Text(32),
  /** Generic name, as prescriptions must use (通用名). */
  genericName: Text(64),
  form: z.enum(DOSAGE_FORMS),
  strength: z.strictObject({ value: PositiveDecimalSchema, unit: UnitSchema }),
  /** Single dose. */
  dose: z.strictObject({ value: PositiveDecimalSchema, unit: UnitSchema }),
  frequency: z.enum(Object.keys(FREQUENCIES) as [keyof typeof FREQUENCIES, ...(keyof typeof FREQUENCIES)[]]),
  route: z.enum(ROUTES),
  /** Days of supply of one fill. */
  days: z.number().int().min(1).max(84),
  /** Amount dispensed per fill, in dispensing units. */
  quantity: z.strictObject({ value: PositiveDecimalSchema, unit: UnitSchema }),
  /** Further fills after the first (long prescriptions), each no earlier than `intervalDays` after the previous. */
  repeats: z.strictObject({ count: z.number().int().min(1).max(11), intervalDays: z.number().int().min(1).max(84) }).optional(),
  instructions: Text(256).optional(),
});

export const PrescriptionSchema = z
  .strictObject({
    /** Chosen by the prescriber's system; unique in the ledger. */
    prescriptionId: z.string().regex(/^rx-[0-9a-z-]{6,60}$/, 'rx- followed by 6 to 60 lowercase letters, digits or hyphens'),
    prescriberId: IdSchema,
    institutionId: IdSchema,
    encounter: EncounterSchema,
    patient: PatientContextSchema,
    items: z.array(ItemSchema).min(1).max(20),
    notes: Text(512).optional(),
  })
  .refine((p) => new Set(p.items.map((i) => i.line)).size === p.items.length, { message: 'item lines must be unique', path: ['items'] })
  // YYYY-MM-DD texts compare as their days do.
  .refine((p) => p.patient.birthDate === undefined || p.patient.birthDate <= p.encounter.date, {
    message: 'the birth date is after the day of issue',
    path: ['patient', 'birthDate'],
  })
  .refine((p) => p.encounter.longPrescription || p.items.every((i) => i.repeats === undefined), {
    message: 'repeats are only for long prescriptions',
    path: ['items'],
  })
  .refine((p) => new Set(p.items.flatMap((i) => (i.repeats === undefined ? [] : [i.repeats.intervalDays]))).size <= 1, {
    // Fills are of the whole prescription (docs/LIFECYCLE.md §5), so repeating lines share one interval.
    message: 'repeating items must share one interval',
    path: ['items'],
  })
  // The first fill is claimable for validityDays, each repeat from k × intervalDays on (LIFECYCLE.md
  // §5): a shorter interval would open the second fill, and close the prescription's last window,
  // while the first is still open.
  .refine((p) => p.items.every((i) => i.repeats === undefined || i.repeats.intervalDays >= p.encounter.validityDays), {
    message: 'a repeat interval (repeats.intervalDays) shorter than the validity (encounter.validityDays)',
    path: ['items'],
  });

export type Prescription = z.infer<typeof PrescriptionSchema>;
export type PrescriptionItem = z.infer<typeof ItemSchema>;
export type PatientContext = z.infer<typeof PatientContextSchema>;

/**
 * Direct identifiers and the delivery address: never in the ledger. They live in the identity
 * store, referenced from the ledger by `patient.identityCommitment`, and can be erased.
 */
export const PatientIdentitySchema = z.strictObject({
  name: Text(64),
  /** 居民身份证号码: 18 characters, the last a digit or X. */
  nationalId: z.string().regex(/^[0-9]{17}[0-9X]$/, 'an 18-character resident identity number'),
  phone: z.string().regex(/^\+?[0-9]{6,20}$/, 'digits, optionally with a leading +').optional(),
  address: z
    .strictObject({ region: z.string().regex(/^[1-9][0-9]{5}$/), line: Text(256), recipient: Text(64).optional(), recipientPhone: z.string().regex(/^\+?[0-9]{6,20}$/).optional() })
    .optional(),
});
export type PatientIdentity = z.infer<typeof PatientIdentitySchema>;

/** The schemas emitted as JSON Schema files, by file name. */
export const EMITTED_SCHEMAS = {
  'prescription.schema.json': PrescriptionSchema,
  'patient-identity.schema.json': PatientIdentitySchema,
} as const;
