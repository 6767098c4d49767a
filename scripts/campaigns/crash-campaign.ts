/**
 * The crash campaign (docs/RELIABILITY.md): SIGKILL the real service at random moments under
 * concurrent signed load, many times over on one data directory, and after every kill check that
 * the promises of docs/DESIGN.md ("Crash behaviour") held:
 *
 *   - every acknowledged write is present, at the index and with the leaf hash of its receipt;
 *   - nothing unacknowledged is half-applied (crash-checks.ts lists what that means here);
 *   - the derived state — the SQLite projections on disk and what the restarted service serves —
 *     is a replay of the ledger;
 *   - the verifier passes, and the log extends the checkpoint verified after the previous kill;
 *   - a write whose answer was lost lands at most once when retried, and a write acknowledged
 *     before the kill is answered with its original receipt (crash-retries.ts).
 *
 * One round is: start the service (`startServerProcess`, the compiled build under
 * `npm run campaign:crash`), compare what it serves with the replay of the disk, retry writes whose
 * outcome the last kill made unknown, run the load, SIGKILL it after a seeded random delay, then
 * inspect the files. A round of the `startup` kind instead kills the service from inside (a
 * preloaded worker thread sends SIGKILL to its own process after a seeded delay from spawn), so the
 * kill lands while it opens the database, records its start-up entries, publishes its first
 * checkpoint or catches the oversight projection up — wherever that moment falls.
 *
 * Randomness (kill kinds and delays, each client's choices, keys, nonces, ids and codes) comes from
 * the seed, so a failing run can be replayed; the timing of the service itself cannot be.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RuleSet } from '../../src/domain/prescription/checker.js';
import { mulberry32 } from '../lib/bench-support.js';
import { startServerProcess, type ServerProcess } from '../lib/server-process.js';
import { ViolationLog, type CampaignReport } from './campaign-support.js';
import { clientOf, registerCrashCast, seededBytes, type CrashCast } from './crash-cast.js';
import { checkErasuresApplied, compareServedWithReplay, inspectAfterKill, type DiskState } from './crash-checks.js';
import { CrashLoad } from './crash-load.js';
import { emptyRetryFigures, retryAfterRestart } from './crash-retries.js';

export interface CrashCampaignOptions {
  /** How many times the service is killed with SIGKILL. */
  readonly size: number;
  readonly seed: number;
  /** The kind of each kill, instead of the seeded schedule (the CI variant picks a few). */
  readonly kinds?: readonly KillKind[];
  /** Concurrent signing clients. */
  readonly clients?: number;
  /** Patients identified at set-up. */
  readonly patients?: number;
  /** Share of writes with an unknown outcome that are retried after the restart. */
  readonly retryShare?: number;
  /** Acknowledged writes retried after each restart. */
  readonly acknowledgedRetries?: number;
  /**
   * The first kill under load waits until this many writes have been acknowledged before its
   * delay starts (default 0). The CI variant sets it so that a slow machine still reaches
   * dispensing before the kill.
   */
  readonly warmUpWrites?: number;
  readonly progress?: (message: string) => void;
}

export const KILL_KINDS = ['startup', 'immediate', 'early', 'mid', 'late'] as const;
export type KillKind = (typeof KILL_KINDS)[number];

/** When a load kill lands, in ms after the load starts. */
const LOAD_KILL_WINDOWS: Record<Exclude<KillKind, 'startup'>, readonly [number, number]> = {
  immediate: [0, 30],
  early: [30, 250],
  mid: [250, 800],
  late: [800, 2000],
};
const KIND_WEIGHTS: Record<KillKind, number> = { startup: 15, immediate: 15, early: 25, mid: 30, late: 15 };
/** A start-up kill lands between these fractions of the typical time to listen, after spawn. */
const STARTUP_KILL_WINDOW = [0.2, 1.0] as const;

const ORIGIN = 'crash.campaign.rxledger.example/log';

/**
 * The kind of each kill: the first five are the five kinds in a seeded order (so that any run of
 * five or more has each), then weighted draws.
 */
