/**
 * The prescription lifecycle's statements: what prescribers, pharmacists and couriers sign to move
 * a prescription along (docs/LIFECYCLE.md). Each is the payload of a signed statement whose action
 * is the entry type (`rx.submit`, `rx.claim`, …). Every action after the submission names the
 * prescription's previous entry (`previous`), so each prescription is its own chain inside the log
 * and a statement signed against a state that has since moved on is refused.
 *
 * Codes presented by patients (access codes, pickup codes) appear in the ledger only as hashes
 * until they are used; they must carry at least 128 bits of entropy (docs/LIFECYCLE.md §4),
 * because anyone who can read the entry could otherwise search a short code from its hash.
 */
import { z } from 'zod';
import { DecimalSchema, Hex256Schema, PrescriptionSchema } from './prescription.js';

const Text = (max: number) => z.string().min(1).max(max).refine((s) => s.isWellFormed() && !/[\u0000-\u001f]/.test(s), 'no control characters');
const IdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lowercase letters, digits and hyphens, 3 to 64');
export const PrescriptionIdSchema = z.string().regex(/^rx-[0-9a-z-]{6,60}$/, 'rx- followed by 6 to 60 lowercase letters, digits or hyphens');
/** Log index of the prescription's latest entry, as the signer saw it. */
const PreviousSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** 0 is the first fill; repeats of a long prescription are 1, 2, … */
const FillSchema = z.number().int().min(0).max(11);
/** A secret a patient presents: 22–64 base64url characters (≥ 128 bits when random). */
export const PatientCodeSchema = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, '22 to 64 base64url characters');
/** 药品追溯码: the 20-digit drug traceability code printed on each pack. */
export const TraceabilityCodeSchema = z.string().regex(/^[0-9]{20}$/, 'a 20-digit drug traceability code');

export const RoutingSchema = z.discriminatedUnion('mode', [
  /** The patient nominated this pharmacy. */
  z.strictObject({ mode: z.literal('nominated'), pharmacyId: IdSchema }),
  /** The prescriber directed it (医联体 partner, the hospital's cloud pharmacy). */
  z.strictObject({ mode: z.literal('directed'), pharmacyId: IdSchema }),
  /** Any pharmacy in the prescribing institution's city that presents one of the patient's access codes. */
  z.strictObject({ mode: z.literal('open') }),
]);

export const SubmitPayload = z
  .strictObject({
    prescription: PrescriptionSchema,
    routing: RoutingSchema,
    /** SHA-256 hex of "rxledger/access-code/v1\n" || code, one per claim the patient may make. Open routing only. */
    accessCodes: z.array(Hex256Schema).min(1).max(12).optional(),
    /** The prescription this one replaces (a revision while nothing is dispensed). */
    revises: PrescriptionIdSchema.optional(),
  })
  .refine((p) => (p.routing.mode === 'open') === (p.accessCodes !== undefined), { message: 'access codes are required for open routing and only for it', path: ['accessCodes'] })
  .refine((p) => p.accessCodes === undefined || new Set(p.accessCodes).size === p.accessCodes.length, { message: 'access codes must be distinct', path: ['accessCodes'] })
  .refine((p) => p.revises !== p.prescription.prescriptionId, { message: 'a prescription cannot revise itself', path: ['revises'] });

/** 双签: the prescriber's coded reasons for going ahead despite findings that require them. */
export const OVERRIDE_REASONS = ['clinically-indicated', 'chronic-stable-patient', 'benefit-outweighs-risk', 'monitored', 'specialist-advice', 'other'] as const;
export const OverridePayload = z.strictObject({
  prescriptionId: PrescriptionIdSchema,
  previous: PreviousSchema,
  reasons: z
    .array(z.strictObject({ ruleId: z.string().min(1).max(256), code: z.enum(OVERRIDE_REASONS), note: Text(256).optional() }))
    .min(1)
    .max(32)
    .refine((r) => new Set(r.map((x) => x.ruleId)).size === r.length, 'one reason per rule'),
});

export const CANCEL_REASONS = ['prescribing-error', 'clinical-change', 'patient-request', 'duplicate', 'other'] as const;
export const CancelPayload = z.strictObject({ prescriptionId: PrescriptionIdSchema, previous: PreviousSchema, reason: z.enum(CANCEL_REASONS), note: Text(256).optional() });

