/**
 * The service's OpenAPI 3.1 document, generated from the zod schemas the routes and the ledger
 * parse with (zod 4's `z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 * `GET /openapi.json` serves it; it is built once, at start-up, and is a pure function of its
 * options, so two instances of one deployment serve identical bytes.
 *
 * What a reader finds where:
 *   paths                              every route, with parameters, bodies and responses
 *   components/schemas/payload.<a>     the payload of every statement action `a`, and the
 *                                      `x-rxledger-actions` map on POST /v1/statements naming
 *                                      each action's payload, signing roles and examples
 *   components/schemas/entry.<t>       bodies of the records the ledger writes itself
 *   components/responses/Error<nnn>    one per HTTP status of src/http/error-status.ts, with an
 *                                      example for every error code that maps to it
 *   x-rxledger-error-codes             code → status, for clients that branch on codes
 *
 * Cross-field rules written as zod refinements (`delivers` only for pharmacies, access codes only
 * for open routing, …) have no JSON Schema form: the schemas here are necessary, not sufficient,
 * and the descriptions point to docs/AUTH.md and docs/PRESCRIPTIONS.md. Every example is checked
 * against the zod schemas themselves by test/http/openapi.test.ts.
 *
 * Examples carry placeholder signatures, key IDs and nonces (deterministic bytes derived from a
 * label, never a real signature): they show shapes, not verifiable requests. docs/AUTH.md has
 * worked, verifiable examples.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import { z } from 'zod';
import { bytesToHex, encodeBase64, utf8 } from '../core/bytes.js';
import { formatCheckpoint } from '../core/checkpoint.js';
import { publicKeyFromSeed } from '../core/ed25519.js';
import { LedgerEntrySchema, MAX_ENTRY_BYTES } from '../core/entry.js';
import { ERROR_CODES, RxError, type ErrorCode } from '../core/errors.js';
import { ed25519KeyId, formatVerifierKey } from '../core/note-keys.js';
import { formatSignedNote } from '../core/signed-note.js';
import { ActorIdSchema, actorKeyId, SignedStatementSchema, STATEMENT_VERSION, type SignedStatement } from '../core/statement.js';
import { formatTlogProof } from '../core/tlog-proof.js';
import { AUTH_POLICY_TYPE, AuthPolicyBodySchema, CHECKPOINT_KEYS_TYPE, CheckpointKeysBodySchema } from '../domain/entry-types.js';
import { ERASE_IDENTITY_ACTION, EraseIdentityPayload } from '../domain/patient/identity-erasure.js';
import { CheckResultBodySchema, FindingSchema, TraceFlagBodySchema } from '../domain/prescription/lifecycle-entry-types.js';
import { CHECK_RESULT_TYPE, TRACE_FLAG_TYPE } from '../domain/prescription/lifecycle-rules.js';
import { accessCodeHash, pickupCodeHash } from '../domain/prescription/patient-codes.js';
import { PRESCRIPTION_STATES } from '../domain/prescription/prescription-record.js';
import { ACTION_ROLES } from '../domain/registry/authorization.js';
import { GENESIS_OPERATOR_TYPE } from '../domain/registry/registry-entry-types.js';
import { InstitutionIdSchema, REGISTRY_PAYLOADS, type Role } from '../domain/registry/registry-model.js';
import { LIFECYCLE_PAYLOADS, PrescriptionIdSchema, RoutingSchema } from '../../schemas/lifecycle.js';
import { DecimalSchema, Hex256Schema, PatientIdentitySchema, PrescriptionSchema } from '../../schemas/prescription.js';
import { toErrorBody } from './error-handler.js';
import { HTTP_STATUS } from './error-status.js';
import { IndexParam } from './index-param.js';

export const OPENAPI_VERSION = '3.1.0';

export interface OpenApiOptions {
  /** The log's origin: the statements in the examples name it, as real statements must. */
  readonly origin: string;
  /** Largest page of GET /v1/log/entries (ENTRIES_PAGE_MAX). */
  readonly entriesPageMax: number;
  /** Largest page of a pharmacy queue. */
  readonly queuePageMax: number;
  /** Whether POST /v1/patients is served; default true. */
  readonly patients?: boolean;
  /** Whether the prescription reads are served; default true. */
  readonly prescriptions?: boolean;
}

type Json = { readonly [key: string]: unknown };
export type Reference = { readonly $ref: string };
export interface ExampleObject {
  readonly summary: string;
  readonly description?: string;
  readonly value: unknown;
}
export interface MediaTypeObject {
  readonly schema: Json;
  readonly example?: unknown;
  readonly examples?: Readonly<Record<string, ExampleObject>>;
}
export interface ResponseObject {
  readonly description: string;
  readonly headers?: Json;
  readonly content?: Readonly<Record<string, MediaTypeObject>>;
}
export interface ParameterObject {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly description: string;
  readonly schema: Json;
  readonly example: string;
}
export interface ActionEntry {
  readonly payload: Reference;
  readonly roles: readonly Role[];
  readonly examples: readonly string[];
}
export interface OperationObject {
  readonly operationId: string;
  readonly tags: readonly string[];
  readonly summary: string;
  readonly description: string;
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: { readonly required: true; readonly description: string; readonly content: Readonly<Record<string, MediaTypeObject>> };
  readonly responses: Readonly<Record<string, ResponseObject | Reference>>;
  readonly 'x-rxledger-actions'?: Readonly<Record<string, ActionEntry>>;
}
export interface OpenApiDocument {
  readonly openapi: typeof OPENAPI_VERSION;
  readonly jsonSchemaDialect: string;
  readonly info: Json;
  readonly tags: readonly Json[];
  readonly paths: Readonly<Record<string, Readonly<Partial<Record<'get' | 'post', OperationObject>>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, Json>>;
    readonly responses: Readonly<Record<string, ResponseObject>>;
    readonly securitySchemes: Readonly<Record<string, Json>>;
  };
  readonly 'x-rxledger-error-codes': Readonly<Record<string, { readonly status: number; readonly response: string }>>;
}

// ---------------------------------------------------------------------------------------------
// Response bodies. The routes build these objects by hand; these schemas describe them, and the
// test parses live responses with them so that the two cannot drift apart unnoticed.

const IndexSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Standard base64 of a 32-byte hash. */
const Base64HashSchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'the standard base64 of a 32-byte hash');

