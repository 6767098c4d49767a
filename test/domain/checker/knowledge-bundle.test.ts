/**
 * The compiled rule set (src/domain/checker/knowledge-bundle.ts):
 *
 *   hash = SHA-256("rxledger/rule-set/v1\n" || JCS(bundle))
 *
 * checked against a naive reference (node:crypto over the `canonicalize` package, the RFC 8785
 * reference implementation), with a golden vector for the small fixture base, and parseBundle
 * against hostile bytes: not canonical, not JSON, not UTF-8, not the schema, dangling references.
 */
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { bytesToHex, utf8 } from '../../../src/core/bytes.js';
import { BUNDLE_FORMAT, compileBundle, ENGINE_VERSION, parseBundle, RULE_SET_PREFIX, type CompiledBundle } from '../../../src/domain/checker/knowledge-bundle.js';
import { KnowledgeError, type KnowledgeFiles, type KnowledgeProblem } from '../../../src/domain/checker/knowledge-validation.js';
import { loadKnowledgeDir } from '../../../src/store/knowledge-dir.js';
import { starterRuleSet } from './starter-rule-set.js';
import { knowledgeTree, ruleKnowledge, tinyKnowledge, type KnowledgeSource } from './knowledge-fixtures.js';

/** The naive reference: SHA-256 over the prefix and the `canonicalize` package's text. */
const reference = (bundle: unknown): string => createHash('sha256').update(RULE_SET_PREFIX + canonicalize(bundle), 'utf8').digest('hex');

const load = (t: Test, k: KnowledgeSource): KnowledgeFiles => loadKnowledgeDir(t.testdir(knowledgeTree(k)));
const compile = (t: Test, k: KnowledgeSource): CompiledBundle => compileBundle(load(t, k));

/**
 * The tiny fixture base's rule-set hash. A golden vector: it MUST only change deliberately, when
 * the bundle format, the engine version or tinyKnowledge() itself is changed on purpose. If this
 * test fails and none of those was meant to change, compilation stopped being deterministic.
 */
const TINY_HASH = '35160351a2f285ffe866c619fddd0c010a019391f65f0cf8a3d3592dcb27b46e';

/** The problems parseBundle reports for `bytes` (failing the test when it parses). */
function parseProblems(t: Test, bytes: Uint8Array): KnowledgeProblem[] {
  try {
    parseBundle(bytes);
  } catch (err) {
    if (err instanceof KnowledgeError) return [...err.problems];
    t.fail(`threw something other than a KnowledgeError: ${String(err)}`);
    return [];
  }
  t.fail('the bytes parsed');
  return [];
}

t.test('the golden vector: the tiny base\'s hash', async (t) => {
  const compiled = compile(t, tinyKnowledge());
  t.equal(compiled.hash, TINY_HASH);
  t.equal(reference(compiled.bundle), TINY_HASH, 'the reference agrees');
});

t.test('compiling sorts every list by id and names the format and engine', async (t) => {
  const files = load(t, ruleKnowledge());
  const before = files.ingredients.map((i) => i.id);
  const { bundle } = compileBundle(files);
  t.equal(bundle.format, BUNDLE_FORMAT);
  t.equal(bundle.format, 'rxledger-rule-set/v1');
  t.equal(bundle.engine, ENGINE_VERSION);
  t.equal(bundle.name, 'rxledger-test-rules');
  t.equal(bundle.version, '1.0.0');
  const sorted = (ids: string[]) => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const key of ['ingredients', 'products', 'classes', 'interactions', 'allergyGroups', 'diseaseRules', 'geriatricRules'] as const) {
    const ids = bundle[key].map((x) => x.id);
    t.same(ids, sorted(ids), `${key} sorted`);
  }
  t.same(bundle.ingredients.slice(0, 4).map((i) => i.id), ['acetylsalicylic-acid', 'amoxicillin', 'ceftriaxone', 'clavulanic-acid']);
  t.not(before[0], 'acetylsalicylic-acid', 'the fixture is written out of order');
  t.same(files.ingredients.map((i) => i.id), before, 'the loaded files are not reordered in place');
  t.same(bundle.regulatory, files.regulatory);
  t.same(bundle.sources, files.manifest.sources);
});

