/**
 * Statement actions, their payload schemas and a realistic example of each (placeholder
 * signatures and keys: shapes, not verifiable requests; docs/AUTH.md has worked examples).
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import { z } from 'zod';
import { bytesToHex, encodeBase64, utf8 } from '../../core/bytes.js';
import { publicKeyFromSeed } from '../../core/ed25519.js';
import { RxError } from '../../core/errors.js';
import { actorKeyId, STATEMENT_VERSION, type SignedStatement } from '../../core/statement.js';
import { AUTH_POLICY_TYPE, AuthPolicyBodySchema, CHECKPOINT_KEYS_TYPE, CheckpointKeysBodySchema } from '../../domain/entry-types.js';
import { RULE_SET_TYPE, RuleSetBodySchema } from '../../domain/checker/rule-set-activation.js';
import { ERASE_IDENTITY_ACTION, EraseIdentityPayload } from '../../domain/patient/identity-erasure.js';
import { CheckResultBodySchema, TraceFlagBodySchema } from '../../domain/prescription/lifecycle-entry-types.js';
import { CHECK_RESULT_TYPE, TRACE_FLAG_TYPE } from '../../domain/prescription/lifecycle-records.js';
import { accessCodeHash, pickupCodeHash } from '../../domain/prescription/patient-codes.js';
import { ACTION_ROLES } from '../../domain/registry/authorization.js';
import { GENESIS_OPERATOR_TYPE } from '../../domain/registry/registry-entry-types.js';
import { REGISTRY_PAYLOADS, type Role } from '../../domain/registry/registry-model.js';
import { LIFECYCLE_PAYLOADS } from '../../../schemas/lifecycle.js';
import { PrescriptionSchema } from '../../../schemas/prescription.js';

// ---------------------------------------------------------------------------------------------
// Statement actions and their payloads.

/** POST /v1/patients' action and payload: the very schema the patient service parses with. */
export { PATIENT_IDENTIFY_ACTION, IdentifyPayload as PatientIdentifyPayloadSchema } from '../../patients/patient-service.js';

/** Every action's payload schema, including the one only the ledger writes. */
export const ACTION_PAYLOADS = { ...REGISTRY_PAYLOADS, ...LIFECYCLE_PAYLOADS, [ERASE_IDENTITY_ACTION]: EraseIdentityPayload } as const;
/** Actions an actor submits to POST /v1/statements. */
export type StatementAction = Exclude<keyof typeof ACTION_PAYLOADS, typeof GENESIS_OPERATOR_TYPE>;

/** Ledger-written entry bodies, by entry type. */
export const RECORD_BODIES = {
  [CHECKPOINT_KEYS_TYPE]: CheckpointKeysBodySchema,
  [AUTH_POLICY_TYPE]: AuthPolicyBodySchema,
  [RULE_SET_TYPE]: RuleSetBodySchema,
  [CHECK_RESULT_TYPE]: CheckResultBodySchema,
  [TRACE_FLAG_TYPE]: TraceFlagBodySchema,
} as const;

export interface ActionExample<P> {
  /** Distinguishes a second example of one action; the first is keyed by the action alone. */
  readonly variant?: string;
  readonly summary: string;
  readonly payload: P;
}
export interface ActionDoc<P> {
  readonly summary: string;
  readonly examples: readonly [ActionExample<P>, ...ActionExample<P>[]];
}
export type ActionDocs = { readonly [A in StatementAction]: ActionDoc<z.input<(typeof ACTION_PAYLOADS)[A]>> };

/** Placeholder bytes for examples: SHA-512 of a label, cut to length. Never a real key or signature. */
export function exampleBytes(label: string, length: number): Uint8Array {
  return sha512(utf8(`rxledger/openapi-example\n${label}`)).subarray(0, length);
}
export const exampleHex256 = (label: string): string => bytesToHex(exampleBytes(label, 32));
export const exampleHash = (label: string): string => encodeBase64(exampleBytes(label, 32));

