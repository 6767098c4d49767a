/**
 * Response bodies. The routes build these objects by hand; these schemas describe them, and the
 * OpenAPI test parses live responses with them so that the two cannot drift apart unnoticed.
 */

import { z } from 'zod';
import { LedgerEntrySchema } from '../../core/entry.js';
import { ERROR_CODES } from '../../core/errors.js';
import { CheckResultBodySchema } from '../../domain/prescription/lifecycle-entry-types.js';
import { PRESCRIPTION_STATES } from '../../domain/prescription/prescription-record.js';
import { PrescriptionIdSchema, RoutingSchema } from '../../../schemas/lifecycle.js';
import { DecimalSchema, Hex256Schema, PrescriptionSchema } from '../../../schemas/prescription.js';
import { CosignatureResultSchema, WitnessListSchema } from '../witness-routes.js';
import { OversightAlertSummarySchema, OversightAlertsSchema, OversightStatsSchema } from '../oversight-routes.js';

// ---------------------------------------------------------------------------------------------
// Response bodies. The routes build these objects by hand; these schemas describe them, and the
// test parses live responses with them so that the two cannot drift apart unnoticed.

export const IndexSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Standard base64 of a 32-byte hash. */
export const Base64HashSchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'the standard base64 of a 32-byte hash');

export const ErrorBodySchema = z.strictObject({
  error: z.strictObject({ code: z.enum(ERROR_CODES), message: z.string(), paths: z.array(z.string()) }),
});
export const HealthSchema = z.strictObject({ status: z.literal('ok'), size: IndexSchema });
export const LogInfoSchema = z.strictObject({
  origin: z.string().min(1).max(256),
  /** The first of `verifierKeys`, for clients that trust one key. */
  verifierKey: z.string(),
  verifierKeys: z.array(z.string()).min(1),
  size: IndexSchema,
});
export const InclusionProofSchema = z.strictObject({ index: IndexSchema, size: IndexSchema, leafHash: Base64HashSchema, hashes: z.array(Base64HashSchema) });
export const ConsistencyProofSchema = z.strictObject({ from: IndexSchema, to: IndexSchema, hashes: z.array(Base64HashSchema) });
export const EntryPageSchema = z.strictObject({
  entries: z.array(
    z.union([
      z.strictObject({ index: IndexSchema, leafHash: Base64HashSchema, data: z.string(), entry: LedgerEntrySchema.nullable() }),
      z.strictObject({ index: IndexSchema, leafHash: Base64HashSchema, data: z.null(), entry: z.null(), redacted: z.literal(true) }),
    ]),
  ),
  next: IndexSchema.optional(),
});
export const StatementResultSchema = z.strictObject({
  index: IndexSchema,
  leafHash: Base64HashSchema,
  type: z.string(),
  replayed: z.boolean(),
  records: z.array(z.strictObject({ index: IndexSchema, leafHash: Base64HashSchema, type: z.string() })),
  lastIndex: IndexSchema,
  check: CheckResultBodySchema.pick({ outcome: true, ruleSet: true, inputHash: true, findings: true }).optional(),
  receipt: z.string(),
  /**
   * patient.erase-identity only: `erased` if this request removed the identity record, `none-held`
   * if the identity store held none with that commitment (never identified here, or already
   * erased, by an earlier request or by this one's first attempt). The entry is recorded either way.
   */
  identityRecord: z.enum(['erased', 'none-held']).optional(),
});
export const PatientIdentifyResultSchema = z.strictObject({ pseudonym: Hex256Schema, identityCommitment: Hex256Schema, replayed: z.boolean() });
export const ReceiptSchema = z.strictObject({ index: IndexSchema, size: IndexSchema, leafHash: Base64HashSchema, hashes: z.array(Base64HashSchema), checkpoint: z.string(), proof: z.string() });
export const PrescriptionStatusSchema = z.strictObject({
  prescriptionId: PrescriptionIdSchema,
  state: z.enum(PRESCRIPTION_STATES),
  lastIndex: IndexSchema,
  submittedAt: IndexSchema,
  routing: RoutingSchema,
  fill: z.number().int().min(0),
  fillCount: z.number().int().min(1),
  cancelPending: z.boolean(),
});
export const PrescriptionDeliveryViewSchema = PrescriptionStatusSchema.extend({ holder: z.string().nullable(), courierId: z.string().nullable() });
export const PrescriptionDetailSchema = PrescriptionStatusSchema.extend({
  prescriberId: z.string(),
  institutionId: z.string(),
  holder: z.string().nullable(),
  courierId: z.string().nullable(),
  overrideRequired: z.array(z.string()),
  revises: PrescriptionIdSchema.nullable(),
  supersededBy: PrescriptionIdSchema.nullable(),
  fills: z.array(
    z.strictObject({
      number: z.number().int().min(0),
      opensAt: z.number().int(),
      closesAt: z.number().int(),
      lines: z.array(z.strictObject({ line: z.number().int().min(1), prescribed: DecimalSchema, dispensed: DecimalSchema, owing: DecimalSchema })),
    }),
  ),
  prescription: PrescriptionSchema,
});
export const PharmacyQueuePageSchema = z.strictObject({ items: z.array(PrescriptionStatusSchema), next: IndexSchema.optional() });
export const CourierAssignmentsSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      prescriptionId: PrescriptionIdSchema,
      state: z.enum(PRESCRIPTION_STATES),
      lastIndex: IndexSchema,
      fill: z.number().int().min(0),
      pharmacyId: z.string().nullable(),
      address: z.strictObject({ region: z.string(), line: z.string(), recipient: z.string(), recipientPhone: z.string().nullable() }).nullable(),
      identity: z.enum(['present', 'erased', 'unknown']),
    }),
  ),
  asOf: z.number().int(),
});

