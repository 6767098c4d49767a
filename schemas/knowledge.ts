/**
 * The rational-drug-use knowledge base's file formats. A knowledge base is a directory of JSON
 * files (knowledge/starter/ is the one shipped; a deployment may replace it with a licensed one
 * in the same format): a manifest, the regulatory limits, ingredients, products, classes,
 * interactions, allergy groups, drug–disease rules and geriatric rules. The loader
 * (src/domain/checker/knowledge-loader.ts) validates every file against these schemas, checks every
 * cross-reference, and compiles the whole into one canonical bundle whose SHA-256 is the rule-set
 * version (docs/CHECKER.md).
 *
 * Numbers that are not whole are decimal strings, never floats: they are hashed, and the engine
 * compares them exactly.
 */
import { z } from 'zod';
import { DOSAGE_FORMS, ROUTES, DecimalSchema } from './prescription.js';

/** Severity tiers, most severe first; a deployment's policy maps each tier to an action. */
export const TIERS = ['critical', 'major', 'moderate', 'minor'] as const;
const TierSchema = z.enum(TIERS);

const Text = (max: number) => z.string().min(1).max(max).refine((s) => s.isWellFormed() && !/[\u0000-\u001f]/.test(s), 'no control characters');
/** A message in Chinese and English: every finding is shown to Chinese clinicians and read by auditors. */
const MessageSchema = z.strictObject({ zh: Text(300), en: Text(300) });
/** Where a rule comes from: label, national formulary, guideline (with year). */
const SourceSchema = Text(200);

/** Ingredient ids: the WHO INN in English, lowercase, words joined by hyphens, without the salt. */
export const IngredientIdSchema = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'an INN in lowercase with hyphens, e.g. "acetylsalicylic-acid"').max(64);
/** Class ids: lowercase with hyphens, e.g. "statin", "strong-cyp3a4-inhibitor". */
export const ClassIdSchema = IngredientIdSchema;
/** Rule ids: stable, dotted, e.g. "ddi.warfarin.nsaid"; a finding names the rule that raised it. */
export const RuleIdSchema = z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/, 'a dotted rule id such as "ddi.warfarin.nsaid"').max(96);
/** ATC code at any level, e.g. "C", "C08", "C08CA", "C08CA01". */
export const AtcSchema = z.string().regex(/^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$/, 'an ATC code such as C08CA01');
const Icd10PrefixSchema = z.string().regex(/^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/, 'an ICD-10 code or category such as I10, N18 or E11.9');

/** 特殊管理药品: 麻醉药品, 第一类/第二类精神药品, 医疗用毒性药品, 药品类易制毒化学品, 放射性药品. */
export const CONTROL_CLASSES = ['none', 'narcotic', 'psychotropic-1', 'psychotropic-2', 'toxic', 'precursor', 'radioactive'] as const;
/** 抗菌药物临床应用分级: 非限制使用级, 限制使用级, 特殊使用级 (registry-model.ts uses the same words). */
export const ANTIMICROBIAL_GRADES = ['non-restricted', 'restricted', 'special'] as const;
/** Units the limits are written in. Mass converts among g, mg and mcg; IU and mmol stand alone. */
export const DOSE_UNITS = ['g', 'mg', 'mcg', 'IU', 'mmol'] as const;

/** A reference to a drug by ingredient or by class. */
export const DrugRefSchema = z.union([z.strictObject({ ingredient: IngredientIdSchema }), z.strictObject({ class: ClassIdSchema })]);
export type DrugRef = z.infer<typeof DrugRefSchema>;

/**
 * A dose limit for the routes and the age band it names. Ages are in whole months, half-open:
 * `minAgeMonths` ≤ age < `maxAgeMonths`; an absent bound is open. Per-kg limits need the patient's
 * weight (the engine reports a missing weight rather than guessing).
 */
export const DoseLimitSchema = z
  .strictObject({
    routes: z.array(z.enum(ROUTES)).min(1),
    minAgeMonths: z.number().int().min(0).max(1800).optional(),
    maxAgeMonths: z.number().int().min(1).max(1800).optional(),
    maxSingle: DecimalSchema.optional(),
    maxDaily: DecimalSchema.optional(),
    maxSinglePerKg: DecimalSchema.optional(),
    maxDailyPerKg: DecimalSchema.optional(),
    source: SourceSchema,
  })
  .refine((d) => d.maxSingle !== undefined || d.maxDaily !== undefined || d.maxSinglePerKg !== undefined || d.maxDailyPerKg !== undefined, {
    message: 'a dose limit needs at least one maximum',
  })
  .refine((d) => d.minAgeMonths === undefined || d.maxAgeMonths === undefined || d.minAgeMonths < d.maxAgeMonths, { message: 'minAgeMonths must be below maxAgeMonths' });

/** A flag with its tier and message: pregnancy, lactation, geriatric use, minimum age. */
const FlagSchema = z.strictObject({ tier: TierSchema, message: MessageSchema, source: SourceSchema });

