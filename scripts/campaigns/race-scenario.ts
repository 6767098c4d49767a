/**
 * One prescription's life in the race campaign: a plan drawn from the seed, and the script that
 * plays it on the timeline, contest after contest. Every contest is a moment where several
 * clients act on the prescription at once, each having read the same state (the same `previous`):
 *
 *   claim               pharmacies claim at once (the routed one twice, through both of its
 *                       pharmacists; any city pharmacy with its own access code when open); the
 *                       prescriber may cancel in the same instant, or two prescribers may
 *   return-vs-claim     the holder returns it while its colleague approves it and other pharmacies
 *                       claim; the return, if it wins, is followed by a claim race
 *   review              both pharmacists of the holder approve at once
 *   cancel-vs-review    the prescriber cancels while the holder approves
 *   dispense            both pharmacists of the holder dispense (in full, or one a part), another
 *                       pharmacy tries to, the prescriber may cancel
 *   trace               both pharmacists of the holder dispense with a traceability code that
 *                       another prescription's dispensing also uses, at about the same moment:
 *                       of the two prescriptions, the one sequenced second must be refused and
 *                       flagged
 *   pending-dispense    under a pending cancellation: dispensings and a second cancellation,
 *                       all of which must fail
 *   pending-cancel      the same, racing the return or refusal that settles it
 *   after-cancel        a dispensing, a claim and a cancellation of a cancelled prescription
 *   handover            collect against assigning a courier (and a cancellation)
 *   pickup, delivery    the courier's steps against each other (delivered against failed)
 *   early, late, expiry claims a millisecond before a repeat's window opens, after a fill's window
 *                       closed, after the last window closed
 *
 * The script reads the prescription (as the regulator) before each contest, as a real client
 * would. What each contest must produce — how many winners, which refusal codes — is stated with
 * it (race-contest.ts); what the ledger must never contain is checked afterwards from the ledger
 * itself (race-ledger-check.ts).
 */
import type { JsonObject } from '../../src/core/canonical-json.js';
import { accessCodeHash, pickupCodeHash } from '../../src/client/index.js';
import { fromMicros, toMicros } from '../../src/domain/prescription/quantities.js';
import type { PrescriptionItem } from '../../schemas/prescription.js';
import { COMPATIBLE_DRUGS, item, prescription, type PatientRef } from '../lib/rx-builders.js';
import type { ViolationLog } from './campaign-support.js';
import type { Arena, Attempt } from './race-contest.js';
import type { ServedPrescription } from './race-final-state.js';
import { HOSPITAL, type RaceActor, type RaceCast, type RacePharmacy } from './race-cast.js';

const DAY_MS = 86_400_000;
/** Rounds a fill's episode may take before the script gives up on it (a livelock would show here). */
const MAX_ROUNDS = 24;

/**
 * When the prescriber cancels: racing the claims (`double`: two prescribers at once), racing the
 * review, the dispensing, the balance of a partial dispensing or the handover; or, `pending`,
 * alone once the claim is approved, so that a pending cancellation is certain to be raced by
 * dispensings.
 */
export type CancelPlan = 'pending' | 'with-claim' | 'double' | 'while-claimed' | 'with-dispense' | 'after-partial' | 'with-handover';
export const CANCEL_PLANS: readonly CancelPlan[] = ['pending', 'with-claim', 'double', 'while-claimed', 'with-dispense', 'after-partial', 'with-handover'];

export interface FillPlan {
  /** Claim at the window's first instant (fill 0: a minute after submission), at its last millisecond, or let it lapse. */
  readonly timing: 'first' | 'last' | 'lapse';
  readonly cancel: CancelPlan | null;
  readonly returnRace: boolean;
  readonly partial: boolean;
  /** Hand over the part dispensed before dispensing the balance. */
  readonly partialHandover: boolean;
  readonly delivery: boolean;
  readonly deliveryFails: boolean;
  readonly sharedTrace: boolean;
}

/** Features a plan must have, whatever the seed draws (the first prescriptions cover every kind of race). */
export interface PlanForce {
  readonly kind?: 'short' | 'long';
  readonly open?: boolean;
  /** Routed to a pharmacy that delivers (so that a delivery can be assigned). */
  readonly delivering?: boolean;
  readonly fills?: ReadonlyArray<Partial<FillPlan>>;
}

export interface RxPlan {
  readonly id: string;
  readonly kind: 'short' | 'long';
  readonly routing: { readonly mode: 'nominated' | 'directed'; readonly pharmacyId: string } | { readonly mode: 'open' };
  readonly accessCodes: readonly string[];
  readonly prescriber: RaceActor;
  readonly submitPayload: JsonObject;
  readonly day0: number;
  readonly validityDays: number;
  readonly intervalDays: number;
  readonly fills: readonly FillPlan[];
}

