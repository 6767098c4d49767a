/**
 * `npm run schemas`: writes the JSON Schema (draft 2020-12) of every model in schemas/ beside it.
 * test/schemas/emitted.test.ts fails if the committed files drift from the zod sources.
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { EMITTED_SCHEMAS } from '../schemas/prescription.js';
import { KNOWLEDGE_SCHEMAS } from '../schemas/knowledge.js';

export function renderSchemas(): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...EMITTED_SCHEMAS, ...KNOWLEDGE_SCHEMAS }).map(([file, schema]) => [file, `${JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' }), null, 2)}\n`]),
  );
}

// Run from source (`npm run schemas` uses tsx), so schemas/ is a sibling of scripts/.
if (process.argv[1]?.endsWith('emit-schemas.ts')) {
  for (const [file, text] of Object.entries(renderSchemas())) writeFileSync(new URL(`../schemas/${file}`, import.meta.url), text);
}