t.test('the hash is SHA-256 of the prefix and the RFC 8785 bytes, by the reference', async (t) => {
  t.equal(RULE_SET_PREFIX, 'rxledger/rule-set/v1\n');
  for (const [what, compiled] of [
    ['tiny', compile(t, tinyKnowledge())],
    ['rules', compile(t, ruleKnowledge())],
    ['starter', starterRuleSet().compiled],
  ] as const) {
    t.equal(compiled.hash, reference(compiled.bundle), `${what}: hash`);
    t.equal(Buffer.from(compiled.bytes).toString('utf8'), canonicalize(compiled.bundle), `${what}: the stored bytes are the JCS text`);
    t.equal(compiled.hash, bytesToHex(createHash('sha256').update(Buffer.concat([Buffer.from(RULE_SET_PREFIX), compiled.bytes])).digest()), `${what}: the hash is over exactly the stored bytes`);
    t.match(compiled.hash, /^[0-9a-f]{64}$/);
  }
});

t.test('the hash depends on the knowledge, not on how it is split into files', async (t) => {
  const whole = compile(t, ruleKnowledge()).hash;
  const regrouped = ruleKnowledge();
  const all = [...regrouped.ingredients['core.json']!, ...regrouped.ingredients['more.json']!];
  regrouped.ingredients = { 'c.json': all.filter((_, n) => n % 3 === 0), 'a.json': all.filter((_, n) => n % 3 === 1), 'b.json': all.filter((_, n) => n % 3 === 2).reverse() };
  regrouped.interactions = { 'x.json': regrouped.interactions['core.json']!.slice(2), 'y.json': regrouped.interactions['core.json']!.slice(0, 2).reverse() };
  regrouped.classes.reverse();
  regrouped.allergies.reverse();
  t.equal(compile(t, regrouped).hash, whole, 'same rules in other files and orders: same hash');
  t.equal(compile(t, ruleKnowledge()).hash, whole, 'and again');
});

t.test('changing one number, one word or the version changes the hash', async (t) => {
  const base = compile(t, tinyKnowledge()).hash;
  const changes: Array<[string, (k: KnowledgeSource) => void]> = [
    ['a daily limit 10 → 11', (k) => (k.ingredients['core.json']![0]!.doses[0]!.maxDaily = '11')],
    ['a daily limit 10 → 10.000001', (k) => (k.ingredients['core.json']![0]!.doses[0]!.maxDaily = '10.000001')],
    ['an age band', (k) => (k.ingredients['core.json']![1]!.doses[1]!.maxAgeMonths = 143)],
    ['an interaction tier', (k) => (k.interactions['core.json']![0]!.tier = 'major')],
    ['a message', (k) => (k.diseases[0]!.message.en = 'NSAIDs are contraindicated in active peptic ulcers')],
    ['a regulatory limit', (k) => (k.regulatory.itemsMax.limit = 6)],
    ['the version', (k) => (k.manifest.version = '1.0.1')],
    ['a product amount', (k) => (k.products[0]!.components[1]!.amount = '125.5')],
  ];
  const seen = new Set([base]);
  for (const [what, change] of changes) {
    const k = tinyKnowledge();
    change(k);
    const compiled = compile(t, k);
    t.not(compiled.hash, base, what);
    t.equal(compiled.hash, reference(compiled.bundle), `${what}: the reference agrees`);
    seen.add(compiled.hash);
  }
  t.equal(seen.size, changes.length + 1, 'all different');
});

t.test('parseBundle round-trips the stored bytes', async (t) => {
  for (const compiled of [compile(t, tinyKnowledge()), starterRuleSet().compiled]) {
    const parsed = parseBundle(compiled.bytes);
    t.equal(parsed.hash, compiled.hash, `${compiled.bundle.name}: same hash`);
    t.same(parsed.bundle, compiled.bundle);
    t.same(Buffer.from(parsed.bytes), Buffer.from(compiled.bytes));
    const b = parsed.bundle;
    const manifest = { format: 'rxledger-knowledge/v1' as const, name: b.name, version: b.version, description: b.description, sources: b.sources };
    t.equal(compileBundle({ ...b, manifest }).hash, compiled.hash, 'recompiling what was parsed gives the same hash');
  }
  const copy = new Uint8Array(compile(t, tinyKnowledge()).bytes);
  t.equal(parseBundle(copy).hash, TINY_HASH, 'the hash is recomputed from the bytes');
});

