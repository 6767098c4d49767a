/**
 * What a knowledge base must satisfy beyond its file schemas: unique ids, resolvable references,
 * unambiguous names and codes, limits that fit their ingredient. Pure: the directory reader
 * (src/store/knowledge-dir.ts) and the bundle parser (knowledge-bundle.ts) both report through it.
 */
import type { z } from 'zod';
import { RxError } from '../../core/errors.js';
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
  type DrugRef,
} from '../../../schemas/knowledge.js';

export interface KnowledgeFiles {
  readonly manifest: z.infer<typeof ManifestSchema>;
  readonly regulatory: z.infer<typeof RegulatoryFileSchema>;
  readonly ingredients: z.infer<typeof IngredientFileSchema>['ingredients'];
  readonly products: z.infer<typeof ProductFileSchema>['products'];
  readonly classes: z.infer<typeof ClassFileSchema>['classes'];
  readonly interactions: z.infer<typeof InteractionFileSchema>['interactions'];
  readonly allergyGroups: z.infer<typeof AllergyFileSchema>['groups'];
  readonly diseaseRules: z.infer<typeof DiseaseFileSchema>['rules'];
  readonly geriatricRules: z.infer<typeof GeriatricFileSchema>['rules'];
}

export interface KnowledgeProblem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

/** Every problem found in a knowledge base or bundle; code KNOWLEDGE_INVALID. */
export class KnowledgeError extends RxError {
  constructor(readonly problems: readonly KnowledgeProblem[]) {
    super('KNOWLEDGE_INVALID', `knowledge base invalid: ${problems.length} problem(s); first: ${problems[0]?.file} ${problems[0]?.path}: ${problems[0]?.message}`, {
      paths: problems.map((p) => `${p.file}${p.path === '' ? '' : `#${p.path}`}`),
    });
  }
}

/** Where each item of a list merged from several files came from, for problem paths. */
export interface ItemOrigin {
  readonly file: string;
  readonly index: number;
}

/**
 * Unique ids, resolvable references, unambiguous names, limits that fit their ingredient.
 * `origins` says which file (and index in it) each merged ingredient and interaction came from;
 * without it (a bundle) paths index the merged lists.
 */
export function crossReferenceProblems(k: KnowledgeFiles, origins: { ingredients?: readonly ItemOrigin[]; interactions?: readonly ItemOrigin[] } = {}): KnowledgeProblem[] {
  const problems: KnowledgeProblem[] = [];
  const at = (list: 'ingredients' | 'interactions', n: number, rest: string): { file: string; path: string } => {
    const o = origins[list]?.[n];
    return o === undefined ? { file: list === 'ingredients' ? 'ingredients/' : 'interactions/', path: `${list}.${n}${rest}` } : { file: o.file, path: `${list}.${o.index}${rest}` };
  };
  const firstAt = new Map<string, string>();
  k.ingredients.forEach((ing, n) => {
    const where = at('ingredients', n, '.id');
    if (firstAt.has(ing.id)) problems.push({ ...where, message: `duplicate ingredient "${ing.id}" (also in ${firstAt.get(ing.id)})` });
    else firstAt.set(ing.id, where.file);
    ing.doses.forEach((d, m) => {
      for (const route of d.routes) if (!ing.routes.includes(route)) problems.push({ ...at('ingredients', n, `.doses.${m}.routes`), message: `route "${route}" is not one of the ingredient's routes` });
    });
  });
  const ingredients = new Set(k.ingredients.map((i) => i.id));
  const classes = new Set(k.classes.map((c) => c.id));
  const groups = new Set(k.allergyGroups.map((g) => g.id));
  const unique = (file: string, what: string, ids: readonly string[]) => {
    const seen = new Set<string>();
    ids.forEach((id, n) => {
      if (seen.has(id)) problems.push({ file, path: `${what}.${n}.id`, message: `duplicate id "${id}"` });
      seen.add(id);
    });
  };
  unique('classes.json', 'classes', k.classes.map((c) => c.id));
  unique('products.json', 'products', k.products.map((p) => p.id));
  const seenInteractions = new Set<string>();
  k.interactions.forEach((r, n) => {
    if (seenInteractions.has(r.id)) problems.push({ ...at('interactions', n, '.id'), message: `duplicate id "${r.id}"` });
    seenInteractions.add(r.id);
  });
  const controlled = new Set<string>();
  k.regulatory.controlledDays.forEach((d, n) => {
    const key = `${d.control}/${d.kind}`;
    if (controlled.has(key)) problems.push({ file: 'regulatory.json', path: `controlledDays.${n}`, message: `a second limit for ${key}` });
    controlled.add(key);
  });
  unique('allergies.json', 'groups', k.allergyGroups.map((g) => g.id));
  unique('diseases.json', 'rules', k.diseaseRules.map((r) => r.id));
  unique('geriatric.json', 'rules', k.geriatricRules.map((r) => r.id));

  const ref = (file: string, path: string, r: DrugRef) => {
    if ('ingredient' in r ? !ingredients.has(r.ingredient) : !classes.has(r.class)) {
      problems.push({ file, path, message: `unknown ${'ingredient' in r ? `ingredient "${r.ingredient}"` : `class "${r.class}"`}` });
    }
  };
  const ingredient = (file: string, path: string, id: string) => ref(file, path, { ingredient: id });
  k.products.forEach((p, n) => p.components.forEach((c, m) => ingredient('products.json', `products.${n}.components.${m}.ingredient`, c.ingredient)));
  k.classes.forEach((c, n) => {
    c.members.forEach((id, m) => ingredient('classes.json', `classes.${n}.members.${m}`, id));
    c.duplicateTherapy?.exceptions.forEach((pair, m) => pair.forEach((id, j) => ingredient('classes.json', `classes.${n}.duplicateTherapy.exceptions.${m}.${j}`, id)));
  });
  k.interactions.forEach((r, n) => {
    for (const side of ['a', 'b'] as const) {
      const where = at('interactions', n, `.${side}`);
      ref(where.file, where.path, r[side]);
    }
  });
  k.allergyGroups.forEach((g, n) => {
    g.members.forEach((r, m) => ref('allergies.json', `groups.${n}.members.${m}`, r));
    g.crossSensitivity.forEach((x, m) => {
      if (!groups.has(x.group)) problems.push({ file: 'allergies.json', path: `groups.${n}.crossSensitivity.${m}.group`, message: `unknown group "${x.group}"` });
    });
  });
  k.diseaseRules.forEach((r, n) => ref('diseases.json', `rules.${n}.drug`, r.drug));
  k.geriatricRules.forEach((r, n) => ref('geriatric.json', `rules.${n}.drug`, r.drug));

  // A name must denote one thing, or a prescription line could resolve two ways.
  const named = new Map<string, string>();
  const claim = (file: string, path: string, name: string, owner: string) => {
    const prior = named.get(name);
    if (prior !== undefined && prior !== owner) problems.push({ file, path, message: `name "${name}" already denotes "${prior}"` });
    named.set(name, owner);
  };
  // Ids and English names are looked up too (drug-resolution.ts), so they claim their text as well.
  k.ingredients.forEach((i, n) => {
    const claimAt = (rest: string, name: string) => {
      const where = at('ingredients', n, rest);
      claim(where.file, where.path, name, i.id);
    };
    claimAt('.name.zh', i.name.zh);
    i.aliases.forEach((a, m) => claimAt(`.aliases.${m}`, a));
    claimAt('.id', i.id);
    claimAt('.name.en', i.name.en.toLowerCase());
  });
  k.products.forEach((p, n) => p.names.forEach((a, m) => claim('products.json', `products.${n}.names.${m}`, a, `product:${p.id}`)));
  const codes = new Map<string, string>();
  k.products.forEach((p, n) =>
    p.codes.forEach((c, m) => {
      const prior = codes.get(c);
      if (prior !== undefined && prior !== p.id) problems.push({ file: 'products.json', path: `products.${n}.codes.${m}`, message: `code "${c}" already denotes "${prior}"` });
      codes.set(c, p.id);
    }),
  );
  return problems;
}
