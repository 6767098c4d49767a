/**
 * CDS Hooks 2.0 `order-sign` for prescribers' systems: the draft MedicationRequests and the
 * prefetched Patient, Conditions and AllergyIntolerances become a prescription the checker reads,
 * and each finding becomes a card (docs/CHECKER.md §6 gives the profile).
 *
 * The profile, kept small on purpose:
 *   context.patientId   the patient's rxledger pseudonym (64 hex), so other live prescriptions count
 *   context.draftOrders a Bundle of MedicationRequest: medicationCodeableConcept.text is the 通用名
 *                       and its first coding's code the drug code; dosageInstruction[0] gives
 *                       doseAndRate[0].doseQuantity, timing.code (qd, bid, tid, …) and route
 *                       (a code of schemas/prescription.ts ROUTES); dispenseRequest gives
 *                       expectedSupplyDuration (days) and quantity
 *   prefetch.patient    Patient: birthDate, gender
 *   prefetch.conditions Bundle of Condition with ICD-10 codings (at least one)
 *   prefetch.allergies  Bundle of AllergyIntolerance (code.text or a coding's display)
 */
import { z } from 'zod';
import { FREQUENCIES, ROUTES, type Prescription, type PrescriptionItem } from '../../../schemas/prescription.js';
import { OVERRIDE_REASONS } from '../../../schemas/lifecycle.js';
import type { CheckResult, Finding } from '../prescription/checker.js';

export const ORDER_SIGN_SERVICE_ID = 'rxledger-order-sign';

export const CDS_DISCOVERY = {
  services: [
    {
      hook: 'order-sign',
      id: ORDER_SIGN_SERVICE_ID,
      title: 'rxledger 处方前置审核 / prescription pre-check',
      description: 'Runs the ledger’s active rational-drug-use rule set on draft medication orders against the patient’s other live prescriptions; nothing is recorded.',
      prefetch: {
        patient: 'Patient/{{context.patientId}}',
        conditions: 'Condition?patient={{context.patientId}}',
        allergies: 'AllergyIntolerance?patient={{context.patientId}}',
      },
    },
  ],
} as const;

const Coding = z.object({ system: z.string().optional(), code: z.string().optional(), display: z.string().optional() });
// Every array is bounded: a body within the size limit could otherwise hold tens of thousands of
// faulty elements, and validating them (one issue each) would hold the event loop for seconds.
const Concept = z.object({ coding: z.array(Coding).max(16).optional(), text: z.string().optional() });
const Quantity = z.object({ value: z.number().nonnegative(), unit: z.string().min(1).optional(), code: z.string().optional() });
const MedicationRequest = z.object({
  resourceType: z.literal('MedicationRequest'),
  id: z.string().min(1).max(64),
  medicationCodeableConcept: Concept.extend({ text: z.string().min(1).max(64) }),
  dosageInstruction: z
    .array(
      z.object({
        timing: z.object({ code: Concept }),
        route: Concept,
        doseAndRate: z.array(z.object({ doseQuantity: Quantity })).min(1).max(8),
      }),
    )
    .min(1),
  dispenseRequest: z.object({ expectedSupplyDuration: Quantity, quantity: Quantity }),
});
/** A FHIR Bundle of at most `max` entries (the prescription model's bound for what it becomes). */
const bundleOf = <T extends z.ZodType>(resource: T, max: number) =>
  z.object({ resourceType: z.literal('Bundle'), entry: z.array(z.object({ resource })).max(max).default([]) });

export const OrderSignRequestSchema = z.object({
  hook: z.literal('order-sign'),
  hookInstance: z.string().min(1).max(128),
  context: z.object({
    userId: z.string().min(1),
    patientId: z.string().regex(/^[0-9a-f]{64}$/, 'the patient’s rxledger pseudonym'),
    encounterId: z.string().optional(),
    draftOrders: bundleOf(MedicationRequest, 20),
  }),
  prefetch: z.object({
    patient: z.object({ resourceType: z.literal('Patient'), birthDate: z.string(), gender: z.enum(['male', 'female', 'other', 'unknown']).optional() }),
    conditions: bundleOf(z.object({ resourceType: z.literal('Condition'), code: Concept }), 16),
    allergies: bundleOf(z.object({ resourceType: z.literal('AllergyIntolerance'), code: Concept }), 32).optional(),
  }),
});
export type OrderSignRequest = z.infer<typeof OrderSignRequestSchema>;

const ICD10 = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/;
/** Dosage form from the 通用名 suffix (the prescription model needs one; CDS orders rarely carry it). */
const FORM_BY_SUFFIX: ReadonlyArray<[RegExp, PrescriptionItem['form']]> = [
  [/胶囊$/, 'capsule'], [/片$/, 'tablet'], [/颗粒$/, 'granule'], [/(注射液|注射用.*)$/, 'injection'], [/口服(溶)?液$/, 'oral-solution'],
  [/糖浆$/, 'syrup'], [/软膏$/, 'ointment'], [/乳膏$/, 'cream'], [/滴眼液$/, 'eye-drops'], [/(吸入|气雾剂|粉雾剂)/, 'inhaler'], [/贴/, 'patch'], [/栓/, 'suppository'],
];
const decimal = (n: number): string => {
  // Six fraction digits at most, as the model requires; never exponent notation.
  const fixed = n.toFixed(6).replace(/\.?0+$/, '');
  return fixed === '' ? '0' : fixed;
};

