/**
 * The soak's request mix: what one due slot of the open loop sends. Everything goes over real HTTP
 * with real signatures, signed when the slot comes due (OpenSSL, tens of microseconds), so the
 * load generator holds no pre-signed backlog.
 *
 * Slots are split (seeded PRNG) into writes, signed reads and public reads:
 *
 *   - **writes (55 %)** move prescriptions through the lifecycle. A pool of about `targetFlows`
 *     prescriptions is in progress at any time; a write slot starts a new one (`rx.submit`, after
 *     `POST /v1/patients` when the patient pool runs low; a patient gets at most four
 *     prescriptions, each of another compatible drug) when fewer are in progress, else takes the
 *     next step of the prescription that has waited longest. Paths (weights): delivered 30
 *     (claim, review, dispense, courier assigned, picked up, in transit, delivered with the
 *     patient's code), collected at a directed pharmacy 25, open routing with access codes 12 (a
 *     quarter of them with two pharmacies racing for the claim), partially dispensed 7,
 *     overridden (双签) 6, cancelled 5, refused by the pharmacist 5, returned and claimed again
 *     5, failed delivery then delivered 5. 1 % of write slots resend an acknowledged statement
 *     (200, `replayed`) and 1 % send a statement with a damaged signature (401).
 *   - **signed reads (25 %)**: a pharmacy's queue, a prescription by its prescriber, a courier's
 *     assignments, the regulator's page of the latest entries and 处方点评 statistics.
 *   - **public reads (20 %)**: the checkpoint, log info, inclusion and consistency proofs at the
 *     acknowledged size, receipts of entries at least 10 s old, the active rule set.
 *
 * Each actor's system connects from its own loopback address and public readers from a pool of
 * sixteen, so the service's per-address limits see many clients, as in production, not one.
 *
 * Every answer is judged: the expected status (and, for a submission, the expected check outcome)
 * is `ok`; a refusal the mix provokes on purpose (the damaged signature, a raced claim's loser) is
 * `intended`; anything else is `unexpected` and ends that prescription's path.
 */
import { accessCodeHash, pickupCodeHash, type SubmitResult } from '../../src/client/index.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { COMPATIBLE_DRUGS, item, patientIdentity, prescription, type PatientRef } from '../lib/rx-builders.js';
import type { SoakActor, SoakCast } from './soak-cast.js';
import type { HttpAnswer, HttpTarget } from './soak-http.js';

export type Verdict = 'ok' | 'intended' | 'unexpected';

/** Where every answer goes. `kind` is the action or route (`rx.claim`, `read.queue`, …). */
export interface WorkloadSink {
  done(kind: string, dueMs: number, endMs: number, status: number, verdict: Verdict, detail?: string): void;
  /** A broken expectation that is not about one answer (a race with two winners). */
  violation(sentence: string): void;
}

export interface WorkloadOptions {
  readonly http: HttpTarget;
  readonly cast: SoakCast;
  /** Seeded uniform [0, 1). */
  readonly rng: () => number;
  /** Cryptographic random bytes (codes, traceability codes). */
  readonly randomBytes: (n: number) => Uint8Array;
  /** Monotonic ms, the clock latencies are measured with. */
  readonly now: () => number;
  /** Wall-clock ms (prescription dates). */
  readonly wallClock?: () => number;
  readonly sink: WorkloadSink;
  /** Prescriptions in progress at once (default 64). */
  readonly targetFlows?: number;
  /** A tag that makes this run's prescription ids unique. */
  readonly runTag: string;
}

type Step = 'override' | 'cancel' | 'claim' | 'approve' | 'refuse' | 'return' | 'dispense' | 'dispense-part' | 'dispense-rest' | 'assign' | 'pickup' | 'transit' | 'complete' | 'fail' | 'collect';
type Routing = 'delivering' | 'directed' | 'open' | 'nominated';

interface Template {
  readonly name: string;
  readonly weight: number;
  readonly routing: Routing;
  readonly steps: readonly Step[];
  readonly days?: number;
}