const ActionSchema = z.enum(['block', 'override', 'warn', 'inform']);
export const ActiveRuleSetSchema = z.strictObject({
  hash: Hex256Schema,
  name: z.string(),
  version: z.string(),
  engine: z.string(),
  policy: z.strictObject({ critical: ActionSchema, major: ActionSchema, moderate: ActionSchema, minor: ActionSchema }),
  counts: z.record(z.string(), z.number().int().min(0)),
});
export const CheckResponseSchema = CheckResultBodySchema.pick({ outcome: true, ruleSet: true, inputHash: true, findings: true }).extend({ recorded: z.literal(false) });
export const CdsDiscoverySchema = z.strictObject({
  services: z.array(z.strictObject({ hook: z.string(), id: z.string(), title: z.string(), description: z.string(), prefetch: z.record(z.string(), z.string()) })),
});
export const CdsCardsSchema = z.strictObject({
  cards: z.array(
    z.looseObject({
      uuid: z.string(),
      summary: z.string().max(140),
      indicator: z.enum(['info', 'warning', 'critical']),
      detail: z.string(),
      source: z.looseObject({ label: z.string() }),
    }),
  ),
});

/** The response schemas by component name; the test checks examples and live answers with them. */
export const RESPONSE_SCHEMAS = {
  Health: HealthSchema,
  LogInfo: LogInfoSchema,
  InclusionProof: InclusionProofSchema,
  ConsistencyProof: ConsistencyProofSchema,
  EntryPage: EntryPageSchema,
  StatementResult: StatementResultSchema,
  PatientIdentifyResult: PatientIdentifyResultSchema,
  Receipt: ReceiptSchema,
  PrescriptionStatus: PrescriptionStatusSchema,
  PrescriptionDetail: PrescriptionDetailSchema,
  PrescriptionDeliveryView: PrescriptionDeliveryViewSchema,
  PharmacyQueuePage: PharmacyQueuePageSchema,
  CourierAssignments: CourierAssignmentsSchema,
  ActiveRuleSet: ActiveRuleSetSchema,
  CheckResponse: CheckResponseSchema,
  CdsDiscovery: CdsDiscoverySchema,
  CdsCards: CdsCardsSchema,
  ErrorBody: ErrorBodySchema,
  CosignatureResult: CosignatureResultSchema,
  WitnessList: WitnessListSchema,
  OversightStats: OversightStatsSchema,
  OversightAlerts: OversightAlertsSchema,
  OversightAlertSummary: OversightAlertSummarySchema,
} as const satisfies Record<string, z.ZodType>;