/** Renal band: applies when the patient's eGFR (or creatinine clearance) is strictly below `below`. */
export const RenalBandSchema = z.strictObject({
  /** Which measure the label states; the engine uses the other when only that one is known. */
  measure: z.enum(['egfr', 'crcl']),
  below: DecimalSchema,
  /** `avoid`: any use is the finding; `max-daily`: only a daily dose above `maxDaily`. */
  action: z.enum(['avoid', 'max-daily']),
  maxDaily: DecimalSchema.optional(),
  tier: TierSchema,
  message: MessageSchema,
  source: SourceSchema,
}).refine((b) => (b.action === 'max-daily') === (b.maxDaily !== undefined), { message: 'maxDaily is required for max-daily bands and only for them', path: ['maxDaily'] });

export const IngredientSchema = z.strictObject({
  id: IngredientIdSchema,
  name: z.strictObject({ zh: Text(32), en: Text(64) }),
  /**
   * Other names a prescription's 通用名 may use for it once the dosage-form suffix is removed:
   * salts and esters (苯磺酸氨氯地平, 阿托伐他汀钙), older names. The zh name is always an alias.
   */
  aliases: z.array(Text(32)).max(16),
  atc: z.array(AtcSchema).min(1).max(8),
  forms: z.array(z.enum(DOSAGE_FORMS)).min(1),
  routes: z.array(z.enum(ROUTES)).min(1),
  control: z.enum(CONTROL_CLASSES),
  antimicrobial: z.enum(ANTIMICROBIAL_GRADES).optional(),
  /** The unit every dose limit of this ingredient is written in. */
  doseUnit: z.enum(DOSE_UNITS),
  doses: z.array(DoseLimitSchema).min(1).max(12),
  /** Below this age the ingredient is not to be used (fluoroquinolones, tetracyclines, …). */
  minAge: z.strictObject({ months: z.number().int().min(1).max(1800), tier: TierSchema, message: MessageSchema, source: SourceSchema }).optional(),
  pregnancy: FlagSchema.optional(),
  lactation: FlagSchema.optional(),
  renal: z.array(RenalBandSchema).max(4).optional(),
  source: SourceSchema,
});
export type Ingredient = z.infer<typeof IngredientSchema>;

/** One file of ingredients (knowledge/starter/ingredients/*.json). */
export const IngredientFileSchema = z.strictObject({ ingredients: z.array(IngredientSchema).min(1) });

/** A combination product (复方制剂) or a coded product, so its components are checked one by one. */
export const ProductSchema = z.strictObject({
  id: IngredientIdSchema,
  /** 通用名 as prescribed, without the dosage-form suffix, e.g. 复方磺胺甲噁唑, 缬沙坦氢氯噻嗪. */
  names: z.array(Text(48)).min(1).max(8),
  /** Formulary or medical-insurance codes that denote this product, when known. */
  codes: z.array(Text(32)).max(16),
  /** Amount of each component in one dosing unit (one tablet, one capsule, one sachet). */
  components: z.array(z.strictObject({ ingredient: IngredientIdSchema, amount: DecimalSchema, unit: z.enum(DOSE_UNITS) })).min(2).max(8),
  source: SourceSchema,
});
export const ProductFileSchema = z.strictObject({ products: z.array(ProductSchema) });

/**
 * A drug class: the ingredients whose ATC codes start with one of `atcPrefixes`, plus `members`.
 * `duplicateTherapy` makes two different members on one prescription (or on the patient's live
 * prescriptions) a finding, except the pairs listed as intended combinations.
 */
export const DrugClassSchema = z.strictObject({
  id: ClassIdSchema,
  name: z.strictObject({ zh: Text(48), en: Text(96) }),
  atcPrefixes: z.array(AtcSchema).max(16),
  members: z.array(IngredientIdSchema).max(200),
  duplicateTherapy: z
    .strictObject({
      tier: TierSchema,
      message: MessageSchema,
      /** Pairs of members that are intended together (e.g. basal with prandial insulin). */
      exceptions: z.array(z.tuple([IngredientIdSchema, IngredientIdSchema])).max(32),
      source: SourceSchema,
    })
    .optional(),
}).refine((c) => c.atcPrefixes.length + c.members.length > 0, { message: 'a class needs ATC prefixes or members' });
export const ClassFileSchema = z.strictObject({ classes: z.array(DrugClassSchema).min(1) });

/** A drug–drug interaction: symmetric; `a` and `b` are ingredients or classes. */
export const InteractionSchema = z.strictObject({
  id: RuleIdSchema,
  a: DrugRefSchema,
  b: DrugRefSchema,
  tier: TierSchema,
  /** What happens (e.g. 出血风险增加 / increased bleeding risk). */
  message: MessageSchema,
  /** What to do about it. */
  management: MessageSchema,
  source: SourceSchema,
});
export const InteractionFileSchema = z.strictObject({ interactions: z.array(InteractionSchema).min(1) });

