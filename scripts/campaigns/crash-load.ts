/**
 * The crash campaign's load: several concurrent clients driving prescriptions through the
 * lifecycle over HTTP with signed statements — submissions (approved, awaiting an override,
 * blocked, open with access codes, long with repeats, revisions), overrides, claims, reviews,
 * returns, dispensings with traceability codes (and now and then a reused one, which the ledger
 * refuses and flags), deliveries, collections and cancellations — plus registry changes, patient
 * identifications and identity erasures.
 *
 * Every request's outcome is recorded: acknowledged (with its receipt), refused by the service
 * (with its code), or unknown (no answer: the server died with it in flight). The model of each
 * prescription the clients keep is what the acknowledgements say; after a kill it is resynced from
 * the verifier's replay of the ledger (`resync`), which is the truth the campaign checks the service
 * against.
 */
import { RxError } from '../../src/core/errors.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { encodeBase64 } from '../../src/core/bytes.js';
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import type { SignedStatement } from '../../src/core/statement.js';
import { accessCodeHash, pickupCodeHash, type SubmitResult } from '../../src/client/index.js';
import type { PrescriptionRecord } from '../../src/domain/prescription/prescription-record.js';
import { fromMicros, toMicros } from '../../src/domain/prescription/quantities.js';
import type { PrescriptionItem } from '../../schemas/prescription.js';
import { mulberry32 } from '../lib/bench-support.js';
import { item, prescription, type PatientRef } from '../lib/rx-builders.js';
import { clientOf, seededCode, seededId, seededTraceCode, type CrashActor, type CrashCast, type SeededBytes } from './crash-cast.js';

/** A write the clients sent: enough to retry it byte for byte and to say what it was. */
export interface SentWrite {
  readonly seq: number;
  /** The kill round it was sent in. */
  readonly round: number;
  /** The statement's action: an entry type, or `patient.identify` (identity store, not the ledger). */
  readonly action: string;
  readonly signed: SignedStatement;
  readonly prescriptionId?: string;
  /** For `patient.erase-identity`: the commitment it erases. */
  readonly erases?: string;
}

export interface AckedWrite extends SentWrite {
  readonly receipt: SubmitResult;
}

export interface AckedIdentity extends SentWrite {
  readonly patient: PatientRef;
}

/** One line of a fill: millionths prescribed and dispensed. */
interface Line {
  readonly line: number;
  readonly prescribed: number;
  dispensed: number;
}

/** The clients' view of one prescription they wrote. */
interface Tracked {
  readonly id: string;
  readonly prescriber: CrashActor;
  readonly patient: PatientRef;
  readonly routing: { readonly mode: 'nominated' | 'directed'; readonly pharmacyId: string } | { readonly mode: 'open' };
  /** Open routing: the patient's access codes (plain). */
  readonly accessCodes: readonly string[];
  spentAccessCodes: string[];
  /** `unsent` until the submission is acknowledged (or found in the log). */
  state: string;
  lastIndex: number;
  fill: number;
  fills: Line[][];
  holder: string | null;
  cancelPending: boolean;
  overrideRequired: string[];
  pickupCodeHash: string | null;
  /** Revised already, or superseded: not revised again. */
  revised: boolean;
  /** A worker is acting on it. */
  busy: boolean;
  /** Its state is uncertain (a write's outcome is unknown, or a refusal surprised the model) until the next resync. */
  stale: boolean;
}

export interface LoadFigures {
  acknowledged: number;
  acknowledgedByAction: Record<string, number>;
  refusedByCode: Record<string, number>;
  unknown: number;
  flaggedAttempts: number;
  prescriptionsSubmitted: number;
}

/** What the campaign knows about the log, to say whether an unknown write had landed. */
export interface LandedFacts {
  /** The index of the entry holding the statement `actor` signed with `idempotencyKey`, if the log has one. */
  statementIndex(actor: string, idempotencyKey: string): number | undefined;
  /** The identity commitment the identity store gave the request, if it holds one. */
  identifyCommitment(actor: string, idempotencyKey: string): string | undefined;
  /** The stored leaf hash (base64) at `index`. */
  leafHash(index: number): string | undefined;
}