export const ClaimPayload = z.strictObject({
  prescriptionId: PrescriptionIdSchema,
  previous: PreviousSchema,
  pharmacyId: IdSchema,
  fill: FillSchema,
  /** Open routing: the code the patient presented; spent by this claim. */
  accessCode: PatientCodeSchema.optional(),
});

export const REVIEW_REFUSAL_REASONS = ['inappropriate-dose', 'interaction', 'contraindication', 'incomplete', 'illegible-or-invalid', 'prescriber-not-entitled', 'other'] as const;
export const ReviewPayload = z
  .strictObject({
    prescriptionId: PrescriptionIdSchema,
    previous: PreviousSchema,
    fill: FillSchema,
    decision: z.enum(['approve', 'refuse']),
    reason: z.enum(REVIEW_REFUSAL_REASONS).optional(),
    note: Text(256).optional(),
  })
  .refine((p) => (p.decision === 'refuse') === (p.reason !== undefined), { message: 'a refusal needs a reason, an approval none', path: ['reason'] });

export const RETURN_REASONS = ['out-of-stock', 'patient-request', 'cannot-deliver', 'pharmacy-closed', 'other'] as const;
export const ReturnPayload = z.strictObject({ prescriptionId: PrescriptionIdSchema, previous: PreviousSchema, fill: FillSchema, reason: z.enum(RETURN_REASONS), note: Text(256).optional() });

export const DispensePayload = z.strictObject({
  prescriptionId: PrescriptionIdSchema,
  previous: PreviousSchema,
  fill: FillSchema,
  lines: z
    .array(
      z.strictObject({
        line: z.number().int().min(1).max(20),
        /** In the item's dispensing unit; at most what is still owed on the line. */
        quantity: DecimalSchema,
        /** One per pack handed over: a line dispenses at least one pack (its quantity is above zero). */
        traceabilityCodes: z.array(TraceabilityCodeSchema).min(1).max(100),
      }),
    )
    .min(1)
    .max(20)
    .refine((l) => new Set(l.map((x) => x.line)).size === l.length, 'each line at most once'),
});

export const DeliveryAssignPayload = z.strictObject({
  prescriptionId: PrescriptionIdSchema,
  previous: PreviousSchema,
  fill: FillSchema,
  courierId: IdSchema,
  /** SHA-256 hex of "rxledger/pickup-code/v1\n" || code; the pharmacy gives the code to the patient. */
  pickupCodeHash: Hex256Schema,
});
export const DeliveryStepPayload = z.strictObject({ prescriptionId: PrescriptionIdSchema, previous: PreviousSchema, fill: FillSchema });
export const DeliveryCompletePayload = z.strictObject({ prescriptionId: PrescriptionIdSchema, previous: PreviousSchema, fill: FillSchema, pickupCode: PatientCodeSchema });
export const DELIVERY_FAILURE_REASONS = ['patient-unreachable', 'address-invalid', 'refused-by-patient', 'damaged', 'other'] as const;
export const DeliveryFailPayload = z.strictObject({ prescriptionId: PrescriptionIdSchema, previous: PreviousSchema, fill: FillSchema, reason: z.enum(DELIVERY_FAILURE_REASONS), note: Text(256).optional() });
export const CollectPayload = DeliveryStepPayload;

/** Every lifecycle action, by entry type. */
export const LIFECYCLE_PAYLOADS = {
  'rx.submit': SubmitPayload,
  'rx.override': OverridePayload,
  'rx.cancel': CancelPayload,
  'rx.claim': ClaimPayload,
  'rx.review': ReviewPayload,
  'rx.return': ReturnPayload,
  'rx.dispense': DispensePayload,
  'rx.delivery-assign': DeliveryAssignPayload,
  'rx.delivery-pickup': DeliveryStepPayload,
  'rx.delivery-in-transit': DeliveryStepPayload,
  'rx.delivery-complete': DeliveryCompletePayload,
  'rx.delivery-fail': DeliveryFailPayload,
  'rx.collect': CollectPayload,
} as const;
export type LifecycleAction = keyof typeof LIFECYCLE_PAYLOADS;
export type SubmitPayloadT = z.infer<typeof SubmitPayload>;