/**
 * An allergy group: what a patient's recorded allergy may be called (`terms`, matched after
 * trimming and lowercasing), which drugs it covers, and the groups known to cross-react.
 */
export const AllergyGroupSchema = z.strictObject({
  id: ClassIdSchema,
  name: z.strictObject({ zh: Text(48), en: Text(96) }),
  terms: z.array(Text(48)).min(1).max(24),
  members: z.array(DrugRefSchema).min(1).max(64),
  /** Tier when a prescribed drug is in the same group as the recorded allergy. */
  tier: TierSchema,
  crossSensitivity: z.array(z.strictObject({ group: ClassIdSchema, tier: TierSchema, message: MessageSchema })).max(8),
  source: SourceSchema,
});
export const AllergyFileSchema = z.strictObject({ groups: z.array(AllergyGroupSchema).min(1) });

/** A drug–disease contraindication: the drug against diagnoses whose ICD-10 code starts with a prefix. */
export const DiseaseRuleSchema = z.strictObject({
  id: RuleIdSchema,
  drug: DrugRefSchema,
  icd10: z.array(Icd10PrefixSchema).min(1).max(32),
  tier: TierSchema,
  message: MessageSchema,
  source: SourceSchema,
});
export const DiseaseFileSchema = z.strictObject({ rules: z.array(DiseaseRuleSchema).min(1) });

/** A potentially inappropriate medicine for older adults (Beers; 中国老年人潜在不适当用药目录). */
export const GeriatricRuleSchema = z.strictObject({
  id: RuleIdSchema,
  drug: DrugRefSchema,
  minAgeYears: z.number().int().min(60).max(100),
  tier: TierSchema,
  message: MessageSchema,
  source: SourceSchema,
});
export const GeriatricFileSchema = z.strictObject({ rules: z.array(GeriatricRuleSchema).min(1) });

/**
 * The regulatory limits of ../shared/DOMAIN.md §4 as data: they change by regulation, so they are
 * part of the versioned bundle like every other rule.
 */
const LimitRuleSchema = z.strictObject({ tier: TierSchema, limit: z.number().int().min(0).max(1000), message: MessageSchema, source: SourceSchema });
const PlainRuleSchema = z.strictObject({ tier: TierSchema, message: MessageSchema, source: SourceSchema });
export const RegulatoryFileSchema = z.strictObject({
  itemsMax: LimitRuleSchema,
  daysOutpatient: LimitRuleSchema,
  daysEmergency: LimitRuleSchema,
  longTotalMax: LimitRuleSchema,
  longOver4Weeks: LimitRuleSchema,
  validityExtended: LimitRuleSchema,
  internetYoungChild: LimitRuleSchema,
  childWeight: LimitRuleSchema,
  /**
   * Days of supply for 特殊管理药品 by control class and kind of form (注射剂; 控缓释制剂; 其他).
   * A form counts as controlled-release when the 通用名 contains 缓释 or 控释.
   */
  controlledDays: z
    .array(z.strictObject({ control: z.enum(CONTROL_CLASSES), kind: z.enum(['injection', 'controlled-release', 'other']), maxDays: z.number().int().min(1).max(90), tier: TierSchema, message: MessageSchema, source: SourceSchema }))
    .max(32),
  /** 长期处方 may not contain these control classes, nor antimicrobials. */
  longExcluded: PlainRuleSchema.extend({ controls: z.array(z.enum(CONTROL_CLASSES)), antimicrobials: z.boolean() }),
  /** 互联网诊疗 may not prescribe these control classes. */
  internetExcluded: PlainRuleSchema.extend({ controls: z.array(z.enum(CONTROL_CLASSES)) }),
  /** The prescriber's registry privileges must cover each item's control class and antimicrobial grade. */
  privileges: PlainRuleSchema,
});

export const ManifestSchema = z.strictObject({
  format: z.literal('rxledger-knowledge/v1'),
  name: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/),
  version: z.string().regex(/^[0-9A-Za-z.+-]{1,32}$/),
  description: Text(500),
  /** Every source the rules cite, in full. */
  sources: z.array(Text(300)).min(1).max(200),
});

/** The file formats emitted as JSON Schema (for vendors producing a licensed knowledge base). */
export const KNOWLEDGE_SCHEMAS = {
  'knowledge-manifest.schema.json': ManifestSchema,
  'knowledge-regulatory.schema.json': RegulatoryFileSchema,
  'knowledge-ingredients.schema.json': IngredientFileSchema,
  'knowledge-products.schema.json': ProductFileSchema,
  'knowledge-classes.schema.json': ClassFileSchema,
  'knowledge-interactions.schema.json': InteractionFileSchema,
  'knowledge-allergies.schema.json': AllergyFileSchema,
  'knowledge-diseases.schema.json': DiseaseFileSchema,
  'knowledge-geriatric.schema.json': GeriatricFileSchema,
} as const;
