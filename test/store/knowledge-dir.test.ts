/**
 * Loading a knowledge directory (src/store/knowledge-dir.ts): the starter loads; a
 * directory with a broken field, a missing file, a dangling reference, a duplicate id or a name
 * claimed twice does not, and every problem names its file and field path. Broken directories are
 * temporary copies (t.testdir) of the starter or of the small fixture base.
 */
import t, { type Test } from 'tap';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KnowledgeError, type KnowledgeProblem } from '../../src/domain/checker/knowledge-validation.js';
import { loadKnowledgeDir, starterKnowledgeDir } from '../../src/store/knowledge-dir.js';
import { copyOf, knowledgeTree, ruleKnowledge, tinyKnowledge, type KnowledgeSource } from '../domain/checker/knowledge-fixtures.js';

/** The problems loading `dir` reports (failing the test when it loads). */
function problemsOf(t: Test, dir: string): KnowledgeProblem[] {
  try {
    loadKnowledgeDir(dir);
  } catch (err) {
    if (err instanceof KnowledgeError) return [...err.problems];
    t.fail(`threw something other than a KnowledgeError: ${String(err)}`);
    return [];
  }
  t.fail('the directory loaded');
  return [];
}

/** Writes `k` to a fresh test directory and returns the problems loading it reports. */
const problemsLoading = (t: Test, k: KnowledgeSource) => problemsOf(t, t.testdir(knowledgeTree(k)));

const rules = ruleKnowledge();
const ingredientIndex = (k: KnowledgeSource, file: string, id: string) => k.ingredients[file]!.findIndex((i) => i.id === id);

t.test('the starter knowledge base loads', async (t) => {
  const k = loadKnowledgeDir(starterKnowledgeDir());
  t.equal(k.manifest.format, 'rxledger-knowledge/v1');
  t.ok(k.ingredients.length >= 300, `at least 300 ingredients (${k.ingredients.length})`);
  t.ok(k.interactions.length >= 150, `at least 150 interaction rules (${k.interactions.length})`);
  t.ok(k.classes.some((c) => c.duplicateTherapy !== undefined), 'duplicate-therapy classes');
  t.ok(k.allergyGroups.length > 0 && k.diseaseRules.length > 0 && k.geriatricRules.length > 0 && k.products.length > 0);
  t.ok(k.ingredients.every((i) => i.atc.length > 0 && i.doses.length > 0 && i.source.length > 0), 'every ingredient has an ATC code, dose limits and a source');
});

