/**
 * The closed union of entry types. An entry whose type is not listed here, or whose body does not
 * match its schema, is refused on append and reported by the verifier: the ledger's own records,
 * the registry's statements and the prescription lifecycle's (statements and records).
 */
import { z } from 'zod';
import { RxError } from '../core/errors.js';
import { zodIssuePaths } from '../core/issue-paths.js';
import { parseVerifierKey } from '../core/note-keys.js';
import type { JsonObject } from '../core/canonical-json.js';
import { GENESIS_OPERATOR_TYPE, REGISTRY_ENTRY_SCHEMAS, signedStatementBody } from './registry/registry-entry-types.js';
import { ERASE_IDENTITY_ACTION, EraseIdentityPayload } from './patient/identity-erasure.js';
import { LIFECYCLE_ENTRY_SCHEMAS, LIFECYCLE_RECORD_TYPES } from './prescription/lifecycle-entry-types.js';
import { RULE_SET_TYPE, RuleSetBodySchema } from './checker/rule-set-activation.js';

const VerifierKeyStringSchema = z.string().max(512).refine((s) => {
  try {
    parseVerifierKey(s);
    return true;
  } catch {
    return false;
  }
}, 'must be a C2SP Ed25519 verifier key');

/**
 * `ledger.checkpoint-keys`: the set of keys that sign this log's checkpoints from this entry on.
 * The first entry of every log is of this type (the genesis); a later one records a rotation.
 */
export const CheckpointKeysBodySchema = z.strictObject({
  origin: z.string().min(1).max(256),
  keys: z
    .array(VerifierKeyStringSchema)
    .min(1)
    .max(16)
    .refine((keys) => keys.every((k, i) => i === 0 || (keys[i - 1] as string) < k), 'keys must be sorted and unique'),
});
export type CheckpointKeysBody = z.infer<typeof CheckpointKeysBodySchema>;

/**
 * `ledger.auth-policy`: the authentication policy in force from this entry on, recorded whenever
 * the deployment's setting changes, so a verifier judges statements by the log alone.
 */
export const AUTH_POLICY_TYPE = 'ledger.auth-policy';
export const AuthPolicyBodySchema = z.strictObject({ timestampWindowMs: z.number().int().min(1000).max(86_400_000) });

/** Written only by the ledger itself (see Ledger.recordCheckpointKeys), never by an appender. */
export const CHECKPOINT_KEYS_TYPE = 'ledger.checkpoint-keys';

export type EntryBodySchemas = Readonly<Record<string, z.ZodType<JsonObject>>>;

export const ENTRY_BODY_SCHEMAS: EntryBodySchemas = {
  [CHECKPOINT_KEYS_TYPE]: CheckpointKeysBodySchema,
  [AUTH_POLICY_TYPE]: AuthPolicyBodySchema,
  [RULE_SET_TYPE]: RuleSetBodySchema,
  ...REGISTRY_ENTRY_SCHEMAS,
  ...LIFECYCLE_ENTRY_SCHEMAS,
  [ERASE_IDENTITY_ACTION]: signedStatementBody(ERASE_IDENTITY_ACTION, EraseIdentityPayload),
};

/** The ledger's own records: no actor signs them; the checkpoints that cover them do. */
export const LEDGER_RECORD_TYPES: ReadonlySet<string> = new Set([CHECKPOINT_KEYS_TYPE, AUTH_POLICY_TYPE, RULE_SET_TYPE]);

/** Types only the ledger itself writes; `Ledger.append` refuses them with ENTRY_TYPE_RESERVED. */
export const RESERVED_ENTRY_TYPES: ReadonlySet<string> = new Set([...LEDGER_RECORD_TYPES, GENESIS_OPERATOR_TYPE, ...LIFECYCLE_RECORD_TYPES]);

/** Validates `body` against the schema for `type`; throws ENTRY_TYPE_UNKNOWN or ENTRY_BODY_INVALID. */
export function verifyEntryBody(type: string, body: unknown, schemas: EntryBodySchemas = ENTRY_BODY_SCHEMAS): JsonObject {
  const schema = Object.hasOwn(schemas, type) ? schemas[type] : undefined;
  if (schema === undefined) throw new RxError('ENTRY_TYPE_UNKNOWN', 'entry type is not in the union', { paths: ['type'] });
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new RxError('ENTRY_BODY_INVALID', `body does not match ${type}`, {
      paths: zodIssuePaths(parsed.error.issues, ['body']),
    });
  }
  return parsed.data;
}
