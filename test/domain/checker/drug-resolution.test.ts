/**
 * How a prescription line's 通用名 or code becomes ingredients (src/domain/checker/drug-resolution.ts):
 * the names tried, in order; resolution by product code, by the name as written, without the
 * dosage form, without the salt; combination products to their components with per-unit
 * amounts; names that do not resolve. The mechanics run against the small fixture knowledge base;
 * a table of everyday outpatient names runs against the starter.
 */
import t from 'tap';
import { candidateNames, ingredientsOf, resolveDrug, resolveLine } from '../../../src/domain/checker/drug-resolution.js';
import { amountOf } from '../../../src/domain/checker/dose-amounts.js';
import type { CompiledKnowledge } from '../../../src/domain/checker/compiled-knowledge.js';
import { knowledgeTree, ruleKnowledge, ruleSetFromDir } from './knowledge-fixtures.js';
import { starterRuleSet } from './starter-rule-set.js';
import { line } from './check-harness.js';

const k = ruleSetFromDir(t.testdir(knowledgeTree(ruleKnowledge()))).knowledge;

/** What a name denotes, as a short string: the ingredient id, "product:<id>", or "-". */
const denotes = (knowledge: CompiledKnowledge, name: string, code = 'XNOCODE'): string => {
  const what = resolveDrug(knowledge, code, name);
  return what === undefined ? '-' : 'ingredient' in what ? what.ingredient : `product:${what.product.id}`;
};

t.test('candidate names: as written, without the dosage form, without the salt (golden)', async (t) => {
  const golden: Array<[string, string[]]> = [
    ['苯磺酸氨氯地平片', ['苯磺酸氨氯地平片', '苯磺酸氨氯地平', '氨氯地平']],
    ['注射用头孢曲松钠', ['注射用头孢曲松钠', '头孢曲松钠', '头孢曲松']],
    ['阿莫西林克拉维酸钾干混悬剂', ['阿莫西林克拉维酸钾干混悬剂', '阿莫西林克拉维酸钾', '阿莫西林克拉维酸']],
    ['二甲双胍缓释片', ['二甲双胍缓释片', '二甲双胍']],
    ['盐酸二甲双胍缓释片', ['盐酸二甲双胍缓释片', '盐酸二甲双胍', '二甲双胍']],
    ['阿托伐他汀钙片', ['阿托伐他汀钙片', '阿托伐他汀钙', '阿托伐他汀']],
    ['阿司匹林肠溶片', ['阿司匹林肠溶片', '阿司匹林']],
    ['  阿司匹林肠溶片 ', ['阿司匹林肠溶片', '阿司匹林']],
    ['奥美拉唑肠溶胶囊', ['奥美拉唑肠溶胶囊', '奥美拉唑']],
    ['硝苯地平控释片', ['硝苯地平控释片', '硝苯地平']],
    ['琥珀酸美托洛尔缓释片', ['琥珀酸美托洛尔缓释片', '琥珀酸美托洛尔', '美托洛尔']],
    ['重酒石酸去甲肾上腺素注射液', ['重酒石酸去甲肾上腺素注射液', '重酒石酸去甲肾上腺素', '去甲肾上腺素']],
    ['酒石酸美托洛尔片', ['酒石酸美托洛尔片', '酒石酸美托洛尔', '美托洛尔']],
    ['硫酸沙丁胺醇吸入气雾剂', ['硫酸沙丁胺醇吸入气雾剂', '硫酸沙丁胺醇', '沙丁胺醇']],
    ['布地奈德福莫特罗吸入粉雾剂', ['布地奈德福莫特罗吸入粉雾剂', '布地奈德福莫特罗']],
    ['孟鲁司特钠咀嚼片', ['孟鲁司特钠咀嚼片', '孟鲁司特钠', '孟鲁司特']],
    ['左氧氟沙星滴眼液', ['左氧氟沙星滴眼液', '左氧氟沙星']],
    ['盐酸氨溴索口服溶液', ['盐酸氨溴索口服溶液', '盐酸氨溴索', '氨溴索']],
    ['门冬胰岛素注射液', ['门冬胰岛素注射液', '门冬胰岛素']],
    ['复方磺胺甲噁唑片', ['复方磺胺甲噁唑片', '复方磺胺甲噁唑']],
    ['阿莫西林', ['阿莫西林']],
    ['amoxicillin', ['amoxicillin']],
    // The guards: a bare form word or salt word is kept, never emptied.
    ['片', ['片']],
    ['钠', ['钠']],
    ['盐酸', ['盐酸']],
  ];
  for (const [written, expected] of golden) t.same(candidateNames(written), expected, written);
});

