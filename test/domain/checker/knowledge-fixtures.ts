/**
 * Small knowledge bases for the checker's tests, built as data so each test can change one field:
 *
 *   - `tinyKnowledge()`: four ingredients, a class, an interaction, an allergy group, a drug–disease
 *     rule, a geriatric rule and a combination product. Its compiled hash is pinned as a golden
 *     vector (knowledge-bundle.test.ts), so it MUST NOT change except deliberately.
 *   - `ruleKnowledge()`: the tiny base plus the drugs the rule tests need (a class-to-class
 *     interaction, an intended-combination exception, controlled drugs, antimicrobial grades,
 *     renal bands by eGFR and by CrCl, a minimum age, allergy groups that nest and cross-react).
 *
 * Doses and flags follow the Chinese labels the starter cites where that was easy, but these are
 * fixtures, not clinical data: the rule tests depend on them and not on the starter.
 */
import type { z } from 'zod';
import type {
  AllergyGroupSchema,
  DiseaseRuleSchema,
  DrugClassSchema,
  GeriatricRuleSchema,
  Ingredient,
  InteractionSchema,
  ManifestSchema,
  ProductSchema,
  RegulatoryFileSchema,
} from '../../../schemas/knowledge.js';
import { compileBundle } from '../../../src/domain/checker/knowledge-bundle.js';
import { loadKnowledgeDir } from '../../../src/store/knowledge-dir.js';
import { createKnowledgeRuleSet, type KnowledgeRuleSet } from '../../../src/domain/checker/knowledge-rule-set.js';

type Manifest = z.infer<typeof ManifestSchema>;
type Regulatory = z.infer<typeof RegulatoryFileSchema>;
type Product = z.infer<typeof ProductSchema>;
type DrugClass = z.infer<typeof DrugClassSchema>;
type Interaction = z.infer<typeof InteractionSchema>;
type AllergyGroup = z.infer<typeof AllergyGroupSchema>;
type DiseaseRule = z.infer<typeof DiseaseRuleSchema>;
type GeriatricRule = z.infer<typeof GeriatricRuleSchema>;

/** A knowledge base as the files of its directory (docs/CHECKER.md §2), before serialisation. */
export interface KnowledgeSource {
  manifest: Manifest;
  regulatory: Regulatory;
  products: Product[];
  classes: DrugClass[];
  allergies: AllergyGroup[];
  diseases: DiseaseRule[];
  geriatric: GeriatricRule[];
  /** File name (without the folder) to the ingredients it holds. */
  ingredients: Record<string, Ingredient[]>;
  interactions: Record<string, Interaction[]>;
}