export const TEMPLATES: readonly Template[] = [
  { name: 'delivered', weight: 30, routing: 'delivering', steps: ['claim', 'approve', 'dispense', 'assign', 'pickup', 'transit', 'complete'] },
  { name: 'collected', weight: 25, routing: 'directed', steps: ['claim', 'approve', 'dispense', 'collect'] },
  { name: 'open', weight: 12, routing: 'open', steps: ['claim', 'approve', 'dispense', 'collect'] },
  { name: 'partial', weight: 7, routing: 'nominated', steps: ['claim', 'approve', 'dispense-part', 'collect', 'dispense-rest', 'collect'] },
  { name: 'overridden', weight: 6, routing: 'nominated', steps: ['override', 'claim', 'approve', 'dispense', 'collect'], days: 14 },
  { name: 'cancelled', weight: 5, routing: 'nominated', steps: ['cancel'] },
  { name: 'refused', weight: 5, routing: 'nominated', steps: ['claim', 'refuse'] },
  { name: 'returned', weight: 5, routing: 'nominated', steps: ['claim', 'return', 'claim', 'approve', 'dispense', 'collect'] },
  { name: 'failed-delivery', weight: 5, routing: 'delivering', steps: ['claim', 'approve', 'dispense', 'assign', 'pickup', 'fail', 'assign', 'pickup', 'transit', 'complete'] },
];

/** Public reads come from this many addresses (127.0.2.<n>): monitors, patients' apps, auditors. */
const PUBLIC_READERS = 16;
const WRITE_SHARE = 0.55;
const SIGNED_READ_SHARE = 0.25;
const PER_PATIENT = 4;
const DELIVERING_PHARMACY = 'pharm-quancheng';
const DIRECTED_PHARMACY = 'pharm-lixia';
const PHARMACISTS: Readonly<Record<string, readonly string[]>> = { [DELIVERING_PHARMACY]: ['rph-zhang', 'rph-wu'], [DIRECTED_PHARMACY]: ['rph-chen'] };
/** Receipts are asked for entries at least this old, so a checkpoint (every second) covers them. */
const RECEIPT_AGE_MS = 10_000;
/**
 * No prescription is started this close to midnight China Standard Time: it is dated its day of
 * issue and claimable that day only (validity 1 day), and its claim comes a few seconds after it.
 */
const MIDNIGHT_GUARD_MS = 60_000;
const CST_OFFSET_MS = 8 * 3_600_000;

interface Flow {
  readonly id: string;
  readonly template: Template;
  next: number;
  last: number;
  readonly prescriber: SoakActor;
  pharmacyId: string;
  readonly accessCodes: readonly string[];
  readonly race: boolean;
  pickupCode: string | undefined;
  readonly courier: SoakActor;
  readonly quantity: string;
  overrideRules: readonly string[];
}

interface Counters {
  slots: number;
  writes: number;
  signedReads: number;
  publicReads: number;
  flowsStarted: number;
  flowsCompleted: number;
  flowsAbandoned: number;
  patientsIdentified: number;
  races: number;
  /** Write slots turned into public reads because every prescription in progress was waiting for an answer. */
  downgraded: number;
  byTemplate: Record<string, number>;
}

export class SoakWorkload {
  readonly #o: WorkloadOptions;
  readonly #targetFlows: number;
  readonly #wall: () => number;
  readonly #ready: Flow[] = [];
  #active = 0;
  #outstanding = 0;
  #rxCounter = 0;
  #patientCounter = 0;
  #identifying = 0;
  readonly #patients: Array<{ ref: PatientRef; uses: number }> = [];
  /** Recently submitted prescriptions (acknowledged), for reads: a ring. */
  readonly #recentFlows: Array<{ id: string; prescriber: SoakActor }> = [];
  /** Acknowledged submissions (log index, when), for receipts: a ring. */
  readonly #recentEntries: Array<{ index: number; at: number }> = [];
  #ringPos = 0;
  #entryPos = 0;
  /** The latest acknowledged size: every index below it is durable. */
  #knownSize = 0;
  #lastAcked: { body: Buffer; from: string } | undefined;
  readonly counters: Counters = { slots: 0, writes: 0, signedReads: 0, publicReads: 0, flowsStarted: 0, flowsCompleted: 0, flowsAbandoned: 0, patientsIdentified: 0, races: 0, downgraded: 0, byTemplate: {} };
  readonly #templateTotal: number;