/**
 * The prescription as GET /v1/prescriptions/:id shows it to the regulator, with what each line
 * still owes: the scenario dispenses that.
 */
interface Detail extends ServedPrescription {
  readonly fills: ReadonlyArray<{ number: number; lines: ReadonlyArray<{ line: number; prescribed: string; dispensed: string; owing: string }> }>;
}

/** Traceability codes: fresh ones never used before, and shared ones handed to two dispensings each. */
export class TraceCodes {
  #fresh = 0;
  #shared = 0;
  #sharedHandedOut = 0;
  fresh(): string {
    return `1${String(++this.#fresh).padStart(19, '0')}`;
  }
  /** The same code for every two callers: the second to dispense it must be refused and flagged. */
  shared(): string {
    if (this.#sharedHandedOut++ % 2 === 0) this.#shared++;
    return `9${String(this.#shared).padStart(19, '0')}`;
  }
}

export interface ScenarioContext {
  readonly arena: Arena;
  readonly cast: RaceCast;
  readonly violations: ViolationLog;
  readonly trace: TraceCodes;
  /** Clients per contest (at least 2). */
  readonly clients: number;
  /** When every prescription is submitted. */
  readonly submitAt: number;
  readonly rand: () => number;
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const chance = (rand: () => number, p: number): boolean => rand() < p;

/** A patient's code (access or pickup) from the seed: 24 bytes, base64url (192 bits). */
export function seededCode(rand: () => number): string {
  return Buffer.from(Array.from({ length: 24 }, () => Math.floor(rand() * 256))).toString('base64url');
}

/** Long prescriptions: (repeats, interval = days per fill); at most 84 days in all (长期处方 ≤ 12 weeks). */
const LONG_SHAPES: ReadonlyArray<{ count: number; interval: number }> = [
  { count: 2, interval: 28 },
  { count: 3, interval: 21 },
  { count: 5, interval: 14 },
  { count: 11, interval: 7 },
];

/**
 * Draws a prescription's plan. `drugs` are the patient's next compatible drugs (so that the
 * checker lets every prescription through as `active`); `n` makes the id unique; long ones have
 * at most `maxRepeats` repeats (at least 2).
 */
export function planPrescription(rand: () => number, n: number, cast: RaceCast, patient: PatientRef, drugs: () => (typeof COMPATIBLE_DRUGS)[number], day0: number, maxRepeats = 11, force: PlanForce = {}): RxPlan {
  const drawnKind = chance(rand, 0.5) ? 'long' : 'short';
  const kind = force.kind ?? drawnKind;
  const shapes = LONG_SHAPES.filter((s) => s.count <= Math.max(2, maxRepeats));
  const drawnShape = pick(rand, shapes);
  const shape = kind === 'long' ? (force.fills !== undefined ? (shapes.find((s) => s.count + 1 >= force.fills!.length) ?? drawnShape) : drawnShape) : { count: 0, interval: 0 };
  // Open routing carries at most 12 access codes, one spent per claim: keep the longest ones routed.
  const drawnOpen = chance(rand, 0.45);
  const open = shape.count <= 5 && (force.open ?? drawnOpen);
  const routing = open ? ({ mode: 'open' } as const) : ({ mode: chance(rand, 0.5) ? 'nominated' : 'directed', pharmacyId: pick(rand, cast.pharmacies.filter((p) => p.delivers || force.delivering !== true)).id } as const);
  const accessCodes = open ? Array.from({ length: 12 }, () => seededCode(rand)) : [];
  const validityDays = pick(rand, [1, 1, 2, 3]);
  const days = kind === 'long' ? shape.interval : 7;
  const lineCount = chance(rand, 0.5) ? 2 : 1;
  const items: PrescriptionItem[] = [];
  for (let line = 1; line <= lineCount; line++) {
    const count = line === 1 ? shape.count : Math.floor(rand() * (shape.count + 1));
    items.push(item(line, { ...drugs(), days, quantity: { value: String(days), unit: '片' }, ...(count > 0 ? { repeats: { count, intervalDays: shape.interval } } : {}) }));
  }
  const prescriber = pick(rand, cast.prescribers);
  const id = `rx-race-${String(n).padStart(5, '0')}`;
  const now = day0 + 9 * 3_600_000;
  const rx = prescription(id, { id: prescriber.id, institutionId: HOSPITAL }, patient, { now, items, encounter: { longPrescription: kind === 'long', validityDays } });
  const fillCount = 1 + shape.count;
  const cancelFill = chance(rand, 0.4) ? Math.floor(rand() * fillCount) : -1;
  const fills: FillPlan[] = [];
  for (let k = 0; k < fillCount; k++) {
    const forced = force.fills === undefined ? {} : (force.fills[k] ?? { cancel: null });
    const drawnCancel = k === cancelFill ? pick(rand, CANCEL_PLANS) : null;
    const cancel = forced.cancel !== undefined ? forced.cancel : drawnCancel;
    const drawnTiming = rand() < 0.1 ? 'lapse' : rand() < 0.25 ? 'last' : 'first';
    const timing = forced.timing ?? drawnTiming;
    const drawn = { partial: chance(rand, 0.35), returnRace: chance(rand, 0.35), partialHandover: chance(rand, 0.5), delivery: chance(rand, 0.5), deliveryFails: chance(rand, 0.3), sharedTrace: chance(rand, 0.2) };
    const partial = forced.partial ?? (cancel === 'after-partial' || drawn.partial);
    fills.push({
      timing: cancel !== null && timing === 'lapse' ? 'first' : timing,
      cancel,
      returnRace: forced.returnRace ?? drawn.returnRace,
      partial,
      partialHandover: partial && (forced.partialHandover ?? drawn.partialHandover),
      delivery: forced.delivery ?? drawn.delivery,
      deliveryFails: forced.deliveryFails ?? drawn.deliveryFails,
      sharedTrace: forced.sharedTrace ?? drawn.sharedTrace,
    });
  }
  return {
    id,
    kind,
    routing,
    accessCodes,
    prescriber,
    submitPayload: { prescription: rx as unknown as JsonObject, routing: routing as unknown as JsonObject, ...(open ? { accessCodes: accessCodes.map(accessCodeHash) } : {}) },
    day0,
    validityDays,
    intervalDays: shape.interval,
    fills,
  };
}

const opensAt = (plan: RxPlan, k: number): number => plan.day0 + k * plan.intervalDays * DAY_MS;
const closesAt = (plan: RxPlan, k: number): number => (k === 0 ? plan.day0 + plan.validityDays * DAY_MS : plan.day0 + (k + 1) * plan.intervalDays * DAY_MS);

const set = (...codes: string[]): ReadonlySet<string> => new Set(codes);
const FINAL = new Set(['rejected', 'refused', 'delivered', 'collected', 'cancelled', 'superseded', 'expired']);

/** Plays one prescription's plan on the timeline. */
export async function playPrescription(ctx: ScenarioContext, plan: RxPlan, at: (instant: number) => Promise<void>): Promise<void> {
  await at(ctx.submitAt);
  const submitted = await ctx.arena.send(plan.id, 'submit', plan.prescriber.statements, 'rx.submit', plan.submitPayload);
  if (submitted.status !== 201) return;
  if (submitted.result?.check?.outcome !== 'active') {
    ctx.violations.add(`${plan.id}: campaign set-up: the check made it ${submitted.result?.check?.outcome ?? 'unknown'}, not active (${JSON.stringify(submitted.result?.check?.findings.map((f) => f.ruleId))})`);
    return;
  }
  const run = new PrescriptionRun(ctx, plan);
  const last = plan.fills.length - 1;
  let lapsed: number | null = null;
  for (let k = 0; k <= last; k++) {
    const fp = plan.fills[k]!;
    if (k > 0) {
      await at(opensAt(plan, k) - 1);
      if (!(await run.early(k))) break;
    }
    if (fp.timing === 'lapse') {
      // A lapsed fill 0 is tried once its window has closed (repeats open days later); a lapsed
      // repeat is tried in the next fill's claim race, which starts the instant it closes.
      if (k === 0 && k < last) {
        await at(closesAt(plan, 0));
        await run.late(0);
      }
      lapsed = k;
      continue;
    }
    await at(fp.timing === 'first' ? (k === 0 ? ctx.submitAt + 60_000 : opensAt(plan, k)) : closesAt(plan, k) - 1);
    const outcome = await run.episode(k, lapsed !== null && lapsed === k - 1 && k > 1 ? lapsed : null);
    lapsed = null;
    if (outcome === 'end') break;
  }
  const s = await run.read();
  if (s.state === 'active') {
    await at(closesAt(plan, last));
    await run.expiry();
  }
}

class PrescriptionRun {
  readonly #spent = new Set<string>();
  #pickupCode: string | null = null;
  #cancelUsed = false;
  #afterCancelProbed = false;

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly plan: RxPlan,
  ) {}