t.test('resolution by product code first, then by name', async (t) => {
  t.equal(denotes(k, '某商品名', 'XJ01CRA0001'), 'product:amoxicillin-clavulanic-acid', 'a known code needs no name');
  t.equal(denotes(k, '华法林钠片', 'XJ01CRA0001'), 'product:amoxicillin-clavulanic-acid', 'the code wins over the name');
  t.equal(denotes(k, '华法林钠片', 'XJ01CRA0002'), 'warfarin', 'an unknown code falls back to the name');
});

t.test('resolution by name: as written, without the form, without the salt', async (t) => {
  const table: Array<[string, string, string]> = [
    ['阿莫西林', 'amoxicillin', 'the zh name'],
    ['羟氨苄青霉素', 'amoxicillin', 'an alias (older name)'],
    ['amoxicillin', 'amoxicillin', 'the ingredient id'],
    ['acetylsalicylic acid', 'acetylsalicylic-acid', 'the English name, lowercased'],
    ['阿莫西林胶囊', 'amoxicillin', 'without the form'],
    ['华法林钠片', 'warfarin', 'a salt alias, without the form'],
    ['注射用头孢曲松钠', 'ceftriaxone', '注射用 removed'],
    ['盐酸左氧氟沙星片', 'levofloxacin', 'a salt alias'],
    ['左氧氟沙星滴眼液', 'levofloxacin', 'eye drops'],
    ['呋塞米钠注射液', 'furosemide', 'without the form and the salt suffix (not an alias)'],
    ['盐酸氢氯噻嗪片', 'hydrochlorothiazide', 'without the form and the salt prefix (not an alias)'],
    ['盐酸二甲双胍缓释片', 'metformin', 'controlled-release form'],
    ['硫酸吗啡缓释片', 'morphine', ''],
    ['阿莫西林克拉维酸钾片', 'product:amoxicillin-clavulanic-acid', 'a combination product by name'],
    ['阿莫西林克拉维酸钾', 'product:amoxicillin-clavulanic-acid', ''],
  ];
  for (const [name, expected, why] of table) t.equal(denotes(k, name), expected, `${name}${why ? `: ${why}` : ''}`);
});

t.test('names that do not resolve are not guessed', async (t) => {
  for (const name of ['某某未知药片', '阿莫', '阿莫西林克拉', '西林胶囊', 'amoxicilin', '', '片', '头孢', 'warfarin sodium']) {
    t.equal(denotes(k, name), '-', JSON.stringify(name));
    t.same(ingredientsOf(k, 'XNOCODE', name), [], `${JSON.stringify(name)}: no ingredients`);
  }
  t.same(resolveLine(k, line(1, '某某未知药片')), { item: line(1, '某某未知药片'), product: undefined, components: [] }, 'an unresolved line has no components');
});

t.test('a combination product resolves to its components, in the product\'s order', async (t) => {
  t.same(ingredientsOf(k, 'XNOCODE', '阿莫西林克拉维酸钾片').map((i) => i.data.id), ['amoxicillin', 'clavulanic-acid']);
  t.same(ingredientsOf(k, 'XNOCODE', '华法林钠片').map((i) => i.data.id), ['warfarin']);

  const twoTablets = resolveLine(k, line(1, '阿莫西林克拉维酸钾片', { dose: { value: '2', unit: '片' }, strength: { value: '625', unit: 'mg' } }));
  t.equal(twoTablets.product?.id, 'amoxicillin-clavulanic-acid');
  t.same(
    twoTablets.components.map((c) => [c.ingredient.data.id, c.single]),
    [
      ['amoxicillin', amountOf('1000', 'mg')],
      ['clavulanic-acid', amountOf('250', 'mg')],
    ],
    'two tablets: each component\'s amount per tablet times two (the line\'s own strength is not used)',
  );
  const halfTablet = resolveLine(k, line(1, '阿莫西林克拉维酸钾片', { dose: { value: '0.5', unit: '片' } }));
  t.same(halfTablet.components.map((c) => c.single), [amountOf('250', 'mg'), amountOf('62.5', 'mg')], 'half a tablet');
  const inMg = resolveLine(k, line(1, '阿莫西林克拉维酸钾片', { dose: { value: '625', unit: 'mg' } }));
  t.same(inMg.components.map((c) => c.single), [undefined, undefined], 'a product dose in mg says nothing about each component');
  const byCode = resolveLine(k, line(1, '奥格门汀', { drugCode: 'XJ01CRA0001', dose: { value: '1', unit: '片' } }));
  t.same(byCode.components.map((c) => [c.ingredient.data.id, c.single]), [['amoxicillin', amountOf('500', 'mg')], ['clavulanic-acid', amountOf('125', 'mg')]], 'by code, under a brand name');
});

