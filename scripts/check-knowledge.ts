/**
 * `npm run knowledge:check [-- <dir>]`: validates a knowledge-base directory (default the starter
 * set) and prints every problem with its file and field path, or the counts per kind of rule.
 * `npm run build` runs it on the starter set, so a broken knowledge base fails the build.
 * `--file <relative path>` validates one file alone against the schema its location implies
 * (useful while writing a file; cross-references are checked only for the whole directory).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import * as K from '../schemas/knowledge.js';
import { KnowledgeError } from '../src/domain/checker/knowledge-validation.js';
import { loadKnowledgeDir, starterKnowledgeDir } from '../src/store/knowledge-dir.js';

const SCHEMA_BY_FILE: Array<[RegExp, z.ZodType]> = [
  [/^manifest\.json$/, K.ManifestSchema],
  [/^regulatory\.json$/, K.RegulatoryFileSchema],
  [/^products\.json$/, K.ProductFileSchema],
  [/^classes\.json$/, K.ClassFileSchema],
  [/^allergies\.json$/, K.AllergyFileSchema],
  [/^diseases\.json$/, K.DiseaseFileSchema],
  [/^geriatric\.json$/, K.GeriatricFileSchema],
  [/^ingredients\/[^/]+\.json$/, K.IngredientFileSchema],
  [/^interactions\/[^/]+\.json$/, K.InteractionFileSchema],
];

const args = process.argv.slice(2);
const fileAt = args.indexOf('--file');
const dir = args.find((a, n) => !a.startsWith('--') && n !== fileAt + 1) ?? starterKnowledgeDir();

if (fileAt >= 0) {
  const rel = args[fileAt + 1] ?? '';
  const schema = SCHEMA_BY_FILE.find(([re]) => re.test(rel))?.[1];
  if (schema === undefined) throw new Error(`no schema for ${rel}`);
  const parsed = schema.safeParse(JSON.parse(readFileSync(join(dir, rel), 'utf8')));
  if (parsed.success) console.log(`${rel}: valid`);
  else {
    for (const i of parsed.error.issues) console.log(`${rel} ${i.path.join('.')}: ${i.message}`);
    process.exitCode = 1;
  }
} else {
  try {
    const k = loadKnowledgeDir(dir);
    console.log(`${k.manifest.name}@${k.manifest.version}: ${k.ingredients.length} ingredients, ${k.products.length} products, ${k.classes.length} classes, ${k.interactions.length} interactions, ${k.allergyGroups.length} allergy groups, ${k.diseaseRules.length} drug–disease rules, ${k.geriatricRules.length} geriatric rules`);
  } catch (e) {
    if (!(e instanceof KnowledgeError)) throw e;
    for (const p of e.problems) console.log(`${p.file} ${p.path}: ${p.message}`);
    process.exitCode = 1;
  }
}
