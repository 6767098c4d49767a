/**
 * A small, deterministic world for the prescription rules, built in memory through the single
 * entry point (`admitEntry`) the way the ledger sequences entries (src/ledger/state-machine.ts):
 * each body is validated against the entry union, judged at the next index and the clock's time,
 * its mutations applied, and a submission's check result written as the very next entry; a
 * refused entry that leaves evidence (`rx.flag`) is written in its place. Keys, nonces, codes and
 * time are all derived from fixed inputs, so every run produces the same log.
 *
 * Used by the lifecycle tests and by the store tests (which replay `batches` into SQLite).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { createStatementSigner, type StatementSigner } from '../../../src/client/statement-signer.js';
import { bytesToHex, encodeBase64, utf8 } from '../../../src/core/bytes.js';
import type { JsonObject } from '../../../src/core/canonical-json.js';
import { nodeVerifySignature } from '../../support/node-signatures.js';
import { ENTRY_FORMAT_VERSION, type LedgerEntry } from '../../../src/core/entry.js';
import type { SignedStatement } from '../../../src/core/statement.js';
import { admitEntry, type EntryAdmission, type EntryContext, type StateMutation } from '../../../src/domain/admission.js';
import { verifyEntryBody } from '../../../src/domain/entry-types.js';
import { MemoryState } from '../../../src/domain/memory-state.js';
import type { RuleSet } from '../../../src/domain/prescription/checker.js';
import type { KnowledgeRuleSet } from '../../../src/domain/checker/knowledge-rule-set.js';
import { accessCodeHash, pickupCodeHash } from '../../../src/domain/prescription/patient-codes.js';
import type { PrescriptionRecord } from '../../../src/domain/prescription/prescription-record.js';
import { activationBody, libraryOf, starterRuleSet } from '../checker/starter-rule-set.js';
import { RULE_SET_TYPE } from '../../../src/domain/checker/rule-set-activation.js';
import { createNodeEd25519Verifier } from '../../../src/platform/node-ed25519.js';
import { createStateReplay } from '../../../src/verify/state-replay.js';
import { item, prescription } from '../../../scripts/lib/rx-world.js';
import type { Prescription, PrescriptionItem } from '../../../schemas/prescription.js';
import { manualClock } from '../../support/test-ledger.js';

export { item };

export const ORIGIN = 'test.example/ledger';
/** 2026-03-02 09:00 China Standard Time. */
export const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 2026-03-02 00:00 CST: day 0 of prescriptions written at T0. */
export const DAY0 = Date.UTC(2026, 2, 1, 16, 0, 0);

const digest = (label: string): Uint8Array => sha256(utf8(label));

/** A patient as the ledger knows them: pseudonym and identity commitment only. */
export const patient = (n: number) => ({ pseudonym: bytesToHex(digest(`patient-${n}`)), identityCommitment: bytesToHex(digest(`commitment-${n}`)) });
/** A patient's access code (open routing): 24 base64url characters. */
export const accessCode = (n: number): string => `access-code-${String(n).padStart(12, '0')}`;
/** A pickup code the pharmacy gives the patient. */
export const pickupCode = (n: number): string => `pickup-code-${String(n).padStart(12, '0')}`;
/** A 20-digit drug traceability code. */
export const traceCode = (n: number): string => `8${String(n).padStart(19, '0')}`;

export interface CastInstitution {
  readonly id: string;
  readonly kind: 'hospital' | 'pharmacy' | 'delivery-company';
  readonly region: string;
  readonly delivers?: boolean;
}

/** Two hospitals in 济南 (3701), two pharmacies there, one in 南京 (3201), a delivery company. */
export const INSTITUTIONS: readonly CastInstitution[] = [
  { id: 'hosp-a', kind: 'hospital', region: '370102' },
  { id: 'hosp-b', kind: 'hospital', region: '370103' },
  { id: 'ph-a', kind: 'pharmacy', region: '370103', delivers: true },
  { id: 'ph-b', kind: 'pharmacy', region: '370112', delivers: false },
  { id: 'ph-far', kind: 'pharmacy', region: '320102', delivers: true },
  { id: 'swift', kind: 'delivery-company', region: '370100' },
];

