/**
 * Prescriptions as the demo, the benchmarks and the tests write them: plausible items, a
 * patient's successive drugs that the checker lets through together, a prescription issued
 * today, and fictional patients' identities. Values only: importing this starts nothing
 * (rx-world.ts re-exports it beside the running service).
 */
import { dayOf } from '../../src/domain/prescription/calendar.js';
import type { PatientIdentity, Prescription, PrescriptionItem } from '../../schemas/prescription.js';

export interface PatientRef {
  readonly pseudonym: string;
  readonly identityCommitment: string;
}

/** A plausible outpatient item; `overrides` change any field. */
export function item(line: number, overrides: Partial<PrescriptionItem> = {}): PrescriptionItem {
  return {
    line,
    drugCode: `XC09AAA${String(100 + line).slice(-3)}A001010100001`.slice(0, 32),
    genericName: ['苯磺酸氨氯地平片', '二甲双胍缓释片', '阿托伐他汀钙片', '氯沙坦钾片', '阿司匹林肠溶片', '奥美拉唑肠溶胶囊'][(line - 1) % 6]!,
    form: 'tablet',
    strength: { value: '5', unit: 'mg' },
    dose: { value: '5', unit: 'mg' },
    frequency: 'qd',
    route: 'oral',
    days: 7,
    quantity: { value: '7', unit: '片' },
    ...overrides,
  };
}

/**
 * Drugs a patient can take together: no two interact or duplicate each other above `minor` in the
 * starter knowledge base (test/scripts/compatible-drugs.test.ts). A patient's successive prescriptions
 * without explicit items get them in turn, so the checker's duplicate-therapy rule does not turn
 * a patient's second prescription into one awaiting an override.
 */
export const COMPATIBLE_DRUGS: ReadonlyArray<Pick<PrescriptionItem, 'genericName' | 'form' | 'strength' | 'dose'>> = [
  ['苯磺酸氨氯地平片', 'tablet', '5', 'mg'],
  ['二甲双胍缓释片', 'tablet', '500', 'mg'],
  ['阿托伐他汀钙片', 'tablet', '20', 'mg'],
  ['氯沙坦钾片', 'tablet', '50', 'mg'],
  ['阿司匹林肠溶片', 'tablet', '100', 'mg'],
  ['奥美拉唑肠溶胶囊', 'capsule', '20', 'mg'],
  ['格列齐特缓释片', 'tablet', '30', 'mg'],
  ['琥珀酸美托洛尔缓释片', 'tablet', '47.5', 'mg'],
  ['左甲状腺素钠片', 'tablet', '50', 'mcg'],
  ['氯雷他定片', 'tablet', '10', 'mg'],
  ['孟鲁司特钠片', 'tablet', '10', 'mg'],
  ['阿卡波糖片', 'tablet', '50', 'mg'],
  ['西格列汀片', 'tablet', '100', 'mg'],
].map(([genericName, form, value, unit]) => ({ genericName: genericName!, form: form as PrescriptionItem['form'], strength: { value: value!, unit: unit! }, dose: { value: value!, unit: unit! } }));

/** The default patient's clinical context: a woman born in 1961 treated for hypertension, not pregnant, no allergies. */
export const DEFAULT_CLINICAL_CONTEXT = {
  birthDate: '1961-04-12',
  sex: 'female',
  weightKg: '62.5',
  pregnancy: 'no',
  lactation: false,
  allergies: [],
  diagnoses: [{ icd10: 'I10', text: '原发性高血压' }],
} satisfies Partial<Prescription['patient']>;

/**
 * Fictional patient number `n`'s identity, for POST /v1/patients when many patients are needed (the
 * HTTP benchmark, the soak): `n` < 36,500,000 gives distinct national ids.
 */
export function patientIdentity(n: number): PatientIdentity {
  const birth = new Date(Date.UTC(1940, 0, 1) + Math.floor(n / 1000) * 86_400_000);
  const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '');
  return {
    name: `测试患者${n}`,
    nationalId: `370102${ymd}${String(n % 1000).padStart(3, '0')}${n % 10}`,
    phone: `139${String(n).padStart(8, '0')}`,
    address: { region: '370102', line: `历下区测试路${n}号`, recipient: `测试患者${n}` },
  };
}

/** How many prescriptions each patient has been written in this process. */
const issuedTo = new Map<string, number>();

/** A prescription written today (China Standard Time) by `prescriber` for `patient`. */
export function prescription(id: string, prescriber: { id: string; institutionId: string }, patient: PatientRef, options: { now: number; items?: PrescriptionItem[]; encounter?: Partial<Prescription['encounter']> }): Prescription {
  return {
    prescriptionId: id,
    prescriberId: prescriber.id,
    institutionId: prescriber.institutionId,
    encounter: { type: 'outpatient', date: dayOf(options.now), longPrescription: false, validityDays: 1, ...options.encounter },
    patient: {
      pseudonym: patient.pseudonym,
      identityCommitment: patient.identityCommitment,
      ...DEFAULT_CLINICAL_CONTEXT,
    },
    items: defaultItems(patient.pseudonym, options.items),
  };
}

/** `items` if given, else the patient's next compatible drug; every prescription counts, so defaults follow explicit ones too. */
function defaultItems(pseudonym: string, items: PrescriptionItem[] | undefined): PrescriptionItem[] {
  const n = issuedTo.get(pseudonym) ?? 0;
  issuedTo.set(pseudonym, n + 1);
  return items ?? [item(1, COMPATIBLE_DRUGS[n % COMPATIBLE_DRUGS.length])];
}