export const ErrorBodySchema = z.strictObject({
  error: z.strictObject({ code: z.enum(ERROR_CODES), message: z.string(), paths: z.array(z.string()) }),
});
const HealthSchema = z.strictObject({ status: z.literal('ok'), size: IndexSchema });
const LogInfoSchema = z.strictObject({
  origin: z.string().min(1).max(256),
  /** The first of `verifierKeys`, for clients that trust one key. */
  verifierKey: z.string(),
  verifierKeys: z.array(z.string()).min(1),
  size: IndexSchema,
});
const InclusionProofSchema = z.strictObject({ index: IndexSchema, size: IndexSchema, leafHash: Base64HashSchema, hashes: z.array(Base64HashSchema) });
const ConsistencyProofSchema = z.strictObject({ from: IndexSchema, to: IndexSchema, hashes: z.array(Base64HashSchema) });
const EntryPageSchema = z.strictObject({
  entries: z.array(
    z.union([
      z.strictObject({ index: IndexSchema, leafHash: Base64HashSchema, data: z.string(), entry: LedgerEntrySchema.nullable() }),
      z.strictObject({ index: IndexSchema, leafHash: Base64HashSchema, data: z.null(), entry: z.null(), redacted: z.literal(true) }),
    ]),
  ),
  next: IndexSchema.optional(),
});
const StatementResultSchema = z.strictObject({
  index: IndexSchema,
  leafHash: Base64HashSchema,
  type: z.string(),
  replayed: z.boolean(),
  records: z.array(z.strictObject({ index: IndexSchema, leafHash: Base64HashSchema, type: z.string() })),
  lastIndex: IndexSchema,
  check: CheckResultBodySchema.pick({ outcome: true, ruleSet: true, inputHash: true, findings: true }).optional(),
  receipt: z.string(),
});
const PatientIdentifyResultSchema = z.strictObject({ pseudonym: Hex256Schema, identityCommitment: Hex256Schema, replayed: z.boolean() });
const ReceiptSchema = z.strictObject({ index: IndexSchema, size: IndexSchema, leafHash: Base64HashSchema, hashes: z.array(Base64HashSchema), checkpoint: z.string(), proof: z.string() });
const PrescriptionStatusSchema = z.strictObject({
  prescriptionId: PrescriptionIdSchema,
  state: z.enum(PRESCRIPTION_STATES),
  lastIndex: IndexSchema,
  submittedAt: IndexSchema,
  routing: RoutingSchema,
  fill: z.number().int().min(0),
  fillCount: z.number().int().min(1),
  cancelPending: z.boolean(),
});
const PrescriptionDetailSchema = PrescriptionStatusSchema.extend({
  prescriberId: z.string(),
  institutionId: z.string(),
  holder: z.string().nullable(),
  courierId: z.string().nullable(),
  overrideRequired: z.array(z.string()),
  revises: PrescriptionIdSchema.nullable(),
  supersededBy: PrescriptionIdSchema.nullable(),
  fills: z.array(
    z.strictObject({
      number: z.number().int().min(0),
      opensAt: z.number().int(),
      closesAt: z.number().int(),
      lines: z.array(z.strictObject({ line: z.number().int().min(1), prescribed: DecimalSchema, dispensed: DecimalSchema, owing: DecimalSchema })),
    }),
  ),
  prescription: PrescriptionSchema,
});
const PharmacyQueuePageSchema = z.strictObject({ items: z.array(PrescriptionStatusSchema), next: IndexSchema.optional() });
const CourierAssignmentsSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      prescriptionId: PrescriptionIdSchema,
      state: z.enum(PRESCRIPTION_STATES),
      lastIndex: IndexSchema,
      fill: z.number().int().min(0),
      pharmacyId: z.string().nullable(),
      address: z.strictObject({ region: z.string(), line: z.string(), recipient: z.string(), recipientPhone: z.string().nullable() }).nullable(),
      identity: z.enum(['present', 'erased', 'unknown']),
    }),
  ),
  asOf: z.number().int(),
});

/** The response schemas by component name; the test checks examples and live answers with them. */
export const RESPONSE_SCHEMAS = {
  Health: HealthSchema,
  LogInfo: LogInfoSchema,
  InclusionProof: InclusionProofSchema,
  ConsistencyProof: ConsistencyProofSchema,
  EntryPage: EntryPageSchema,
  StatementResult: StatementResultSchema,
  PatientIdentifyResult: PatientIdentifyResultSchema,
  Receipt: ReceiptSchema,
  PrescriptionStatus: PrescriptionStatusSchema,
  PrescriptionDetail: PrescriptionDetailSchema,
  PharmacyQueuePage: PharmacyQueuePageSchema,
  CourierAssignments: CourierAssignmentsSchema,
  ErrorBody: ErrorBodySchema,
} as const satisfies Record<string, z.ZodType>;

// ---------------------------------------------------------------------------------------------
// Statement actions and their payloads.

export const PATIENT_IDENTIFY_ACTION = 'patient.identify';
/** POST /v1/patients' payload (src/patients/patient-service.ts parses the same shape). */
export const PatientIdentifyPayloadSchema = z.strictObject({ identity: PatientIdentitySchema });

/** Every action's payload schema, including the one only the ledger writes. */
const ACTION_PAYLOADS = { ...REGISTRY_PAYLOADS, ...LIFECYCLE_PAYLOADS, [ERASE_IDENTITY_ACTION]: EraseIdentityPayload } as const;
/** Actions an actor submits to POST /v1/statements. */
export type StatementAction = Exclude<keyof typeof ACTION_PAYLOADS, typeof GENESIS_OPERATOR_TYPE>;

/** Ledger-written entry bodies, by entry type. */
const RECORD_BODIES = {
  [CHECKPOINT_KEYS_TYPE]: CheckpointKeysBodySchema,
  [AUTH_POLICY_TYPE]: AuthPolicyBodySchema,
  [CHECK_RESULT_TYPE]: CheckResultBodySchema,
  [TRACE_FLAG_TYPE]: TraceFlagBodySchema,
} as const;

interface ActionExample<P> {
  /** Distinguishes a second example of one action; the first is keyed by the action alone. */
  readonly variant?: string;
  readonly summary: string;
  readonly payload: P;
}
interface ActionDoc<P> {
  readonly summary: string;
  readonly examples: readonly [ActionExample<P>, ...ActionExample<P>[]];
}
type ActionDocs = { readonly [A in StatementAction]: ActionDoc<z.input<(typeof ACTION_PAYLOADS)[A]>> };

/** Placeholder bytes for examples: SHA-512 of a label, cut to length. Never a real key or signature. */
function exampleBytes(label: string, length: number): Uint8Array {
  return sha512(utf8(`rxledger/openapi-example\n${label}`)).subarray(0, length);
}
const exampleHex256 = (label: string): string => bytesToHex(exampleBytes(label, 32));
const exampleHash = (label: string): string => encodeBase64(exampleBytes(label, 32));