export const ACTORS: ReadonlyArray<{ readonly id: string; readonly role: 'prescriber' | 'pharmacist' | 'courier'; readonly institutionId: string }> = [
  { id: 'dr-a', role: 'prescriber', institutionId: 'hosp-a' },
  { id: 'dr-a2', role: 'prescriber', institutionId: 'hosp-a' },
  { id: 'dr-b', role: 'prescriber', institutionId: 'hosp-b' },
  { id: 'rph-a', role: 'pharmacist', institutionId: 'ph-a' },
  { id: 'rph-a2', role: 'pharmacist', institutionId: 'ph-a' },
  { id: 'rph-b', role: 'pharmacist', institutionId: 'ph-b' },
  { id: 'rph-far', role: 'pharmacist', institutionId: 'ph-far' },
  { id: 'courier-1', role: 'courier', institutionId: 'swift' },
  { id: 'courier-2', role: 'courier', institutionId: 'swift' },
];

const PRESCRIBER_DETAILS = {
  licence: '110370100000001',
  title: '主治医师',
  department: '内科',
  privileges: { narcotic: false, psychotropicI: false, psychotropicII: true, antimicrobialGrade: 'restricted' },
};

export interface SubmitOptions {
  readonly patient?: number;
  readonly items?: PrescriptionItem[];
  readonly encounter?: Partial<Prescription['encounter']>;
  readonly routing?: JsonObject;
  /** Access codes in clear; the submission carries their hashes. */
  readonly accessCodes?: readonly string[];
  readonly revises?: string;
  /** Changes to the built prescription (after `patient`, `items`, `encounter`). */
  readonly edit?: (p: Prescription) => Prescription;
}

export interface Submitted {
  readonly id: string;
  readonly submitIndex: number;
  /** The prescription's latest entry (its check result): what the next statement names as previous. */
  readonly last: number;
  readonly outcome: string;
  readonly check: JsonObject;
}

export type RxWorld = ReturnType<typeof createRxWorld>;

/** The ledger's signature check (OpenSSL with the reference's accept set); replays use the reference. */
const nodeVerifier = createNodeEd25519Verifier();