t.test('a copy of the starter with one broken field reports that file and field', async (t) => {
  const dir = t.testdir();
  cpSync(starterKnowledgeDir(), dir, { recursive: true });
  const file = join(dir, 'ingredients', 'cardiovascular.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as { ingredients: Array<{ doses: Array<Record<string, unknown>> }> };
  data.ingredients[0]!.doses[0]!.maxDaily = '10 mg';
  writeFileSync(file, JSON.stringify(data));
  t.same(problemsOf(t, dir), [{ file: 'ingredients/cardiovascular.json', path: 'ingredients.0.doses.0.maxDaily', message: 'a non-negative decimal string, e.g. "0.5"' }]);

  // A second broken file: both are reported, in one error.
  const classes = join(dir, 'classes.json');
  const c = JSON.parse(readFileSync(classes, 'utf8')) as { classes: Array<Record<string, unknown>> };
  c.classes[2]!.atcPrefixes = ['C9'];
  writeFileSync(classes, JSON.stringify(c));
  t.same(
    problemsOf(t, dir).map((p) => [p.file, p.path]),
    [
      ['classes.json', 'classes.2.atcPrefixes.0'],
      ['ingredients/cardiovascular.json', 'ingredients.0.doses.0.maxDaily'],
    ],
  );
});

t.test('the fixture bases load; ingredient files are read in name order', async (t) => {
  const tiny = loadKnowledgeDir(t.testdir(knowledgeTree(tinyKnowledge())));
  t.same(tiny.ingredients.map((i) => i.id), ['warfarin', 'ibuprofen', 'amoxicillin', 'clavulanic-acid'], 'as written in the file');
  t.same(tiny.interactions.map((r) => r.id), ['ddi.warfarin.nsaid']);
  t.equal(tiny.manifest.name, 'rxledger-test-tiny');

  const split = tinyKnowledge();
  const [warfarin, ibuprofen, amoxicillin, clavulanicAcid] = split.ingredients['core.json']!;
  // Written z before a; read a before z, whatever the file system's order.
  split.ingredients = { 'z-late.json': [warfarin!, ibuprofen!], 'a-early.json': [amoxicillin!, clavulanicAcid!] };
  const tree = knowledgeTree(split);
  (tree.ingredients as Record<string, string>)['README.md'] = '# not a knowledge file\n';
  const loaded = loadKnowledgeDir(t.testdir(tree));
  t.same(loaded.ingredients.map((i) => i.id), ['amoxicillin', 'clavulanic-acid', 'warfarin', 'ibuprofen'], 'files in name order; other files ignored');
});

t.test('missing files, missing folders and text that is not JSON', async (t) => {
  const tree = knowledgeTree(tinyKnowledge());
  delete tree['geriatric.json'];
  t.same(problemsOf(t, t.testdir(tree)), [{ file: 'geriatric.json', path: '', message: 'missing' }]);

  const noInteractions = knowledgeTree(tinyKnowledge());
  delete noInteractions.interactions;
  t.same(problemsOf(t, t.testdir(noInteractions)), [{ file: 'interactions/', path: '', message: 'missing' }]);

  const broken = knowledgeTree(tinyKnowledge());
  broken['classes.json'] = '{"classes": [';
  const problems = problemsOf(t, t.testdir(broken));
  t.equal(problems.length, 1);
  t.match(problems[0], { file: 'classes.json', path: '', message: /^not JSON: / });

  const dir = t.testdir(knowledgeTree(tinyKnowledge()));
  rmSync(join(dir, 'manifest.json'));
  writeFileSync(join(dir, 'ingredients', 'core.json'), '[]');
  t.same(problemsOf(t, dir).map((p) => [p.file, p.path]), [['manifest.json', ''], ['ingredients/core.json', '']], 'every problem at once');
});

t.test('schema violations name the field', async (t) => {
  const unknownKey = copyOf(rules);
  (unknownKey.ingredients['core.json']![1]!.doses[0] as Record<string, unknown>).maxSingleDose = '800';
  const p1 = problemsLoading(t, unknownKey);
  t.equal(p1.length, 1);
  t.match(p1[0], { file: 'ingredients/core.json', path: 'ingredients.1.doses.0.maxSingleDose', message: /maxSingleDose/ }, 'strict objects: an unknown key, named');

  const noMaxDaily = copyOf(rules);
  delete noMaxDaily.ingredients['core.json']![2]!.renal![0]!.maxDaily;
  t.same(problemsLoading(t, noMaxDaily), [{ file: 'ingredients/core.json', path: 'ingredients.2.renal.0.maxDaily', message: 'maxDaily is required for max-daily bands and only for them' }]);

  const band = copyOf(rules);
  band.ingredients['core.json']![1]!.doses[1]!.minAgeMonths = 144;
  t.same(problemsLoading(t, band), [{ file: 'ingredients/core.json', path: 'ingredients.1.doses.1', message: 'minAgeMonths must be below maxAgeMonths' }]);

  const badId = copyOf(rules);
  badId.interactions['core.json']![0]!.id = 'DDI warfarin';
  const p2 = problemsLoading(t, badId);
  t.same(p2.map((p) => [p.file, p.path]), [['interactions/core.json', 'interactions.0.id']], 'a rule id that is not dotted lowercase');

  const floatLimit = copyOf(rules);
  (floatLimit.regulatory.itemsMax as { limit: unknown }).limit = 5.5;
  t.same(problemsLoading(t, floatLimit).map((p) => [p.file, p.path]), [['regulatory.json', 'itemsMax.limit']]);
});

t.test('dangling references are reported with their field', async (t) => {
  const cases: Array<[string, (k: KnowledgeSource) => void, Partial<KnowledgeProblem>]> = [
    ['an interaction with an unknown ingredient', (k) => (k.interactions['core.json']![1]!.b = { ingredient: 'aspirin' }), { path: 'interactions.1.b', message: 'unknown ingredient "aspirin"' }],
    ['an interaction with an unknown class', (k) => (k.interactions['core.json']![0]!.b = { class: 'nsaids' }), { path: 'interactions.0.b', message: 'unknown class "nsaids"' }],
    ['a class member', (k) => k.classes[0]!.members.push('naproxen'), { file: 'classes.json', path: 'classes.0.members.1', message: 'unknown ingredient "naproxen"' }],
    ['a duplicate-therapy exception', (k) => (k.classes[7]!.duplicateTherapy!.exceptions[1] = ['spironolactone', 'torasemide']), { file: 'classes.json', path: 'classes.7.duplicateTherapy.exceptions.1.1', message: 'unknown ingredient "torasemide"' }],
    ['a product component', (k) => (k.products[0]!.components[1]!.ingredient = 'clavulanate'), { file: 'products.json', path: 'products.0.components.1.ingredient', message: 'unknown ingredient "clavulanate"' }],
    ['an allergy group member', (k) => (k.allergies[3]!.members[0] = { class: 'quinolone' }), { file: 'allergies.json', path: 'groups.3.members.0', message: 'unknown class "quinolone"' }],
    ['a cross-sensitivity group', (k) => (k.allergies[1]!.crossSensitivity[0]!.group = 'cephalosporins'), { file: 'allergies.json', path: 'groups.1.crossSensitivity.0.group', message: 'unknown group "cephalosporins"' }],
    ['a drug–disease rule', (k) => (k.diseases[1]!.drug = { ingredient: 'heparin' }), { file: 'diseases.json', path: 'rules.1.drug', message: 'unknown ingredient "heparin"' }],
    ['a geriatric rule', (k) => (k.geriatric[1]!.drug = { class: 'benzodiazepines' }), { file: 'geriatric.json', path: 'rules.1.drug', message: 'unknown class "benzodiazepines"' }],
  ];
  for (const [what, breakIt, expected] of cases) {
    const k = copyOf(rules);
    breakIt(k);
    const problems = problemsLoading(t, k);
    t.equal(problems.length, 1, `${what}: one problem`);
    t.match(problems[0], expected, what);
    if (expected.path?.startsWith('interactions.')) t.match(problems[0]!.file, /^interactions\//, `${what}: in the interactions folder`);
  }

  const several = copyOf(rules);
  several.classes[0]!.members.push('naproxen');
  several.geriatric[0]!.drug = { ingredient: 'naproxen' };
  t.same(problemsLoading(t, several).map((p) => p.path), ['classes.0.members.1', 'rules.0.drug'], 'all of them at once');
});

t.test('a problem in the second interactions file names that file and its index there', async (t) => {
  const k = copyOf(rules);
  k.interactions['z-more.json'] = [{ ...k.interactions['core.json']![0]!, id: 'ddi.warfarin.unknown', b: { ingredient: 'aspirin' } }];
  t.same(problemsLoading(t, k), [{ file: 'interactions/z-more.json', path: 'interactions.0.b', message: 'unknown ingredient "aspirin"' }]);
});

t.test('duplicate ids are reported', async (t) => {
  const acrossFiles = copyOf(rules);
  acrossFiles.ingredients['more.json']!.push(structuredClone(acrossFiles.ingredients['core.json']![0]!));
  t.same(problemsLoading(t, acrossFiles), [
    { file: 'ingredients/more.json', path: `ingredients.${acrossFiles.ingredients['more.json']!.length - 1}.id`, message: 'duplicate ingredient "warfarin" (also in ingredients/core.json)' },
  ]);

  const sameFile = copyOf(rules);
  sameFile.ingredients['core.json']!.push(structuredClone(sameFile.ingredients['core.json']![2]!));
  t.same(problemsLoading(t, sameFile), [{ file: 'ingredients/core.json', path: 'ingredients.4.id', message: 'duplicate ingredient "amoxicillin" (also in ingredients/core.json)' }]);

  const cases: Array<[string, (k: KnowledgeSource) => void, KnowledgeProblem]> = [
    ['class', (k) => k.classes.push({ ...k.classes[1]!, atcPrefixes: ['B01AB'] }), { file: 'classes.json', path: 'classes.8.id', message: 'duplicate id "anticoagulant"' }],
    ['product', (k) => k.products.push({ ...k.products[0]!, names: ['阿莫西林克拉维酸钾分散片'], codes: [] }), { file: 'products.json', path: 'products.1.id', message: 'duplicate id "amoxicillin-clavulanic-acid"' }],
    ['allergy group', (k) => k.allergies.push({ ...k.allergies[3]!, terms: ['氟喹诺酮'] }), { file: 'allergies.json', path: 'groups.4.id', message: 'duplicate id "quinolone"' }],
    ['drug–disease rule', (k) => k.diseases.push({ ...k.diseases[0]!, icd10: ['K29'] }), { file: 'diseases.json', path: 'rules.2.id', message: 'duplicate id "ddz.nsaid.peptic-ulcer"' }],
    ['geriatric rule', (k) => k.geriatric.push({ ...k.geriatric[0]!, minAgeYears: 75 }), { file: 'geriatric.json', path: 'rules.2.id', message: 'duplicate id "pim.ibuprofen"' }],
  ];
  for (const [what, breakIt, expected] of cases) {
    const k = copyOf(rules);
    breakIt(k);
    t.same(problemsLoading(t, k), [expected], what);
  }

  const interaction = copyOf(rules);
  interaction.interactions['core.json']!.push({ ...interaction.interactions['core.json']![2]!, tier: 'minor' });
  const problems = problemsLoading(t, interaction);
  t.equal(problems.length, 1);
  t.match(problems[0], { file: /^interactions\//, path: 'interactions.5.id', message: 'duplicate id "ddi.anticoagulant.nsaid"' }, 'an interaction rule');
});

t.test('a name may denote one drug only', async (t) => {
  const alias = copyOf(rules);
  alias.ingredients['core.json']![1]!.aliases = ['华法林钠'];
  const p1 = problemsLoading(t, alias);
  t.equal(p1.length, 1);
  t.match(p1[0], { file: 'ingredients/core.json', path: /^ingredients\.1\./, message: 'name "华法林钠" already denotes "warfarin"' }, 'an alias claimed by a second ingredient');

  const zh = copyOf(rules);
  zh.ingredients['core.json']![3]!.name.zh = '阿莫西林';
  const p2 = problemsLoading(t, zh);
  t.equal(p2.length, 1);
  t.match(p2[0], { file: 'ingredients/core.json', path: /^ingredients\.3\./, message: 'name "阿莫西林" already denotes "amoxicillin"' }, 'a zh name that is another ingredient\'s');

  const product = copyOf(rules);
  product.products[0]!.names.push('阿莫西林');
  t.same(problemsLoading(t, product), [{ file: 'products.json', path: 'products.0.names.1', message: 'name "阿莫西林" already denotes "amoxicillin"' }], 'a product named like an ingredient');

  const twoProducts = copyOf(rules);
  twoProducts.products.push({ ...twoProducts.products[0]!, id: 'amoxicillin-clavulanic-acid-2', codes: [] });
  t.same(problemsLoading(t, twoProducts), [{ file: 'products.json', path: 'products.1.names.0', message: 'name "阿莫西林克拉维酸钾" already denotes "product:amoxicillin-clavulanic-acid"' }], 'two products with one name');

  const own = copyOf(rules);
  own.ingredients['core.json']![0]!.aliases.push('华法林');
  t.doesNotThrow(() => loadKnowledgeDir(t.testdir(knowledgeTree(own))), 'an ingredient may repeat its own zh name as an alias');
});

t.test('a name claimed twice is reported at the field that claims it', async (t) => {
  const alias = copyOf(rules);
  alias.ingredients['core.json']![1]!.aliases = ['华法林钠'];
  t.same(problemsLoading(t, alias).map((p) => p.path), ['ingredients.1.aliases.0']);

  const zh = copyOf(rules);
  zh.ingredients['core.json']![3]!.name.zh = '阿莫西林';
  t.same(problemsLoading(t, zh).map((p) => p.path), ['ingredients.3.name.zh']);

  const secondFile = copyOf(rules);
  const n = ingredientIndex(secondFile, 'more.json', 'furosemide');
  secondFile.ingredients['more.json']![n]!.aliases = ['华法林钠'];
  t.same(problemsLoading(t, secondFile), [{ file: 'ingredients/more.json', path: `ingredients.${n}.aliases.0`, message: 'name "华法林钠" already denotes "warfarin"' }]);
});

t.test('an alias equal to another ingredient\'s id or English name is reported', async (t) => {
  const k = copyOf(rules);
  k.ingredients['core.json']![0]!.aliases.push('ibuprofen');
  const problems = problemsLoading(t, k);
  t.equal(problems.length, 1);
  t.match(problems[0], { file: 'ingredients/core.json', message: /ibuprofen/ });
});
