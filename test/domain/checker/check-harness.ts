/**
 * Prescriptions for the checker's tests, from the same item builder the lifecycle tests use
 * (scripts/lib/rx-builders.ts, which starts no service). Every prescription built here is parsed with
 * the real PrescriptionSchema first: a test never feeds the engine input the ledger would refuse.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8 } from '../../../src/core/bytes.js';
import { PrescriptionSchema, type Prescription, type PrescriptionItem } from '../../../schemas/prescription.js';
import { runCheck, type CheckInput, type CheckResult, type OtherPrescription, type RuleFinding, type RuleSet } from '../../../src/domain/prescription/checker.js';
import type { Privileges } from '../../../src/domain/registry/registry-model.js';
import { DEFAULT_CLINICAL_CONTEXT, item } from '../../../scripts/lib/rx-builders.js';

/** 2026-03-02 09:00 China Standard Time (test/domain/prescription/test-world.ts T0): the day of issue. */
export const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
export const ISSUE_DATE = '2026-03-02';

const hex = (label: string): string => bytesToHex(sha256(utf8(label)));

/** One line: a plausible oral tablet, 5 mg once a day for 7 days, with `overrides`. */
export function line(n: number, genericName: string, overrides: Partial<PrescriptionItem> = {}): PrescriptionItem {
  return item(n, { drugCode: `XTEST${String(n).padStart(3, '0')}`, genericName, ...overrides });
}

export interface RxOptions {
  readonly items: PrescriptionItem[];
  readonly encounter?: Partial<Prescription['encounter']>;
  /** Patient fields; a field given as undefined is removed (a child's weight may be omitted). */
  readonly patient?: { [K in keyof Prescription['patient']]?: Prescription['patient'][K] | undefined };
  readonly id?: string;
}

/**
 * An outpatient prescription issued on ISSUE_DATE for a 64-year-old woman of 62.5 kg with
 * hypertension (the rx-world default patient), not pregnant, no allergies, no renal values.
 */
export function rx(o: RxOptions): Prescription {
  const patient = {
    pseudonym: hex('patient-1'),
    identityCommitment: hex('commitment-1'),
    ...DEFAULT_CLINICAL_CONTEXT,
    ...o.patient,
  };
  const built = {
    prescriptionId: o.id ?? 'rx-checker-test-0001',
    prescriberId: 'dr-a',
    institutionId: 'hosp-a',
    encounter: { type: 'outpatient', date: ISSUE_DATE, longPrescription: false, validityDays: 1, ...o.encounter },
    patient: Object.fromEntries(Object.entries(patient).filter(([, v]) => v !== undefined)),
    items: o.items,
  };
  return PrescriptionSchema.parse(built);
}

/** Another live prescription of the patient, from another prescriber and institution. */
export const other = (prescriptionId: string, ...genericNames: string[]): OtherPrescription => ({
  prescriptionId,
  institutionId: 'hosp-b',
  prescriberId: 'dr-b',
  items: genericNames.map((genericName, n) => ({ drugCode: `XOTHER${n}`, genericName, route: 'oral', days: 7 })),
});

export interface CheckExtras {
  readonly others?: OtherPrescription[];
  readonly privileges?: Privileges | null;
}

export function check(ruleSet: RuleSet, p: Prescription, extras: CheckExtras = {}): CheckResult {
  const input: CheckInput = {
    prescription: p,
    others: extras.others ?? [],
    instant: T0,
    ...(extras.privileges === undefined ? {} : { prescriberPrivileges: extras.privileges }),
  };
  return runCheck(ruleSet, input);
}

/** What a finding asserts: the rule, the tier, the lines and the evidence. */
export interface Brief {
  readonly ruleId: string;
  readonly tier: string;
  readonly lines: readonly number[];
  readonly evidence: object;
}

export const brief = (findings: readonly RuleFinding[]): Brief[] => findings.map((f) => ({ ruleId: f.ruleId, tier: f.tier, lines: f.lines, evidence: f.evidence }));

/** Rule ids only, in the result's order. */
export const ruleIds = (findings: readonly RuleFinding[]): string[] => findings.map((f) => f.ruleId);