export function createRxWorld(options: { start?: number; ruleSet?: KnowledgeRuleSet } = {}) {
  const state = new MemoryState();
  const clock = manualClock(options.start ?? T0);
  const ruleSet = options.ruleSet ?? starterRuleSet();
  const log: LedgerEntry[] = [];
  /** Every applied mutation batch, in log order: one per entry. */
  const batches: StateMutation[][] = [];
  let counter = 0;
  const randomBytes = (n: number): Uint8Array => digest(`random-${++counter}`).slice(0, n);
  const signers = new Map<string, StatementSigner>();
  const signer = (actorId: string): StatementSigner => {
    let s = signers.get(actorId);
    if (s === undefined) {
      s = createStatementSigner({ origin: ORIGIN, actorId, seed: digest(`seed-${actorId}`), clock, randomBytes });
      signers.set(actorId, s);
    }
    return s;
  };
  const ctx = (): EntryContext => ({
    origin: ORIGIN,
    index: log.length,
    time: clock(),
    timestampWindowMs: 300_000,
    verifySignature: (signature, message, publicKey) => nodeVerifier.verify(signature, message, publicKey),
    ruleSets: libraryOf(ruleSet),
  });
  const write = (type: string, body: JsonObject, mutations: readonly StateMutation[]): void => {
    const checked = verifyEntryBody(type, body);
    state.apply(mutations);
    batches.push([...mutations]);
    log.push({ v: ENTRY_FORMAT_VERSION, index: log.length, prev: encodeBase64(new Uint8Array(32)), time: clock(), type, body: checked });
  };

  /**
   * Judges one entry at the next index and applies it as the ledger would. Every entry is judged
   * twice: as the ledger does (the body as its entry schema returned it, not parsed again) and as
   * the verifier does (parsed again); the two verdicts must be identical, member order included.
   */
  const admit = (type: string, body: JsonObject): EntryAdmission => {
    const checked = verifyEntryBody(type, body);
    const judge = (bodyParsed: boolean) => {
      try {
        const a = admitEntry(state, type, checked, ctx(), undefined, bodyParsed);
        return { admission: a, text: JSON.stringify(a) };
      } catch (error) {
        return { error, text: JSON.stringify({ code: (error as { code?: string }).code, paths: (error as { paths?: string[] }).paths }) };
      }
    };
    const asLedger = judge(true);
    const asVerifier = judge(false);
    if (asLedger.text !== asVerifier.text) throw new Error(`test world: ${type} judged differently without re-parsing:\n${asLedger.text}\n${asVerifier.text}`);
    if (asVerifier.error !== undefined) throw asVerifier.error;
    const admission = asVerifier.admission!;
    if (admission.kind === 'replay') return admission;
    if (admission.kind === 'refuse') {
      write(admission.record.type, admission.record.body, admission.record.mutations);
      return admission;
    }
    write(type, checked, admission.mutations);
    const records = admission.followUps?.(state) ?? [];
    const recordsAsLedger = asLedger.admission?.kind === 'append' ? (asLedger.admission.followUps?.(state) ?? []) : [];
    if (JSON.stringify(records) !== JSON.stringify(recordsAsLedger)) throw new Error(`test world: ${type} followed by other records without re-parsing`);
    for (const record of records) write(record.type, record.body, record.mutations);
    return admission;
  };

  const sign = (actorId: string, action: string, payload: JsonObject, idempotencyKey?: string): SignedStatement =>
    signer(actorId).sign(action, payload, idempotencyKey === undefined ? {} : { idempotencyKey });
  const body = (signed: SignedStatement): JsonObject => signed as unknown as JsonObject;
  /** Signs and admits; a refusal (with or without a flag written) throws its error. */
  const act = (actorId: string, action: string, payload: JsonObject): EntryAdmission => {
    const admission = admit(action, body(sign(actorId, action, payload)));
    if (admission.kind === 'refuse') throw admission.error;
    return admission;
  };
  const rx = (id: string): PrescriptionRecord => {
    const record = state.prescription(id);
    if (record === undefined) throw new Error(`test world: no prescription ${id}`);
    return record;
  };
  /** A lifecycle statement about `id`; returns the prescription's new latest index. */
  const step = (actorId: string, action: string, id: string, previous: number, payload: JsonObject = {}): number => {
    act(actorId, action, { prescriptionId: id, previous, ...payload });
    return rx(id).lastIndex;
  };

  let rxCounter = 0;
  const build = (doctorId: string, label: string, o: SubmitOptions = {}): Prescription => {
    const institutionId = state.actor(doctorId)?.institutionId ?? 'hosp-a';
    const id = `rx-${label}-${String(++rxCounter).padStart(3, '0')}`;
    const built = prescription(id, { id: doctorId, institutionId }, patient(o.patient ?? 1), {
      now: clock(),
      ...(o.items ? { items: o.items } : {}),
      ...(o.encounter ? { encounter: o.encounter } : {}),
    });
    return o.edit ? o.edit(built) : built;
  };
  const submitPayload = (p: Prescription, o: SubmitOptions = {}): JsonObject => ({
    prescription: p as unknown as JsonObject,
    routing: o.routing ?? { mode: 'nominated', pharmacyId: 'ph-a' },
    ...(o.accessCodes ? { accessCodes: o.accessCodes.map((c) => accessCodeHash(c)) } : {}),
    ...(o.revises ? { revises: o.revises } : {}),
  });
  const submit = (doctorId: string, label: string, o: SubmitOptions = {}): Submitted => {
    const p = build(doctorId, label, o);
    const submitIndex = log.length;
    act(doctorId, 'rx.submit', submitPayload(p, o));
    const check = log[submitIndex + 1]!;
    return { id: p.prescriptionId, submitIndex, last: rx(p.prescriptionId).lastIndex, outcome: String(check.body.outcome), check: check.body };
  };

  // The checker: the log activates the rule set before anything can be submitted.
  admit(RULE_SET_TYPE, activationBody(ruleSet) as unknown as JsonObject);
  // The registry: genesis operator, then institutions, actors and keys by the operator's statements.
  const operator = signer('op-genesis');
  const notBefore = clock() - 60_000;
  admit('registry.genesis-operator', body(operator.sign('registry.genesis-operator', { actorId: 'op-genesis', publicKey: encodeBase64(operator.publicKey), notBefore })));
  for (const i of INSTITUTIONS) {
    act('op-genesis', 'registry.institution-register', {
      institutionId: i.id,
      kind: i.kind,
      name: `机构 ${i.id}`,
      region: i.region,
      licence: `LIC-${i.id}`,
      ...(i.kind === 'pharmacy' ? { delivers: i.delivers ?? false } : {}),
    });
  }
  for (const a of ACTORS) {
    act('op-genesis', 'registry.actor-register', { actorId: a.id, role: a.role, institutionId: a.institutionId, name: `人员 ${a.id}`, ...(a.role === 'prescriber' ? PRESCRIBER_DETAILS : {}) });
    act('op-genesis', 'registry.key-add', { actorId: a.id, publicKey: encodeBase64(signer(a.id).publicKey), notBefore });
  }

  return { state, clock, log, batches, ruleSet, admit, sign, body, act, rx, step, build, submitPayload, submit, signer };
}

