/**
 * The compiled rule set: one canonical JSON document holding the whole knowledge base, every list
 * sorted by id, and naming the engine that interprets it. Its SHA-256 (with a domain prefix) is
 * the rule-set version that every check result records, so a verifier holding the same bytes
 * re-runs any check and obtains byte-identical findings (docs/CHECKER.md §3).
 *
 *   hash = SHA-256("rxledger/rule-set/v1\n" || JCS(bundle))
 *
 * The bytes stored and served (`GET /v1/rulesets/{hash}`) are exactly JCS(bundle), so anyone can
 * recompute the hash from what they fetched.
 */
import { z } from 'zod';
import { bytesToHex, concatBytes, utf8 } from '../../core/bytes.js';
import { canonicalBytes, type JsonObject } from '../../core/canonical-json.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  AllergyGroupSchema,
  DiseaseRuleSchema,
  DrugClassSchema,
  GeriatricRuleSchema,
  IngredientSchema,
  InteractionSchema,
  ManifestSchema,
  ProductSchema,
  RegulatoryFileSchema,
} from '../../../schemas/knowledge.js';
import { crossReferenceProblems, KnowledgeError, type KnowledgeFiles } from './knowledge-validation.js';
import { issuePaths } from '../../core/issue-paths.js';

export const RULE_SET_PREFIX = 'rxledger/rule-set/v1\n';
export const BUNDLE_FORMAT = 'rxledger-rule-set/v1';
/** The engine version: bumped whenever the interpretation of the same data changes. */
export const ENGINE_VERSION = 'rxledger-checker/1';

export const KnowledgeBundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  engine: z.literal(ENGINE_VERSION),
  name: ManifestSchema.shape.name,
  version: ManifestSchema.shape.version,
  description: ManifestSchema.shape.description,
  sources: ManifestSchema.shape.sources,
  regulatory: RegulatoryFileSchema,
  ingredients: z.array(IngredientSchema),
  products: z.array(ProductSchema),
  classes: z.array(DrugClassSchema),
  interactions: z.array(InteractionSchema),
  allergyGroups: z.array(AllergyGroupSchema),
  diseaseRules: z.array(DiseaseRuleSchema),
  geriatricRules: z.array(GeriatricRuleSchema),
});
export type KnowledgeBundle = z.infer<typeof KnowledgeBundleSchema>;

export interface CompiledBundle {
  readonly bundle: KnowledgeBundle;
  /** JCS bytes: what is stored and served. */
  readonly bytes: Uint8Array;
  /** Hex SHA-256 of the prefix and the bytes: the rule-set version. */
  readonly hash: string;
}

const byId = <T extends { id: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Compiles loaded knowledge files into the canonical bundle. */
export function compileBundle(k: KnowledgeFiles): CompiledBundle {
  const bundle: KnowledgeBundle = {
    format: BUNDLE_FORMAT,
    engine: ENGINE_VERSION,
    name: k.manifest.name,
    version: k.manifest.version,
    description: k.manifest.description,
    sources: k.manifest.sources,
    regulatory: k.regulatory,
    ingredients: byId(k.ingredients),
    products: byId(k.products),
    classes: byId(k.classes),
    interactions: byId(k.interactions),
    allergyGroups: byId(k.allergyGroups),
    diseaseRules: byId(k.diseaseRules),
    geriatricRules: byId(k.geriatricRules),
  };
  const bytes = canonicalBytes(bundle as unknown as JsonObject);
  return { bundle, bytes, hash: bundleHash(bytes) };
}

export function bundleHash(bytes: Uint8Array): string {
  return bytesToHex(sha256(concatBytes(utf8(RULE_SET_PREFIX), bytes)));
}

/**
 * Reads a bundle from stored or fetched bytes: valid JSON in canonical form, valid against the
 * schema, every reference resolvable. The hash is recomputed, never taken from the sender.
 */
export function parseBundle(bytes: Uint8Array): CompiledBundle {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new KnowledgeError([{ file: 'bundle', path: '', message: 'not UTF-8 JSON' }]);
  }
  const parsed = KnowledgeBundleSchema.safeParse(json);
  if (!parsed.success) throw new KnowledgeError(parsed.error.issues.flatMap((i) => issuePaths(i).map((path) => ({ file: 'bundle', path, message: i.message }))));
  const b = parsed.data;
  // One content, one hash: a bundle is only accepted in the form compileBundle gives it.
  const lists = { ingredients: b.ingredients, products: b.products, classes: b.classes, interactions: b.interactions, allergyGroups: b.allergyGroups, diseaseRules: b.diseaseRules, geriatricRules: b.geriatricRules };
  for (const [name, list] of Object.entries(lists)) {
    const n = list.findIndex((item, i) => i > 0 && !(list[i - 1]!.id < item.id));
    if (n > 0) throw new KnowledgeError([{ file: 'bundle', path: `${name}.${n}.id`, message: 'lists are sorted by id, without repeats' }]);
  }
  const problems = crossReferenceProblems({ ...b, manifest: { format: 'rxledger-knowledge/v1', name: b.name, version: b.version, description: b.description, sources: b.sources } });
  if (problems.length > 0) throw new KnowledgeError(problems);
  const canonical = canonicalBytes(b as unknown as JsonObject);
  if (canonical.length !== bytes.length || !canonical.every((x, n) => x === bytes[n])) throw new KnowledgeError([{ file: 'bundle', path: '', message: 'not in canonical form (RFC 8785)' }]);
  return { bundle: b, bytes, hash: bundleHash(bytes) };
}