/** A directory tree for `t.testdir()`: file name to text, folder name to a subtree. */
export interface DirTree {
  [name: string]: string | DirTree;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The directory a knowledge base is loaded from, as `t.testdir()` contents. */
export function knowledgeTree(k: KnowledgeSource): DirTree {
  return {
    'manifest.json': json(k.manifest),
    'regulatory.json': json(k.regulatory),
    'products.json': json({ products: k.products }),
    'classes.json': json({ classes: k.classes }),
    'allergies.json': json({ groups: k.allergies }),
    'diseases.json': json({ rules: k.diseases }),
    'geriatric.json': json({ rules: k.geriatric }),
    ingredients: Object.fromEntries(Object.entries(k.ingredients).map(([f, list]) => [f, json({ ingredients: list })])),
    interactions: Object.fromEntries(Object.entries(k.interactions).map(([f, list]) => [f, json({ interactions: list })])),
  };
}

/** A deep copy, for tests that break one field. */
export const copyOf = (k: KnowledgeSource): KnowledgeSource => structuredClone(k);

/** Loads `dir` the production way (schemas, cross-references) and compiles it into a rule set. */
export const ruleSetFromDir = (dir: string): KnowledgeRuleSet => createKnowledgeRuleSet(compileBundle(loadKnowledgeDir(dir)));

const m = (zh: string, en: string) => ({ zh, en });
const LABEL = '药品说明书（测试夹具）';

/**
 * The regulatory limits, a literal copy of knowledge/starter/regulatory.json as of 2026-11: a
 * copy, not a read, so the tiny base's golden hash does not move when the starter is edited.
 */
export const REGULATORY: Regulatory = {
  itemsMax: {"tier": "critical", "limit": 5, "message": {"zh": "每张处方不得超过5种药品", "en": "At most 5 drugs per prescription"}, "source": "处方管理办法（卫生部令第53号，2007）第六条"},
  daysOutpatient: {"tier": "major", "limit": 7, "message": {"zh": "处方一般不得超过7日用量，延长须注明理由", "en": "Supply beyond 7 days needs a stated reason"}, "source": "处方管理办法（卫生部令第53号，2007）第十九条"},
  daysEmergency: {"tier": "major", "limit": 3, "message": {"zh": "急诊处方一般不得超过3日用量，延长须注明理由", "en": "Emergency supply beyond 3 days needs a stated reason"}, "source": "处方管理办法（卫生部令第53号，2007）第十九条"},
  longTotalMax: {"tier": "critical", "limit": 84, "message": {"zh": "长期处方用量一般不超过12周", "en": "A long prescription may cover at most 12 weeks"}, "source": "长期处方管理规范（试行）（国卫办医发〔2021〕17号）"},
  longOver4Weeks: {"tier": "moderate", "limit": 28, "message": {"zh": "超过4周的长期处方须评估病情并经患者确认", "en": "Over 4 weeks needs a documented assessment and the patient’s confirmation"}, "source": "长期处方管理规范（试行）（国卫办医发〔2021〕17号）"},
  validityExtended: {"tier": "minor", "limit": 1, "message": {"zh": "处方有效期已延长（最长3天）", "en": "Validity extended beyond the day of issue (at most 3 days)"}, "source": "处方管理办法（卫生部令第53号，2007）第十八条"},
  internetYoungChild: {"tier": "moderate", "limit": 6, "message": {"zh": "为6岁以下儿童开具互联网处方须有监护人陪同", "en": "Internet prescribing for a child under 6 requires a guardian"}, "source": "互联网诊疗管理办法（试行）（2018）；互联网诊疗监管细则（试行）（2022）"},
  childWeight: {"tier": "moderate", "limit": 14, "message": {"zh": "儿童处方应注明体重", "en": "A prescription for a child should state the weight"}, "source": "医疗机构处方审核规范（2018）"},
  controlledDays: [
    {"control": "narcotic", "kind": "injection", "maxDays": 1, "tier": "major", "message": {"zh": "麻醉药品注射剂每张处方为一次常用量", "en": "Narcotic injections: one usual dose per prescription"}, "source": "处方管理办法（卫生部令第53号，2007）第二十三条"},
    {"control": "narcotic", "kind": "controlled-release", "maxDays": 7, "tier": "major", "message": {"zh": "麻醉药品控缓释制剂每张处方不得超过7日常用量", "en": "Narcotic controlled-release forms: at most 7 days per prescription"}, "source": "处方管理办法（卫生部令第53号，2007）第二十三条"},
    {"control": "narcotic", "kind": "other", "maxDays": 3, "tier": "major", "message": {"zh": "麻醉药品其他剂型每张处方不得超过3日常用量", "en": "Other narcotic forms: at most 3 days per prescription"}, "source": "处方管理办法（卫生部令第53号，2007）第二十三条"},
    {"control": "psychotropic-1", "kind": "injection", "maxDays": 1, "tier": "major", "message": {"zh": "第一类精神药品注射剂每张处方为一次常用量", "en": "Class I psychotropic injections: one usual dose per prescription"}, "source": "处方管理办法（卫生部令第53号，2007）第二十三条"},
    {"control": "psychotropic-1", "kind": "controlled-release", "maxDays": 7, "tier": "major", "message": {"zh": "第一类精神药品控缓释制剂每张处方不得超过7日常用量", "en": "Class I psychotropic controlled-release forms: at most 7 days per prescription"}, "source": "处方管理办法（卫生部令第53号，2007）第二十三条"},
    {"control": "psychotropic-1", "kind": "other", "maxDays": 3, "tier": "major", "message": {"zh": "第一类精神药品其他剂型每张处方不得超过3日常用量（哌醋甲酯用于儿童多动症不超过15日）", "en": "Other class I psychotropic forms: at most 3 days per prescription (methylphenidate for ADHD up to 15 days)"}, "source": "处方管理办法（卫生部令第53号，2007）第二十三条"},
    {"control": "psychotropic-2", "kind": "injection", "maxDays": 7, "tier": "major", "message": {"zh": "第二类精神药品一般每张处方不得超过7日常用量", "en": "Class II psychotropics: usually at most 7 days per prescription"}, "source": "处方管理办法（卫生部令第53号，2007）第二十四条"},
    {"control": "psychotropic-2", "kind": "controlled-release", "maxDays": 7, "tier": "major", "message": {"zh": "第二类精神药品一般每张处方不得超过7日常用量", "en": "Class II psychotropics: usually at most 7 days per prescription"}, "source": "处方管理办法（卫生部令第53号，2007）第二十四条"},
    {"control": "psychotropic-2", "kind": "other", "maxDays": 7, "tier": "major", "message": {"zh": "第二类精神药品一般每张处方不得超过7日常用量", "en": "Class II psychotropics: usually at most 7 days per prescription"}, "source": "处方管理办法（卫生部令第53号，2007）第二十四条"},
    {"control": "toxic", "kind": "injection", "maxDays": 2, "tier": "major", "message": {"zh": "医疗用毒性药品每次处方剂量不得超过2日极量", "en": "Toxic drugs: at most 2 days at the maximum dose per prescription"}, "source": "医疗用毒性药品管理办法（国务院令第23号，1988）第九条"},
    {"control": "toxic", "kind": "controlled-release", "maxDays": 2, "tier": "major", "message": {"zh": "医疗用毒性药品每次处方剂量不得超过2日极量", "en": "Toxic drugs: at most 2 days at the maximum dose per prescription"}, "source": "医疗用毒性药品管理办法（国务院令第23号，1988）第九条"},
    {"control": "toxic", "kind": "other", "maxDays": 2, "tier": "major", "message": {"zh": "医疗用毒性药品每次处方剂量不得超过2日极量", "en": "Toxic drugs: at most 2 days at the maximum dose per prescription"}, "source": "医疗用毒性药品管理办法（国务院令第23号，1988）第九条"},
  ],
  longExcluded: {"tier": "critical", "controls": ["narcotic", "psychotropic-1", "psychotropic-2", "toxic", "precursor", "radioactive"], "antimicrobials": true, "message": {"zh": "麻醉药品、精神药品、医疗用毒性药品、放射性药品、易制毒药品及抗微生物药物不得用于长期处方", "en": "Narcotics, psychotropics, toxic, radioactive and precursor drugs and antimicrobials may not be on a long prescription"}, "source": "长期处方管理规范（试行）（国卫办医发〔2021〕17号）第十五条"},
  internetExcluded: {"tier": "critical", "controls": ["narcotic", "psychotropic-1", "psychotropic-2", "toxic", "precursor", "radioactive"], "message": {"zh": "互联网诊疗不得开具麻醉药品、精神药品等特殊管理药品的处方", "en": "Internet consultations may not prescribe narcotics, psychotropics or other specially controlled drugs"}, "source": "互联网诊疗管理办法（试行）（2018）第十九条；互联网诊疗监管细则（试行）（2022）"},
  privileges: {"tier": "critical", "message": {"zh": "医师不具备该药品的处方权（麻醉药品、精神药品处方资格或抗菌药物分级处方权）", "en": "The prescriber lacks the privilege this drug needs (narcotic/psychotropic prescribing, or the antimicrobial grade)"}, "source": "处方管理办法（2007）第十一条；麻醉药品和精神药品管理条例（2016修订）；抗菌药物临床应用管理办法（卫生部令第84号，2012）第二十四条"},
};

const MANIFEST: Manifest = {
  format: 'rxledger-knowledge/v1',
  name: 'rxledger-test-tiny',
  version: '1.0.0',
  description: 'A tiny knowledge base for the checker tests: a fixture, not clinical data.',
  sources: ['药品说明书（测试夹具）', '处方管理办法（卫生部令第53号，2007）'],
};

// ----- The tiny base (golden) -----

const warfarin: Ingredient = {
  id: 'warfarin',
  name: { zh: '华法林', en: 'Warfarin' },
  aliases: ['华法林钠'],
  atc: ['B01AA03'],
  forms: ['tablet'],
  routes: ['oral'],
  control: 'none',
  doseUnit: 'mg',
  doses: [{ routes: ['oral'], minAgeMonths: 216, maxSingle: '10', maxDaily: '10', source: LABEL }],
  pregnancy: { tier: 'critical', message: m('华法林可致胎儿畸形，孕妇禁用', 'Warfarin is teratogenic: contraindicated in pregnancy'), source: LABEL },
  source: LABEL,
};

const ibuprofen: Ingredient = {
  id: 'ibuprofen',
  name: { zh: '布洛芬', en: 'Ibuprofen' },
  aliases: [],
  atc: ['M01AE01'],
  forms: ['tablet', 'capsule', 'granule', 'oral-solution', 'cream'],
  routes: ['oral', 'topical'],
  control: 'none',
  doseUnit: 'mg',
  doses: [
    { routes: ['oral'], minAgeMonths: 144, maxSingle: '800', maxDaily: '2400', source: LABEL },
    { routes: ['oral'], minAgeMonths: 6, maxAgeMonths: 144, maxSinglePerKg: '10', maxDailyPerKg: '40', source: LABEL },
  ],
  pregnancy: { tier: 'major', message: m('妊娠晚期禁用', 'Avoid in the third trimester'), source: LABEL },
  source: LABEL,
};

const amoxicillin: Ingredient = {
  id: 'amoxicillin',
  name: { zh: '阿莫西林', en: 'Amoxicillin' },
  aliases: ['阿莫西林钠', '羟氨苄青霉素'],
  atc: ['J01CA04'],
  forms: ['capsule', 'tablet', 'granule', 'oral-solution', 'injection'],
  routes: ['oral', 'iv', 'im'],
  control: 'none',
  antimicrobial: 'non-restricted',
  doseUnit: 'mg',
  doses: [
    { routes: ['oral'], minAgeMonths: 216, maxSingle: '1000', maxDaily: '4000', source: LABEL },
    { routes: ['iv', 'im'], minAgeMonths: 216, maxSingle: '2000', maxDaily: '12000', source: LABEL },
  ],
  renal: [
    { measure: 'crcl', below: '30', action: 'max-daily', maxDaily: '1000', tier: 'moderate', message: m('CrCl<30 ml/min 减量', 'Reduce the dose below CrCl 30 ml/min'), source: LABEL },
  ],
  source: LABEL,
};

const clavulanicAcid: Ingredient = {
  id: 'clavulanic-acid',
  name: { zh: '克拉维酸', en: 'Clavulanic acid' },
  aliases: ['克拉维酸钾'],
  atc: ['J01CG'],
  forms: ['tablet'],
  routes: ['oral'],
  control: 'none',
  antimicrobial: 'non-restricted',
  doseUnit: 'mg',
  doses: [{ routes: ['oral'], minAgeMonths: 216, maxSingle: '250', maxDaily: '750', source: LABEL }],
  source: LABEL,
};

const NSAID: DrugClass = { id: 'nsaid', name: { zh: '非甾体抗炎药', en: 'NSAIDs' }, atcPrefixes: ['M01A'], members: [] };

const AMOX_CLAV: Product = {
  id: 'amoxicillin-clavulanic-acid',
  names: ['阿莫西林克拉维酸钾'],
  codes: ['XJ01CRA0001'],
  components: [
    { ingredient: 'amoxicillin', amount: '500', unit: 'mg' },
    { ingredient: 'clavulanic-acid', amount: '125', unit: 'mg' },
  ],
  source: LABEL,
};

const WARFARIN_NSAID: Interaction = {
  id: 'ddi.warfarin.nsaid',
  a: { ingredient: 'warfarin' },
  b: { class: 'nsaid' },
  tier: 'moderate',
  message: m('出血风险增加', 'Increased bleeding risk'),
  management: m('避免合用，必要时监测INR', 'Avoid; monitor the INR if unavoidable'),
  source: 'Stockley\'s Drug Interactions（测试夹具）',
};

const NSAID_ULCER: DiseaseRule = {
  id: 'ddz.nsaid.peptic-ulcer',
  drug: { class: 'nsaid' },
  icd10: ['K25', 'K26', 'K27', 'K28'],
  tier: 'major',
  message: m('活动性消化性溃疡患者禁用非甾体抗炎药', 'NSAIDs are contraindicated in active peptic ulcer'),
  source: LABEL,
};

const PIM_IBUPROFEN: GeriatricRule = {
  id: 'pim.ibuprofen',
  drug: { ingredient: 'ibuprofen' },
  minAgeYears: 65,
  tier: 'moderate',
  message: m('老年人避免长期使用非甾体抗炎药', 'Avoid long-term NSAIDs in older adults'),
  source: '中国老年人潜在不适当用药判断标准（2017年版）',
};

/** The tiny base: its compiled hash is a golden vector. */
export function tinyKnowledge(): KnowledgeSource {
  return structuredClone({
    manifest: MANIFEST,
    regulatory: REGULATORY,
    products: [AMOX_CLAV],
    classes: [NSAID],
    allergies: [
      {
        id: 'penicillin',
        name: { zh: '青霉素类', en: 'Penicillins' },
        terms: ['青霉素', '青霉素类', 'Penicillin'],
        members: [{ ingredient: 'amoxicillin' }, { ingredient: 'clavulanic-acid' }],
        tier: 'critical',
        crossSensitivity: [],
        source: LABEL,
      },
    ],
    diseases: [NSAID_ULCER],
    geriatric: [PIM_IBUPROFEN],
    // Deliberately out of id order: compiling sorts them.
    ingredients: { 'core.json': [warfarin, ibuprofen, amoxicillin, clavulanicAcid] },
    interactions: { 'core.json': [WARFARIN_NSAID] },
  });
}

// ----- The rule tests' base -----

const plain = (id: string, zh: string, en: string, atc: string, fields: Partial<Ingredient> = {}): Ingredient => ({
  id,
  name: { zh, en },
  aliases: [],
  atc: [atc],
  forms: ['tablet'],
  routes: ['oral'],
  control: 'none',
  doseUnit: 'mg',
  doses: [{ routes: ['oral'], minAgeMonths: 216, maxDaily: '1000', source: LABEL }],
  source: LABEL,
  ...fields,
});

const EXTRA_INGREDIENTS: Ingredient[] = [
  plain('acetylsalicylic-acid', '阿司匹林', 'Acetylsalicylic acid', 'B01AC06', { aliases: ['乙酰水杨酸'], doses: [{ routes: ['oral'], minAgeMonths: 216, maxSingle: '1000', maxDaily: '4000', source: LABEL }] }),
  plain('ceftriaxone', '头孢曲松', 'Ceftriaxone', 'J01DD04', {
    aliases: ['头孢曲松钠'],
    forms: ['injection'],
    routes: ['iv', 'im'],
    antimicrobial: 'restricted',
    // Limits in grams, so a dose written in mg is converted.
    doseUnit: 'g',
    doses: [{ routes: ['iv', 'im'], minAgeMonths: 216, maxSingle: '2', maxDaily: '4', source: LABEL }],
  }),
  plain('levofloxacin', '左氧氟沙星', 'Levofloxacin', 'J01MA12', {
    aliases: ['盐酸左氧氟沙星', '乳酸左氧氟沙星'],
    forms: ['tablet', 'injection', 'eye-drops'],
    routes: ['oral', 'iv', 'ophthalmic'],
    antimicrobial: 'special',
    doses: [{ routes: ['oral', 'iv'], minAgeMonths: 216, maxSingle: '750', maxDaily: '750', source: LABEL }],
    minAge: { months: 216, tier: 'major', message: m('18岁以下患者禁用', 'Not for patients under 18'), source: LABEL },
    renal: [{ measure: 'crcl', below: '50', action: 'max-daily', maxDaily: '250', tier: 'moderate', message: m('CrCl<50 ml/min 减量', 'Reduce the dose below CrCl 50 ml/min'), source: LABEL }],
  }),
  plain('morphine', '吗啡', 'Morphine', 'N02AA01', {
    aliases: ['盐酸吗啡', '硫酸吗啡'],
    forms: ['tablet', 'injection'],
    routes: ['oral', 'sc', 'iv'],
    control: 'narcotic',
    doses: [
      { routes: ['oral'], minAgeMonths: 216, maxSingle: '30', maxDaily: '100', source: LABEL },
      { routes: ['sc', 'iv'], minAgeMonths: 216, maxSingle: '20', maxDaily: '60', source: LABEL },
    ],
  }),
  plain('diazepam', '地西泮', 'Diazepam', 'N05BA01', {
    aliases: ['安定'],
    forms: ['tablet', 'injection'],
    routes: ['oral', 'iv'],
    control: 'psychotropic-2',
    doses: [{ routes: ['oral'], minAgeMonths: 216, maxSingle: '10', maxDaily: '40', source: LABEL }],
    lactation: { tier: 'major', message: m('哺乳期妇女避免使用', 'Avoid while breastfeeding'), source: LABEL },
  }),
  plain('methylphenidate', '哌甲酯', 'Methylphenidate', 'N06BA04', {
    aliases: ['盐酸哌甲酯', '哌醋甲酯'],
    control: 'psychotropic-1',
    doses: [{ routes: ['oral'], minAgeMonths: 72, maxDaily: '54', maxDailyPerKg: '2', source: LABEL }],
    minAge: { months: 72, tier: 'major', message: m('6岁以下儿童不宜使用', 'Not for children under 6'), source: LABEL },
  }),
  plain('hydrochlorothiazide', '氢氯噻嗪', 'Hydrochlorothiazide', 'C03AA03'),
  plain('spironolactone', '螺内酯', 'Spironolactone', 'C03DA01', {
    renal: [{ measure: 'egfr', below: '30', action: 'avoid', tier: 'major', message: m('eGFR<30 避免使用（高钾血症）', 'Avoid below eGFR 30 (hyperkalaemia)'), source: LABEL }],
  }),
  plain('furosemide', '呋塞米', 'Furosemide', 'C03CA01', { forms: ['tablet', 'injection'], routes: ['oral', 'iv'] }),
  plain('metformin', '二甲双胍', 'Metformin', 'A10BA02', {
    aliases: ['盐酸二甲双胍'],
    doses: [{ routes: ['oral'], minAgeMonths: 216, maxSingle: '1000', maxDaily: '2550', source: LABEL }],
    renal: [
      { measure: 'egfr', below: '30', action: 'avoid', tier: 'critical', message: m('eGFR<30 禁用', 'Contraindicated below eGFR 30'), source: LABEL },
      { measure: 'egfr', below: '45', action: 'max-daily', maxDaily: '1000', tier: 'major', message: m('eGFR 30～45 日剂量不超过1000mg', 'At most 1000 mg a day at eGFR 30–45'), source: LABEL },
    ],
  }),
];

const cls = (id: string, zh: string, en: string, atcPrefixes: string[], fields: Partial<DrugClass> = {}): DrugClass => ({ id, name: { zh, en }, atcPrefixes, members: [], ...fields });

const interaction = (id: string, a: Interaction['a'], b: Interaction['b'], tier: Interaction['tier'], en: string): Interaction => ({
  id,
  a,
  b,
  tier,
  message: m(`相互作用：${en}`, en),
  management: m('调整治疗', 'Adjust the therapy'),
  source: 'Stockley\'s Drug Interactions（测试夹具）',
});

/** The knowledge the rule tests run against. */
export function ruleKnowledge(): KnowledgeSource {
  const tiny = tinyKnowledge();
  return {
    ...tiny,
    manifest: { ...tiny.manifest, name: 'rxledger-test-rules' },
    classes: [
      // Aspirin is listed as a member: its ATC code (B01AC06) is not in M01A.
      cls('nsaid', '非甾体抗炎药', 'NSAIDs', ['M01A'], { members: ['acetylsalicylic-acid'] }),
      cls('anticoagulant', '抗凝药', 'Anticoagulants', ['B01AA']),
      cls('opioid', '阿片类', 'Opioids', ['N02A']),
      cls('benzodiazepine', '苯二氮䓬类', 'Benzodiazepines', ['N05BA', 'N05CD']),
      cls('penicillin', '青霉素类', 'Penicillins', ['J01C']),
      cls('cephalosporin', '头孢菌素类', 'Cephalosporins', ['J01DB', 'J01DC', 'J01DD', 'J01DE']),
      cls('fluoroquinolone', '氟喹诺酮类', 'Fluoroquinolones', ['J01MA']),
      cls('diuretic', '利尿剂', 'Diuretics', ['C03'], {
        duplicateTherapy: {
          tier: 'moderate',
          message: m('同类利尿剂重复用药', 'Two diuretics of one class'),
          // Potassium-sparing with a thiazide or a loop diuretic is intended.
          exceptions: [['hydrochlorothiazide', 'spironolactone'], ['spironolactone', 'furosemide']],
          source: '医院处方点评管理规范（试行）',
        },
      }),
    ],
    ingredients: { 'core.json': tiny.ingredients['core.json']!, 'more.json': structuredClone(EXTRA_INGREDIENTS) },
    interactions: {
      'core.json': [
        ...tiny.interactions['core.json']!,
        // For warfarin with aspirin the ingredient pair rule must win over ddi.warfarin.nsaid.
        interaction('ddi.warfarin.acetylsalicylic-acid', { ingredient: 'warfarin' }, { ingredient: 'acetylsalicylic-acid' }, 'major', 'bleeding risk'),
        interaction('ddi.anticoagulant.nsaid', { class: 'anticoagulant' }, { class: 'nsaid' }, 'minor', 'bleeding risk (class rule)'),
        interaction('ddi.opioid.benzodiazepine', { class: 'opioid' }, { class: 'benzodiazepine' }, 'critical', 'respiratory depression'),
        interaction('ddi.fluoroquinolone.warfarin', { class: 'fluoroquinolone' }, { ingredient: 'warfarin' }, 'moderate', 'INR increase'),
      ],
    },
    allergies: [
      { id: 'beta-lactam', name: { zh: 'β-内酰胺类', en: 'beta-lactams' }, terms: ['β-内酰胺类', 'beta-lactams'], members: [{ class: 'penicillin' }, { class: 'cephalosporin' }], tier: 'critical', crossSensitivity: [], source: LABEL },
      {
        id: 'penicillin',
        name: { zh: '青霉素类', en: 'penicillins' },
        terms: ['青霉素', '青霉素类', 'Penicillin'],
        members: [{ class: 'penicillin' }],
        tier: 'critical',
        crossSensitivity: [{ group: 'cephalosporin', tier: 'major', message: m('青霉素与头孢菌素可能交叉过敏', 'Possible cross-allergy with cephalosporins') }],
        source: LABEL,
      },
      {
        id: 'cephalosporin',
        name: { zh: '头孢菌素类', en: 'cephalosporins' },
        terms: ['头孢菌素类', '头孢类'],
        members: [{ class: 'cephalosporin' }],
        tier: 'critical',
        crossSensitivity: [{ group: 'penicillin', tier: 'moderate', message: m('头孢菌素与青霉素可能交叉过敏', 'Possible cross-allergy with penicillins') }],
        source: LABEL,
      },
      { id: 'quinolone', name: { zh: '喹诺酮类', en: 'quinolones' }, terms: ['喹诺酮类'], members: [{ class: 'fluoroquinolone' }], tier: 'major', crossSensitivity: [], source: LABEL },
    ],
    diseases: [
      ...tiny.diseases,
      { id: 'ddz.warfarin.bleeding', drug: { ingredient: 'warfarin' }, icd10: ['I60', 'I61', 'K92.2'], tier: 'critical', message: m('活动性出血禁用', 'Contraindicated in active bleeding'), source: LABEL },
    ],
    geriatric: [
      ...tiny.geriatric,
      { id: 'pim.benzodiazepine', drug: { class: 'benzodiazepine' }, minAgeYears: 65, tier: 'moderate', message: m('老年人避免使用苯二氮䓬类', 'Avoid benzodiazepines in older adults'), source: 'AGS Beers Criteria（2023）' },
    ],
  };
}

/** A copy of `k` without the interaction rules whose ids are given. */
export function withoutInteractions(k: KnowledgeSource, ...ids: string[]): KnowledgeSource {
  const copy = copyOf(k);
  for (const file of Object.keys(copy.interactions)) copy.interactions[file] = copy.interactions[file]!.filter((r) => !ids.includes(r.id));
  return copy;
}
