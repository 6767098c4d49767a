/**
 * The race campaign (docs/RELIABILITY.md): many clients at once claiming, returning, reviewing,
 * dispensing, cancelling, handing over and filling repeats of the same prescriptions, against
 * the production service over real HTTP on 127.0.0.1, on a clock the campaign moves (so repeat
 * windows are crossed on purpose: a millisecond before one opens, at its last millisecond, after
 * the last one closed).
 *
 * Then it judges, and reports every broken promise as a violation:
 *   1. each contest's answers: the number of winners it allows, every loser a 409 naming a rule
 *      of that race, no decoy ever winning (race-contest.ts);
 *   2. the ledger itself, read back through the API and decoded here: no double claim, nothing
 *      over-dispensed per line per fill, no dispensing after a cancellation, every fill claimed
 *      inside its window and never beyond the last, no traceability code dispensed twice
 *      (race-ledger-check.ts);
 *   3. answers against the ledger: every 201 is its entry, every refusal wrote nothing (a flag
 *      for a reused code excepted), nothing in the log that no client was told of
 *      (race-answer-check.ts);
 *   4. the full independent verifier over the read API, and the final state the service serves
 *      for every prescription against the verifier's replay of the log (race-final-state.ts).
 *
 * All choices come from `seed` (mulberry32): the plans, keys, codes and pickup codes. What the
 * seed cannot fix is which of the racing requests the service sequences first.
 */
import { pino } from 'pino';
import { mulberry32 } from '../lib/bench-support.js';
import { COMPATIBLE_DRUGS } from '../lib/rx-builders.js';
import { identifyPatient, startWorld, type World } from '../lib/rx-world.js';
import { startOfDay } from '../../src/domain/prescription/calendar.js';
import type { MemoryState } from '../../src/domain/memory-state.js';
import { createHttpLogSource } from '../../src/verify/http-log-source.js';
import { verifyLog, type VerifyReport } from '../../src/verify/log-verifier.js';
import { ViolationLog, type CampaignReport } from './campaign-support.js';
import { checkAnswers } from './race-answer-check.js';
import { registerRaceCast, type RaceCast } from './race-cast.js';
import { Arena } from './race-contest.js';
import { compareFinalState, type ServedPrescription } from './race-final-state.js';
import { checkLedger, decodeEntry, type DecodedEntry } from './race-ledger-check.js';
import { CANCEL_PLANS, planPrescription, playPrescription, TraceCodes, type PlanForce, type RxPlan, type ScenarioContext } from './race-scenario.js';
import { Timeline } from './race-timeline.js';

export interface RaceCampaignOptions {
  /** Prescriptions contested. */
  readonly size: number;
  /** Clients per contest (at least 2). */
  readonly clients: number;
  readonly seed: number;
  /** Prescriptions worked on at once (each with `clients` requests in flight). */
  readonly parallel?: number;
  /** Most repeats of a long prescription: 2, 3, 5 or 11 (default 11: twelve fills over 84 days). */
  readonly maxRepeats?: number;
  /** The first day (YYYY-MM-DD, China Standard Time); repeats run up to 84 days after it. */
  readonly startDate?: string;
  readonly progress?: (message: string) => void;
}

const HOUR_MS = 3_600_000;