export function killSchedule(size: number, rand: () => number): KillKind[] {
  const first = [...KILL_KINDS];
  for (let i = first.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [first[i], first[j]] = [first[j]!, first[i]!];
  }
  const total = KILL_KINDS.reduce((s, k) => s + KIND_WEIGHTS[k], 0);
  return Array.from({ length: size }, (_, n) => {
    if (n < first.length) return first[n]!;
    let r = rand() * total;
    return KILL_KINDS.find((k) => (r -= KIND_WEIGHTS[k]) < 0) ?? 'mid';
  });
}

/** Node flags that make the process SIGKILL itself `delayMs` after spawn, from a worker thread (so a busy main thread does not delay it), leaving `marker` behind. */
function selfKillFlags(delayMs: number, marker: string): string[] {
  const worker = `const { writeFileSync } = require('node:fs'); setTimeout(() => { writeFileSync(${JSON.stringify(marker)}, ''); process.kill(process.pid, 'SIGKILL'); }, ${Math.round(delayMs)});`;
  const preload = `import { Worker } from 'node:worker_threads'; new Worker(${JSON.stringify(worker)}, { eval: true }).unref();`;
  return [`--import=data:text/javascript,${encodeURIComponent(preload)}`];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runCrashCampaign(options: CrashCampaignOptions): Promise<CampaignReport> {
  const started = performance.now();
  const clients = options.clients ?? 6;
  const progress = options.progress ?? (() => undefined);
  const violations = new ViolationLog();
  const violation = (s: string) => violations.add(s);
  const schedule = options.kinds ?? killSchedule(options.size, mulberry32(options.seed));
  if (schedule.length !== options.size) throw new Error('give one kill kind per kill');
  const delays = mulberry32((options.seed ^ 0x5bd1e995) >>> 0);
  const retryRand = mulberry32((options.seed ^ 0x27d4eb2f) >>> 0);
  const random = seededBytes((options.seed ^ 0x165667b1) >>> 0);
  const root = mkdtempSync(join(tmpdir(), 'rxledger-crash-'));
  const dataDir = join(root, 'data');
  const markers = join(root, 'kills');
  mkdirSync(markers);
  const env = { DATA_DIR: dataDir, LOG_ORIGIN: ORIGIN, CHECKPOINT_INTERVAL_MS: '50' };

  const startMs: number[] = [];
  const start = async (): Promise<ServerProcess> => {
    const t = performance.now();
    const server = await startServerProcess(env);
    startMs.push(performance.now() - t);
    return server;
  };
  const kills: Record<KillKind, number> = { startup: 0, immediate: 0, early: 0, mid: 0, late: 0 };
  let startupKillsBeforeListening = 0;
  let inspections = 0;
  let servedComparisons = 0;
  let loadMs = 0;
  const retries = emptyRetryFigures();

  let server: ServerProcess | undefined;
  let cast: CrashCast | undefined;
  let load: CrashLoad | undefined;
  let disk: DiskState | undefined;
  let typeCheckFrom = 0;
  let warmedUp = false;
  const ruleSets = new Map<string, RuleSet>();
  let inspectMs = 0;
  let restartChecksMs = 0;
  let erasuresChecked = 0;
  try {
    // Set-up: the cast and patients; the first kill under load uses this server.
    server = await start();
    cast = await registerCrashCast(server.url, dataDir, options.patients ?? 12, random);
    load = new CrashLoad({ cast, seed: options.seed, random, violation });

    const inspect = async (label: string): Promise<DiskState> => {
      inspections++;
      const t = performance.now();
      const result = await inspectAfterKill({
        dataDir,
        trustedKeys: [cast!.verifierKey],
        previousCheckpoint: disk?.latestCheckpoint,
        acked: load!.acked,
        typeCheckFrom,
        ackedIdentities: load!.ackedIdentities,
        patients: cast!.patients,
        erased: new Set(load!.acked.filter((w) => w.erases !== undefined).map((w) => w.erases!)),
        erasing: load!.erasing,
        ruleSets,
        label,
        violation,
      });
      typeCheckFrom = load!.acked.length;
      inspectMs += performance.now() - t;
      return result;
    };

    for (let round = 0; round < options.size; round++) {
      const kind = schedule[round]!;
      const label = `kill ${round + 1} (${kind})`;
      kills[kind]++;
      if (kind === 'startup') {
        if (server !== undefined) {
          // The set-up server is still running: stop it gracefully first.
          server.child.kill('SIGTERM');
          const exit = await server.exited;
          server = undefined;
          if (exit.code !== 0) violation(`set-up: the service stopped with ${exit.code ?? exit.signal} on SIGTERM`);
          disk = await inspect('after set-up');
        }
        const typical = median(startMs);
        const delay = typical * (STARTUP_KILL_WINDOW[0] + delays() * (STARTUP_KILL_WINDOW[1] - STARTUP_KILL_WINDOW[0]));
        const marker = join(markers, `kill-${round + 1}`);
        try {
          server = await startServerProcess(env, { nodeFlags: selfKillFlags(delay, marker) });
        } catch (err) {
          server = undefined;
          // It died before listening: by its own SIGKILL (the marker says so) or of a real failure.
          if (!existsSync(marker)) throw new Error(`${label}: the service failed to start: ${(err as Error).message}`);
          startupKillsBeforeListening++;
        }
        if (server !== undefined) {
          const exit = await server.exited;
          if (exit.signal !== 'SIGKILL' || !existsSync(marker)) violation(`${label}: the service exited with ${exit.code ?? exit.signal}, not by the start-up SIGKILL`);
        }
      } else {
        if (server === undefined) {
          server = await start();
          await afterRestart(server, label);
        }
        const stop = { stopped: false };
        const t = performance.now();
        const running = load.run(server.url, round, clients, stop);
        const [from, to] = LOAD_KILL_WINDOWS[kind];
        const exited = server.exited.then(() => true);
        let died = false;
        if (!warmedUp) {
          warmedUp = true;
          const warm = async (): Promise<false> => {
            while (!stop.stopped && load!.figures.acknowledged < (options.warmUpWrites ?? 0)) await sleep(20);
            return false;
          };
          died = await Promise.race([warm(), exited]);
        }
        died ||= await Promise.race([sleep(from + delays() * (to - from)).then(() => false), exited]);
        server.child.kill('SIGKILL');
        const exit = await server.exited;
        stop.stopped = true;
        await running;
        loadMs += performance.now() - t;
        if (died || exit.signal !== 'SIGKILL') violation(`${label}: the service exited with ${exit.code ?? exit.signal}, not by the SIGKILL`);
      }
      server = undefined;
      disk = await inspect(`after ${label}`);
      if ((round + 1) % 10 === 0 || round + 1 === options.size) {
        progress(`crash: ${round + 1}/${options.size} kills, ${load.figures.acknowledged} writes acknowledged, log ${disk.size} entries, ${violations.count} violations, ${Math.round((performance.now() - started) / 1000)} s`);
      }
    }

    // A last start: the same comparisons and retries, then a graceful stop that checkpoints everything.
    if (server === undefined) {
      server = await start();
      if (disk !== undefined) await afterRestart(server, 'after the last kill');
    }
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    server = undefined;
    if (exit.code !== 0) violation(`the final graceful stop exited with ${exit.code ?? exit.signal}`);
    disk = await inspect('after the final graceful stop');
    if (disk.report.checkpointSize !== disk.size) violation(`the final checkpoint covers ${disk.report.checkpointSize} of ${disk.size} entries after a graceful stop`);
  } catch (err) {
    violation(`the campaign could not go on: ${(err as Error).message}`);
  } finally {
    if (server !== undefined && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    rmSync(root, { recursive: true, force: true });
  }

  /** After a restart: compare what is served with the replay of the disk, retry, resync the model. */
  async function afterRestart(running: ServerProcess, label: string): Promise<void> {
    const t = performance.now();
    // Before any retry: the start itself must have applied every erasure the log held.
    erasuresChecked = checkErasuresApplied(dataDir, disk!.size, `${label}, restarted`, violation);
    const ids = new Set(load!.touched);
    load!.touched.clear();
    const tracked = load!.trackedIds();
    for (let n = 0; n < 5 && tracked.length > 0; n++) ids.add(tracked[Math.floor(retryRand() * tracked.length)]!);
    servedComparisons += await compareServedWithReplay({
      regulator: clientOf(running.url, cast!.regulator),
      courier: { id: cast!.courier.id, client: clientOf(running.url, cast!.courier) },
      pharmacies: cast!.pharmacies.map((p) => p.id),
      disk: disk!,
      ids,
      label: `${label}, restarted`,
      violation,
    });
    const changed = await retryAfterRestart({
      url: running.url,
      load: load!,
      disk: disk!,
      rand: retryRand,
      retryShare: options.retryShare ?? 0.6,
      acknowledgedSample: options.acknowledgedRetries ?? 3,
      figures: retries,
      label: `${label}, restarted`,
      violation,
    });
    load!.resync((id) => disk!.state?.prescription(id), changed);
    restartChecksMs += performance.now() - t;
  }

  const f = load?.figures;
  const seconds = (performance.now() - started) / 1000;
  const figures = {
    seed: options.seed,
    violationsFound: violations.count,
    kills: Object.values(kills).reduce((a, b) => a + b, 0),
    killsByKind: kills,
    startupKillsBeforeListening,
    clients,
    acknowledgedWrites: f?.acknowledged ?? 0,
    acknowledgedByAction: f?.acknowledgedByAction ?? {},
    prescriptionsSubmitted: f?.prescriptionsSubmitted ?? 0,
    unknownOutcomes: f?.unknown ?? 0,
    retries,
    refusedByCode: f?.refusedByCode ?? {},
    flaggedAttempts: f?.flaggedAttempts ?? 0,
    entriesAtEnd: disk?.size ?? 0,
    entryTypes: disk?.report.entryTypes ?? {},
    verifications: inspections,
    servedComparisons,
    erasuresCheckedAfterRestart: erasuresChecked,
    medianStartMs: Math.round(median(startMs)),
    loadSeconds: Math.round(loadMs / 100) / 10,
    inspectSeconds: Math.round(inspectMs / 100) / 10,
    restartChecksSeconds: Math.round(restartChecksMs / 100) / 10,
    durationSeconds: Math.round(seconds * 10) / 10,
  };
  const lines = [
    `crash campaign, seed ${options.seed}: ${figures.kills} SIGKILLs (${KILL_KINDS.map((k) => `${k} ${kills[k]}`).join(', ')}; ${startupKillsBeforeListening} before the service listened)`,
    `load: ${clients} signing clients, ${figures.acknowledgedWrites} writes acknowledged (${figures.prescriptionsSubmitted} prescriptions submitted), ${figures.unknownOutcomes} with an unknown outcome, ${figures.flaggedAttempts} reused-pack attempts flagged`,
    `retries: ${retries.unknownRetried} unknown writes retried (${retries.landedBeforeReplayed} had landed and were answered as replays, ${retries.flaggedBeforeRefusedAgain} had been flagged and were refused again, ${retries.landedOnRetry} landed on the retry, ${Object.values(retries.refusedOnRetry).reduce((a, b) => a + b, 0)} refused), ${retries.unknownNotRetried} left alone; ${retries.acknowledgedSameReceipt}/${retries.acknowledgedRetried} acknowledged writes retried got their original receipt`,
    `checks: ${inspections} verifications of the disk (verifier, acknowledged writes, half-applied state), ${servedComparisons} comparisons of what the restarted service served with the replay, ${erasuresChecked} erasures in the log found applied by the last restart`,
    `log at the end: ${figures.entriesAtEnd} entries; ${figures.durationSeconds} s in all (median start ${figures.medianStartMs} ms, ${figures.loadSeconds} s under load, ${figures.inspectSeconds} s inspecting the disk, ${figures.restartChecksSeconds} s comparing and retrying after restarts)`,
  ];
  return { campaign: 'crash', lines, figures, violations: violations.list() };
}