  constructor(options: WorkloadOptions) {
    this.#o = options;
    this.#targetFlows = options.targetFlows ?? 64;
    this.#wall = options.wallClock ?? Date.now;
    this.#templateTotal = TEMPLATES.reduce((s, t) => s + t.weight, 0);
  }

  /** Requests sent and not yet answered. */
  get outstanding(): number {
    return this.#outstanding;
  }

  /** Prescriptions in progress (waiting for an answer or for their next slot). */
  get activeFlows(): number {
    return this.#active;
  }

  /** Raises the size below which proofs and entry pages are asked for (the service's `/healthz`). */
  noteSize(size: number): void {
    if (size > this.#knownSize) this.#knownSize = size;
  }

  /** Sends what the slot due at `dueMs` (monotonic) calls for. Never throws; answers arrive later. */
  slot(dueMs: number): void {
    this.counters.slots++;
    const r = this.#o.rng();
    if (r < WRITE_SHARE) this.#writeSlot(dueMs);
    else if (r < WRITE_SHARE + SIGNED_READ_SHARE) this.#signedRead(dueMs);
    else this.#publicRead(dueMs);
  }

  // --- Writes -----------------------------------------------------------------------------------

  #writeSlot(due: number): void {
    const r = this.#o.rng();
    if (r < 0.01 && this.#lastAcked !== undefined) return this.#retry(due, this.#lastAcked);
    if (r < 0.02) return this.#damagedSignature(due);
    if (this.#active < this.#targetFlows && this.#startFlow(due)) return;
    const flow = this.#ready.shift();
    if (flow !== undefined) return this.#advance(flow, due);
    if (this.#active < 2 * this.#targetFlows && this.#startFlow(due)) return;
    this.counters.downgraded++;
    this.#publicRead(due);
  }

  /** Starts a prescription (or identifies a patient for the next ones); false if neither can be done now. */
  #startFlow(due: number): boolean {
    const available = this.#patients.length;
    if (available < 8 && this.#identifying < 2) {
      this.#identify(due);
      return true;
    }
    if (available === 0) return false;
    const wall = this.#wall();
    const untilMidnight = 86_400_000 - ((wall + CST_OFFSET_MS) % 86_400_000);
    if (untilMidnight < MIDNIGHT_GUARD_MS) return false;
    const patient = this.#patients[Math.floor(this.#o.rng() * Math.min(available, 16))]!;
    const n = patient.uses++;
    if (patient.uses >= PER_PATIENT) this.#patients.splice(this.#patients.indexOf(patient), 1);

    const template = this.#pickTemplate();
    const prescriber = this.#pick(this.#o.cast.prescribers);
    const id = `rx-soak-${this.#o.runTag}-${(this.#rxCounter++).toString(36)}`;
    const days = template.days ?? 7;
    const drug = COMPATIBLE_DRUGS[n % COMPATIBLE_DRUGS.length]!;
    const rx = prescription(id, { id: prescriber.id, institutionId: prescriber.institutionId }, patient.ref, {
      now: wall,
      items: [item(1, { ...drug, days, quantity: { value: String(days), unit: '片' } })],
    });
    const open = template.routing === 'open';
    const pharmacyId = template.routing === 'delivering' ? DELIVERING_PHARMACY : template.routing === 'directed' ? DIRECTED_PHARMACY : this.#o.rng() < 0.5 ? DELIVERING_PHARMACY : DIRECTED_PHARMACY;
    const accessCodes = open ? [this.#code(), this.#code()] : [];
    const flow: Flow = {
      id,
      template,
      next: 0,
      last: -1,
      prescriber,
      pharmacyId,
      accessCodes,
      race: open && this.#o.rng() < 0.25,
      pickupCode: undefined,
      courier: this.#o.cast.couriers[this.#rxCounter % this.#o.cast.couriers.length]!,
      quantity: String(days),
      overrideRules: [],
    };
    this.#active++;
    this.counters.flowsStarted++;
    this.counters.byTemplate[template.name] = (this.counters.byTemplate[template.name] ?? 0) + 1;
    const routing: JsonObject = open ? { mode: 'open' } : { mode: template.routing === 'directed' ? 'directed' : 'nominated', pharmacyId };
    const payload: JsonObject = { prescription: rx as unknown as JsonObject, routing, ...(open ? { accessCodes: accessCodes.map(accessCodeHash) } : {}) };
    const expected = template.days === undefined ? 'active' : 'awaiting-override';
    void this.#write('rx.submit', due, prescriber, 'rx.submit', payload).then((result) => {
      if (result === undefined) return this.#abandon();
      const outcome = result.check?.outcome;
      if (outcome !== expected) {
        this.#o.sink.violation(`rx.submit of ${id} (${template.name}) was checked '${outcome ?? 'without a check'}', expected '${expected}': ${JSON.stringify(result.check?.findings.map((f) => f.ruleId) ?? [])}`);
        return this.#abandon();
      }
      flow.overrideRules = (result.check?.findings ?? []).filter((f) => f.action === 'override').map((f) => f.ruleId);
      this.#remember(id, prescriber);
      this.#recentEntries[this.#entryPos++ % 512] = { index: result.index, at: this.#o.now() };
      flow.last = result.lastIndex;
      this.#ready.push(flow);
    });
    return true;
  }

  #identify(due: number): void {
    const n = this.#patientCounter++;
    const prescriber = this.#pick(this.#o.cast.prescribers);
    this.#identifying++;
    const { signed } = prescriber.statements.sign('patient.identify', { identity: patientIdentity(n) as unknown as JsonObject });
    void this.#send('patient.identify', due, prescriber.address, 'POST', '/v1/patients', {}, Buffer.from(JSON.stringify(signed)), (a) => (a.status === 201 ? 'ok' : undefined)).then((answer) => {
      this.#identifying--;
      if (answer === undefined) return;
      const r = JSON.parse(answer.body) as PatientRef;
      this.counters.patientsIdentified++;
      this.#patients.push({ ref: { pseudonym: r.pseudonym, identityCommitment: r.identityCommitment }, uses: 0 });
    });
  }

  /** Sends the flow's next step. */
  #advance(flow: Flow, due: number): void {
    const step = flow.template.steps[flow.next]!;
    const base = { prescriptionId: flow.id, previous: flow.last };
    const pharmacist = (): SoakActor => this.#o.cast.actors[this.#pick(PHARMACISTS[flow.pharmacyId]!)]!;
    const courier = (): SoakActor => flow.courier;
    const act = (actor: SoakActor, action: string, payload: JsonObject): void => {
      void this.#write(action, due, actor, action, { ...base, ...payload }).then((result) => (result === undefined ? this.#abandon() : this.#stepDone(flow, result.lastIndex)));
    };
    const line = (quantity: string): JsonObject => ({ fill: 0, lines: [{ line: 1, quantity, traceabilityCodes: [this.#traceCode()] }] });
    switch (step) {
      case 'override':
        return act(flow.prescriber, 'rx.override', { reasons: flow.overrideRules.map((ruleId) => ({ ruleId, code: 'chronic-stable-patient' })) });
      case 'cancel':
        return act(flow.prescriber, 'rx.cancel', { reason: 'clinical-change' });
      case 'claim':
        if (flow.template.routing === 'open') return this.#openClaim(flow, due);
        return act(pharmacist(), 'rx.claim', { pharmacyId: flow.pharmacyId, fill: 0 });
      case 'approve':
        return act(pharmacist(), 'rx.review', { fill: 0, decision: 'approve' });
      case 'refuse':
        return act(pharmacist(), 'rx.review', { fill: 0, decision: 'refuse', reason: 'interaction' });
      case 'return':
        return act(pharmacist(), 'rx.return', { fill: 0, reason: 'out-of-stock' });
      case 'dispense':
        return act(pharmacist(), 'rx.dispense', line(flow.quantity));
      case 'dispense-part':
        return act(pharmacist(), 'rx.dispense', line('4'));
      case 'dispense-rest':
        return act(pharmacist(), 'rx.dispense', line(String(Number(flow.quantity) - 4)));
      case 'collect':
        return act(pharmacist(), 'rx.collect', { fill: 0 });
      case 'assign':
        flow.pickupCode = this.#code();
        return act(pharmacist(), 'rx.delivery-assign', { fill: 0, courierId: courier().id, pickupCodeHash: pickupCodeHash(flow.pickupCode) });
      case 'pickup':
        return act(courier(), 'rx.delivery-pickup', { fill: 0 });
      case 'transit':
        return act(courier(), 'rx.delivery-in-transit', { fill: 0 });
      case 'complete':
        return act(courier(), 'rx.delivery-complete', { fill: 0, pickupCode: flow.pickupCode! });
      case 'fail':
        return act(courier(), 'rx.delivery-fail', { fill: 0, reason: 'patient-unreachable' });
    }
  }

  /** An open prescription's claim: one pharmacy with the first code, or two racing with one code each. */
  #openClaim(flow: Flow, due: number): void {
    const claim = (pharmacyId: string, code: string, race: boolean): Promise<{ pharmacyId: string; result: SubmitResult | undefined; refused: boolean }> => {
      const actor = this.#o.cast.actors[PHARMACISTS[pharmacyId]![0]!]!;
      const { signed } = actor.statements.sign('rx.claim', { prescriptionId: flow.id, previous: flow.last, pharmacyId, fill: 0, accessCode: code });
      let refused = false;
      return this.#send('rx.claim', due, actor.address, 'POST', '/v1/statements', {}, Buffer.from(JSON.stringify(signed)), (a) => {
        if (a.status === 201) return 'ok';
        if (race && a.status === 409 && errorCode(a) === 'RX_HELD_BY_ANOTHER_PHARMACY') {
          refused = true;
          return 'intended';
        }
        return undefined;
      }).then((answer) => ({ pharmacyId, refused, result: answer === undefined || refused ? undefined : this.#acknowledged(answer) }));
    };
    if (!flow.race) {
      const pharmacyId = this.#o.rng() < 0.5 ? DELIVERING_PHARMACY : DIRECTED_PHARMACY;
      void claim(pharmacyId, flow.accessCodes[0]!, false).then(({ result }) => {
        if (result === undefined) return this.#abandon();
        flow.pharmacyId = pharmacyId;
        this.#stepDone(flow, result.lastIndex);
      });
      return;
    }
    this.counters.races++;
    void Promise.all([claim(DELIVERING_PHARMACY, flow.accessCodes[0]!, true), claim(DIRECTED_PHARMACY, flow.accessCodes[1]!, true)]).then((outcomes) => {
      const winners = outcomes.filter((o) => o.result !== undefined);
      const losers = outcomes.filter((o) => o.refused);
      if (winners.length !== 1 || losers.length !== 1) {
        if (winners.length + losers.length === 2) this.#o.sink.violation(`raced claims of ${flow.id}: ${winners.length} winners and ${losers.length} refused, expected exactly one of each`);
        return this.#abandon();
      }
      flow.pharmacyId = winners[0]!.pharmacyId;
      this.#stepDone(flow, winners[0]!.result!.lastIndex);
    });
  }

  /** A statement acknowledged before, sent again byte for byte by its signer: the original entry, `replayed`, nothing written. */
  #retry(due: number, last: { body: Buffer; from: string }): void {
    this.counters.writes++;
    void this.#send('retry', due, last.from, 'POST', '/v1/statements', {}, last.body, (a) => (a.status === 200 && (JSON.parse(a.body) as { replayed?: boolean }).replayed === true ? 'ok' : undefined));
  }

  /** A cancellation whose signature is damaged: refused before anything else is looked at. */
  #damagedSignature(due: number): void {
    this.counters.writes++;
    const prescriber = this.#pick(this.#o.cast.prescribers);
    const { signed } = prescriber.statements.sign('rx.cancel', { prescriptionId: `rx-soak-${this.#o.runTag}-forged`, previous: 0, reason: 'other' });
    const signature = signed.signature.startsWith('A') ? `B${signed.signature.slice(1)}` : `A${signed.signature.slice(1)}`;
    const body = Buffer.from(JSON.stringify({ ...signed, signature }));
    void this.#send('forged', due, prescriber.address, 'POST', '/v1/statements', {}, body, (a) => (a.status === 401 && errorCode(a) === 'AUTH_SIGNATURE_INVALID' ? 'intended' : undefined));
  }

  /** Signs and posts a statement; the answer if it was the expected 201. */
  async #write(kind: string, due: number, actor: SoakActor, action: string, payload: JsonObject): Promise<SubmitResult | undefined> {
    this.counters.writes++;
    const { signed } = actor.statements.sign(action, payload);
    const body = Buffer.from(JSON.stringify(signed));
    const answer = await this.#send(kind, due, actor.address, 'POST', '/v1/statements', {}, body, (a) => (a.status === 201 ? 'ok' : undefined));
    if (answer === undefined) return undefined;
    if (kind === 'rx.submit') this.#lastAcked = { body, from: actor.address };
    return this.#acknowledged(answer);
  }

  #acknowledged(answer: HttpAnswer): SubmitResult {
    const result = JSON.parse(answer.body) as SubmitResult;
    this.noteSize(result.lastIndex + 1);
    return result;
  }

  /** A step of `flow` was acknowledged: it waits for a slot for the next one, or is complete. */
  #stepDone(flow: Flow, lastIndex: number): void {
    flow.last = lastIndex;
    flow.next++;
    if (flow.next >= flow.template.steps.length) {
      this.#active--;
      this.counters.flowsCompleted++;
      return;
    }
    this.#ready.push(flow);
  }

  #abandon(): void {
    this.#active--;
    this.counters.flowsAbandoned++;
  }

  // --- Reads ------------------------------------------------------------------------------------

  #signedRead(due: number): void {
    this.counters.signedReads++;
    const { actors } = this.#o.cast;
    const r = this.#o.rng();
    const size = this.#knownSize;
    if (r < 0.28) {
      const pharmacyId = this.#o.rng() < 0.5 ? DELIVERING_PHARMACY : DIRECTED_PHARMACY;
      return this.#signedGet('read.queue', due, actors[PHARMACISTS[pharmacyId]![0]!]!, `/v1/pharmacies/${pharmacyId}/queue?limit=20`);
    }
    if (r < 0.6 && this.#recentFlows.length > 0) {
      const recent = this.#recentFlows[Math.floor(this.#o.rng() * this.#recentFlows.length)]!;
      return this.#signedGet('read.prescription', due, recent.prescriber, `/v1/prescriptions/${recent.id}`);
    }
    if (r < 0.72) {
      const courier = this.#pick(this.#o.cast.couriers);
      return this.#signedGet('read.assignments', due, courier, `/v1/couriers/${courier.id}/assignments`);
    }
    if (r < 0.92 && size > 0) return this.#signedGet('read.entries', due, actors['inspector-sun']!, `/v1/log/entries?start=${Math.max(0, size - 20)}&end=${size}`);
    return this.#signedGet('read.oversight', due, actors['inspector-sun']!, '/v1/oversight/stats?by=prescriber&period=day');
  }

  #signedGet(kind: string, due: number, reader: SoakActor, path: string): void {
    void this.#send(kind, due, reader.address, 'GET', path, reader.read('GET', path), undefined, (a) => (a.status === 200 ? 'ok' : undefined));
  }

  #publicRead(due: number): void {
    this.counters.publicReads++;
    const r = this.#o.rng();
    const size = this.#knownSize;
    const from = `127.0.2.${1 + Math.floor(this.#o.rng() * PUBLIC_READERS)}`;
    const get = (kind: string, path: string): void => void this.#send(kind, due, from, 'GET', path, {}, undefined, (a) => (a.status === 200 ? 'ok' : undefined));
    if (r < 0.25 || size < 2) return get('public.checkpoint', '/checkpoint');
    if (r < 0.5) return get('public.inclusion', `/v1/log/proof/inclusion?index=${Math.floor(this.#o.rng() * size)}&size=${size}`);
    if (r < 0.65) return get('public.consistency', `/v1/log/proof/consistency?from=${1 + Math.floor(this.#o.rng() * (size - 1))}&to=${size}`);
    if (r < 0.85) {
      const entry = this.#oldEntry();
      if (entry !== undefined) return get('public.receipt', `/v1/receipts/${entry}`);
    }
    if (r < 0.95) return get('public.log', '/v1/log');
    return get('public.ruleset', '/v1/rulesets/active');
  }

  /** A random acknowledged submission at least RECEIPT_AGE_MS old, if any. */
  #oldEntry(): number | undefined {
    const cutoff = this.#o.now() - RECEIPT_AGE_MS;
    const n = Math.min(this.#recentEntries.length, 512);
    for (let tries = 0; tries < 4 && n > 0; tries++) {
      const e = this.#recentEntries[Math.floor(this.#o.rng() * n)]!;
      if (e.at <= cutoff) return e.index;
    }
    return undefined;
  }

  // --- Plumbing ---------------------------------------------------------------------------------

  /**
   * Sends one request and reports it to the sink. `judge` says `ok` or `intended`, or undefined
   * for anything else (reported as unexpected, with the status and error code). Resolves with the
   * answer unless it was unexpected.
   */
  async #send(kind: string, due: number, from: string, method: 'GET' | 'POST', path: string, headers: Readonly<Record<string, string>>, body: Buffer | undefined, judge: (a: HttpAnswer) => 'ok' | 'intended' | undefined): Promise<HttpAnswer | undefined> {
    this.#outstanding++;
    let answer: HttpAnswer;
    try {
      answer = await this.#o.http.send(method, path, headers, body, from);
    } catch (err) {
      this.#outstanding--;
      this.#o.sink.done(kind, due, this.#o.now(), 0, 'unexpected', `transport error: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    this.#outstanding--;
    let verdict: 'ok' | 'intended' | undefined;
    try {
      verdict = judge(answer);
    } catch {
      verdict = undefined;
    }
    if (verdict === undefined) {
      this.#o.sink.done(kind, due, this.#o.now(), answer.status, 'unexpected', `${answer.status} ${errorCode(answer) ?? answer.body.slice(0, 200)}`);
      return undefined;
    }
    this.#o.sink.done(kind, due, this.#o.now(), answer.status, verdict);
    return answer;
  }

  #remember(id: string, prescriber: SoakActor): void {
    this.#recentFlows[this.#ringPos++ % 256] = { id, prescriber };
  }

  #pickTemplate(): Template {
    let r = this.#o.rng() * this.#templateTotal;
    for (const t of TEMPLATES) {
      r -= t.weight;
      if (r < 0) return t;
    }
    return TEMPLATES[0]!;
  }

  #pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.#o.rng() * xs.length)]!;
  }

  /** A patient's access or pickup code: 24 random bytes, base64url (192 bits). */
  #code(): string {
    return Buffer.from(this.#o.randomBytes(24)).toString('base64url');
  }

  /** A 20-digit drug traceability code. */
  #traceCode(): string {
    return Array.from(this.#o.randomBytes(20), (b) => String(b % 10)).join('');
  }
}

/** The error code of an error answer, if it has one. */
function errorCode(answer: HttpAnswer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