  async read(): Promise<Detail> {
    return (await this.ctx.cast.regulator.prescription(this.plan.id)) as unknown as Detail;
  }

  get #clients(): number {
    return Math.max(2, this.ctx.clients);
  }

  #pharmacy(id: string | null): RacePharmacy | undefined {
    return this.ctx.cast.pharmacies.find((p) => p.id === id) ?? (this.ctx.cast.farPharmacy.id === id ? this.ctx.cast.farPharmacy : undefined);
  }

  /** City pharmacies other than `except`, shuffled. */
  #others(except: string | null): RacePharmacy[] {
    return shuffle(this.ctx.rand, this.ctx.cast.pharmacies.filter((p) => p.id !== except));
  }

  #unspent(): string[] {
    return shuffle(this.ctx.rand, this.plan.accessCodes.filter((c) => !this.#spent.has(c)));
  }

  #prescriber(n = 0): RaceActor {
    const all = this.ctx.cast.prescribers;
    const i = all.findIndex((p) => p.id === this.plan.prescriber.id);
    return all[(i + n) % all.length]!;
  }

  #step(signer: RaceActor, action: string, s: Detail, payload: JsonObject, decoy = false): Attempt {
    return { signer: signer.statements, action, payload: { prescriptionId: this.plan.id, previous: s.lastIndex, ...payload }, ...(decoy ? { decoy } : {}) };
  }

  #claim(ph: RacePharmacy, who: 0 | 1, s: Detail, fill: number, code: string | undefined, decoy = false): Attempt {
    return this.#step(ph.pharmacists[who], 'rx.claim', s, { pharmacyId: ph.id, fill, ...(code === undefined ? {} : { accessCode: code }) }, decoy);
  }

  #cancel(s: Detail, n = 0, decoy = false): Attempt {
    return this.#step(this.#prescriber(n), 'rx.cancel', s, { reason: 'clinical-change' }, decoy);
  }

  /** Claims that name the right fill and pharmacy (routed, or open with an unspent code each). */
  #validClaims(s: Detail, fill: number, want: number): Attempt[] {
    if (this.plan.routing.mode !== 'open') {
      const ph = this.#pharmacy(this.plan.routing.pharmacyId)!;
      return [this.#claim(ph, 0, s, fill, undefined), this.#claim(ph, 1, s, fill, undefined)];
    }
    const codes = this.#unspent();
    if (codes.length === 0) return [];
    const pharmacies = this.#others(null);
    const out = pharmacies.slice(0, Math.max(1, want - 1)).map((ph, i) => this.#claim(ph, 0, s, fill, codes[i % codes.length]));
    // The same pharmacy twice, through its other pharmacist and another code.
    out.push(this.#claim(pharmacies[0]!, 1, s, fill, codes[1 % codes.length]));
    return out;
  }

  /** A code for a claim that must fail for another reason. */
  #anyCode(): string | undefined {
    return this.plan.routing.mode === 'open' ? (this.#unspent()[0] ?? this.plan.accessCodes[0]) : undefined;
  }

  #noteClaimWinner(winner: { attempt: Attempt } | undefined): void {
    const code = winner?.attempt.action === 'rx.claim' ? (winner.attempt.payload.accessCode as string | undefined) : undefined;
    if (code !== undefined) this.#spent.add(code);
  }

  /** A millisecond before fill k's window opens: every claim of it must fail. */
  async early(k: number): Promise<boolean> {
    const s = await this.read();
    if (s.state !== 'active') return false;
    const attempts = this.#validClaims(s, k, 2).slice(0, 2);
    if (attempts.length === 0) return false;
    await this.ctx.arena.contest({ rxId: this.plan.id, round: 'early', attempts: attempts.map((a) => ({ ...a, decoy: true })), winners: 'none', allowed: set('RX_FILL_WINDOW_NOT_OPEN') });
    return true;
  }

  /** After fill k's window closed (and another fill remains): its claims must fail. */
  async late(k: number): Promise<void> {
    const s = await this.read();
    if (s.state !== 'active') return;
    const attempts = this.#validClaims(s, k, 2).slice(0, 2);
    if (attempts.length === 0) return;
    await this.ctx.arena.contest({ rxId: this.plan.id, round: 'late', attempts: attempts.map((a) => ({ ...a, decoy: true })), winners: 'none', allowed: set('RX_FILL_WINDOW_CLOSED') });
  }

  /** After the last window closed: claims must fail, and the prescription reads as expired. */
  async expiry(): Promise<void> {
    const s = await this.read();
    const attempts = this.#validClaims(s, s.fill, 2).slice(0, 2);
    if (attempts.length > 0) {
      await this.ctx.arena.contest({ rxId: this.plan.id, round: 'expiry', attempts: attempts.map((a) => ({ ...a, decoy: true })), winners: 'none', allowed: set('RX_EXPIRED') });
    }
    const after = await this.read();
    if (after.state !== 'expired') this.ctx.violations.add(`${this.plan.id}: past its last window it reads as ${after.state}, not expired`);
  }

  /** Plays fill k until it is handed over (→ 'next') or the prescription ends (→ 'end'). */
  async episode(k: number, lapsedRepeat: number | null): Promise<'next' | 'end'> {
    const fp = this.plan.fills[k]!;
    const e = { claims: 0, returned: false, partialDone: false, partialHandedOver: false, failed: false, shared: false };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const s = await this.read();
      if (FINAL.has(s.state)) {
        if (s.state === 'cancelled') await this.#afterCancel(s);
        return 'end';
      }
      switch (s.state) {
        case 'active':
          if (s.fill > k) return 'next';
          await this.#claimRace(s, k, fp, e.claims++ === 0 ? lapsedRepeat : null, e.returned);
          break;
        case 'claimed':
          if (s.cancelPending) await this.#pendingWhileClaimed(s);
          else if (fp.returnRace && !e.returned) {
            e.returned = true;
            await this.#returnRace(s, k);
          } else if (fp.cancel === 'while-claimed' && !this.#cancelUsed) {
            this.#cancelUsed = true;
            await this.#cancelVsReview(s, k);
          } else await this.#review(s, k);
          break;
        case 'approved':
        case 'partially-dispensed':
          if (s.cancelPending) await this.#pendingCancel(s, k);
          else if (s.state === 'partially-dispensed' && fp.partialHandover && !e.partialHandedOver) {
            e.partialHandedOver = true;
            await this.#handover(s, k, fp);
          } else if (fp.cancel === 'pending' && !this.#cancelUsed) {
            this.#cancelUsed = true;
            await this.ctx.arena.send(this.plan.id, 'cancel-while-held', this.#prescriber().statements, 'rx.cancel', { prescriptionId: this.plan.id, previous: s.lastIndex, reason: 'patient-request' });
          } else if (fp.sharedTrace && !e.shared && s.state === 'approved') {
            e.shared = true;
            await this.#trace(s, k);
          } else {
            const partial = fp.partial && !e.partialDone && s.state === 'approved';
            if (partial) e.partialDone = true;
            const cancel = !this.#cancelUsed && (fp.cancel === 'with-dispense' || (fp.cancel === 'after-partial' && s.state === 'partially-dispensed'));
            if (cancel) this.#cancelUsed = true;
            await this.#dispense(s, k, { partial, cancel });
          }
          break;
        case 'dispensed':
          await this.#handover(s, k, fp);
          break;
        case 'delivery-assigned':
        case 'picked-up':
        case 'in-transit': {
          const fail = fp.deliveryFails && !e.failed;
          const won = await this.#courier(s, k, fail);
          if (won === 'rx.delivery-fail') e.failed = true;
          break;
        }
        default:
          this.ctx.violations.add(`${this.plan.id}: fill ${k} reached ${s.state}, which the campaign does not expect`);
          return 'end';
      }
    }
    this.ctx.violations.add(`${this.plan.id}: fill ${k} did not settle in ${MAX_ROUNDS} contests`);
    return 'end';
  }

  async #claimRace(s: Detail, k: number, fp: FillPlan, lapsedRepeat: number | null, afterReturn: boolean): Promise<void> {
    const n = this.#clients;
    const attempts = this.#validClaims(s, k, n);
    if (attempts.length === 0) {
      this.ctx.violations.add(`${this.plan.id}: campaign set-up: no access code left for a claim of fill ${k}`);
      return;
    }
    const allowed = ['RX_HELD_BY_ANOTHER_PHARMACY', 'RX_ROUTED_ELSEWHERE', 'RX_REGION_MISMATCH', 'RX_ACCESS_CODE_SPENT', 'RX_FILL_NOT_CURRENT', 'RX_FILL_WINDOW_NOT_OPEN'];
    const code = this.#anyCode();
    const decoys: Attempt[] = [];
    if (lapsedRepeat !== null) {
      decoys.push(this.#claim(this.#others(null)[0]!, 0, s, lapsedRepeat, code, true));
      allowed.push('RX_FILL_WINDOW_CLOSED');
    }
    if (this.plan.routing.mode === 'open') {
      decoys.push(this.#claim(this.ctx.cast.farPharmacy, 0, s, k, code, true));
      const spent = [...this.#spent][0];
      if (spent !== undefined) decoys.push(this.#claim(this.#others(null)[0]!, 1, s, k, spent, true));
    } else {
      decoys.push(this.#claim(this.#others(this.plan.routing.pharmacyId)[0]!, 0, s, k, undefined, true));
    }
    // Beyond the last fill (the statement schema stops fills at 11, so a 12-fill prescription has no such claim).
    if (this.plan.fills.length <= 11) decoys.push(this.#claim(this.#others(null)[0]!, 0, s, this.plan.fills.length, code, true));
    if (k + 1 < this.plan.fills.length) decoys.push(this.#claim(this.#others(null)[0]!, 1, s, k + 1, code, true));
    if (k > 0 && s.fill === k) decoys.push(this.#claim(this.#others(null)[0]!, 0, s, k - 1, code, true));
    // Fill the contest up to the number of clients, keeping at least one decoy.
    attempts.push(...shuffle(this.ctx.rand, decoys).slice(0, Math.max(1, n - attempts.length)));
    if (!this.#cancelUsed && !afterReturn && (fp.cancel === 'with-claim' || fp.cancel === 'double')) {
      this.#cancelUsed = true;
      attempts.push(this.#cancel(s, 0));
      if (fp.cancel === 'double') attempts.push(this.#cancel(s, 1));
      allowed.push('RX_STATE_CONFLICT', 'RX_PREVIOUS_MISMATCH', 'RX_CANCEL_PENDING', 'RX_NOT_CANCELLABLE');
    }
    const result = await this.ctx.arena.contest({ rxId: this.plan.id, round: afterReturn ? 'claim-after-return' : k > 0 ? 'repeat-claim' : 'claim', attempts, retries: [0], winners: 'one', allowed: new Set(allowed) });
    this.#noteClaimWinner(result.winner);
  }

  /** The holder returns it while its colleague approves it and other pharmacies, having read it, claim. */
  async #returnRace(s: Detail, k: number): Promise<void> {
    const h = this.#pharmacy(s.holder)!;
    const attempts: Attempt[] = [this.#step(h.pharmacists[0], 'rx.return', s, { fill: k, reason: 'out-of-stock' }), this.#step(h.pharmacists[1], 'rx.review', s, { fill: k, decision: 'approve' })];
    const codes = this.#unspent();
    for (const [i, ph] of this.#others(h.id).entries()) {
      if (attempts.length >= this.#clients + 1) break;
      attempts.push(this.#claim(ph, 0, s, k, this.plan.routing.mode === 'open' ? codes[i % Math.max(1, codes.length)] ?? this.plan.accessCodes[0] : undefined, true));
    }
    await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: 'return-vs-claim',
      attempts,
      winners: 'one',
      allowed: set('RX_HELD_BY_ANOTHER_PHARMACY', 'RX_PREVIOUS_MISMATCH', 'RX_STATE_CONFLICT', 'RX_ROUTED_ELSEWHERE', 'RX_REGION_MISMATCH', 'RX_ACCESS_CODE_SPENT'),
    });
  }

  async #review(s: Detail, k: number): Promise<void> {
    const h = this.#pharmacy(s.holder)!;
    const other = this.#others(h.id)[0]!;
    await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: 'review',
      attempts: [
        this.#step(h.pharmacists[0], 'rx.review', s, { fill: k, decision: 'approve' }),
        this.#step(h.pharmacists[1], 'rx.review', s, { fill: k, decision: 'approve' }),
        this.#step(other.pharmacists[0], 'rx.review', s, { fill: k, decision: 'approve' }, true),
      ],
      retries: [0],
      winners: 'one',
      allowed: set('RX_STATE_CONFLICT', 'RX_HELD_BY_ANOTHER_PHARMACY', 'RX_PREVIOUS_MISMATCH'),
    });
  }

  /** The prescriber cancels while both pharmacists of the holder approve. */
  async #cancelVsReview(s: Detail, k: number): Promise<void> {
    const h = this.#pharmacy(s.holder)!;
    await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: 'cancel-vs-review',
      attempts: [this.#cancel(s), this.#step(h.pharmacists[0], 'rx.review', s, { fill: k, decision: 'approve' }), this.#step(h.pharmacists[1], 'rx.review', s, { fill: k, decision: 'approve' })],
      winners: 'one',
      allowed: set('RX_PREVIOUS_MISMATCH', 'RX_STATE_CONFLICT'),
    });
  }

  /** Cancellation pending while claimed: the refusal that settles it races an approval, a second cancellation and a dispensing. */
  async #pendingWhileClaimed(s: Detail): Promise<void> {
    const h = this.#pharmacy(s.holder)!;
    await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: 'pending-cancel',
      attempts: [
        this.#step(h.pharmacists[0], 'rx.review', s, { fill: s.fill, decision: 'refuse', reason: 'other' }),
        this.#step(h.pharmacists[1], 'rx.review', s, { fill: s.fill, decision: 'approve' }),
        this.#cancel(s, 1, true),
        this.#step(h.pharmacists[1], 'rx.dispense', s, { fill: s.fill, lines: this.#lines(s, s.fill, 'all') }, true),
      ],
      winners: 'one',
      allowed: set('RX_STATE_CONFLICT', 'RX_PREVIOUS_MISMATCH', 'RX_CANCEL_PENDING', 'RX_HELD_BY_ANOTHER_PHARMACY'),
    });
  }

  /**
   * Cancellation pending after approval: first both pharmacists of the holder dispense and a
   * colleague cancels again, all of which must fail; then the return that settles it races the
   * same dispensings.
   */
  async #pendingCancel(s: Detail, k: number): Promise<void> {
    const h = this.#pharmacy(s.holder)!;
    await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: 'pending-dispense',
      attempts: [
        this.#step(h.pharmacists[0], 'rx.dispense', s, { fill: k, lines: this.#lines(s, k, 'all') }, true),
        this.#step(h.pharmacists[1], 'rx.dispense', s, { fill: k, lines: this.#lines(s, k, 'part') }, true),
        this.#cancel(s, 1, true),
      ],
      retries: [0],
      winners: 'none',
      allowed: set('RX_CANCEL_PENDING'),
    });
    await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: 'pending-cancel',
      attempts: [
        this.#step(h.pharmacists[0], 'rx.dispense', s, { fill: k, lines: this.#lines(s, k, 'all') }, true),
        this.#step(h.pharmacists[1], 'rx.return', s, { fill: k, reason: 'patient-request' }),
        this.#cancel(s, 1, true),
        this.#step(h.pharmacists[1], 'rx.dispense', s, { fill: k, lines: this.#lines(s, k, 'all') }, true),
      ],
      winners: 'one',
      allowed: set('RX_CANCEL_PENDING', 'RX_PREVIOUS_MISMATCH', 'RX_HELD_BY_ANOTHER_PHARMACY', 'RX_STATE_CONFLICT'),
    });
  }

  /** A cancelled prescription: nothing may be dispensed, claimed or cancelled again. */
  async #afterCancel(s: Detail): Promise<void> {
    if (this.#afterCancelProbed) return;
    this.#afterCancelProbed = true;
    const routed = this.plan.routing.mode === 'open' ? this.#others(null)[0]! : this.#pharmacy(this.plan.routing.pharmacyId)!;
    const lines = s.fills[s.fill]!.lines.map((l) => ({ line: l.line, quantity: l.prescribed, traceabilityCodes: [this.ctx.trace.fresh()] }));
    await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: 'after-cancel',
      attempts: [
        this.#step(routed.pharmacists[0], 'rx.dispense', s, { fill: s.fill, lines }, true),
        this.#claim(routed, 1, s, s.fill, this.#anyCode(), true),
        this.#cancel(s, 2, true),
      ],
      winners: 'none',
      allowed: set('RX_HELD_BY_ANOTHER_PHARMACY', 'RX_STATE_CONFLICT', 'RX_CANCEL_PENDING', 'RX_NOT_CANCELLABLE'),
    });
  }

  /** Dispensing lines: everything owed, or part of the first owed line. */
  #lines(s: Detail, k: number, how: 'all' | 'part'): JsonObject[] {
    const owed = (s.fills[k]?.lines ?? []).filter((l) => toMicros(l.owing) > 0);
    const lines = owed.map((l) => ({ line: l.line, quantity: l.owing, traceabilityCodes: [this.ctx.trace.fresh()] }));
    if (how === 'part' && lines.length > 0) {
      const owing = toMicros(lines[0]!.quantity);
      const half = Math.floor(owing / 1_000_000) * 500_000;
      if (half > 0 && half < owing) lines.splice(0, lines.length, { ...lines[0]!, quantity: fromMicros(half) });
    }
    return lines;
  }

  async #dispense(s: Detail, k: number, o: { partial: boolean; cancel: boolean }): Promise<void> {
    const h = this.#pharmacy(s.holder)!;
    const other = this.#others(h.id)[0]!;
    const attempts: Attempt[] = [
      this.#step(h.pharmacists[0], 'rx.dispense', s, { fill: k, lines: this.#lines(s, k, o.partial ? 'part' : 'all') }),
      this.#step(h.pharmacists[1], 'rx.dispense', s, { fill: k, lines: this.#lines(s, k, 'all') }),
      this.#step(other.pharmacists[0], 'rx.dispense', s, { fill: k, lines: this.#lines(s, k, 'all') }, true),
    ];
    if (o.cancel) attempts.push(this.#cancel(s));
    await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: o.cancel ? 'dispense-vs-cancel' : 'dispense',
      attempts,
      retries: [0],
      winners: 'one',
      allowed: set('RX_STATE_CONFLICT', 'RX_QUANTITY_EXCEEDS_OWING', 'RX_PREVIOUS_MISMATCH', 'RX_HELD_BY_ANOTHER_PHARMACY', 'RX_CANCEL_PENDING', 'RX_NOT_CANCELLABLE'),
    });
  }

  /**
   * Both pharmacists of the holder dispense everything owed with a pack whose code another
   * prescription's dispensing uses too. If that one came first, both are refused and flagged;
   * otherwise one wins. The other prescription meets the mirror image.
   */
  async #trace(s: Detail, k: number): Promise<void> {
    const h = this.#pharmacy(s.holder)!;
    const other = this.#others(h.id)[0]!;
    const code = this.ctx.trace.shared();
    const withShared = (): JsonObject[] => this.#lines(s, k, 'all').map((l, i) => (i === 0 ? { ...l, traceabilityCodes: [...(l.traceabilityCodes as string[]), code] } : l));
    await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: 'trace',
      attempts: [
        this.#step(h.pharmacists[0], 'rx.dispense', s, { fill: k, lines: withShared() }),
        this.#step(h.pharmacists[1], 'rx.dispense', s, { fill: k, lines: withShared() }),
        this.#step(other.pharmacists[0], 'rx.dispense', s, { fill: k, lines: withShared() }, true),
      ],
      // The first dispensing is sent twice: if it is flagged, its identical retry must hear the
      // refusal again, not be judged (and flagged) a second time.
      retries: [0],
      winners: 'at-most-one',
      allowed: set('RX_STATE_CONFLICT', 'RX_PREVIOUS_MISMATCH', 'RX_HELD_BY_ANOTHER_PHARMACY', 'RX_TRACE_CODE_DUPLICATE'),
    });
  }

  /** Collect at the counter against assigning a courier (or a second collection), maybe against a cancellation. */
  async #handover(s: Detail, k: number, fp: FillPlan): Promise<void> {
    const h = this.#pharmacy(s.holder)!;
    const other = this.#others(h.id)[0]!;
    this.#pickupCode = seededCode(this.ctx.rand);
    const courier = pick(this.ctx.rand, this.ctx.cast.couriers);
    const attempts: Attempt[] = [
      this.#step(h.pharmacists[0], 'rx.collect', s, { fill: k }),
      fp.delivery && h.delivers
        ? this.#step(h.pharmacists[1], 'rx.delivery-assign', s, { fill: k, courierId: courier.id, pickupCodeHash: pickupCodeHash(this.#pickupCode) })
        : this.#step(h.pharmacists[1], 'rx.collect', s, { fill: k }),
      this.#step(other.pharmacists[0], 'rx.collect', s, { fill: k }, true),
    ];
    const cancel = fp.cancel === 'with-handover' && !this.#cancelUsed;
    if (cancel) {
      this.#cancelUsed = true;
      // Pending while something is still owed; refused once the fill is dispensed in full.
      attempts.push(this.#cancel(s, 0, s.state === 'dispensed'));
    }
    await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: cancel ? 'handover-vs-cancel' : 'handover',
      attempts,
      retries: [0],
      winners: 'one',
      allowed: set('RX_HELD_BY_ANOTHER_PHARMACY', 'RX_STATE_CONFLICT', 'RX_PREVIOUS_MISMATCH', 'RX_NOT_CANCELLABLE'),
    });
  }

  /** The courier's steps against each other; returns the winning action. */
  async #courier(s: Detail, k: number, fail: boolean): Promise<string | undefined> {
    const courier = this.ctx.cast.couriers.find((c) => c.id === s.courierId);
    if (courier === undefined) {
      this.ctx.violations.add(`${this.plan.id}: out for delivery with courier ${s.courierId}, who is not in the cast`);
      return undefined;
    }
    const attempts: Attempt[] =
      s.state === 'delivery-assigned'
        ? [this.#step(courier, 'rx.delivery-pickup', s, { fill: k })]
        : [this.#step(courier, 'rx.delivery-complete', s, { fill: k, pickupCode: this.#pickupCode ?? seededCode(this.ctx.rand) })];
    if (s.state === 'picked-up') attempts.push(this.#step(courier, 'rx.delivery-in-transit', s, { fill: k }));
    if (fail) attempts.push(this.#step(courier, 'rx.delivery-fail', s, { fill: k, reason: 'patient-unreachable' }));
    const result = await this.ctx.arena.contest({
      rxId: this.plan.id,
      round: s.state === 'delivery-assigned' ? 'pickup' : 'delivery',
      attempts,
      retries: [0],
      winners: 'one',
      allowed: set('RX_STATE_CONFLICT', 'RX_PREVIOUS_MISMATCH'),
    });
    return result.winner?.action;
  }
}

function shuffle<T>(rand: () => number, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
