/**
 * `npm run schemas`: writes the JSON Schema (draft 2020-12) of every model in schemas/ beside it,
 * and of every ledger entry type's body in schemas/entries/<type>.schema.json.
 * test/schemas/prescription.test.ts fails if the committed files drift from the zod sources, or if
 * a committed file is no longer emitted.
 *
 * The entry schemas are made from the zod schemas the ledger validates bodies with
 * (ENTRY_BODY_SCHEMAS, src/domain/entry-types.ts). A signed statement's entry schema there checks
 * the payload inside a refinement (signedStatementBody), which JSON Schema cannot see, so here the
 * same statement schema is emitted with its `action` fixed to the entry type and its `payload`
 * replaced by that action's payload schema. A ledger record's body schema is emitted as it is.
 *
 * Refinements (conditions across members, checksums, sort orders, …) have no JSON Schema form:
 * the message each one fails with is appended to the `description` of the schema it refines, so a
 * validator that passes a body has checked the structure, and the descriptions say what else the
 * ledger checks.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SignedStatementSchema, StatementSchema } from '../src/core/statement.js';
import { ENTRY_BODY_SCHEMAS, LEDGER_RECORD_TYPES } from '../src/domain/entry-types.js';
import { ERASE_IDENTITY_ACTION, EraseIdentityPayload } from '../src/domain/patient/identity-erasure.js';
import { LIFECYCLE_RECORD_TYPES } from '../src/domain/prescription/lifecycle-entry-types.js';
import { REGISTRY_PAYLOADS } from '../src/domain/registry/registry-model.js';
import { LIFECYCLE_PAYLOADS } from '../schemas/lifecycle.js';
import { EMITTED_SCHEMAS } from '../schemas/prescription.js';
import { KNOWLEDGE_SCHEMAS } from '../schemas/knowledge.js';

/** Where the schema of an entry type's body is written, relative to schemas/. */
export const ENTRY_SCHEMA_DIR = 'entries';
export const entrySchemaFile = (type: string): string => `${ENTRY_SCHEMA_DIR}/${type}.schema.json`;

/** The payload schema of every signed-statement entry type, by entry type (= statement action). */
export const STATEMENT_PAYLOADS: Readonly<Record<string, z.ZodType>> = { ...REGISTRY_PAYLOADS, ...LIFECYCLE_PAYLOADS, [ERASE_IDENTITY_ACTION]: EraseIdentityPayload };

/** The ledger's own records: bodies no actor signs. */
const isLedgerRecord = (type: string): boolean => LEDGER_RECORD_TYPES.has(type) || LIFECYCLE_RECORD_TYPES.has(type);

/**
 * The zod schema emitted for the body of an entry of `type`: for a signed statement, the statement
 * with its action and payload made explicit; for a ledger record, the ledger's own body schema.
 * Throws for a type of the union that is neither (a new type needs its emission decided here).
 */
export function entryBodySchema(type: string): z.ZodType {
  if (Object.hasOwn(STATEMENT_PAYLOADS, type)) {
    return SignedStatementSchema.extend({ statement: StatementSchema.extend({ action: z.literal(type), payload: STATEMENT_PAYLOADS[type]! }) }).meta({
      title: type,
      description: `The body of a ledger entry of type ${type}: the actor's signed statement (docs/AUTH.md), whose action is the entry type and whose payload is /properties/statement/properties/payload.`,
    });
  }
  if (isLedgerRecord(type) && Object.hasOwn(ENTRY_BODY_SCHEMAS, type)) {
    return ENTRY_BODY_SCHEMAS[type]!.meta({ title: type, description: `The body of a ledger entry of type ${type}, a record only the ledger writes (reserved).` });
  }
  throw new Error(`no JSON Schema is defined for the body of entry type ${type}`);
}

/** The messages of a schema's own refinements (custom checks), with the member each names. */
function refinementsOf(schema: z.core.$ZodType): string[] {
  const out: string[] = [];
  for (const check of schema._zod.def.checks ?? []) {
    const def = check._zod.def as { check: string; path?: PropertyKey[]; error?: (issue: unknown) => unknown };
    if (def.check !== 'custom') continue;
    const said = def.error?.({ code: 'custom', input: undefined, path: [] });
    const message = typeof said === 'string' ? said : typeof said === 'object' && said !== null && typeof (said as { message?: unknown }).message === 'string' ? (said as { message: string }).message : 'a further condition (see the zod source)';
    out.push(def.path !== undefined && def.path.length > 0 ? `${message} (${def.path.map(String).join('.')})` : message);
  }
  return out;
}

function toJsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const rules = refinementsOf(zodSchema);
      if (rules.length === 0) return;
      const also = `Also checked, not expressed in JSON Schema (the ledger's message when it fails): ${rules.join('; ')}.`;
      jsonSchema.description = jsonSchema.description === undefined ? also : `${jsonSchema.description} ${also}`;
    },
  });
}

/** Every emitted file's text, by its path relative to schemas/. */
export function renderSchemas(): Record<string, string> {
  const models: Record<string, z.ZodType> = { ...EMITTED_SCHEMAS, ...KNOWLEDGE_SCHEMAS };
  for (const type of Object.keys(ENTRY_BODY_SCHEMAS).sort()) models[entrySchemaFile(type)] = entryBodySchema(type);
  return Object.fromEntries(Object.entries(models).map(([file, schema]) => [file, `${JSON.stringify(toJsonSchema(schema), null, 2)}\n`]));
}

// Run from source (`npm run schemas` uses tsx), so schemas/ is a sibling of scripts/.
if (process.argv[1]?.endsWith('emit-schemas.ts')) {
  const rendered = renderSchemas();
  for (const [file, text] of Object.entries(rendered)) {
    const path = fileURLToPath(new URL(`../schemas/${file}`, import.meta.url));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  // The entry schemas' directory is this script's alone: a file of a type no longer in the union goes.
  const entries = new URL(`../schemas/${ENTRY_SCHEMA_DIR}/`, import.meta.url);
  for (const file of readdirSync(entries)) {
    if (file.endsWith('.schema.json') && !Object.hasOwn(rendered, `${ENTRY_SCHEMA_DIR}/${file}`)) rmSync(new URL(file, entries));
  }
}