t.test('parseBundle refuses bytes that are not in canonical form', async (t) => {
  const compiled = compile(t, tinyKnowledge());
  const text = Buffer.from(compiled.bytes).toString('utf8');
  const notCanonical = [{ file: 'bundle', path: '', message: 'not in canonical form (RFC 8785)' }];
  const variants: Record<string, string> = {
    'pretty-printed': JSON.stringify(compiled.bundle, null, 2),
    'a trailing newline': `${text}\n`,
    'leading space': ` ${text}`,
    // The decoder drops a byte-order mark; the bytes are then longer than their canonical form.
    'a byte-order mark': `\ufeff${text}`,
    'members out of order': JSON.stringify(Object.fromEntries(Object.entries(compiled.bundle).reverse())),
    'a number written 5.0': text.replace('"limit":5,', '"limit":5.0,'),
    'a number written 5e0': text.replace('"limit":5,', '"limit":5e0,'),
    'an escaped character that needs none': text.replace('"name":"rxledger-test-tiny"', '"name":"rxledger\\u002dtest-tiny"'),
    'a duplicate member': text.replace('{"allergyGroups":', '{"name":"x","allergyGroups":'),
  };
  for (const [what, bytes] of Object.entries(variants)) {
    t.not(bytes, text, `${what}: the variant differs`);
    t.same(parseProblems(t, utf8(bytes)), notCanonical, what);
  }
});

t.test('parseBundle refuses what is not UTF-8 JSON', async (t) => {
  const text = Buffer.from(compile(t, tinyKnowledge()).bytes).toString('utf8');
  const notJson = [{ file: 'bundle', path: '', message: 'not UTF-8 JSON' }];
  t.same(parseProblems(t, new Uint8Array()), notJson, 'empty');
  t.same(parseProblems(t, utf8(text.slice(0, -1))), notJson, 'truncated');
  t.same(parseProblems(t, utf8(`${text},`)), notJson, 'trailing garbage');
  t.same(parseProblems(t, new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), notJson, 'invalid UTF-8 inside a string');
});

t.test('parseBundle refuses schema violations, naming the field', async (t) => {
  const { bundle } = compile(t, tinyKnowledge());
  const cases: Array<[string, (b: Record<string, unknown> & typeof bundle) => void, string[]]> = [
    ['another engine', (b) => ((b as { engine: string }).engine = 'rxledger-checker/2'), ['engine']],
    ['another format', (b) => ((b as { format: string }).format = 'rxledger-rule-set/v2'), ['format']],
    ['a limit as a float', (b) => ((b.ingredients[0]!.doses[0] as Record<string, unknown>).maxDaily = 4000.5), ['ingredients.0.doses.0.maxDaily']],
    ['a missing list', (b) => delete (b as Record<string, unknown>).geriatricRules, ['geriatricRules']],
    ['an unknown member', (b) => ((b as Record<string, unknown>).extra = true), ['extra']],
    ['a bad tier', (b) => ((b.interactions[0] as { tier: string }).tier = 'severe'), ['interactions.0.tier']],
    ['not an object', () => undefined, ['']],
  ];
  for (const [what, breakIt, paths] of cases) {
    const b = structuredClone(bundle) as Record<string, unknown> & typeof bundle;
    breakIt(b);
    const value = what === 'not an object' ? [b] : b;
    const problems = parseProblems(t, utf8(canonicalize(value)!));
    t.same(problems.map((p) => p.path), paths, what);
    t.ok(problems.every((p) => p.file === 'bundle'), `${what}: the problems are about the bundle`);
  }
});

t.test('parseBundle refuses dangling references and duplicates', async (t) => {
  const { bundle } = compile(t, tinyKnowledge());
  const dangling = structuredClone(bundle);
  dangling.interactions[0]!.b = { class: 'nsaids' };
  const p1 = parseProblems(t, utf8(canonicalize(dangling)!));
  t.equal(p1.length, 1);
  t.match(p1[0], { path: 'interactions.0.b', message: 'unknown class "nsaids"' });

  const duplicate = structuredClone(bundle);
  duplicate.classes.push(structuredClone(duplicate.classes[0]!));
  const p2 = parseProblems(t, utf8(canonicalize(duplicate)!));
  // A repeated id breaks the bundle's order before it is a duplicate: one content, one form.
  t.same(p2, [{ file: 'bundle', path: 'classes.1.id', message: 'lists are sorted by id, without repeats' }]);
});

t.test('compiling the same files twice gives byte-identical bundles', async (t) => {
  const files = load(t, ruleKnowledge());
  const a = compileBundle(files);
  const b = compileBundle(structuredClone(files));
  t.same(Buffer.from(a.bytes), Buffer.from(b.bytes));
  t.equal(a.hash, b.hash);
});