export async function runRaceCampaign(options: RaceCampaignOptions): Promise<CampaignReport> {
  const started = performance.now();
  const say = options.progress ?? (() => undefined);
  const rand = mulberry32(options.seed);
  const seedBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
  const day0 = startOfDay(options.startDate ?? '2027-03-01');
  const timeline = new Timeline(day0 + 8 * HOUR_MS, options.parallel ?? 24);
  const violations = new ViolationLog();
  // Rate limits off: every client here is 127.0.0.1 and one regulator reads everything; limits
  // are another campaign's subject, and a 429 is not an answer to a race.
  const env = { RATE_LIMIT_WRITES_PER_SECOND: '0', RATE_LIMIT_READS_PER_SECOND: '0', RATE_LIMIT_ADDRESS_PER_SECOND: '0' };
  const world = await startWorld({ clock: timeline.clock, checkpointIntervalMs: 500, logger: pino({ level: 'silent' }), env });
  try {
    const cast = await registerRaceCast(world, Math.max(4, options.clients + 1), seedBytes);
    const plans = await planAll(cast, options, rand, day0);
    say(`race: ${plans.length} prescriptions planned (${plans.filter((p) => p.kind === 'long').length} long, ${plans.reduce((n, p) => n + p.fills.length, 0)} fills), ${options.clients} clients per contest`);

    const arena = new Arena(world.url, violations, rand);
    const ctx: ScenarioContext = { arena, cast, violations, trace: new TraceCodes(), clients: options.clients, submitAt: day0 + 9 * HOUR_MS, rand };
    let finished = 0;
    const raceStarted = performance.now();
    await timeline.run(
      plans.map((plan) => async (at) => {
        try {
          await playPrescription(ctx, plan, at);
        } catch (err) {
          violations.add(`${plan.id}: the campaign's client stopped: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (++finished % 50 === 0) say(`race: ${finished}/${plans.length} prescriptions played, ${arena.answers.length} statements sent`);
      }),
    );
    const raceMs = performance.now() - raceStarted;
    say(`race: contests done in ${(raceMs / 1000).toFixed(1)} s; reading the ledger back`);

    // Judge from the ledger: read it back as the regulator, decode it here, check it here.
    world.service.ledger.publishCheckpoint();
    const entries = await readEntries(world, cast).catch((err: unknown) => {
      violations.add(`the log cannot be read back: ${err instanceof Error ? err.message : String(err)}`);
      return [] as DecodedEntry[];
    });
    const ledger = checkLedger(entries, cast.institutionOf, violations);
    const answerFigures = checkAnswers(arena.answers, entries, violations);

    say('race: running the verifier and comparing final states');
    let replayed: MemoryState | undefined;
    const info = await cast.regulator.log();
    const report: VerifyReport = await verifyLog(createHttpLogSource(world.url, { signRead: cast.regulatorRead }), { trustedKeys: info.verifierKeys, onReplayed: (s) => (replayed = s) });
    if (!report.ok) violations.add(`the verifier failed: ${JSON.stringify(report.failure)}`);
    if (report.entriesVerified !== entries.length) violations.add(`the verifier checked ${report.entriesVerified} entries of ${entries.length}`);
    const finalStates: Record<string, number> = {};
    for (const plan of plans) {
      let served: ServedPrescription;
      try {
        served = (await cast.regulator.prescription(plan.id)) as unknown as ServedPrescription;
      } catch (err) {
        violations.add(`${plan.id}: the service cannot serve its final state (${err instanceof Error ? err.message : String(err)})`);
        continue;
      }
      finalStates[served.state] = (finalStates[served.state] ?? 0) + 1;
      compareFinalState(plan.id, served, replayed?.prescription(plan.id), ledger.prescriptions.get(plan.id), timeline.clock(), violations);
    }

    const contested = Object.values(arena.contestedByAction).reduce((a, b) => a + b, 0);
    const durationMs = Math.round(performance.now() - started);
    const figures = {
      seed: options.seed,
      clients: options.clients,
      maxRepeats: Math.max(2, options.maxRepeats ?? 11),
      prescriptions: plans.length,
      longPrescriptions: plans.filter((p) => p.kind === 'long').length,
      openRouting: plans.filter((p) => p.routing.mode === 'open').length,
      fillsPlanned: plans.reduce((n, p) => n + p.fills.length, 0),
      contests: arena.contests,
      contestsByRound: sorted(arena.roundCounts),
      contestedActions: contested,
      contestedByAction: sorted(arena.contestedByAction),
      winners: arena.winners,
      losers: arena.losers,
      identicalRetriesReplayed: arena.replays,
      refusalCodes: sorted(arena.refusalCodes),
      statementsSent: arena.answers.length,
      answers: answerFigures,
      ledger: ledger.figures,
      finalStates: sorted(finalStates),
      entries: entries.length,
      entryTypes: report.entryTypes ?? {},
      verifier: { ok: report.ok, entriesVerified: report.entriesVerified },
      simulatedDays: Math.round((timeline.clock() - day0) / (24 * HOUR_MS)),
      instants: timeline.instants,
      raceSeconds: round1(raceMs / 1000),
      statementsPerSecond: Math.round(arena.answers.length / (raceMs / 1000)),
      violations: violations.count,
      durationMs,
    };
    const lines = [
      `prescriptions:     ${plans.length} (${figures.longPrescriptions} long with repeats, ${figures.openRouting} open), ${figures.fillsPlanned} fills planned`,
      `contests:          ${arena.contests} — ${Object.entries(figures.contestsByRound).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      `contested actions: ${contested} — ${Object.entries(figures.contestedByAction).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      `winners/losers:    ${arena.winners} won (201), ${arena.losers} lost (409), ${arena.replays} identical retries answered as replays (200)`,
      `refusal codes:     ${Object.entries(figures.refusalCodes).map(([k, v]) => `${k} ×${v}`).join(', ')}`,
      `ledger:            ${entries.length} entries; ${ledger.figures.claims} claims (${ledger.figures.repeatClaims} of repeats), ${ledger.figures.dispensings} dispensings (${ledger.figures.repeatDispensings} of repeats), ${ledger.figures.returns} returns, ${ledger.figures.cancellations} cancellations, ${ledger.figures.handovers} handovers, ${ledger.figures.flags} flags`,
      `answers vs log:    ${answerFigures.written} written, ${answerFigures.replayed} replayed, ${answerFigures.refused} refused (${answerFigures.flagged} of them flagged)`,
      `final states:      ${Object.entries(figures.finalStates).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      `verifier:          ${report.ok ? `OK, ${report.entriesVerified} entries re-judged; every served state equals the replay` : 'FAILED'}`,
      `time:              ${figures.simulatedDays} simulated days over ${timeline.instants} instants; contests ${figures.raceSeconds} s (${figures.statementsPerSecond} statements/s); total ${(durationMs / 1000).toFixed(1)} s`,
    ];
    return { campaign: 'race', lines, figures, violations: violations.list() };
  } finally {
    await world.close();
  }
}

/**
 * The first prescriptions have what the seed might not draw in a small run: every kind of
 * cancellation race, two prescriptions whose dispensings share a traceability code, repeats
 * claimed at the last millisecond of their window and left to lapse, partial dispensing handed
 * over before the balance, and a delivery that fails. The rest are drawn from the seed alone.
 */
const COVERAGE: readonly PlanForce[] = [
  ...CANCEL_PLANS.map((cancel, i): PlanForce => ({ kind: 'short', open: i % 2 === 0, fills: [{ cancel, timing: 'first' }] })),
  { kind: 'short', open: false, fills: [{ cancel: null, sharedTrace: true, returnRace: true, timing: 'first' }] },
  { kind: 'long', open: true, fills: [{ cancel: null, sharedTrace: true, timing: 'first', partial: true, partialHandover: true }, { cancel: null, timing: 'last' }, { cancel: null, timing: 'lapse' }] },
  { kind: 'long', open: false, delivering: true, fills: [{ cancel: null, timing: 'lapse' }, { cancel: null, timing: 'first', delivery: true, deliveryFails: true }, { cancel: null, timing: 'last', returnRace: true }] },
];

/** Identifies the patients (four prescriptions each, drugs a patient can take together) and draws every plan. */
async function planAll(cast: RaceCast, options: RaceCampaignOptions, rand: () => number, day0: number): Promise<RxPlan[]> {
  const patientCount = Math.min(999, Math.max(1, Math.ceil(options.size / 4)));
  const patients = [];
  for (let n = 1; n <= patientCount; n++) patients.push(await identifyPatient(cast.prescriberActors[n % cast.prescriberActors.length]!, n));
  const nextDrug = new Map<number, number>();
  const plans: RxPlan[] = [];
  for (let i = 0; i < options.size; i++) {
    const p = i % patientCount;
    const drugs = () => {
      const n = nextDrug.get(p) ?? 0;
      nextDrug.set(p, n + 1);
      return COMPATIBLE_DRUGS[n % COMPATIBLE_DRUGS.length]!;
    };
    plans.push(planPrescription(rand, i, cast, patients[p]!, drugs, day0, Math.max(2, options.maxRepeats ?? 11), COVERAGE[i]));
  }
  return plans;
}

/** Every entry of the log, read through GET /v1/log/entries with the regulator's signed reads and decoded here. */
async function readEntries(world: World, cast: RaceCast): Promise<DecodedEntry[]> {
  const source = createHttpLogSource(world.url, { signRead: cast.regulatorRead });
  const out: DecodedEntry[] = [];
  for await (const e of source.entries(0, await source.size())) out.push(decodeEntry(e.data));
  return out;
}

function sorted(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