/** 2026-01-05 09:30 China Standard Time: every example happens that morning. */
export const EXAMPLE_TIME = Date.UTC(2026, 0, 5, 1, 30);
export const EXAMPLE_DAY = '2026-01-05';
export const DAY_MS = 86_400_000;
/** The cast of the examples, by role. */
export const EXAMPLE_ACTORS: Readonly<Record<Role, string>> = { operator: 'op-zhang', prescriber: 'dr-li', pharmacist: 'rph-wang', courier: 'cr-zhao', regulator: 'reg-auditor-1' };
export const HOSPITAL = 'hosp-jinan-1';
export const PHARMACY = 'ph-lixia-3';
export const RX_NOMINATED = 'rx-hosp-jinan-1-20260105-000123';
export const RX_OPEN = 'rx-hosp-jinan-1-20260105-000124';
export const RX_OVERRIDE = 'rx-hosp-jinan-1-20260105-000125';
/** Codes a patient presents: 24 random bytes in base64url (here placeholder bytes). */
export const ACCESS_CODE = base64urlnopad.encode(exampleBytes('access code', 24));
export const PICKUP_CODE = base64urlnopad.encode(exampleBytes('pickup code', 24));
/** Log indexes of one prescription's chain in the examples: submitted at 1040, its check at 1041, … */
export const AT = { checked: 1041, openChecked: 1043, overrideChecked: 1045, claimed: 1050, reviewed: 1051, dispensed: 1052, assigned: 1053, pickedUp: 1054, inTransit: 1055 } as const;

export function examplePrescription(prescriptionId: string): z.input<typeof PrescriptionSchema> {
  return {
    prescriptionId,
    prescriberId: EXAMPLE_ACTORS.prescriber,
    institutionId: HOSPITAL,
    encounter: { type: 'outpatient', encounterRef: 'MZ20260105-0456', date: EXAMPLE_DAY, longPrescription: false, validityDays: 1 },
    patient: {
      pseudonym: exampleHex256('patient pseudonym'),
      identityCommitment: exampleHex256('identity commitment'),
      birthDate: '1961-03-14',
      sex: 'male',
      weightKg: '72.5',
      pregnancy: 'no',
      lactation: false,
      allergies: [{ substance: 'penicillin', group: 'beta-lactam', reaction: 'urticaria' }],
      renal: { egfr: '78' },
      diagnoses: [{ icd10: 'I10', text: '原发性高血压' }],
    },
    items: [
      {
        line: 1,
        drugCode: 'XC08CAA001A001010100483',
        genericName: '苯磺酸氨氯地平片',
        form: 'tablet',
        strength: { value: '5', unit: 'mg' },
        dose: { value: '5', unit: 'mg' },
        frequency: 'qd',
        route: 'oral',
        days: 7,
        quantity: { value: '7', unit: '片' },
        instructions: '每日一次，每次一片，晨起服用',
      },
    ],
  };
}

/** The key the examples register for the prescriber (from a published seed: never use it). */
export const exampleActorPublicKey = (): Uint8Array => publicKeyFromSeed(exampleBytes('dr-li key seed', 32));