/** 2026-01-05 09:30 China Standard Time: every example happens that morning. */
const EXAMPLE_TIME = Date.UTC(2026, 0, 5, 1, 30);
const EXAMPLE_DAY = '2026-01-05';
const DAY_MS = 86_400_000;
/** The cast of the examples, by role. */
const EXAMPLE_ACTORS: Readonly<Record<Role, string>> = { operator: 'op-zhang', prescriber: 'dr-li', pharmacist: 'rph-wang', courier: 'cr-zhao', regulator: 'reg-auditor-1' };
const HOSPITAL = 'hosp-jinan-1';
const PHARMACY = 'ph-lixia-3';
const RX_NOMINATED = 'rx-hosp-jinan-1-20260105-000123';
const RX_OPEN = 'rx-hosp-jinan-1-20260105-000124';
const RX_OVERRIDE = 'rx-hosp-jinan-1-20260105-000125';
/** Codes a patient presents: 24 random bytes in base64url (here placeholder bytes). */
const ACCESS_CODE = base64urlnopad.encode(exampleBytes('access code', 24));
const PICKUP_CODE = base64urlnopad.encode(exampleBytes('pickup code', 24));
/** Log indexes of one prescription's chain in the examples: submitted at 1040, its check at 1041, … */
const AT = { checked: 1041, openChecked: 1043, overrideChecked: 1045, claimed: 1050, reviewed: 1051, dispensed: 1052, assigned: 1053, pickedUp: 1054, inTransit: 1055 } as const;