// One line per lifecycle step. Each returns the prescription's new latest index.
let traceSeq = 100;
/** A traceability code number never used before in this process. */
export const freshCode = (): number => ++traceSeq;
const pharmacyOf = (w: RxWorld, actorId: string): string => w.state.actor(actorId)!.institutionId!;
export const claim = (w: RxWorld, who: string, id: string, previous: number, extra: JsonObject = {}) => w.step(who, 'rx.claim', id, previous, { pharmacyId: pharmacyOf(w, who), fill: 0, ...extra });
export const approve = (w: RxWorld, who: string, id: string, previous: number, fill = 0) => w.step(who, 'rx.review', id, previous, { fill, decision: 'approve' });
export const dispense = (w: RxWorld, who: string, id: string, previous: number, quantity: string, codes: number[] = [freshCode()], fill = 0, line = 1) =>
  w.step(who, 'rx.dispense', id, previous, { fill, lines: [{ line, quantity, traceabilityCodes: codes.map(traceCode) }] });
export const assign = (w: RxWorld, who: string, id: string, previous: number, courierId = 'courier-1', code = 1, fill = 0) =>
  w.step(who, 'rx.delivery-assign', id, previous, { fill, courierId, pickupCodeHash: pickupCodeHash(pickupCode(code)) });
export const courierStep = (w: RxWorld, who: string, action: string, id: string, previous: number, extra: JsonObject = {}) => w.step(who, action, id, previous, { fill: 0, ...extra });
/** Claimed, approved and dispensed (7 units by default) by `who`'s pharmacy. */
export const toDispensed = (w: RxWorld, who: string, id: string, previous: number, quantity = '7') => dispense(w, who, id, approve(w, who, id, claim(w, who, id, previous)), quantity);

/**
 * Replays the world's log through the verifier's state replay (src/verify/state-replay.ts) and
 * returns the replayed state: every entry must be judged as it was when it was written.
 */
export function replayLog(world: RxWorld, ruleSets: readonly RuleSet[] = [world.ruleSet]): MemoryState {
  const replay = createStateReplay({ origin: ORIGIN, timestampWindowMs: 300_000, verifySignature: nodeVerifySignature, ruleSets: libraryOf(...ruleSets) });
  world.log.forEach((entry, index) => replay.check(entry, index));
  replay.finish();
  return replay.state;
}

/** Sorted by id, for comparing views. */
export const byId = <R extends { readonly prescriptionId: string }>(records: readonly R[]): R[] => [...records].sort((a, b) => (a.prescriptionId < b.prescriptionId ? -1 : a.prescriptionId > b.prescriptionId ? 1 : 0));