t.test('a single-ingredient line computes its dose from the line\'s strength', async (t) => {
  const syrup = resolveLine(k, line(1, '阿莫西林干混悬剂', { form: 'oral-solution', strength: { value: '125', unit: 'mg/5mL' }, dose: { value: '10', unit: 'mL' } }));
  t.equal(syrup.product, undefined);
  t.same(syrup.components.map((c) => [c.ingredient.data.id, c.single]), [['amoxicillin', amountOf('250', 'mg')]]);
  const tablets = resolveLine(k, line(1, '华法林钠片', { strength: { value: '2.5', unit: 'mg' }, dose: { value: '1.5', unit: '片' } }));
  t.same(tablets.components.map((c) => c.single), [amountOf('3.75', 'mg')]);
  const unknownUnit = resolveLine(k, line(1, '华法林钠片', { dose: { value: '1', unit: '袋' }, strength: { value: '1', unit: '袋' } }));
  t.same(unknownUnit.components.map((c) => [c.ingredient.data.id, c.single]), [['warfarin', undefined]], 'resolved, dose not computable');
});

t.test('everyday outpatient names against the starter knowledge base', async (t) => {
  const starter = starterRuleSet().knowledge;
  const table: Array<[string, string]> = [
    ['苯磺酸氨氯地平片', 'amlodipine'],
    ['注射用头孢曲松钠', 'ceftriaxone'],
    ['阿莫西林克拉维酸钾干混悬剂', 'product:amoxicillin-clavulanic-acid-457'],
    ['二甲双胍缓释片', 'metformin'],
    ['盐酸二甲双胍片', 'metformin'],
    ['阿托伐他汀钙片', 'atorvastatin'],
    ['氯沙坦钾片', 'losartan'],
    ['阿司匹林肠溶片', 'acetylsalicylic-acid'],
    ['奥美拉唑肠溶胶囊', 'omeprazole'],
    ['华法林钠片', 'warfarin'],
    ['硝苯地平控释片', 'nifedipine'],
    ['琥珀酸美托洛尔缓释片', 'metoprolol'],
    ['缬沙坦氢氯噻嗪片', 'product:valsartan-hydrochlorothiazide-80'],
    ['复方磺胺甲噁唑片', 'product:sulfamethoxazole-trimethoprim'],
    ['注射用头孢哌酮钠舒巴坦钠', 'product:cefoperazone-sulbactam-1500'],
    ['布地奈德福莫特罗吸入粉雾剂', 'product:budesonide-formoterol-160'],
    ['硫酸吗啡缓释片', 'morphine'],
    ['盐酸哌甲酯缓释片', 'methylphenidate'],
    ['门冬胰岛素注射液', 'insulin-aspart'],
    ['左氧氟沙星滴眼液', 'levofloxacin'],
  ];
  for (const [name, expected] of table) t.equal(denotes(starter, name), expected, name);
});

t.test('common names the starter cannot resolve yet', async (t) => {
  const starter = starterRuleSet().knowledge;
  t.equal(denotes(starter, '芬太尼透皮贴剂'), 'fentanyl', 'fentanyl patches: a narcotic');
  t.equal(denotes(starter, '噻托溴铵粉吸入剂'), 'tiotropium');
  t.equal(denotes(starter, '沙美特罗替卡松粉吸入剂'), 'product:salmeterol-fluticasone-50-250');
  t.equal(denotes(starter, '乳酸左氧氟沙星氯化钠注射液'), 'levofloxacin');
});