function examplePrescription(prescriptionId: string): z.input<typeof PrescriptionSchema> {
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
const exampleActorPublicKey = (): Uint8Array => publicKeyFromSeed(exampleBytes('dr-li key seed', 32));

function actionDocs(): ActionDocs {
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

function exampleStatement(origin: string, n: number, role: Role, action: string, payload: unknown, variant = ''): SignedStatement {
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
function signerRole(action: string): Role {
  const roles = ACTION_ROLES[action];
  const role = roles?.[0];
  if (role === undefined) throw new RxError('INTERNAL', `no role may sign ${action}`);
  return role;
}

// ---------------------------------------------------------------------------------------------
// Error responses: one per status, an example per code, rendered by the real error handler.

type ErrorStatus = (typeof HTTP_STATUS)[ErrorCode];

const STATUS_DESCRIPTIONS: Readonly<Record<ErrorStatus, string>> = {
  400: 'The request is malformed or breaks a schema. `paths` names the offending fields (`query.index`, `body.statement.payload.…`).',
  401: 'Authentication failed: the signed statement (writes) or the RFC 9421 signature (signed reads) is missing, stale, replayed or does not verify (docs/AUTH.md §2–3).',
  403: 'Authenticated, but the actor may not do this (suspended, wrong role, not a party).',
  404: 'No such route, entry or prescription. Prescriptions the reader may not see are reported as absent.',
  409: 'The request conflicts with the ledger’s current state; re-read and sign a new statement.',
  410: 'The identity record of an identical earlier request has been erased; nothing is returned for it.',
  413: 'The body, or the entry it would become, is too large.',
  415: 'The body’s media type is not supported: send `application/json`.',
  422: 'The statement refers to something unknown, or to something that does not fit.',
  500: 'The service failed. The message is always generic; the code says which check failed. Many of these codes are raised by the verifier and at start-up rather than by a request.',
  502: 'Not sent by the service: the client SDK and the verifier raise SOURCE_UNAVAILABLE when the service cannot be reached or answers unexpectedly.',
  503: 'The service cannot answer yet or any more. While it shuts down Fastify itself answers 503 with its own body (`{error, message, statusCode}`), not this shape.',
};

interface ErrorExample {
  readonly summary: string;
  /** The message as thrown; for statuses ≥ 500 the handler replaces it with a generic one. */
  readonly message: string;
  readonly paths?: readonly string[];
}

const P = 'body.statement.payload';
const GENERIC_REFUSAL = 'the request was refused';

const ERROR_EXAMPLES: { readonly [C in ErrorCode]: ErrorExample } = {
  CANONICAL_JSON_INVALID: { summary: 'A value outside the ledger’s JSON data model: a float, an unsafe integer, negative zero, a lone surrogate.', message: 'numbers must be safe integers; use a decimal string', paths: [`${P}.prescription.patient.weightKg`] },
  ENCODING_MALFORMED: { summary: 'Bytes that are not valid UTF-8 (or another byte encoding refused by a strict decoder).', message: 'bytes are not valid UTF-8' },
  ENTRY_MALFORMED: { summary: 'An entry envelope that is not version 1 (verifier, store).', message: 'entry envelope does not match version 1' },
  ENTRY_NOT_CANONICAL: { summary: 'Entry JSON that is not in RFC 8785 canonical form (verifier).', message: 'JSON is not in RFC 8785 canonical form' },
  ENTRY_TYPE_UNKNOWN: { summary: 'The statement’s action is not an entry type of the ledger.', message: 'entry type is not in the union', paths: ['type'] },
  ENTRY_TYPE_RESERVED: { summary: 'The action is written only by the ledger itself (its own records, the genesis operator, check results).', message: 'this entry type is written by the ledger itself', paths: ['type'] },
  ENTRY_BODY_INVALID: { summary: 'The payload does not match its action’s schema (components/schemas/payload.<action>).', message: 'body does not match registry.institution-register', paths: [`${P}.delivers`] },
  ENTRY_TOO_LARGE: { summary: `The entry the statement would become exceeds ${MAX_ENTRY_BYTES} bytes.`, message: `entry exceeds ${MAX_ENTRY_BYTES} bytes` },
  ENTRY_INDEX_MISMATCH: { summary: 'A stored entry names another index than its position (integrity failure).', message: 'entry at position 17 says it is 18' },
  ENTRY_CHAIN_BROKEN: { summary: 'A stored entry’s prev does not match the previous leaf hash (integrity failure).', message: 'prev does not match the previous leaf hash' },
  ENTRY_TIME_REGRESSED: { summary: 'A stored entry’s time is earlier than its predecessor’s (integrity failure).', message: 'time is earlier than the previous entry' },
  ENTRY_MISSING: { summary: 'An entry is missing from the store (integrity failure).', message: 'entry 17 is missing' },
  ENTRY_GENESIS_INVALID: { summary: 'The log does not start with its checkpoint-keys record (integrity failure).', message: 'checkpoint-keys entry names another origin' },
  TREE_NODE_MISMATCH: { summary: 'A stored Merkle tree node differs from the recomputed one (integrity failure).', message: 'stored tree node (0, 17) differs' },
  TREE_ROOT_MISMATCH: { summary: 'A recomputed root differs from a checkpoint’s (integrity failure).', message: 'recomputed root differs from the checkpoint' },
  PROOF_MALFORMED: { summary: 'A proof that cannot be parsed (verifier, client SDK).', message: 'hashes must be 32-byte hashes' },
  PROOF_RANGE_INVALID: { summary: 'A proof asked for outside the log: index ≥ size, size or to beyond the log, from > to.', message: 'index must be smaller than size', paths: ['query.index'] },
  PROOF_INVALID: { summary: 'A proof that does not lead to the expected root (verifier, client SDK).', message: 'consistency proof does not lead to the new root' },
  NOTE_MALFORMED: { summary: 'A signed note that breaks the C2SP signed-note grammar (verifier, client SDK).', message: 'note text must be non-empty and end with a newline' },
  NOTE_SIGNATURE_INVALID: { summary: 'A note signature by a trusted key that does not verify (verifier, client SDK).', message: 'signature by rxledger.localhost/ledger does not verify' },
  NOTE_UNVERIFIED: { summary: 'No trusted key signed the note (verifier, client SDK).', message: 'no trusted key signed the note' },
  CHECKPOINT_MALFORMED: { summary: 'Checkpoint note text that breaks C2SP tlog-checkpoint (verifier, client SDK).', message: 'checkpoint needs origin, size and root lines' },
  CHECKPOINT_ORIGIN_MISMATCH: { summary: 'A checkpoint or receipt from another log (verifier, client SDK).', message: 'the receipt is from another log' },
  CHECKPOINT_INCONSISTENT: { summary: 'A new checkpoint would not be consistent with the last one; publishing halts.', message: 'checkpoint publishing is halted' },
  CHECKPOINT_CONFLICT: { summary: 'Another writer replaced the latest checkpoint.', message: 'another writer replaced the latest checkpoint' },
  CHECKPOINT_MISSING: { summary: 'No checkpoint has been published yet (GET /checkpoint right after the first start).', message: 'no checkpoint has been published yet' },
  KEY_MALFORMED: { summary: 'A key or key file that cannot be parsed (start-up, CLI, client SDK).', message: 'Ed25519 seed must be 32 bytes' },
  KEY_FILE_INSECURE: { summary: 'A key file readable by group or others (start-up).', message: 'the key file is accessible by group or others' },
  CONFIG_INVALID: { summary: 'Invalid configuration (start-up).', message: 'invalid configuration: PORT: too big' },
  LEDGER_CLOSED: { summary: 'The ledger is closing and takes no more writes.', message: 'the ledger is closing' },
  LEDGER_ORIGIN_MISMATCH: { summary: 'The data directory belongs to another log (start-up).', message: "data directory belongs to log 'a', not 'b'" },
  LEDGER_LOCKED: { summary: 'Another process holds the data directory (start-up).', message: 'the data directory is in use by another rxledger process' },
  LEDGER_INTEGRITY: { summary: 'The store contradicts itself (integrity failure).', message: 'an identity request refers to a missing record' },
  STORE_SCHEMA_UNSUPPORTED: { summary: 'The database was written by a newer build (start-up).', message: 'database schema 9 is newer than this build (8)' },
  AUTH_REQUIRED: { summary: 'A signed read without its Signature-Input and Signature headers.', message: 'this resource needs a signed request (Signature-Input and Signature headers)', paths: ['headers.signature'] },
  AUTH_ORIGIN_MISMATCH: { summary: 'The statement names another log’s origin.', message: 'the statement is meant for another log', paths: ['body.statement.origin'] },
  AUTH_KEY_UNKNOWN: { summary: 'No such key, or its actor is unknown.', message: 'no such key', paths: ['body.statement.keyId'] },
  AUTH_KEY_ACTOR_MISMATCH: { summary: 'The key belongs to another actor than `statement.actor`.', message: 'the key belongs to another actor', paths: ['body.statement.keyId'] },
  AUTH_KEY_REVOKED: { summary: 'The key has been revoked.', message: 'the key has been revoked', paths: ['body.statement.keyId'] },
  AUTH_KEY_NOT_VALID_NOW: { summary: 'The key is outside its validity window.', message: 'the key is outside its validity window', paths: ['body.statement.keyId'] },
  AUTH_SIGNATURE_INVALID: { summary: 'The signature does not verify over the statement’s canonical bytes (or over the request, for a signed read).', message: 'the signature does not verify over this statement', paths: ['body.signature'] },
  AUTH_TIMESTAMP_OUT_OF_WINDOW: { summary: 'The statement’s timestamp (or a read signature’s `created`) is outside the accepted window.', message: 'the statement timestamp is outside the accepted window', paths: ['body.statement.timestamp'] },
  AUTH_NONCE_REUSED: { summary: 'The nonce was used before by this actor (or this key, for reads).', message: 'this nonce was already used', paths: ['body.statement.nonce'] },
  AUTH_ACTOR_SUSPENDED: { summary: 'The actor is suspended.', message: 'the actor is suspended', paths: ['body.statement.actor'] },
  AUTH_ROLE_FORBIDDEN: { summary: 'The actor’s role may not perform the action (docs/AUTH.md §5), or read this resource.', message: 'a pharmacist may not rx.submit', paths: ['body.statement.action'] },
  IDEMPOTENCY_KEY_CONFLICT: { summary: 'The idempotency key was used for a different statement.', message: 'this idempotency key was used for a different request', paths: ['body.statement.idempotencyKey'] },
  PATIENT_IDENTITY_ERASED: { summary: 'A retry of a patient identification whose record has since been erased.', message: 'the identity record of that request has been erased', paths: ['body.statement.idempotencyKey'] },
  REGISTRY_CONFLICT: { summary: 'Already registered, already revoked, already in that state.', message: 'institution already registered', paths: [`${P}.institutionId`] },
  REGISTRY_REFERENCE_UNKNOWN: { summary: 'Refers to an unknown institution, actor, key, pharmacy or courier.', message: 'no such institution', paths: [`${P}.institutionId`] },
  REGISTRY_ROLE_INSTITUTION_MISMATCH: { summary: 'That role cannot belong to that kind of institution.', message: 'a pharmacist cannot belong to a hospital', paths: [`${P}.institutionId`] },
  RX_NOT_FOUND: { summary: 'No such prescription, or not one the reader may see.', message: 'no such prescription, or not one this actor may read', paths: ['params.id'] },
  RX_ID_TAKEN: { summary: 'The prescription id is already in the ledger.', message: 'this prescription id is already in the ledger', paths: [`${P}.prescription.prescriptionId`] },
  RX_PRESCRIBER_MISMATCH: { summary: 'The prescription names another prescriber or institution than the signer’s.', message: 'the prescription names another prescriber than the signer', paths: [`${P}.prescription.prescriberId`] },
  RX_DATE_MISMATCH: { summary: 'A prescription is signed on its day of issue (China Standard Time).', message: 'a prescription is signed on its day of issue (China Standard Time)', paths: [`${P}.prescription.encounter.date`] },
  RX_PARTY_MISMATCH: { summary: 'The signer is not the party this step belongs to (another institution, pharmacy or courier).', message: 'a pharmacist claims for their own pharmacy', paths: [`${P}.pharmacyId`] },
  RX_STATE_CONFLICT: { summary: 'The action is not allowed in the prescription’s current state.', message: 'rx.dispense is not allowed while the prescription is claimed', paths: [`${P}.prescriptionId`] },
  RX_PREVIOUS_MISMATCH: { summary: '`previous` is not the prescription’s latest entry: someone acted first; re-read and re-sign.', message: 'the prescription’s latest entry is 1051', paths: [`${P}.previous`] },
  RX_HELD_BY_ANOTHER_PHARMACY: { summary: 'Another pharmacy holds the prescription, or none does.', message: 'another pharmacy holds this prescription', paths: [`${P}.prescriptionId`] },
  RX_ROUTED_ELSEWHERE: { summary: 'The prescription is nominated or directed to another pharmacy.', message: 'the prescription is nominated to another pharmacy', paths: [`${P}.pharmacyId`] },
  RX_REGION_MISMATCH: { summary: 'Open prescriptions are claimed only by pharmacies in the prescribing city.', message: 'open prescriptions are claimed by pharmacies in the prescribing city', paths: [`${P}.pharmacyId`] },
  RX_ACCESS_CODE_INVALID: { summary: 'The access code is missing, not the patient’s, or given for a routed prescription.', message: 'the access code does not match', paths: [`${P}.accessCode`] },
  RX_ACCESS_CODE_SPENT: { summary: 'The access code has already been used for a claim.', message: 'the access code has been used for a claim already', paths: [`${P}.accessCode`] },
  RX_EXPIRED: { summary: 'The prescription’s last claim window has passed.', message: 'the prescription has expired', paths: [`${P}.prescriptionId`] },
  RX_FILL_NOT_CURRENT: { summary: '`fill` is not the fill in progress.', message: 'the current fill is 0', paths: [`${P}.fill`] },
  RX_FILL_WINDOW_NOT_OPEN: { summary: 'The fill’s claim window has not opened yet.', message: 'this fill cannot be claimed yet', paths: [`${P}.fill`] },
  RX_FILL_WINDOW_CLOSED: { summary: 'The fill’s claim window has passed.', message: 'this fill’s window has passed', paths: [`${P}.fill`] },
  RX_CANCEL_PENDING: { summary: 'The prescriber has cancelled the prescription; the pharmacy may only return it.', message: 'the prescriber has cancelled this prescription', paths: [`${P}.prescriptionId`] },
  RX_NOT_CANCELLABLE: { summary: 'The prescription is past the point where it can be cancelled.', message: 'a prescription that is delivered cannot be cancelled', paths: [`${P}.prescriptionId`] },
  RX_NOT_REVISABLE: { summary: 'The prescription named in `revises` cannot be revised (another patient, or already dispensed).', message: 'a prescription that is dispensed cannot be revised', paths: [`${P}.revises`] },
  RX_OVERRIDE_INCOMPLETE: { summary: 'An override misses a reason for a finding that needs one, or names a rule that needs none.', message: 'reasons are missing for: reg.days-outpatient', paths: [`${P}.reasons`] },
  RX_LINE_UNKNOWN: { summary: 'A dispensed line is not in the fill.', message: 'no such line in this fill', paths: [`${P}.lines.0.line`] },
  RX_QUANTITY_EXCEEDS_OWING: { summary: 'More is dispensed than the line still owes.', message: 'more than is owed on the line', paths: [`${P}.lines.0.quantity`] },
  RX_TRACE_CODE_DUPLICATE: { summary: 'A traceability code appears twice in one dispensing (a code dispensed before is recorded as an `rx.flag` instead).', message: 'a traceability code appears twice in this dispensing', paths: [`${P}.lines`] },
  RX_PICKUP_CODE_INVALID: { summary: 'The pickup code does not match the delivery’s.', message: 'the pickup code does not match', paths: [`${P}.pickupCode`] },
  RX_CHECK_MISMATCH: { summary: 'A recorded check result differs from re-running the checker (verifier).', message: 're-running the check gives a different result' },
  RX_FLAG_UNFOUNDED: { summary: 'A recorded traceability flag is not borne out by the log (verifier).', message: 'a flagged code was not dispensed where the flag says' },
  RECEIPT_PENDING: { summary: 'No signed checkpoint covers the entry yet; retry after the next checkpoint.', message: 'no signed checkpoint covers this entry yet; retry after the next checkpoint', paths: ['params.index'] },
  REQUEST_INVALID: { summary: 'The query, path or body does not match the route’s schema, or the JSON does not parse.', message: 'invalid query', paths: ['query.index'] },
  REQUEST_TOO_LARGE: { summary: 'The body exceeds BODY_LIMIT_BYTES.', message: GENERIC_REFUSAL },
  REQUEST_MEDIA_TYPE_UNSUPPORTED: { summary: 'The body is not `application/json`.', message: GENERIC_REFUSAL },
  ROUTE_NOT_FOUND: { summary: 'No such route.', message: 'no such route' },
  LOG_INDEX_NOT_FOUND: { summary: 'The index is beyond the log.', message: 'no entry at this index', paths: ['params.index'] },
  SOURCE_UNAVAILABLE: { summary: 'The client SDK or verifier could not reach the service, or it answered unexpectedly.', message: 'cannot reach http://127.0.0.1:8080' },
  INTERNAL: { summary: 'An unexpected failure.', message: 'the service could not complete the request' },
};

const errorResponseName = (status: number): string => `Error${status}`;
const ref = (kind: 'schemas' | 'responses', name: string): Reference => ({ $ref: `#/components/${kind}/${name}` });

function errorResponses(): Record<string, ResponseObject> {
  const byStatus = new Map<ErrorStatus, ErrorCode[]>();
  for (const code of ERROR_CODES) byStatus.set(HTTP_STATUS[code], [...(byStatus.get(HTTP_STATUS[code]) ?? []), code]);
  const statuses = [...byStatus.keys()].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const codes = byStatus.get(status) ?? [];
      const examples = Object.fromEntries(
        codes.map((code) => {
          const { summary, message, paths } = ERROR_EXAMPLES[code];
          // The body a client receives: the real handler renders it (generic messages for 5xx).
          const rendered = toErrorBody(new RxError(code, message, paths === undefined ? {} : { paths }));
          return [code, { summary, value: rendered.body }];
        }),
      );
      const schema = { allOf: [ref('schemas', 'ErrorBody'), { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } }] };
      return [errorResponseName(status), { description: STATUS_DESCRIPTIONS[status], content: { 'application/json': { schema, examples } } }];
    }),
  );
}

