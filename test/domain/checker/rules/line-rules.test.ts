/**
 * Rules about one line on its own (src/domain/checker/rules/line-rules.ts) against the small
 * fixture base: a drug the knowledge base does not know, a route and a dosage form the drug is not
 * given by.
 */
import t from 'tap';
import { brief, check, line, rx } from '../check-harness.js';
import { knowledgeTree, ruleKnowledge, ruleSetFromDir } from '../knowledge-fixtures.js';

const ruleSet = ruleSetFromDir(t.testdir(knowledgeTree(ruleKnowledge())));
const run = (...items: ReturnType<typeof line>[]) => check(ruleSet, rx({ items }));

t.test('a drug the knowledge base does not know is reported, and nothing else about it', async (t) => {
  const r = run(line(1, '某某未知药片', { drugCode: 'XUNKNOWN01', dose: { value: '99999', unit: 'g' } }), line(2, '华法林钠片'));
  t.same(brief(r.findings), [{ ruleId: 'kb.unknown-drug', tier: 'minor', lines: [1], evidence: { drugCode: 'XUNKNOWN01', genericName: '某某未知药片' } }]);
  t.match(r.findings[0], { category: 'knowledge', message: { zh: '知识库未收录该药品，未能审核', en: 'The drug is not in the knowledge base and was not screened' }, source: 'rxledger-test-rules', action: 'inform' });
  t.equal(r.outcome, 'active');
  t.same(brief(run(line(1, '某某片'), line(3, '另一未知胶囊')).findings).map((f) => [f.ruleId, f.lines]), [['kb.unknown-drug', [1]], ['kb.unknown-drug', [3]]], 'one finding per unknown line');
  t.same(run(line(1, '奥格门汀', { drugCode: 'XJ01CRA0001', dose: { value: '1', unit: '片' } })).findings, [], 'a known product code under an unknown name is known');
});

t.test('a route the drug is not given by', async (t) => {
  const r = run(line(1, '华法林钠片', { route: 'iv' }));
  t.same(brief(r.findings), [{ ruleId: 'route.warfarin', tier: 'major', lines: [1], evidence: { ingredient: 'warfarin', route: 'iv' } }], 'and no dose rule: warfarin has no intravenous limits');
  t.match(r.findings[0], { category: 'route', message: { zh: '给药途径不适宜', en: 'The route is not one this drug is given by' }, source: '药品说明书（测试夹具）' });
  t.same(brief(run(line(1, '阿莫西林克拉维酸钾片', { route: 'iv', form: 'injection', dose: { value: '1', unit: '支' }, days: 1 })).findings), [
    { ruleId: 'route.clavulanic-acid', tier: 'major', lines: [1], evidence: { ingredient: 'clavulanic-acid', route: 'iv' } },
  ], 'each component of a product: amoxicillin may be given intravenously, clavulanic acid (here) not');
});

t.test('a dosage form the drug is not made in', async (t) => {
  const r = run(line(1, '华法林钠片', { form: 'injection' }));
  t.same(brief(r.findings), [{ ruleId: 'form.warfarin', tier: 'moderate', lines: [1], evidence: { ingredient: 'warfarin', form: 'injection' } }]);
  t.match(r.findings[0], { category: 'route', message: { zh: '剂型与药品不符', en: 'The dosage form is not one this drug is made in' } });
  t.same(brief(run(line(1, '华法林钠片', { form: 'patch', route: 'transdermal' })).findings).map((f) => f.ruleId), ['route.warfarin', 'form.warfarin'], 'both at once: major before moderate');
  t.same(run(line(1, '阿莫西林克拉维酸钾颗粒', { form: 'granule', dose: { value: '1', unit: '袋' } })).findings, [], 'a product\'s form is the product\'s: clavulanic acid alone is only tablets, yet no form finding');
  t.same(run(line(1, '左氧氟沙星滴眼液', { form: 'eye-drops', route: 'ophthalmic', dose: { value: '1', unit: '滴' } })).findings, [], 'eye drops of levofloxacin');
});