/** The prescription the draft orders describe, as `prescriber` would submit it today. */
export function draftPrescription(req: OrderSignRequest, prescriber: { actorId: string; institutionId: string }, date: string): Prescription {
  const codeOf = (c: z.infer<typeof Concept>) => (c.coding?.find((x) => x.code !== undefined)?.code ?? c.text ?? '').toLowerCase();
  const items = req.context.draftOrders.entry.map(({ resource: mr }, n): PrescriptionItem => {
    const dosage = mr.dosageInstruction[0]!;
    const dose = dosage.doseAndRate[0]!.doseQuantity;
    const name = mr.medicationCodeableConcept.text;
    return {
      line: n + 1,
      drugCode: mr.medicationCodeableConcept.coding?.[0]?.code ?? name,
      genericName: name,
      form: FORM_BY_SUFFIX.find(([re]) => re.test(name))?.[1] ?? 'other',
      strength: { value: decimal(dose.value), unit: dose.unit ?? dose.code ?? '' },
      dose: { value: decimal(dose.value), unit: dose.unit ?? dose.code ?? '' },
      frequency: codeOf(dosage.timing.code) as keyof typeof FREQUENCIES,
      route: codeOf(dosage.route) as (typeof ROUTES)[number],
      days: Math.trunc(mr.dispenseRequest.expectedSupplyDuration.value),
      quantity: { value: decimal(mr.dispenseRequest.quantity.value), unit: mr.dispenseRequest.quantity.unit ?? '片' },
    };
  });
  const patient = req.prefetch.patient;
  return {
    prescriptionId: `rx-cds-${req.hookInstance.toLowerCase().replace(/[^0-9a-z-]/g, '').slice(0, 40).padEnd(6, '0')}`,
    prescriberId: prescriber.actorId,
    institutionId: prescriber.institutionId,
    encounter: { type: 'outpatient', date, longPrescription: false, validityDays: 1 },
    patient: {
      pseudonym: req.context.patientId,
      // Not recorded: a dry run has no identity record to commit to.
      identityCommitment: '0'.repeat(64),
      birthDate: patient.birthDate,
      sex: patient.gender === 'male' || patient.gender === 'female' ? patient.gender : 'unknown',
      pregnancy: 'unknown',
      lactation: false,
      allergies: (req.prefetch.allergies?.entry ?? []).map(({ resource }) => ({ substance: resource.code.text ?? resource.code.coding?.[0]?.display ?? resource.code.coding?.[0]?.code ?? '' })),
      diagnoses: req.prefetch.conditions.entry.flatMap(({ resource }) => {
        const icd = resource.code.coding?.find((c) => c.code !== undefined && ICD10.test(c.code));
        return icd === undefined ? [] : [{ icd10: icd.code!, text: resource.code.text ?? icd.display ?? icd.code! }];
      }),
    },
    items,
  };
}

const INDICATOR: Record<Finding['tier'], 'critical' | 'warning' | 'info'> = { critical: 'critical', major: 'warning', moderate: 'warning', minor: 'info' };
const REASON_DISPLAY: Record<(typeof OVERRIDE_REASONS)[number], string> = {
  'clinically-indicated': '临床必需 Clinically indicated',
  'chronic-stable-patient': '慢病稳定患者 Chronic, stable patient',
  'benefit-outweighs-risk': '获益大于风险 Benefit outweighs risk',
  monitored: '已安排监测 Monitored',
  'specialist-advice': '遵专科意见 Specialist advice',
  other: '其他 Other',
};

/** One card per finding, in the checker's order; `block` findings suggest removing the orders involved. */
export function findingsToCards(result: CheckResult, orderIds: readonly string[], ruleSetName: string): object[] {
  return result.findings.map((f, n) => {
    const resources = f.lines.map((l) => `MedicationRequest/${orderIds[l - 1]}`);
    const evidence = Object.entries(f.evidence).map(([k, v]) => `${k}: ${v}`).join('; ');
    return {
      uuid: `${result.inputHash.slice(0, 8)}-${String(n).padStart(4, '0')}-${f.ruleId}`.slice(0, 128),
      summary: `${f.message.zh}`.slice(0, 140),
      indicator: INDICATOR[f.tier],
      detail: [`**${f.message.en}**`, evidence === '' ? '' : `证据 Evidence: ${evidence}`, f.management ? `处理 Management: ${f.management.zh} ${f.management.en}` : '', `处理方式 Action: ${f.action}`]
        .filter((s) => s !== '')
        .join('\n\n'),
      source: { label: `rxledger ${ruleSetName} — ${f.source}`.slice(0, 200), topic: { system: 'urn:rxledger:rule', code: f.ruleId, display: f.category } },
      ...(f.action === 'override'
        ? { overrideReasons: OVERRIDE_REASONS.map((code) => ({ system: 'urn:rxledger:override-reason', code, display: REASON_DISPLAY[code] })) }
        : {}),
      ...(f.action === 'block' && resources.length > 0
        ? { selectionBehavior: 'at-most-one', suggestions: [{ label: '删除相关医嘱 Remove the orders involved', isRecommended: true, actions: [{ type: 'delete', description: f.message.en, resourceId: resources }] }] }
        : {}),
    };
  });
}