const errors = (...statuses: ErrorStatus[]): Record<string, Reference> => Object.fromEntries(statuses.map((s) => [String(s), ref('responses', errorResponseName(s))]));

// ---------------------------------------------------------------------------------------------
// Schemas: one zod registry, so shared pieces become $refs between components.

const COMPONENT_URI = (id: string): string => `#/components/schemas/${id}`;

function componentSchemas(descriptions: ReadonlyMap<string, string>): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  const add = (id: string, schema: z.ZodType) => {
    // One schema object can serve several actions; zod then emits a $ref to the first id.
    registry.add(registry.has(schema) ? schema.clone() : schema, { id });
  };
  add('SignedStatement', SignedStatementSchema);
  add('Prescription', PrescriptionSchema);
  add('PatientIdentity', PatientIdentitySchema);
  add('Routing', RoutingSchema);
  add('Finding', FindingSchema);
  add('LedgerEntry', LedgerEntrySchema);
  for (const [action, schema] of Object.entries(ACTION_PAYLOADS)) add(`payload.${action}`, schema);
  add(`payload.${PATIENT_IDENTIFY_ACTION}`, PatientIdentifyPayloadSchema);
  for (const [type, schema] of Object.entries(RECORD_BODIES)) add(`entry.${type}`, schema);
  for (const [id, schema] of Object.entries(RESPONSE_SCHEMAS)) add(id, schema);
  const generated = z.toJSONSchema(registry, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input', uri: COMPONENT_URI }).schemas;
  return Object.fromEntries(
    Object.entries(generated).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
      const description = descriptions.get(id);
      return [id, description === undefined ? rest : { description, ...rest }];
    }),
  );
}

