/**
 * `npm run knowledge:check [-- <dir>]`: validates a knowledge-base directory (default the starter
 * set) and prints every problem with its file and field path, or the counts per kind of rule.
 * `npm run build` runs it on the starter set, so a broken knowledge base fails the build.
 * `--file <relative path>` validates one file alone against the schema its location implies
 * (useful while writing a file; cross-references are checked only for the whole directory).
 * Exit 0: valid; 1: a problem, or no such directory or file; 2: bad arguments.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import * as K from '../schemas/knowledge.js';
import { issuePaths } from '../src/core/issue-paths.js';
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

const USAGE = 'usage: npm run knowledge:check -- [<dir>] [--file <relative path>]   (<dir> defaults to the starter set)';

/** What the arguments ask for, or the exit code to stop with: 0 for --help, 2 for a usage error. */
function parseCommandLine(argv: string[]): { dir: string; file: string | undefined } | { exit: number } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { file: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }, allowPositionals: true, strict: true });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return { exit: 2 };
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return { exit: 0 };
  }
  if (positionals.length > 1) {
    console.error(`one knowledge directory at most, got ${positionals.length}: ${positionals.join(' ')}\n${USAGE}`);
    return { exit: 2 };
  }
  const dir = positionals[0] ?? starterKnowledgeDir();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`${dir}: no such knowledge directory`);
    return { exit: 1 };
  }
  return { dir, file: values.file };
}

/** Validates one file of `dir` alone against the schema its path implies; returns the exit code. */
function checkFile(dir: string, rel: string): number {
  const schema = SCHEMA_BY_FILE.find(([re]) => re.test(rel))?.[1];
  if (schema === undefined) {
    console.error(`${rel}: no schema for this path (manifest.json, regulatory.json, products.json, classes.json, allergies.json, diseases.json, geriatric.json, ingredients/*.json or interactions/*.json)`);
    return 2;
  }
  const path = join(dir, rel);
  if (!existsSync(path)) {
    console.error(`${rel}: no such file in ${dir}`);
    return 1;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    console.log(`${rel}: not JSON: ${(e as Error).message}`);
    return 1;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) {
    console.log(`${rel}: valid`);
    return 0;
  }
  for (const i of parsed.error.issues) for (const at of issuePaths(i)) console.log(`${rel} ${at}: ${i.message}`);
  return 1;
}

/** Loads and validates the whole of `dir`, cross-references included; returns the exit code. */
function checkDir(dir: string): number {
  try {
    const k = loadKnowledgeDir(dir);
    console.log(`${k.manifest.name}@${k.manifest.version}: ${k.ingredients.length} ingredients, ${k.products.length} products, ${k.classes.length} classes, ${k.interactions.length} interactions, ${k.allergyGroups.length} allergy groups, ${k.diseaseRules.length} drug–disease rules, ${k.geriatricRules.length} geriatric rules`);
    return 0;
  } catch (e) {
    if (!(e instanceof KnowledgeError)) throw e;
    for (const p of e.problems) console.log(`${p.file} ${p.path}: ${p.message}`);
    return 1;
  }
}

const command = parseCommandLine(process.argv.slice(2));
process.exitCode = 'exit' in command ? command.exit : command.file !== undefined ? checkFile(command.dir, command.file) : checkDir(command.dir);
