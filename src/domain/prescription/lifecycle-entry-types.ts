/**
 * Entry schemas of the prescription lifecycle: each action's entry body is the actor's signed
 * statement; the ledger's own records are the check result (`rx.checked`) that follows every
 * submission and the flag (`rx.flag`) it writes in place of a dispensing that reused a
 * traceability code.
 */
import { z } from 'zod';
import type { JsonObject } from '../../core/canonical-json.js';
import { SignedStatementSchema } from '../../core/statement.js';
import { LIFECYCLE_PAYLOADS, PrescriptionIdSchema, TraceabilityCodeSchema } from '../../../schemas/lifecycle.js';
import { Hex256Schema } from '../../../schemas/prescription.js';
import { signedStatementBody } from '../registry/registry-entry-types.js';
import { CHECK_ACTIONS, SEVERITY_TIERS } from './checker.js';
import { CHECK_RESULT_TYPE, TRACE_FLAG_TYPE } from './lifecycle-records.js';

const IndexSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Evidence = z.record(z.string().max(64), z.union([z.number().int(), z.string().max(256)]));

export const FindingSchema = z.strictObject({
  // Generated ids join at most three knowledge-base ids (each ≤ 64) with a short prefix.
  ruleId: z.string().min(1).max(256),
  category: z.string().min(1).max(64),
  tier: z.enum(SEVERITY_TIERS),
  action: z.enum(CHECK_ACTIONS),
  lines: z.array(z.number().int().min(1).max(20)).max(20),
  evidence: Evidence,
  message: z.strictObject({ zh: z.string().min(1).max(512), en: z.string().min(1).max(512) }),
  /** What to do about it, when the rule says. */
  management: z.strictObject({ zh: z.string().min(1).max(512), en: z.string().min(1).max(512) }).optional(),
  source: z.string().min(1).max(512),
});

export const CheckResultBodySchema = z.strictObject({
  prescriptionId: PrescriptionIdSchema,
  /** Index of the `rx.submit` entry this result is about. */
  submission: IndexSchema,
  ruleSet: Hex256Schema,
  inputHash: Hex256Schema,
  outcome: z.enum(['active', 'awaiting-override', 'rejected']),
  // Bounded by the engine's output: 20 lines against the patient's live prescriptions; a result
  // must never fail its own schema, or the submission it follows could not be recorded.
  findings: z.array(FindingSchema).max(4096),
});

export const TraceFlagBodySchema = z.strictObject({
  reason: z.literal('traceability-code-reused'),
  attempt: SignedStatementSchema,
  firstDispensed: z.array(z.strictObject({ code: TraceabilityCodeSchema, prescriptionId: PrescriptionIdSchema, index: IndexSchema })).min(1).max(2000),
});

export const LIFECYCLE_ENTRY_SCHEMAS: Readonly<Record<string, z.ZodType<JsonObject>>> = {
  ...Object.fromEntries(Object.entries(LIFECYCLE_PAYLOADS).map(([action, payload]) => [action, signedStatementBody(action, payload)])),
  [CHECK_RESULT_TYPE]: CheckResultBodySchema as unknown as z.ZodType<JsonObject>,
  [TRACE_FLAG_TYPE]: TraceFlagBodySchema as unknown as z.ZodType<JsonObject>,
};

/** Written only by the ledger. */
export const LIFECYCLE_RECORD_TYPES: ReadonlySet<string> = new Set([CHECK_RESULT_TYPE, TRACE_FLAG_TYPE]);