interface Operation {
  readonly action: string;
  readonly signed: SignedStatement;
  readonly signer: CrashActor;
  /** Prescriptions it acts on (locked while it is in flight). */
  readonly tracked: readonly Tracked[];
  readonly erases?: string;
  /** A dispensing that reuses a traceability code: refused with RX_TRACE_CODE_DUPLICATE and flagged. */
  readonly expectFlag?: boolean;
  onAck(result: SubmitResult): void;
}

type Rand = () => number;
const pick = <T>(rand: Rand, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
function weighted<T>(rand: Rand, options: ReadonlyArray<readonly [number, T]>): T | undefined {
  const total = options.reduce((s, [w]) => s + w, 0);
  if (total <= 0) return undefined;
  let r = rand() * total;
  for (const [w, v] of options) {
    if ((r -= w) < 0) return v;
  }
  return options[options.length - 1]![1];
}

/** States in which the clients take no further step. */
const FINAL_OR_STUCK = new Set(['rejected', 'refused', 'delivered', 'collected', 'cancelled', 'superseded', 'expired']);
const ONE_UNIT = 1_000_000;

export interface CrashLoadOptions {
  readonly cast: CrashCast;
  readonly seed: number;
  /** Seeded bytes for nonces, idempotency keys, ids and codes. */
  readonly random: SeededBytes;
  /** Reports a violation the load itself sees (an INTERNAL answer). */
  readonly violation: (sentence: string) => void;
}

export class CrashLoad {
  readonly acked: AckedWrite[] = [];
  readonly ackedIdentities: AckedIdentity[] = [];
  /** Writes whose outcome is unknown and not yet retried or given up. */
  unknown: SentWrite[] = [];
  /** Prescriptions written to since the last comparison with the service. */
  readonly touched = new Set<string>();
  /** Identity commitments an erasure was sent for, whatever its outcome. */
  readonly erasing = new Set<string>();
  readonly figures: LoadFigures = { acknowledged: 0, acknowledgedByAction: {}, refusedByCode: {}, unknown: 0, flaggedAttempts: 0, prescriptionsSubmitted: 0 };

  readonly #cast: CrashCast;
  readonly #seed: number;
  readonly #random: SeededBytes;
  readonly #violation: (sentence: string) => void;
  readonly #tracked = new Map<string, Tracked>();
  /** Pickup codes by hash, so a delivery assigned by a write whose answer was lost can still be completed. */
  readonly #pickupCodes = new Map<string, string>();
  /** Traceability codes of acknowledged dispensings (candidates for a reused-pack attempt). */
  readonly #dispensedCodes: string[] = [];
  /** Patients identified during the load (identify and erase only). */
  readonly #guests: Array<{ patient: PatientRef; erasing: boolean }> = [];
  #seq = 0;
  #guestCount = 0;
  #institutionCount = 0;

  constructor(options: CrashLoadOptions) {
    this.#cast = options.cast;
    this.#seed = options.seed;
    this.#random = options.random;
    this.#violation = options.violation;
  }

  /** Prescriptions the clients track, for comparisons with the service. */
  trackedIds(): string[] {
    return [...this.#tracked.keys()];
  }

  /**
   * Runs `clients` concurrent clients against `url` until `stop.stopped` is set or every client
   * has stopped (a client stops at its first unknown outcome: the server is gone).
   */
  async run(url: string, round: number, clients: number, stop: { readonly stopped: boolean }): Promise<void> {
    const workers = Array.from({ length: clients }, async (_, w) => {
      const rand = mulberry32((this.#seed ^ Math.imul(round + 1, 0x9e3779b1) ^ Math.imul(w + 1, 0x85ebca6b)) >>> 0);
      while (!stop.stopped) {
        const done = await this.#once(url, round, rand);
        if (done === 'stop') return;
      }
    });
    await Promise.all(workers);
  }

  async #once(url: string, round: number, rand: Rand): Promise<'go' | 'stop'> {
    const r = rand();
    if (r < 0.02) return this.#identifyGuest(url, round);
    if (r < 0.03) {
      const op = this.#eraseGuest(rand);
      if (op !== undefined) return this.#send(url, round, op);
    }
    if (r < 0.045) return this.#send(url, round, this.#registryChange(rand));
    const op = this.#prescriptionOperation(rand);
    return this.#send(url, round, op);
  }

  async #send(url: string, round: number, op: Operation): Promise<'go' | 'stop'> {
    for (const t of op.tracked) {
      t.busy = true;
      this.touched.add(t.id);
    }
    const sent: SentWrite = {
      seq: this.#seq++,
      round,
      action: op.action,
      signed: op.signed,
      ...(op.tracked[0] ? { prescriptionId: op.tracked[0].id } : {}),
      ...(op.erases ? { erases: op.erases } : {}),
    };
    try {
      const result = await clientOf(url, op.signer).submit(op.signed);
      this.#acknowledge(sent, result);
      op.onAck(result);
      return 'go';
    } catch (err) {
      if (err instanceof RxError && err.code !== 'SOURCE_UNAVAILABLE' && err.code !== 'INTERNAL') {
        this.figures.refusedByCode[err.code] = (this.figures.refusedByCode[err.code] ?? 0) + 1;
        if (op.expectFlag && err.code === 'RX_TRACE_CODE_DUPLICATE') this.figures.flaggedAttempts++;
        else for (const t of op.tracked) t.stale = true;
        return 'go';
      }
      if (err instanceof RxError && err.code === 'INTERNAL') this.#violation(`the service answered INTERNAL to ${op.action} (seq ${sent.seq}, round ${round})`);
      this.figures.unknown++;
      this.unknown.push(sent);
      for (const t of op.tracked) t.stale = true;
      return 'stop';
    } finally {
      for (const t of op.tracked) t.busy = false;
    }
  }

  #acknowledge(sent: SentWrite, result: SubmitResult): void {
    this.acked.push({ ...sent, receipt: result });
    this.figures.acknowledged++;
    this.figures.acknowledgedByAction[sent.action] = (this.figures.acknowledgedByAction[sent.action] ?? 0) + 1;
  }

  /** Records an acknowledgement obtained by retrying a write whose first outcome was unknown. */
  acknowledgeRetry(sent: SentWrite, result: SubmitResult): void {
    this.#acknowledge(sent, result);
  }

  acknowledgeIdentityRetry(sent: SentWrite, patient: PatientRef): void {
    this.ackedIdentities.push({ ...sent, patient });
    this.#guests.push({ patient, erasing: false });
  }

  // --- Patients and the registry (operator). ---

  async #identifyGuest(url: string, round: number): Promise<'go' | 'stop'> {
    const n = this.#guestCount++;
    const body = String(100 + (n % 900));
    const identity = {
      name: `崩溃测试患者${n}`,
      nationalId: `37010219850101${body}${n % 10}`,
      phone: `1380000${String(n % 10_000).padStart(4, '0')}`,
      address: { region: '370102', line: `历下区崩溃路${n}号`, recipient: `崩溃测试患者${n}` },
    };
    const prescriber = this.#cast.prescribers[n % this.#cast.prescribers.length]!;
    const signed = prescriber.signer.sign('patient.identify', { identity });
    const sent: SentWrite = { seq: this.#seq++, round, action: 'patient.identify', signed };
    try {
      const r = await clientOf(url, prescriber).identifyPatient(signed);
      const patient = { pseudonym: r.pseudonym, identityCommitment: r.identityCommitment };
      this.ackedIdentities.push({ ...sent, patient });
      this.#guests.push({ patient, erasing: false });
      this.figures.acknowledged++;
      this.figures.acknowledgedByAction['patient.identify'] = (this.figures.acknowledgedByAction['patient.identify'] ?? 0) + 1;
      return 'go';
    } catch (err) {
      if (err instanceof RxError && err.code !== 'SOURCE_UNAVAILABLE' && err.code !== 'INTERNAL') {
        this.figures.refusedByCode[err.code] = (this.figures.refusedByCode[err.code] ?? 0) + 1;
        return 'go';
      }
      if (err instanceof RxError && err.code === 'INTERNAL') this.#violation(`the service answered INTERNAL to patient.identify (seq ${sent.seq}, round ${round})`);
      this.figures.unknown++;
      this.unknown.push(sent);
      return 'stop';
    }
  }

  #eraseGuest(rand: Rand): Operation | undefined {
    const candidates = this.#guests.filter((g) => !g.erasing);
    if (candidates.length === 0) return undefined;
    const guest = pick(rand, candidates);
    guest.erasing = true; // whatever the outcome: an unknown erasure is always retried
    const commitment = guest.patient.identityCommitment;
    this.erasing.add(commitment);
    return {
      action: 'patient.erase-identity',
      signed: this.#cast.operator.signer.sign('patient.erase-identity', { identityCommitment: commitment, reason: 'patient-request' }),
      signer: this.#cast.operator,
      tracked: [],
      erases: commitment,
      onAck: () => undefined,
    };
  }

  #registryChange(rand: Rand): Operation {
    const operator = this.#cast.operator;
    if (rand() < 0.5) {
      const n = this.#institutionCount++;
      const payload = { institutionId: `pharm-crash-${String(n).padStart(4, '0')}-${(this.#seed >>> 0).toString(16)}`, kind: 'pharmacy', name: `崩溃测试药房${n}`, region: '370102', licence: `LIC-CRASH-${n}`, delivers: n % 2 === 0 };
      return { action: 'registry.institution-register', signed: operator.signer.sign('registry.institution-register', payload), signer: operator, tracked: [], onAck: () => undefined };
    }
    // A further key for the courier (it keeps signing with its first one).
    const publicKey = encodeBase64(publicKeyFromSeed(this.#random(32)));
    const payload = { actorId: this.#cast.courier.id, publicKey, notBefore: Date.now() - 60_000 };
    return { action: 'registry.key-add', signed: operator.signer.sign('registry.key-add', payload), signer: operator, tracked: [], onAck: () => undefined };
  }

  // --- Prescriptions. ---

  #prescriptionOperation(rand: Rand): Operation {
    const live = [...this.#tracked.values()].filter((t) => !t.busy && !t.stale && !FINAL_OR_STUCK.has(t.state) && t.state !== 'unsent');
    if (live.length > 0 && rand() < 0.75) {
      for (let attempt = 0; attempt < 4; attempt++) {
        const op = this.#step(pick(rand, live), rand);
        if (op !== undefined) return op;
      }
    }
    return this.#submit(rand);
  }

  #submit(rand: Rand): Operation {
    const cast = this.#cast;
    const flavour = weighted(rand, [
      [34, 'nominated'],
      [20, 'directed'],
      [18, 'open'],
      [10, 'override'],
      [5, 'blocked'],
      [5, 'long'],
      [8, 'revision'],
    ] as const)!;
    const revisable = flavour === 'revision' ? [...this.#tracked.values()].filter((t) => !t.busy && !t.stale && !t.revised && ['awaiting-override', 'active', 'refused', 'rejected'].includes(t.state) && t.holder === null && t.fills.every((f) => f.every((l) => l.dispensed === 0))) : [];
    const old = revisable.length > 0 ? pick(rand, revisable) : undefined;
    const prescriber = old?.prescriber ?? pick(rand, cast.prescribers);
    const patient = old?.patient ?? pick(rand, cast.patients);
    const id = seededId('rx-crash', this.#random);
    let items: PrescriptionItem[] | undefined;
    let encounter: { longPrescription: boolean } | undefined;
    if (flavour === 'override') items = [item(1, { days: 14, quantity: { value: '14', unit: '片' } })];
    else if (flavour === 'blocked') items = [1, 2, 3, 4, 5, 6].map((n) => item(n));
    else if (flavour === 'long') {
      items = [item(1, { days: 28, quantity: { value: '28', unit: '片' }, repeats: { count: 2, intervalDays: 28 } })];
      encounter = { longPrescription: true };
    }
    const rx = prescription(id, { id: prescriber.id, institutionId: prescriber.institutionId }, patient, { now: Date.now(), ...(items ? { items } : {}), ...(encounter ? { encounter } : {}) });
    const pharmacies = cast.pharmacies;
    const routing: Tracked['routing'] =
      flavour === 'open' ? { mode: 'open' } : flavour === 'directed' ? { mode: 'directed', pharmacyId: pharmacies[1]!.id } : { mode: 'nominated', pharmacyId: pick(rand, pharmacies).id };
    const accessCodes = routing.mode === 'open' ? [seededCode(this.#random), seededCode(this.#random)] : [];
    const repeats = Math.max(0, ...rx.items.map((i) => i.repeats?.count ?? 0));
    const fills: Line[][] = Array.from({ length: repeats + 1 }, (_, k) =>
      rx.items.filter((i) => k === 0 || (i.repeats?.count ?? 0) >= k).map((i) => ({ line: i.line, prescribed: toMicros(i.quantity.value), dispensed: 0 })),
    );
    const tracked: Tracked = {
      id,
      prescriber,
      patient,
      routing,
      accessCodes,
      spentAccessCodes: [],
      state: 'unsent',
      lastIndex: -1,
      fill: 0,
      fills,
      holder: null,
      cancelPending: false,
      overrideRequired: [],
      pickupCodeHash: null,
      revised: false,
      busy: false,
      stale: false,
    };
    this.#tracked.set(id, tracked);
    if (old !== undefined) old.revised = true;
    const payload = {
      prescription: rx as unknown as JsonObject,
      routing,
      ...(accessCodes.length > 0 ? { accessCodes: accessCodes.map(accessCodeHash) } : {}),
      ...(old ? { revises: old.id } : {}),
    };
    return {
      action: 'rx.submit',
      signed: prescriber.signer.sign('rx.submit', payload),
      signer: prescriber,
      tracked: old ? [tracked, old] : [tracked],
      onAck: (result) => {
        this.figures.prescriptionsSubmitted++;
        tracked.state = result.check?.outcome ?? 'submitted';
        tracked.lastIndex = result.lastIndex;
        tracked.overrideRequired = [...new Set((result.check?.findings ?? []).filter((f) => f.action === 'override').map((f) => f.ruleId))];
        if (old) {
          old.state = 'superseded';
          old.lastIndex = result.index;
        }
      },
    };
  }

  /** One step on `t` that its state allows, or undefined if none applies. */
  #step(t: Tracked, rand: Rand): Operation | undefined {
    const cast = this.#cast;
    const fill = t.fills[t.fill]!;
    const holderPharmacist = t.holder === null ? undefined : cast.pharmacists.get(t.holder);
    const delivers = cast.pharmacies.find((p) => p.id === t.holder)?.delivers ?? false;
    type Step = () => Operation | undefined;
    const base = { prescriptionId: t.id, previous: t.lastIndex };
    const op = (signer: CrashActor, action: string, payload: JsonObject, next: (result: SubmitResult) => void, extra: Partial<Operation> = {}): Operation => ({
      action,
      signed: signer.signer.sign(action, { ...base, ...payload }),
      signer,
      tracked: [t],
      onAck: (result) => {
        next(result);
        t.lastIndex = result.lastIndex;
      },
      ...extra,
    });
    const handOver = (finalState: 'delivered' | 'collected') => () => {
      const stillOwing = t.fills[t.fill]!.some((l) => l.dispensed < l.prescribed);
      t.pickupCodeHash = null;
      if (stillOwing) t.state = 'partially-dispensed';
      else if (t.fill + 1 < t.fills.length) Object.assign(t, { state: 'active', fill: t.fill + 1, holder: null });
      else Object.assign(t, { state: finalState, holder: null });
    };
    const cancel: Step = () =>
      op(t.prescriber, 'rx.cancel', { reason: 'clinical-change' }, () => {
        if (['awaiting-override', 'active', 'submitted'].includes(t.state)) t.state = 'cancelled';
        else t.cancelPending = true;
      });
    const pharmacy = (action: string, payload: JsonObject, next: () => void, extra?: Partial<Operation>): Step => () =>
      holderPharmacist === undefined ? undefined : op(holderPharmacist, action, { fill: t.fill, ...payload }, next, extra);
    const returnIt = pharmacy('rx.return', { reason: 'out-of-stock' }, () => Object.assign(t, { state: t.cancelPending ? 'cancelled' : 'active', holder: null }));
    const refuse = pharmacy('rx.review', { decision: 'refuse', reason: 'interaction' }, () => Object.assign(t, { state: t.cancelPending ? 'cancelled' : 'refused', holder: null }));
    const dispense = (share: 'all' | 'half' | 'reused'): Step => () => {
      if (holderPharmacist === undefined) return undefined;
      if (share === 'reused') {
        if (this.#dispensedCodes.length === 0) return undefined;
        const line = fill.find((l) => l.dispensed < l.prescribed)!;
        return op(holderPharmacist, 'rx.dispense', { fill: t.fill, lines: [{ line: line.line, quantity: fromMicros(line.prescribed - line.dispensed), traceabilityCodes: [pick(rand, this.#dispensedCodes)] }] }, () => undefined, { expectFlag: true });
      }
      const lines = fill.filter((l) => l.dispensed < l.prescribed);
      const amounts = lines.map((l, n) => {
        const rest = l.prescribed - l.dispensed;
        return share === 'half' && n === 0 && rest >= 2 * ONE_UNIT ? Math.floor(rest / 2 / ONE_UNIT) * ONE_UNIT : rest;
      });
      const codes = lines.map(() => seededTraceCode(this.#random));
      const payload = { fill: t.fill, lines: lines.map((l, n) => ({ line: l.line, quantity: fromMicros(amounts[n]!), traceabilityCodes: [codes[n]!] })) };
      return op(holderPharmacist, 'rx.dispense', payload, () => {
        lines.forEach((l, n) => (l.dispensed += amounts[n]!));
        this.#dispensedCodes.push(...codes);
        t.state = fill.every((l) => l.dispensed === l.prescribed) ? 'dispensed' : 'partially-dispensed';
      });
    };
    const assign: Step = () => {
      if (holderPharmacist === undefined) return undefined;
      const code = seededCode(this.#random);
      const hash = pickupCodeHash(code);
      this.#pickupCodes.set(hash, code);
      return op(holderPharmacist, 'rx.delivery-assign', { fill: t.fill, courierId: cast.courier.id, pickupCodeHash: hash }, () => {
        t.state = 'delivery-assigned';
        t.pickupCodeHash = hash;
      });
    };
    const courier = (action: string, payload: JsonObject, next: () => void): Step => () => op(cast.courier, action, { fill: t.fill, ...payload }, next);
    const complete: Step = () => {
      const code = t.pickupCodeHash === null ? undefined : this.#pickupCodes.get(t.pickupCodeHash);
      return code === undefined ? undefined : courier('rx.delivery-complete', { pickupCode: code }, handOver('delivered'))();
    };
    const fail = courier('rx.delivery-fail', { reason: 'patient-unreachable' }, () => {
      t.state = t.fills[t.fill]!.some((l) => l.dispensed < l.prescribed) ? 'partially-dispensed' : 'dispensed';
      t.pickupCodeHash = null;
    });
    const claim: Step = () => {
      if (t.fill > 0) return undefined; // a repeat's window opens weeks later
      if (t.routing.mode !== 'open') {
        const pharmacist = cast.pharmacists.get(t.routing.pharmacyId)!;
        const pharmacyId = t.routing.pharmacyId;
        return op(pharmacist, 'rx.claim', { pharmacyId, fill: 0 }, () => Object.assign(t, { state: 'claimed', holder: pharmacyId }));
      }
      const code = t.accessCodes.find((c) => !t.spentAccessCodes.includes(accessCodeHash(c)));
      if (code === undefined) return undefined;
      const pharmacyId = pick(rand, cast.pharmacies).id;
      return op(cast.pharmacists.get(pharmacyId)!, 'rx.claim', { pharmacyId, fill: 0, accessCode: code }, () => {
        Object.assign(t, { state: 'claimed', holder: pharmacyId });
        t.spentAccessCodes.push(accessCodeHash(code));
      });
    };
    const steps: Record<string, ReadonlyArray<readonly [number, Step]>> = {
      'awaiting-override': [
        [9, () => op(t.prescriber, 'rx.override', { reasons: t.overrideRequired.map((ruleId) => ({ ruleId, code: 'clinically-indicated' })) }, () => (t.state = 'active'))],
        [1, cancel],
      ],
      active: [
        [12, claim],
        [1, cancel],
      ],
      claimed: t.cancelPending
        ? [
            [1, returnIt],
            [1, refuse],
          ]
        : [
            [16, pharmacy('rx.review', { decision: 'approve' }, () => (t.state = 'approved'))],
            [1, refuse],
            [1, returnIt],
            [1, cancel],
          ],
      approved: t.cancelPending
        ? [[1, returnIt]]
        : [
            [12, dispense('all')],
            [4, dispense('half')],
            [1, dispense('reused')],
            [1, returnIt],
            [1, cancel],
          ],
      'partially-dispensed': t.cancelPending
        ? [[1, returnIt]]
        : [
            [5, dispense('all')],
            [2, pharmacy('rx.collect', {}, handOver('collected'))],
            [delivers ? 2 : 0, assign],
            [0.5, returnIt],
            [0.5, cancel],
          ],
      dispensed: [
        [delivers ? 1 : 0, assign],
        [1, pharmacy('rx.collect', {}, handOver('collected'))],
      ],
      'delivery-assigned': [
        [9, courier('rx.delivery-pickup', {}, () => (t.state = 'picked-up'))],
        [1, fail],
      ],
      'picked-up': [
        [5, courier('rx.delivery-in-transit', {}, () => (t.state = 'in-transit'))],
        [4, complete],
        [1, fail],
      ],
      'in-transit': [
        [8, complete],
        [1, fail],
      ],
    };
    const step = weighted(rand, steps[t.state] ?? []);
    return step?.();
  }

  /**
   * Brings the model back to the truth after a kill: every tracked prescription takes its state
   * from `record(id)` (the verifier's replay of the log as it stood before the retries). Those in
   * `landedOnRetry` changed since, by a retried write: they stay uncertain until the next resync. A
   * submission the log does not hold is forgotten.
   */
  resync(record: (id: string) => PrescriptionRecord | undefined, landedOnRetry: ReadonlySet<string>): void {
    for (const t of this.#tracked.values()) {
      t.busy = false;
      if (landedOnRetry.has(t.id)) {
        t.stale = true;
        continue;
      }
      const rec = record(t.id);
      if (rec === undefined) {
        // An acknowledged submission missing from the log is reported by the acknowledged-write check.
        this.#tracked.delete(t.id);
        continue;
      }
      t.state = rec.state;
      t.lastIndex = rec.lastIndex;
      t.fill = rec.fill;
      t.fills = rec.fills.map((f) => f.lines.map((l) => ({ line: l.line, prescribed: l.prescribed, dispensed: l.dispensed })));
      t.holder = rec.holder;
      t.cancelPending = rec.cancelPending;
      // The record lists a rule once per finding; an override gives one reason per rule.
      t.overrideRequired = [...new Set(rec.overrideRequired)];
      t.pickupCodeHash = rec.delivery?.pickupCodeHash ?? null;
      t.spentAccessCodes = [...rec.spentAccessCodes];
      t.revised = t.revised || rec.supersededBy !== null;
      t.stale = false;
    }
  }

}
