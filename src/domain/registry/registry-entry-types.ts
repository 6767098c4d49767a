/**
 * Entry schemas of the registry actions: each entry's body is the actor's signed statement, whose
 * action MUST equal the entry type and whose payload MUST match that action's schema.
 */
import type { z } from 'zod';
import type { JsonObject } from '../../core/canonical-json.js';
import { SignedStatementSchema } from '../../core/statement.js';
import { REGISTRY_PAYLOADS } from './registry-model.js';

export function signedStatementBody(action: string, payload: z.ZodType): z.ZodType<JsonObject> {
  return SignedStatementSchema.superRefine((signed, ctx) => {
    if (signed.statement.action !== action) {
      ctx.addIssue({ code: 'custom', message: `statement action must be ${action}`, path: ['statement', 'action'] });
    }
    const parsed = payload.safeParse(signed.statement.payload);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['statement', 'payload', ...issue.path] });
    }
  }) as unknown as z.ZodType<JsonObject>;
}

export const REGISTRY_ENTRY_SCHEMAS: Readonly<Record<string, z.ZodType<JsonObject>>> = Object.fromEntries(
  Object.entries(REGISTRY_PAYLOADS).map(([action, payload]) => [action, signedStatementBody(action, payload)]),
);

/** Entry types no appender may submit: the ledger writes them itself. */
export const GENESIS_OPERATOR_TYPE = 'registry.genesis-operator';
