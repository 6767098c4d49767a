/**
 * Entry schemas of the registry actions: each entry's body is the actor's signed statement, whose
 * action MUST equal the entry type and whose payload MUST match that action's schema.
 */
import type { z } from 'zod';
import type { JsonObject } from '../../core/canonical-json.js';
import { SignedStatementSchema } from '../../core/statement.js';
import { REGISTRY_PAYLOADS } from './registry-model.js';

/**
 * The entry schema of `action`: its signed statement, whose payload matches `payload`. What it
 * returns carries the payload as `payload` returned it, so the admission rules, given a body this
 * schema returned, use that payload as it is instead of parsing it a second time
 * (admitEntry's `bodyParsed`).
 */
export function signedStatementBody(action: string, payload: z.ZodType): z.ZodType<JsonObject> {
  return SignedStatementSchema.superRefine((signed, ctx) => {
    if (signed.statement.action !== action) {
      ctx.addIssue({ code: 'custom', message: `statement action must be ${action}`, path: ['statement', 'action'] });
    }
    const parsed = payload.safeParse(signed.statement.payload);
    if (!parsed.success) {
      // The issue itself, moved under the payload: an unknown member keeps its `keys`, so the
      // answer names each one (src/core/issue-paths.ts), not only the object holding them.
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['statement', 'payload', ...issue.path] });
    } else {
      // `signed` is this parse's own output (a fresh object), so replacing its payload changes nothing the caller passed in.
      (signed.statement as { payload: unknown }).payload = parsed.data;
    }
  }) as unknown as z.ZodType<JsonObject>;
}

export const REGISTRY_ENTRY_SCHEMAS: Readonly<Record<string, z.ZodType<JsonObject>>> = Object.fromEntries(
  Object.entries(REGISTRY_PAYLOADS).map(([action, payload]) => [action, signedStatementBody(action, payload)]),
);

/** Entry types no appender may submit: the ledger writes them itself. */
export const GENESIS_OPERATOR_TYPE = 'registry.genesis-operator';