export function actionDocs(): ActionDocs {
  const drLiKey = exampleActorPublicKey();
  return {
    'registry.institution-register': {
      summary: 'An operator registers an institution. `delivers` is required for pharmacies and only for them.',
      examples: [{ summary: 'Register a pharmacy that delivers', payload: { institutionId: PHARMACY, kind: 'pharmacy', name: '济南历下大药房泉城路店', region: '370102', licence: '鲁AA5310203', delivers: true } }],
    },
    'registry.actor-register': {
      summary: 'An operator registers an actor in an institution of a kind that fits the role (docs/AUTH.md §1). Prescribers need licence, title, department and privileges; operators belong to no institution.',
      examples: [
        {
          summary: 'Register a prescriber',
          payload: {
            actorId: EXAMPLE_ACTORS.prescriber,
            role: 'prescriber',
            institutionId: HOSPITAL,
            name: '李明',
            licence: '110370102000123',
            title: '主治医师',
            department: '心内科',
            privileges: { narcotic: false, psychotropicI: false, psychotropicII: true, antimicrobialGrade: 'restricted' },
          },
        },
        { variant: 'pharmacist', summary: 'Register a pharmacist', payload: { actorId: EXAMPLE_ACTORS.pharmacist, role: 'pharmacist', institutionId: PHARMACY, name: '王芳', licence: 'YSZ370102-0042' } },
      ],
    },
    'registry.actor-suspend': {
      summary: 'An operator suspends an actor: its statements and signed reads are refused until reinstated.',
      examples: [{ summary: 'Suspend a prescriber', payload: { actorId: EXAMPLE_ACTORS.prescriber, reason: '执业资格核查中 (licence under review)' } }],
    },
    'registry.actor-reinstate': {
      summary: 'An operator reinstates a suspended actor.',
      examples: [{ summary: 'Reinstate a prescriber', payload: { actorId: EXAMPLE_ACTORS.prescriber, reason: '核查通过 (review passed)' } }],
    },
    'registry.key-add': {
      summary: 'An operator registers an Ed25519 public key for an actor, valid from `notBefore` until `notAfter` (ms since the epoch). Non-canonical or small-order keys are refused.',
      examples: [{ summary: 'Register a key for one year', payload: { actorId: EXAMPLE_ACTORS.prescriber, publicKey: encodeBase64(drLiKey), notBefore: EXAMPLE_TIME, notAfter: EXAMPLE_TIME + 365 * DAY_MS } }],
    },
    'registry.key-revoke': {
      summary: 'An operator revokes a key with a coded reason; statements signed with it are refused from this entry on.',
      examples: [{ summary: 'Revoke a superseded key', payload: { actorId: EXAMPLE_ACTORS.prescriber, keyId: actorKeyId(drLiKey), reason: 'superseded', detail: 'replaced by a new hardware token' } }],
    },
    'rx.submit': {
      summary: 'A prescriber submits a prescription, routed to a nominated or directed pharmacy, or open to any pharmacy in the city that presents one of the patient’s access codes (given only as hashes). The ledger records the checker’s result right after it (`check` in the response).',
      examples: [
        { summary: 'Submit a prescription nominated to a pharmacy', payload: { prescription: examplePrescription(RX_NOMINATED), routing: { mode: 'nominated', pharmacyId: PHARMACY } } },
        { variant: 'open', summary: 'Submit an open prescription with one access code', payload: { prescription: examplePrescription(RX_OPEN), routing: { mode: 'open' }, accessCodes: [accessCodeHash(ACCESS_CODE)] } },
      ],
    },
    'rx.override': {
      summary: 'The prescriber gives a coded reason for every finding the checker said needs one (双签), making the prescription active.',
      examples: [{ summary: 'Override a supply-length finding', payload: { prescriptionId: RX_OVERRIDE, previous: AT.overrideChecked, reasons: [{ ruleId: 'reg.days-outpatient', code: 'chronic-stable-patient', note: '病情稳定，两周后复诊' }] } }],
    },
    'rx.cancel': {
      summary: 'The prescriber cancels a prescription: at once while no pharmacy holds it; while one does (claimed, approved, partly dispensed), the cancellation is pending until that pharmacy returns or refuses it.',
      examples: [{ summary: 'Cancel a prescribing error', payload: { prescriptionId: RX_NOMINATED, previous: AT.checked, reason: 'prescribing-error', note: '剂量需调整' } }],
    },
    'rx.claim': {
      summary: 'A pharmacist claims the current fill for their own pharmacy: the routed pharmacy, or for open routing a pharmacy in the prescribing city that presents an unspent access code.',
      examples: [
        { summary: 'Claim a nominated prescription', payload: { prescriptionId: RX_NOMINATED, previous: AT.checked, pharmacyId: PHARMACY, fill: 0 } },
        { variant: 'open', summary: 'Claim an open prescription with the patient’s access code', payload: { prescriptionId: RX_OPEN, previous: AT.openChecked, pharmacyId: PHARMACY, fill: 0, accessCode: ACCESS_CODE } },
      ],
    },
    'rx.review': {
      summary: 'The holding pharmacy’s pharmacist approves the claimed fill, or refuses it with a coded reason (审方).',
      examples: [
        { summary: 'Approve', payload: { prescriptionId: RX_NOMINATED, previous: AT.claimed, fill: 0, decision: 'approve' } },
        { variant: 'refuse', summary: 'Refuse for an interaction', payload: { prescriptionId: RX_NOMINATED, previous: AT.claimed, fill: 0, decision: 'refuse', reason: 'interaction', note: '与患者在用药物存在相互作用' } },
      ],
    },
    'rx.return': {
      summary: 'The holding pharmacy gives the fill back (out of stock, patient request, …): it becomes claimable again, with what is still owed, or cancelled if a cancellation is pending.',
      examples: [{ summary: 'Return for lack of stock', payload: { prescriptionId: RX_NOMINATED, previous: AT.reviewed, fill: 0, reason: 'out-of-stock' } }],
    },
    'rx.dispense': {
      summary: 'The holding pharmacy dispenses some or all of what each line still owes, with the 20-digit traceability code of every pack (追溯码). A code dispensed before is recorded as a flag instead.',
      examples: [{ summary: 'Dispense line 1 in full', payload: { prescriptionId: RX_NOMINATED, previous: AT.reviewed, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: ['81234567890123456789'] }] } }],
    },
    'rx.delivery-assign': {
      summary: 'The holding pharmacy hands the dispensed fill to a courier, recording the hash of the pickup code it gives the patient.',
      examples: [{ summary: 'Assign a courier', payload: { prescriptionId: RX_NOMINATED, previous: AT.dispensed, fill: 0, courierId: EXAMPLE_ACTORS.courier, pickupCodeHash: pickupCodeHash(PICKUP_CODE) } }],
    },
    'rx.delivery-pickup': {
      summary: 'The assigned courier has collected the parcel from the pharmacy.',
      examples: [{ summary: 'Picked up', payload: { prescriptionId: RX_NOMINATED, previous: AT.assigned, fill: 0 } }],
    },
    'rx.delivery-in-transit': {
      summary: 'The assigned courier is on the way.',
      examples: [{ summary: 'In transit', payload: { prescriptionId: RX_NOMINATED, previous: AT.pickedUp, fill: 0 } }],
    },
    'rx.delivery-complete': {
      summary: 'The assigned courier hands the parcel over against the patient’s pickup code.',
      examples: [{ summary: 'Delivered', payload: { prescriptionId: RX_NOMINATED, previous: AT.inTransit, fill: 0, pickupCode: PICKUP_CODE } }],
    },
    'rx.delivery-fail': {
      summary: 'The assigned courier could not deliver; the parcel goes back to the pharmacy.',
      examples: [{ summary: 'Patient unreachable', payload: { prescriptionId: RX_NOMINATED, previous: AT.inTransit, fill: 0, reason: 'patient-unreachable', note: '三次电话未接通' } }],
    },
    'rx.collect': {
      summary: 'The holding pharmacy hands the dispensed fill over at the counter.',
      examples: [{ summary: 'Collected at the counter', payload: { prescriptionId: RX_NOMINATED, previous: AT.dispensed, fill: 0 } }],
    },
    [ERASE_IDENTITY_ACTION]: {
      summary: 'An operator orders the erasure of a patient’s identity record (named by its commitment, never by identity) on a coded legal basis. The ledger keeps its bytes; the identity store forgets the record.',
      examples: [{ summary: 'Erase on the patient’s request', payload: { identityCommitment: exampleHex256('identity commitment'), reason: 'patient-request' } }],
    },
  };
}

export function exampleStatement(origin: string, n: number, role: Role, action: string, payload: unknown, variant = ''): SignedStatement {
  const actor = EXAMPLE_ACTORS[role];
  return {
    statement: {
      v: STATEMENT_VERSION,
      origin,
      actor,
      keyId: bytesToHex(exampleBytes(`key id ${actor}`, 8)),
      action,
      payload: payload as SignedStatement['statement']['payload'],
      timestamp: EXAMPLE_TIME + n * 60_000,
      nonce: bytesToHex(exampleBytes(`nonce ${n}`, 16)),
      idempotencyKey: `${action}:${variant === '' ? '' : `${variant}:`}${bytesToHex(exampleBytes(`idempotency ${n}`, 6))}`,
    },
    signature: encodeBase64(exampleBytes(`signature ${n}`, 64)),
  };
}

/** The signing role of an example: the first role the authorization table allows. */
export function signerRole(action: string): Role {
  const roles = ACTION_ROLES[action];
  const role = roles?.[0];
  if (role === undefined) throw new RxError('INTERNAL', `no role may sign ${action}`);
  return role;
}