function jsonSchemaOf(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// The document.

const SIGNED_READ = [{ rxReadSignatureInput: [], rxReadSignature: [] }] as const;
const SIGNED_WRITE_NOTE = 'Authenticated by the signed statement in the body (docs/AUTH.md §2), not by any HTTP header.';
const json = (schemaName: string, extra: Omit<MediaTypeObject, 'schema'> = {}): Record<string, MediaTypeObject> => ({ 'application/json': { schema: ref('schemas', schemaName), ...extra } });
const noCache = { 'Cache-Control': { description: 'Always `no-cache`.', schema: { type: 'string', const: 'no-cache' } } };

function param(name: string, where: 'path' | 'query', schema: z.ZodType, description: string, example: string, required = true): ParameterObject {
  return { name, in: where, required: where === 'path' ? true : required, description, schema: jsonSchemaOf(schema), example };
}

export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const { origin, entriesPageMax, queuePageMax } = options;
  const servesPatients = options.patients ?? true;
  const servesPrescriptions = options.prescriptions ?? true;

  // Examples of the log's own formats, with a placeholder signature by a key from a published seed.
  const logKey = { name: origin, publicKey: publicKeyFromSeed(exampleBytes('log key seed', 32)) };
  const verifierKey = formatVerifierKey({ ...logKey, keyId: ed25519KeyId(logKey.name, logKey.publicKey) });
  const size = 1056;
  const checkpointNote = formatSignedNote({
    text: formatCheckpoint({ origin, size, rootHash: exampleBytes('root', 32), extensions: [] }),
    signatures: [{ name: logKey.name, keyId: ed25519KeyId(logKey.name, logKey.publicKey), signature: exampleBytes('checkpoint signature', 64) }],
  });
  const receiptIndex = 1040;
  const receiptHashes = Array.from({ length: 11 }, (_, i) => exampleBytes(`receipt path ${i}`, 32));
  const tlogProof = formatTlogProof({ index: receiptIndex, hashes: receiptHashes, checkpoint: checkpointNote });

  // Statement examples: every action, signed (placeholder) by a role the authorization table allows.
  const docs = actionDocs();
  const actions = Object.keys(docs) as StatementAction[];
  let n = 0;
  const statementExamples: Record<string, ExampleObject> = {};
  const actionEntries: Record<string, ActionEntry> = {};
  for (const action of actions) {
    const doc: ActionDoc<unknown> = docs[action];
    const role = signerRole(action);
    const keys = doc.examples.map((example) => {
      const key = example.variant === undefined ? action : `${action}:${example.variant}`;
      statementExamples[key] = { summary: `${action}: ${example.summary}`, description: `Signed by a ${role}.`, value: exampleStatement(origin, n++, role, action, example.payload, example.variant) };
      return key;
    });
    actionEntries[action] = { payload: ref('schemas', `payload.${action}`), roles: ACTION_ROLES[action] ?? [], examples: keys };
  }
  const identifyExample: ExampleObject = {
    summary: 'Identify a patient before prescribing',
    description: 'Signed by a prescriber. The identity goes to the erasable identity store, never to the ledger.',
    value: exampleStatement(origin, n++, 'prescriber', PATIENT_IDENTIFY_ACTION, {
      identity: { name: '张三', nationalId: '370102196103140012', phone: '+8613800000000', address: { region: '370102', line: '历下区泉城路 1 号 2 单元 301 室' } },
    }),
  };

  const descriptions = new Map<string, string>([
    ['SignedStatement', 'A statement and its Ed25519 signature over "rxledger/statement/v1\\n" || RFC 8785 canonical bytes of `statement` (docs/AUTH.md §2). `payload` depends on `action`: see StatementRequest.'],
    ['LedgerEntry', 'A decoded entry. `body` is, for an action, the SignedStatement that recorded it (payload: components/schemas/payload.<type>), and for the ledger’s own records components/schemas/entry.<type>.'],
    ['ErrorBody', 'Every error. `code` is stable and is what clients branch on; `message` is for humans and never carries personal data; `paths` names the offending fields.'],
    [`payload.${GENESIS_OPERATOR_TYPE}`, 'Written only by the ledger on first start, self-signed by the key it registers; it appears in GET /v1/log/entries and is refused on POST /v1/statements (ENTRY_TYPE_RESERVED).'],
    [`payload.${PATIENT_IDENTIFY_ACTION}`, 'POST /v1/patients only: never recorded in the ledger.'],
    ...Object.keys(RECORD_BODIES).map((type): [string, string] => [`entry.${type}`, `Body of \`${type}\`, a record the ledger writes itself (docs/FORMAT.md §6).`]),
    ...actions.map((action): [string, string] => [`payload.${action}`, `${docs[action].summary} Signed by: ${(ACTION_ROLES[action] ?? []).join(', ')}.`]),
  ]);
  const schemas = componentSchemas(descriptions);
  schemas.StatementRequest = {
    description: 'The body of POST /v1/statements: a SignedStatement whose `statement.action` selects the payload schema.',
    allOf: [
      ref('schemas', 'SignedStatement'),
      {
        type: 'object',
        properties: {
          statement: {
            oneOf: actions.map((action) => ({ type: 'object', properties: { action: { const: action }, payload: ref('schemas', `payload.${action}`) }, required: ['action', 'payload'] })),
          },
        },
      },
    ],
  };
  schemas.PatientIdentifyRequest = {
    description: 'The body of POST /v1/patients: a SignedStatement with action `patient.identify`.',
    allOf: [
      ref('schemas', 'SignedStatement'),
      { type: 'object', properties: { statement: { type: 'object', properties: { action: { const: PATIENT_IDENTIFY_ACTION }, payload: ref('schemas', `payload.${PATIENT_IDENTIFY_ACTION}`) } } } },
    ],
  };

  const statementResult = (replayed: boolean) => ({
    index: 1040,
    leafHash: exampleHash('leaf 1040'),
    type: 'rx.submit',
    replayed,
    records: [{ index: 1041, leafHash: exampleHash('leaf 1041'), type: CHECK_RESULT_TYPE }],
    lastIndex: 1041,
    check: { outcome: 'active', ruleSet: exampleHex256('rule set'), inputHash: exampleHex256('check input'), findings: [] },
    receipt: '/v1/receipts/1040',
  });
  const identifyResult = (replayed: boolean) => ({ pseudonym: exampleHex256('patient pseudonym'), identityCommitment: exampleHex256('identity commitment'), replayed });

  const paths: Record<string, Partial<Record<'get' | 'post', OperationObject>>> = {
    '/healthz': {
      get: {
        operationId: 'getHealth',
        tags: ['service'],
        summary: 'Liveness, and the log’s size',
        description: 'Public.',
        responses: { '200': { description: 'The service is up.', content: json('Health', { example: { status: 'ok', size } }) }, ...errors(500, 503) },
      },
    },
    '/checkpoint': {
      get: {
        operationId: 'getCheckpoint',
        tags: ['log'],
        summary: 'The latest signed checkpoint, byte for byte',
        description: 'Public. A C2SP tlog-checkpoint in a C2SP signed note, signed by the log’s checkpoint keys (docs/FORMAT.md §7). Verify it with keys obtained out of band, or those of GET /v1/log.',
        responses: {
          '200': { description: 'The signed note (the example’s signature is a placeholder).', headers: noCache, content: { 'text/plain': { schema: { type: 'string' }, example: checkpointNote } } },
          ...errors(500, 503),
        },
      },
    },
    '/v1/log': {
      get: {
        operationId: 'getLogInfo',
        tags: ['log'],
        summary: 'Origin, checkpoint verifier keys and size',
        description: 'Public.',
        responses: { '200': { description: 'The log.', content: json('LogInfo', { example: { origin, verifierKey, verifierKeys: [verifierKey], size } }) }, ...errors(500, 503) },
      },
    },
    '/v1/log/proof/inclusion': {
      get: {
        operationId: 'getInclusionProof',
        tags: ['log'],
        summary: 'RFC 9162 inclusion proof of one entry in the tree of a given size',
        description: 'Public: proofs reveal only hashes.',
        parameters: [param('index', 'query', IndexParam, 'The entry, smaller than `size`.', '1040'), param('size', 'query', IndexParam, 'The tree size, at most the log’s (usually a checkpoint’s).', String(size))],
        responses: {
          '200': { description: 'The leaf hash and the audit path, leaf to root.', content: json('InclusionProof', { example: { index: 1040, size, leafHash: exampleHash('leaf 1040'), hashes: receiptHashes.map(encodeBase64) } }) },
          ...errors(400, 500, 503),
        },
      },
    },
    '/v1/log/proof/consistency': {
      get: {
        operationId: 'getConsistencyProof',
        tags: ['log'],
        summary: 'RFC 9162 consistency proof between two tree sizes',
        description: 'Public.',
        parameters: [param('from', 'query', IndexParam, 'The older size, at most `to`.', '1000'), param('to', 'query', IndexParam, 'The newer size, at most the log’s.', String(size))],
        responses: {
          '200': { description: 'The proof.', content: json('ConsistencyProof', { example: { from: 1000, to: size, hashes: [exampleHash('consistency 0'), exampleHash('consistency 1')] } }) },
          ...errors(400, 500, 503),
        },
      },
    },
    '/v1/log/entries': {
      get: {
        operationId: 'getEntries',
        tags: ['log'],
        summary: 'Entries [start, end), a bounded page',
        description: `Signed read (docs/AUTH.md §3). At most ${entriesPageMax} entries per page; continue from \`next\`. Regulators and operators read every entry; other actors read the ledger’s own records and entries that concern them, and see the rest as \`{index, leafHash, data: null, entry: null, redacted: true}\`. \`data\` is the exact hashed bytes (base64); \`entry\` their decoded form, null when they do not decode.`,
        security: SIGNED_READ,
        parameters: [param('start', 'query', IndexParam, 'The first index, inside the log.', '1040'), param('end', 'query', IndexParam, 'One past the last index wanted, greater than `start`; clamped to the log.', '1042')],
        responses: { '200': { description: 'A page of entries.', content: json('EntryPage') }, ...errors(400, 401, 403, 404, 500, 503) },
      },
    },
    '/v1/statements': {
      post: {
        operationId: 'postStatement',
        tags: ['statements'],
        summary: 'Record a signed statement: the one write endpoint',
        description: `${SIGNED_WRITE_NOTE} \`statement.action\` is the type of the entry that records it and selects the payload schema: components/schemas/payload.<action>, listed with the roles that may sign each in \`x-rxledger-actions\`. Authentication, authorization and the action’s preconditions are judged when the entry is sequenced; the answer comes after the entry is committed to disk. An identical retry (same statement and signature) answers 200 with the original entry and writes nothing. Cross-field rules the JSON Schema cannot express are in the payload descriptions and docs/AUTH.md, docs/PRESCRIPTIONS.md.`,
        requestBody: { required: true, description: 'A signed statement. The examples’ key IDs, nonces and signatures are placeholders.', content: { 'application/json': { schema: ref('schemas', 'StatementRequest'), examples: statementExamples } } },
        responses: {
          '201': { description: 'Recorded now. `records` are entries the ledger wrote right after it (a submission’s check result, repeated under `check`); `lastIndex` is what the next statement about the prescription names as `previous`; `receipt` is where its inclusion proof can be fetched once a checkpoint covers it.', content: json('StatementResult', { example: statementResult(false) }) },
          '200': { description: 'An identical retry: the original entry; nothing was written.', content: json('StatementResult', { example: statementResult(true) }) },
          ...errors(400, 401, 403, 404, 409, 413, 415, 422, 500, 503),
        },
        'x-rxledger-actions': actionEntries,
      },
    },
    '/v1/receipts/{index}': {
      get: {
        operationId: 'getReceipt',
        tags: ['log'],
        summary: 'Offline proof that an entry is in the log',
        description: 'Public. The leaf hash, the inclusion proof and the signed checkpoint it leads to, as JSON and in the C2SP tlog-proof form; `?format=tlog-proof` answers the text alone. Until a checkpoint covers the entry the answer is 409 RECEIPT_PENDING.',
        parameters: [
          param('index', 'path', IndexParam, 'The entry’s index (`index` of POST /v1/statements).', String(receiptIndex)),
          param('format', 'query', z.enum(['json', 'tlog-proof']), '`json` (the default) or `tlog-proof` (text/plain).', 'json', false),
        ],
        responses: {
          '200': {
            description: 'The receipt.',
            content: {
              'application/json': { schema: ref('schemas', 'Receipt'), example: { index: receiptIndex, size, leafHash: exampleHash('leaf 1040'), hashes: receiptHashes.map(encodeBase64), checkpoint: checkpointNote, proof: tlogProof } },
              'text/plain': { schema: { type: 'string' }, example: tlogProof },
            },
          },
          ...errors(400, 404, 409, 500, 503),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        tags: ['service'],
        summary: 'This document',
        description: 'Public. Generated at start-up from the zod schemas.',
        responses: { '200': { description: 'The OpenAPI document.', headers: noCache, content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(500, 503) },
      },
    },
  };
  if (servesPatients) {
    paths['/v1/patients'] = {
      post: {
        operationId: 'postPatient',
        tags: ['patients'],
        summary: 'Identify a patient: the pseudonym and identity commitment a prescription carries',
        description: `${SIGNED_WRITE_NOTE} A prescriber’s \`patient.identify\` statement with the patient’s identity record. Nothing is written to the ledger: the identity goes to the erasable identity store. Retries are answered like ledger writes (200, replayed).`,
        requestBody: { required: true, description: 'A signed `patient.identify` statement (placeholder signature).', content: { 'application/json': { schema: ref('schemas', 'PatientIdentifyRequest'), examples: { [PATIENT_IDENTIFY_ACTION]: identifyExample } } } },
        responses: {
          '201': { description: 'Identified now.', headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } }, content: json('PatientIdentifyResult', { example: identifyResult(false) }) },
          '200': { description: 'An identical retry.', headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } }, content: json('PatientIdentifyResult', { example: identifyResult(true) }) },
          ...errors(400, 401, 403, 409, 410, 413, 415, 500, 503),
        },
      },
    };
  }
  if (servesPrescriptions) {
    paths['/v1/prescriptions/{id}'] = {
      get: {
        operationId: 'getPrescription',
        tags: ['prescriptions'],
        summary: 'A prescription’s state, fills and content, for its parties',
        description: 'Signed read. Parties (the prescribing institution’s prescribers, pharmacies that held it, couriers that carried it, regulators, operators) get PrescriptionDetail. A pharmacist of a pharmacy in the prescribing city gets PrescriptionStatus of an open prescription, to claim it. Everyone else gets 404 RX_NOT_FOUND: existence is not disclosed.',
        security: SIGNED_READ,
        parameters: [param('id', 'path', PrescriptionIdSchema, 'The prescription id.', RX_NOMINATED)],
        responses: {
          '200': { description: 'The prescription.', content: { 'application/json': { schema: { oneOf: [ref('schemas', 'PrescriptionDetail'), ref('schemas', 'PrescriptionStatus')] } } } },
          ...errors(400, 401, 403, 404, 500, 503),
        },
      },
    };
    paths['/v1/pharmacies/{pharmacyId}/queue'] = {
      get: {
        operationId: 'getPharmacyQueue',
        tags: ['prescriptions'],
        summary: 'What is routed to a pharmacy and claimable now, oldest first',
        description: `Signed read by the pharmacy’s own pharmacists (or a regulator or operator). Paged by submission index: pass \`next\` as \`after\`.`,
        security: SIGNED_READ,
        parameters: [
          param('pharmacyId', 'path', InstitutionIdSchema, 'The pharmacy.', PHARMACY),
          param('after', 'query', IndexParam.optional(), 'Only prescriptions submitted after this index.', '1000', false),
          param('limit', 'query', IndexParam.pipe(z.number().int().min(1).max(queuePageMax)).optional(), `Page size, 1 to ${queuePageMax} (the default).`, '20', false),
        ],
        responses: { '200': { description: 'A page of the queue.', content: json('PharmacyQueuePage') }, ...errors(400, 401, 403, 500, 503) },
      },
    };
    paths['/v1/couriers/{courierId}/assignments'] = {
      get: {
        operationId: 'getCourierAssignments',
        tags: ['prescriptions'],
        summary: 'A courier’s open deliveries, with where and to whom',
        description: 'Signed read by the courier itself. Only what a delivery needs: the address and recipient, never the national id or the drugs. `address` is null when the identity record is erased or has no address.',
        security: SIGNED_READ,
        parameters: [param('courierId', 'path', ActorIdSchema, 'The courier (must be the signer).', EXAMPLE_ACTORS.courier)],
        responses: { '200': { description: 'The assignments.', content: json('CourierAssignments') }, ...errors(400, 401, 403, 500, 503) },
      },
    };
  }

  const readSchemeNote = 'Signed reads (RFC 9421 profile `rxledger-read`, docs/AUTH.md §3) need both headers, signed by a registered, valid, unrevoked key of an active actor:';
  return {
    openapi: OPENAPI_VERSION,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'rxledger',
      version: 'v1',
      summary: 'Prescription circulation ledger: signed, hash-chained, Merkle-proven, regulator-verifiable.',
      description: [
        `The API of the log \`${origin}\`.`,
        'Writes are signed statements in the request body (docs/AUTH.md §2); reads of entry content and of prescriptions are signed requests (RFC 9421, docs/AUTH.md §3); checkpoints and proofs are public.',
        'Every error is `{ error: { code, message, paths } }`; the codes, by status, are under components/responses and in `x-rxledger-error-codes`.',
        'Examples use placeholder key IDs, nonces and signatures (they show shapes and do not verify); docs/AUTH.md has worked examples.',
      ].join('\n\n'),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      { name: 'log', description: 'The transparency log: checkpoints, proofs, entries, receipts.' },
      { name: 'statements', description: 'Signed writes.' },
      ...(servesPatients ? [{ name: 'patients', description: 'Patient identification (never in the ledger).' }] : []),
      ...(servesPrescriptions ? [{ name: 'prescriptions', description: 'Reads of the prescription lifecycle.' }] : []),
      { name: 'service', description: 'Health and this document.' },
    ],
    paths,
    components: {
      schemas,
      responses: errorResponses(),
      securitySchemes: {
        rxReadSignatureInput: {
          type: 'apiKey',
          in: 'header',
          name: 'Signature-Input',
          description: `${readSchemeNote} \`Signature-Input: rx=("@method" "@path" "@query");created=<unix seconds>;keyid="<keyId>";alg="ed25519";nonce="<32–64 hex>";tag="rxledger-read"\`.`,
        },
        rxReadSignature: { type: 'apiKey', in: 'header', name: 'Signature', description: `${readSchemeNote} \`Signature: rx=:<base64 Ed25519 signature over the RFC 9421 signature base>:\`.` },
      },
    },
    'x-rxledger-error-codes': Object.fromEntries(ERROR_CODES.map((code) => [code, { status: HTTP_STATUS[code], response: ref('responses', errorResponseName(HTTP_STATUS[code])).$ref }])),
  };
}
