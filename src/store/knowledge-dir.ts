/**
 * Reads a knowledge-base directory, validates every file against schemas/knowledge.ts and checks
 * every cross-reference (src/domain/checker/knowledge-validation.ts), reporting each problem with
 * its file and field path. A directory either loads whole or not at all. Also where the starter
 * knowledge base ships.
 *
 * Layout (docs/CHECKER.md §2):
 *   manifest.json  regulatory.json  products.json  classes.json  allergies.json  diseases.json
 *   geriatric.json  ingredients/*.json  interactions/*.json
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import {
  AllergyFileSchema,
  ClassFileSchema,
  DiseaseFileSchema,
  GeriatricFileSchema,
  IngredientFileSchema,
  InteractionFileSchema,
  ManifestSchema,
  ProductFileSchema,
  RegulatoryFileSchema,
} from '../../schemas/knowledge.js';
import { issuePaths } from '../core/issue-paths.js';
import { crossReferenceProblems, KnowledgeError, type ItemOrigin, type KnowledgeFiles, type KnowledgeProblem } from '../domain/checker/knowledge-validation.js';


/** Loads and validates `dir`; throws KnowledgeError listing every problem found. */
export function loadKnowledgeDir(dir: string): KnowledgeFiles {
  const problems: KnowledgeProblem[] = [];
  const read = <S extends z.ZodType>(file: string, schema: S): z.infer<S> | undefined => {
    const path = join(dir, file);
    if (!existsSync(path)) {
      problems.push({ file, path: '', message: 'missing' });
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      problems.push({ file, path: '', message: `not JSON: ${(e as Error).message}` });
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) for (const at of issuePaths(issue)) problems.push({ file, path: at, message: issue.message });
      return undefined;
    }
    return parsed.data;
  };
  const readAll = <S extends z.ZodType>(sub: string, schema: S): Array<{ file: string; data: z.infer<S> }> => {
    const folder = join(dir, sub);
    if (!existsSync(folder)) {
      problems.push({ file: `${sub}/`, path: '', message: 'missing' });
      return [];
    }
    // Sorted, so the order of the loaded rules never depends on the file system.
    const names = readdirSync(folder).filter((f) => f.endsWith('.json')).sort();
    if (names.length === 0) problems.push({ file: `${sub}/`, path: '', message: 'no .json files' });
    return names.flatMap((f) => {
        const data = read(`${sub}/${f}`, schema);
        return data === undefined ? [] : [{ file: `${sub}/${f}`, data }];
      });
  };

  const manifest = read('manifest.json', ManifestSchema);
  const regulatory = read('regulatory.json', RegulatoryFileSchema);
  const products = read('products.json', ProductFileSchema);
  const classes = read('classes.json', ClassFileSchema);
  const allergies = read('allergies.json', AllergyFileSchema);
  const diseases = read('diseases.json', DiseaseFileSchema);
  const geriatric = read('geriatric.json', GeriatricFileSchema);
  const ingredientFiles = readAll('ingredients', IngredientFileSchema);
  const interactionFiles = readAll('interactions', InteractionFileSchema);

  const files: KnowledgeFiles | undefined =
    manifest && regulatory && products && classes && allergies && diseases && geriatric
      ? {
          manifest,
          regulatory,
          ingredients: ingredientFiles.flatMap((f) => f.data.ingredients),
          products: products.products,
          classes: classes.classes,
          interactions: interactionFiles.flatMap((f) => f.data.interactions),
          allergyGroups: allergies.groups,
          diseaseRules: diseases.rules,
          geriatricRules: geriatric.rules,
        }
      : undefined;
  if (files === undefined || problems.length > 0) throw new KnowledgeError(problems.length > 0 ? problems : [{ file: dir, path: '', message: 'incomplete' }]);
  const originsOf = (list: ReadonlyArray<{ file: string; items: readonly unknown[] }>): ItemOrigin[] => list.flatMap((f) => f.items.map((_, index) => ({ file: f.file, index })));
  problems.push(
    ...crossReferenceProblems(files, {
      ingredients: originsOf(ingredientFiles.map((f) => ({ file: f.file, items: f.data.ingredients }))),
      interactions: originsOf(interactionFiles.map((f) => ({ file: f.file, items: f.data.interactions }))),
    }),
  );
  if (problems.length > 0) throw new KnowledgeError(problems);
  return files;
}

/**
 * Where the starter knowledge base ships: `knowledge/starter/` at the package root, found from
 * this module whether it runs from source (src/…) or compiled (dist/src/…).
 */
export function starterKnowledgeDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'knowledge', 'starter');
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the starter knowledge base (knowledge/starter) is not installed with this package');
    dir = parent;
  }
}
