/**
 * The soak campaign (docs/RELIABILITY.md): the production service in a child process, at a steady
 * offered load for `minutes`, sampled every `sampleSeconds`; it holds when nothing grows without
 * bound and nothing was answered that should not have been.
 *
 *   - **Service**: `src/main.ts` (compiled: `dist/src/main.js`) via `startServerProcess`, on a
 *     fresh data directory under `os.tmpdir()`, production settings: WAL with the ledger's group
 *     commit, checkpoints every 1 s, pino at `info` (its log is read and scanned for errors).
 *   - **Load**: an open loop. Slot i is due at start + i / rate, whatever the service does, and is
 *     filled by scripts/campaigns/soak-workload.ts (lifecycle writes, signed and public reads,
 *     signed as it goes; each actor's system and each public reader connects from its own
 *     loopback address, as distinct clients would). Latency is measured from the due time, so a
 *     stalled service shows as latency rather than a lower offered rate (no coordinated omission).
 *   - **Samples**, each interval: the service's RSS and peak RSS (VmHWM), threads and open
 *     descriptors (/proc), its CPU (and CPU per answered request), the SQLite files' sizes, the
 *     ledger's size (`/healthz`), the window's completed/s, p50/p99/max latency, unexpected and
 *     intended refusals, requests outstanding, and the load generator's own RSS, CPU and send lag.
 *     A monitor also follows `/checkpoint` each interval: every new checkpoint must verify under
 *     the log's key and be consistent with the previous one (RFC 9162 consistency proof, as
 *     `rxledger monitor` does).
 *   - **Verdict** (violations): any unexpected answer or transport error; a growth verdict from
 *     scripts/campaigns/soak-analysis.ts (`GROWTH_RULES`: RSS, descriptors, threads, WAL, p50,
 *     p99, CPU per request, outstanding requests, the load generator's RSS; throughput judged for
 *     a fall); the WAL above twice its automatic-checkpoint size; the service completing under
 *     95 % of the offered rate over the second half (the run was then not a steady state); error
 *     or fatal lines in its log; a checkpoint conflict; a shutdown that is not clean. The database
 *     file grows with the ledger by design: it is reported per entry, not judged.
 *
 * Writes the chart (SVG) and the samples (JSON) and returns the report. No absolute time or speed
 * is a verdict: latency, CPU and throughput are judged only against their own level earlier in the
 * same run.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseVerifierKey, createNoteVerifier } from '../../src/core/note-keys.js';
import { checkNextCheckpoint } from '../../src/monitor/checkpoint-step.js';
import { mulberry32 } from '../lib/bench-support.js';
import { startServerProcess, type ServerProcess } from '../lib/server-process.js';
import { progress, ViolationLog, type CampaignReport } from './campaign-support.js';
import { describeGrowth, judgeGrowth, judgeKeptUp, judgeWalBound, LatencyHistogram, percentile, walBoundMiB, type GrowthRule, type GrowthVerdict } from './soak-analysis.js';
import { registerSoakCast } from './soak-cast.js';
import { createHttpTarget, type HttpTarget } from './soak-http.js';
import { readDataFiles, readProcessSample, walPageSize } from './soak-probe.js';
import { SoakWorkload, type Verdict } from './soak-workload.js';
import { renderLineChart, type ChartPanel } from './svg-chart.js';

export interface SoakOptions {
  /** Length of the load, minutes. */
  readonly minutes: number;
  /** Offered requests per second (open loop). */
  readonly rate: number;
  readonly sampleSeconds: number;
  readonly seed: number;
  /** Where the SVG chart goes; the samples go beside it as `<name>-samples.json`. */
  readonly chart: string;
  /** Prescriptions in progress at once (default 64). */
  readonly targetFlows?: number;
  /** Keep-alive connections to the service per client address (default 8). */
  readonly connections?: number;
  /** Progress lines (default: stderr). */
  readonly log?: (line: string) => void;
  /** Node flags for the service, to look into a growth the soak found (e.g. `--heapsnapshot-signal=SIGUSR2`). */
  readonly serverNodeFlags?: readonly string[];
  /** Called with each sample and the service's pid (e.g. to signal it for a heap snapshot at a given time). */
  readonly onSample?: (sample: SoakSample, servicePid: number) => void;
}

/** One interval's figures. `t` is seconds since the load started (the end of the interval). */
export interface SoakSample {
  readonly t: number;
  readonly rssMiB: number;
  readonly hwmMiB: number;
  readonly threads: number;
  readonly fds: number;
  /** Service CPU over the interval / its length: cores kept busy. */
  readonly serviceCores: number;
  /** Service CPU over the interval / answers in it, ms: the work per request, whatever the neighbours do. */
  readonly serviceCpuMsPerRequest: number;
  readonly ledgerMiB: number;
  readonly walMiB: number;
  readonly identityMiB: number;
  readonly dataDirMiB: number;
  readonly ledgerSize: number;
  readonly offeredPerSec: number;
  readonly completedPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly unexpected: number;
  readonly intended: number;
  readonly outstanding: number;
  readonly activeFlows: number;
  /** How late the load generator sent its slots (p99 of the interval), ms. */
  readonly sendLagP99Ms: number;
  readonly loadGenRssMiB: number;
  readonly loadGenCores: number;
  readonly loadAverage1: number;
}

/**
 * What grows without bound, by the rules of soak-analysis.ts. The thresholds are for the rise over
 * the second half of the run: RSS 5 % (at least 8 MiB), descriptors 10 % (5), threads 10 % (2),
 * WAL 10 % (8 MiB), p50 50 % (5 ms), p99 50 % (20 ms; the machine is shared and noisy), the
 * service's CPU per request 25 % (0.2 ms; the work per request, which neighbours barely move),
 * outstanding requests 50 % (32), the load generator's RSS 10 % (16 MiB); throughput may not
 * fall by more than 5 %.
 */
export const GROWTH_RULES: readonly GrowthRule[] = [
  { metric: 'rssMiB', label: 'service RSS', unit: 'MiB', maxRelative: 0.05, minAbsolute: 8 },
  { metric: 'fds', label: 'service open file descriptors', unit: 'fds', maxRelative: 0.1, minAbsolute: 5 },
  { metric: 'threads', label: 'service threads', unit: 'threads', maxRelative: 0.1, minAbsolute: 2 },
  { metric: 'walMiB', label: 'ledger WAL size', unit: 'MiB', maxRelative: 0.1, minAbsolute: 8 },
  { metric: 'p50Ms', label: 'p50 latency', unit: 'ms', maxRelative: 0.5, minAbsolute: 5 },
  { metric: 'p99Ms', label: 'p99 latency', unit: 'ms', maxRelative: 0.5, minAbsolute: 20 },
  { metric: 'serviceCpuMsPerRequest', label: 'service CPU per request', unit: 'ms', maxRelative: 0.25, minAbsolute: 0.2 },
  { metric: 'outstanding', label: 'requests outstanding', unit: 'requests', maxRelative: 0.5, minAbsolute: 32 },
  { metric: 'completedPerSec', label: 'throughput', unit: '/s', maxRelative: 0.05, minAbsolute: 1, direction: 'down' },
  { metric: 'loadGenRssMiB', label: 'load generator RSS', unit: 'MiB', maxRelative: 0.1, minAbsolute: 16 },
];

/** `wal_autocheckpoint` of the ledger's connection (src/store/ledger-store.ts). */
const WAL_AUTOCHECKPOINT_PAGES = 8000;
/** Beyond this many requests outstanding the load generator stops sending (and says so): it must not become the memory sink. */
const MAX_OUTSTANDING = 5000;
/** How long the run may take to drain its last answers. */
const DRAIN_MS = 60_000;
const MIB = 1024 * 1024;

const monotonicMs = (): number => performance.now();
const round = (n: number, digits = 2): number => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

/** The interval being accumulated; swapped out at each sample. */
class Interval {
  due = 0;
  shed = 0;
  completed = 0;
  unexpected = 0;
  intended = 0;
  readonly latencies: number[] = [];
  readonly lags: number[] = [];
}

export async function runSoakCampaign(options: SoakOptions): Promise<CampaignReport> {
  const say = options.log ?? progress;
  const violations = new ViolationLog();
  const rng = mulberry32(options.seed);
  const keyRng = mulberry32(options.seed ^ 0x5eed5eed);
  const seededBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(keyRng() * 256));
  const cryptoBytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
  const startedAt = new Date();
  const loadAtStart = loadavg().map((l) => round(l));
  const dataDir = mkdtempSync(join(tmpdir(), 'rxledger-soak-'));
  let server: ServerProcess | undefined;
  let http: HttpTarget | undefined;
  try {
    say(`soak: starting the service (data in ${dataDir})`);
    server = await startServerProcess({ DATA_DIR: dataDir, HOST: '127.0.0.1', CHECKPOINT_INTERVAL_MS: '1000', LOG_LEVEL: 'info' }, { nodeFlags: options.serverNodeFlags ?? [] });
    const pid = server.child.pid!;
    const serviceLog = watchServiceLog(server);
    const cast = await registerSoakCast(server.url, dataDir, seededBytes, cryptoBytes);
    say(`soak: service ${server.url} (pid ${pid}), cast of ${Object.keys(cast.actors).length} actors registered`);

    http = createHttpTarget(server.url, options.connections ?? 8);
    const probe = createHttpTarget(server.url, 2);
    const perKind = new Map<string, { hist: LatencyHistogram; ok: number; intended: number; unexpected: number }>();
    let interval = new Interval();
    const total = { due: 0, shed: 0, completed: 0, unexpected: 0, intended: 0 };
    const all = new LatencyHistogram();
    const t0 = monotonicMs() + 50;
    const workload = new SoakWorkload({
      http,
      cast,
      rng,
      randomBytes: cryptoBytes,
      now: monotonicMs,
      runTag: `s${options.seed >>> 0}`,
      ...(options.targetFlows === undefined ? {} : { targetFlows: options.targetFlows }),
      sink: {
        done(kind: string, dueMs: number, endMs: number, status: number, verdict: Verdict, detail?: string) {
          const ms = endMs - dueMs;
          let k = perKind.get(kind);
          if (k === undefined) perKind.set(kind, (k = { hist: new LatencyHistogram(), ok: 0, intended: 0, unexpected: 0 }));
          k.hist.record(ms);
          k[verdict]++;
          all.record(ms);
          interval.completed++;
          interval.latencies.push(ms);
          total.completed++;
          if (verdict === 'unexpected') {
            interval.unexpected++;
            total.unexpected++;
            violations.add(`unexpected answer at ${round((endMs - t0) / 1000, 1)} s: ${kind} → ${detail ?? status}`);
          } else if (verdict === 'intended') {
            interval.intended++;
            total.intended++;
          }
        },
        violation: (sentence: string) => violations.add(sentence),
      },
    });

    // --- The checkpoint monitor ---
    const logVerifiers = [createNoteVerifier(parseVerifierKey(cast.verifierKey))];
    let trusted: string | undefined;
    let checkpointsVerified = 0;
    const followCheckpoint = async (): Promise<void> => {
      try {
        const latest = (await probe.send('GET', '/checkpoint')).body;
        const step = await checkNextCheckpoint({
          previous: trusted,
          latest,
          logKeys: [cast.verifierKey],
          logVerifiers,
          source: server!.url,
          nowMs: Date.now(),
          fetchConsistency: async (from, to) => {
            const a = await probe.send('GET', `/v1/log/proof/consistency?from=${from}&to=${to}`);
            if (a.status !== 200) throw new Error(`consistency proof ${from}→${to}: ${a.status}`);
            return (JSON.parse(a.body) as { hashes: string[] }).hashes;
          },
        });
        if (step.kind === 'conflict') violations.add(`checkpoint monitor: ${step.evidence.kind} between size ${step.previous.size} and ${step.checkpoint.size}`);
        else {
          if (step.kind !== 'unchanged') checkpointsVerified++;
          trusted = latest;
        }
      } catch (err) {
        violations.add(`checkpoint monitor: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    await followCheckpoint();

    // --- Sampling ---
    const samples: SoakSample[] = [];
    const sampleMs = options.sampleSeconds * 1000;
    const durationMs = options.minutes * 60_000;
    let lastCpu = readProcessSample(pid)?.cpuSeconds ?? 0;
    let lastOwnCpu = process.cpuUsage();
    let lastAt = t0;
    let pageSize: number | undefined;
    const takeSample = async (): Promise<void> => {
      const done = interval;
      interval = new Interval();
      const at = monotonicMs();
      const seconds = (at - lastAt) / 1000;
      lastAt = at;
      const proc = readProcessSample(pid);
      const files = readDataFiles(dataDir);
      pageSize ??= walPageSize(join(dataDir, 'ledger.sqlite-wal'));
      const ownCpu = process.cpuUsage(lastOwnCpu);
      lastOwnCpu = process.cpuUsage();
      let ledgerSize = Number.NaN;
      try {
        ledgerSize = (JSON.parse((await probe.send('GET', '/healthz')).body) as { size: number }).size;
        workload.noteSize(ledgerSize);
      } catch (err) {
        violations.add(`/healthz failed at ${round((at - t0) / 1000, 1)} s: ${err instanceof Error ? err.message : String(err)}`);
      }
      await followCheckpoint();
      const sorted = Float64Array.from(done.latencies).sort();
      const lags = Float64Array.from(done.lags).sort();
      const sample: SoakSample = {
        t: round((at - t0) / 1000, 1),
        rssMiB: round(proc?.rssMiB ?? Number.NaN, 1),
        hwmMiB: round(proc?.hwmMiB ?? Number.NaN, 1),
        threads: proc?.threads ?? Number.NaN,
        fds: proc?.fds ?? Number.NaN,
        serviceCores: round(((proc?.cpuSeconds ?? lastCpu) - lastCpu) / seconds, 3),
        serviceCpuMsPerRequest: done.completed === 0 ? Number.NaN : round((((proc?.cpuSeconds ?? lastCpu) - lastCpu) * 1000) / done.completed, 3),
        ledgerMiB: round(files.ledgerMiB, 2),
        walMiB: round(files.walMiB, 2),
        identityMiB: round(files.identityMiB, 2),
        dataDirMiB: round(files.totalMiB, 2),
        ledgerSize,
        offeredPerSec: round(done.due / seconds, 1),
        completedPerSec: round(done.completed / seconds, 1),
        p50Ms: round(percentile(sorted, 50)),
        p99Ms: round(percentile(sorted, 99)),
        maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
        unexpected: done.unexpected,
        intended: done.intended,
        outstanding: workload.outstanding,
        activeFlows: workload.activeFlows,
        sendLagP99Ms: round(percentile(lags, 99)),
        loadGenRssMiB: round(process.memoryUsage().rss / MIB, 1),
        loadGenCores: round((ownCpu.user + ownCpu.system) / 1e6 / seconds, 3),
        loadAverage1: round(loadavg()[0] ?? Number.NaN),
      };
      lastCpu = proc?.cpuSeconds ?? lastCpu;
      if (proc === undefined) violations.add(`the service process was gone at ${sample.t} s`);
      samples.push(sample);
      options.onSample?.(sample, pid);
      say(
        `soak: ${fmtClock(sample.t)} RSS ${sample.rssMiB} MiB, ${sample.completedPerSec}/s, p50 ${sample.p50Ms} ms, p99 ${sample.p99Ms} ms, ` +
          `WAL ${sample.walMiB} MiB, db ${sample.ledgerMiB} MiB, ${sample.ledgerSize} entries, fds ${sample.fds}, unexpected ${total.unexpected}`,
      );
    };

    // --- The open loop ---
    say(`soak: ${options.minutes} min at ${options.rate}/s offered, a sample every ${options.sampleSeconds} s`);
    const intervalMs = 1000 / options.rate;
    const end = t0 + durationMs;
    let sampling: Promise<void> = Promise.resolve();
    let nextSample = t0 + sampleMs;
    let serverGone = false;
    void server.exited.then(() => (serverGone = true));
    await new Promise<void>((resolve) => {
      let i = 0;
      const dispatch = (): void => {
        const now = monotonicMs();
        for (;;) {
          const due = t0 + i * intervalMs;
          if (due > now || due >= end) break;
          i++;
          interval.due++;
          total.due++;
          interval.lags.push(now - due);
          if (workload.outstanding >= MAX_OUTSTANDING) {
            interval.shed++;
            total.shed++;
            continue;
          }
          workload.slot(due);
        }
        if (now >= nextSample && nextSample <= end) {
          nextSample += sampleMs;
          sampling = sampling.then(takeSample);
        }
        const nextDue = t0 + i * intervalMs;
        if ((nextDue >= end && now >= end) || serverGone) {
          resolve();
          return;
        }
        const wake = Math.min(nextDue < end ? nextDue : end, nextSample <= end ? nextSample : end);
        setTimeout(dispatch, Math.max(0, wake - monotonicMs()));
      };
      setTimeout(dispatch, Math.max(0, t0 - monotonicMs()));
    });
    await sampling;
    if (serverGone) violations.add('the service exited during the soak');
    if (total.shed > 0) violations.add(`${total.shed} slots were not sent: more than ${MAX_OUTSTANDING} requests were outstanding (the service fell behind the offered rate)`);

    // --- Drain, stop, judge ---
    const drainStart = monotonicMs();
    while (workload.outstanding > 0 && monotonicMs() - drainStart < DRAIN_MS) await new Promise((r) => setTimeout(r, 50));
    if (workload.outstanding > 0) violations.add(`${workload.outstanding} requests were still unanswered ${DRAIN_MS / 1000} s after the load stopped`);
    const finalSize = Number((JSON.parse((await probe.send('GET', '/healthz')).body) as { size: number }).size);
    await followCheckpoint();
    probe.close();
    http.close();
    http = undefined;
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    server = undefined;
    if (exit.code !== 0) violations.add(`the service did not shut down cleanly on SIGTERM (exit ${exit.code ?? exit.signal})`);
    const logged = serviceLog();
    if (logged.errors > 0) violations.add(`the service logged ${logged.errors} error or fatal lines; the first: ${logged.firstError}`);

    const growth = GROWTH_RULES.map((rule) => judgeGrowth(samples.map((s) => [s.t, (s as unknown as Record<string, number>)[rule.metric]!] as const), rule));
    for (const g of growth) if (g.grows) violations.add(describeGrowth(g));
    const walCapMiB = walBoundMiB(pageSize ?? 4096, WAL_AUTOCHECKPOINT_PAGES);
    const walMaxMiB = Math.max(...samples.map((s) => s.walMiB));
    const walViolation = judgeWalBound(samples.map((s) => s.walMiB), walCapMiB);
    if (walViolation !== undefined) violations.add(walViolation);
    const { share: keptUp, violation: keptUpViolation } = judgeKeptUp(samples);
    if (keptUpViolation !== undefined) violations.add(keptUpViolation);
    const secondHalf = samples.filter((s) => s.t >= samples[samples.length - 1]!.t / 2);
    const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

    // Storage per entry: the database file and its WAL, at the end (all entries, the WAL's unused
    // tail included) and over the second half (the growth per entry once the WAL is at its size).
    const firstHalfEnd = secondHalf[0];
    const last = samples[samples.length - 1];
    const bytesPerEntry = (from: SoakSample | undefined, to: SoakSample | undefined): number =>
      from === undefined || to === undefined || to.ledgerSize <= from.ledgerSize ? Number.NaN : ((to.ledgerMiB + to.walMiB - from.ledgerMiB - from.walMiB) * MIB) / (to.ledgerSize - from.ledgerSize);
    const storage = {
      bytesPerEntryAtEnd: last === undefined || !(last.ledgerSize > 0) ? null : Math.round(((last.ledgerMiB + last.walMiB) * MIB) / last.ledgerSize),
      bytesPerEntrySecondHalf: Math.round(bytesPerEntry(firstHalfEnd, last)),
      ledgerMiBAtEnd: last?.ledgerMiB ?? Number.NaN,
      walMaxMiB: round(walMaxMiB, 2),
      walCapMiB: round(walCapMiB, 1),
      identityMiBAtEnd: last?.identityMiB ?? Number.NaN,
      dataDirMiBAtEnd: last?.dataDirMiB ?? Number.NaN,
      pageSize: pageSize ?? null,
    };

    const loadAtEnd = loadavg().map((l) => round(l));
    const kinds = Object.fromEntries(
      [...perKind.entries()].sort((a, b) => b[1].hist.count - a[1].hist.count).map(([kind, k]) => [kind, { count: k.hist.count, ok: k.ok, intended: k.intended, unexpected: k.unexpected, p50Ms: round(k.hist.percentile(50)), p99Ms: round(k.hist.percentile(99)), maxMs: round(k.hist.max) }]),
    );
    const rss = samples.map((s) => s.rssMiB).filter(Number.isFinite);
    const figures = {
      date: startedAt.toISOString(),
      node: process.version,
      cpus: cpus().length,
      options: { minutes: options.minutes, rate: options.rate, sampleSeconds: options.sampleSeconds, seed: options.seed, targetFlows: options.targetFlows ?? 64, connections: options.connections ?? 8 },
      samples: samples.length,
      requests: total.completed,
      offered: total.due,
      shed: total.shed,
      unexpected: total.unexpected,
      intended: total.intended,
      latencyMs: { p50: round(all.percentile(50)), p99: round(all.percentile(99)), p999: round(all.percentile(99.9)), max: round(all.max) },
      throughputPerSec: { offered: options.rate, meanCompleted: round(mean(samples.map((s) => s.completedPerSec)), 1), secondHalfShare: round(keptUp, 4) },
      rssMiB: { first: rss[0] ?? null, min: rss.length ? Math.min(...rss) : null, max: rss.length ? Math.max(...rss) : null, last: rss[rss.length - 1] ?? null, peakHwm: last?.hwmMiB ?? null },
      fds: { min: Math.min(...samples.map((s) => s.fds)), max: Math.max(...samples.map((s) => s.fds)) },
      serviceCoresMean: round(mean(samples.map((s) => s.serviceCores)), 3),
      loadGenCoresMean: round(mean(samples.map((s) => s.loadGenCores)), 3),
      ledgerEntries: finalSize,
      entriesPerSec: round(finalSize / (durationMs / 1000), 1),
      storage,
      flows: workload.counters,
      checkpointsVerified,
      serviceLog: { warnings: logged.warnings, errors: logged.errors },
      growth: growth.map((g) => ({ metric: g.metric, judged: g.judged, grows: g.grows, level: round(g.level), fittedRise: round(g.fittedRise), quarterRise: round(g.quarterRise), threshold: round(g.threshold), slopePerHour: round(g.slopePerHour) })),
      kinds,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
    };

    // --- Chart and samples ---
    const samplesPath = options.chart.replace(/\.svg$/i, '') + '-samples.json';
    mkdirSync(dirname(options.chart), { recursive: true });
    const verdict = chartVerdict(growth, total.unexpected, violations.count);
    writeFileSync(options.chart, renderSoakChart(samples, { ...options, walCapMiB: storage.walCapMiB, held: violations.count === 0, date: startedAt, loadAtStart, loadAtEnd, finalSize, ...(verdict === undefined ? {} : { verdict }) }));
    writeFileSync(samplesPath, `${JSON.stringify({ campaign: 'soak', held: violations.count === 0, violations: violations.list(), ...figures, growth, samples }, null, 1)}\n`);

    const lines = summaryLines(figures, growth, options, { chart: options.chart, samplesPath });
    const { kinds: _perKind, growth: _growth, flows, ...headline } = figures;
    return {
      campaign: 'soak',
      lines,
      figures: {
        ...headline,
        flows: { started: flows.flowsStarted, completed: flows.flowsCompleted, abandoned: flows.flowsAbandoned, patients: flows.patientsIdentified, races: flows.races },
        growth: Object.fromEntries(growth.map((g) => [g.metric, g.judged ? (g.grows ? 'GROWS' : 'flat') : 'not judged'])),
        chart: options.chart,
        samplesFile: samplesPath,
      },
      violations: violations.list(),
    };
  } finally {
    http?.close();
    if (server !== undefined) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The chart's verdict line: what grew and how many answers were unexpected; undefined when it held. */
function chartVerdict(growth: readonly GrowthVerdict[], unexpected: number, violations: number): string | undefined {
  if (violations === 0) return undefined;
  const grew = growth.filter((g) => g.grows).map((g) => `${g.label} ${g.fittedRise >= 0 ? '+' : ''}${fmt(g.fittedRise)} ${g.unit} over the second half`);
  const parts = [...(grew.length > 0 ? [`grows: ${grew.join('; ')}`] : []), ...(unexpected > 0 ? [`${unexpected.toLocaleString('en-US')} unexpected answers`] : [])];
  return parts.length > 0 ? parts.join(' — ') : `${violations} violations (see the report)`;
}

/** Counts the service's warn / error / fatal log lines (pino levels 40, 50, 60) as they arrive. */
function watchServiceLog(server: ServerProcess): () => { warnings: number; errors: number; firstError: string | undefined } {
  let carry = '';
  let warnings = 0;
  let errors = 0;
  let firstError: string | undefined;
  server.child.stdout?.on('data', (chunk: Buffer) => {
    const text = carry + chunk.toString('utf8');
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"level":40')) warnings++;
      else if (line.includes('"level":50') || line.includes('"level":60')) {
        errors++;
        firstError ??= line.slice(0, 400);
      }
    }
  });
  return () => ({ warnings, errors, firstError });
}

const fmtClock = (seconds: number): string => `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

/** The chart of a run's samples (also usable to redraw a chart from a saved samples file). */
export function renderSoakChart(
  samples: readonly SoakSample[],
  meta: Pick<SoakOptions, 'minutes' | 'rate' | 'sampleSeconds' | 'seed'> & {
    walCapMiB: number;
    held: boolean;
    date: Date;
    loadAtStart: readonly number[];
    loadAtEnd: readonly number[];
    finalSize: number;
    /** One line naming what broke (growth verdicts, unexpected answers), when something did. */
    verdict?: string;
  },
): string {
  const series = (metric: keyof SoakSample): Array<[number, number]> => samples.map((s) => [s.t / 60, s[metric] as number]);
  const lastMinute = (samples[samples.length - 1]?.t ?? 0) / 60;
  const panels: ChartPanel[] = [
    { title: 'Service memory', unit: 'MiB', series: [{ name: 'RSS', points: series('rssMiB') }, { name: 'peak RSS (VmHWM)', points: series('hwmMiB'), dashed: true }] },
    { title: 'Throughput', unit: 'requests/s', series: [{ name: 'completed', points: series('completedPerSec') }, { name: 'offered', points: series('offeredPerSec'), dashed: true }] },
    { title: 'Latency from due time', unit: 'ms', yScale: 'log', series: [{ name: 'p50', points: series('p50Ms') }, { name: 'p99', points: series('p99Ms') }, { name: 'max', points: series('maxMs'), color: '#bbbbbb' }] },
    {
      title: 'Ledger WAL (ledger.sqlite-wal)',
      unit: 'MiB',
      series: [{ name: 'WAL size', points: series('walMiB') }, { name: 'bound (2 × autocheckpoint)', points: [[0, meta.walCapMiB], [lastMinute, meta.walCapMiB]], dashed: true, color: '#999999' }],
    },
    { title: 'Database file (ledger.sqlite), grows with the ledger by design', unit: 'MiB', series: [{ name: 'ledger.sqlite', points: series('ledgerMiB') }] },
    { title: 'Service descriptors and threads', unit: 'count', series: [{ name: 'open fds', points: series('fds') }, { name: 'threads', points: series('threads') }] },
    { title: 'Service CPU per answered request', unit: 'ms', series: [{ name: 'CPU per request', points: series('serviceCpuMsPerRequest') }] },
    {
      title: 'CPU: service, load generator and the whole machine (shared)',
      unit: 'cores',
      yScale: 'log',
      series: [{ name: 'service', points: series('serviceCores') }, { name: 'load generator', points: series('loadGenCores') }, { name: 'load average (1 min)', points: series('loadAverage1'), dashed: true, color: '#999999' }],
    },
  ];
  return renderLineChart({
    title: `rxledger soak: ${meta.minutes} min at ${meta.rate} requests/s offered — ${meta.held ? 'held' : 'VIOLATED'}`,
    subtitle: [
      `${meta.date.toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} CPUs (shared), load average ${meta.loadAtStart[0]} at start, ${meta.loadAtEnd[0]} at end; seed ${meta.seed}`,
      `mixed signed lifecycle writes, signed and public reads over HTTP; ${meta.finalSize.toLocaleString('en-US')} ledger entries at the end; a sample every ${meta.sampleSeconds} s`,
      ...(meta.verdict === undefined ? [] : [meta.verdict]),
    ],
    xLabel: 'minutes since the load started',
    xMin: 0,
    panels,
  });
}

function summaryLines(
  f: {
    samples: number;
    requests: number;
    offered: number;
    unexpected: number;
    intended: number;
    latencyMs: { p50: number; p99: number; p999: number; max: number };
    throughputPerSec: { meanCompleted: number; secondHalfShare: number };
    rssMiB: { first: number | null; min: number | null; max: number | null; last: number | null; peakHwm: number | null };
    fds: { min: number; max: number };
    serviceCoresMean: number;
    loadGenCoresMean: number;
    ledgerEntries: number;
    entriesPerSec: number;
    storage: { bytesPerEntryAtEnd: number | null; bytesPerEntrySecondHalf: number; ledgerMiBAtEnd: number; walMaxMiB: number; walCapMiB: number; identityMiBAtEnd: number };
    checkpointsVerified: number;
    serviceLog: { warnings: number; errors: number };
    loadAverage: { start: number[]; end: number[] };
  },
  growth: readonly GrowthVerdict[],
  options: SoakOptions,
  files: { chart: string; samplesPath: string },
): string[] {
  const n = (x: number): string => x.toLocaleString('en-US');
  const g = (v: GrowthVerdict): string =>
    !v.judged
      ? `  ${v.label.padEnd(30)} not judged (${v.samples} samples; need ≥ 6 in the second half)`
      : `  ${v.label.padEnd(30)} ${v.grows ? 'GROWS' : 'flat '}  level ${fmt(v.level)} ${v.unit}, fitted rise ${fmt(v.fittedRise)}, Q4−Q2 ${fmt(v.quarterRise)} (allowed ${fmt(v.threshold)})`;
  return [
    `soak: ${options.minutes} min at ${options.rate}/s offered, ${f.samples} samples every ${options.sampleSeconds} s, seed ${options.seed}`,
    `requests: ${n(f.requests)} answered of ${n(f.offered)} offered; ${n(f.unexpected)} unexpected, ${n(f.intended)} intended refusals; mean ${f.throughputPerSec.meanCompleted}/s completed (${round(f.throughputPerSec.secondHalfShare * 100, 1)} % of offered over the second half)`,
    `latency from due time: p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms, p99.9 ${f.latencyMs.p999} ms, max ${f.latencyMs.max} ms`,
    `service RSS: first ${f.rssMiB.first} MiB, range ${f.rssMiB.min}–${f.rssMiB.max} MiB, last ${f.rssMiB.last} MiB, peak (VmHWM) ${f.rssMiB.peakHwm} MiB; fds ${f.fds.min}–${f.fds.max}`,
    `CPU: service ${f.serviceCoresMean} cores busy on average, load generator ${f.loadGenCoresMean}; load average ${f.loadAverage.start.join(' / ')} at start, ${f.loadAverage.end.join(' / ')} at end`,
    `ledger: ${n(f.ledgerEntries)} entries (${f.entriesPerSec}/s); ledger.sqlite ${f.storage.ledgerMiBAtEnd} MiB; database + WAL ${n(f.storage.bytesPerEntryAtEnd ?? Number.NaN)} B per entry at the end, ${n(f.storage.bytesPerEntrySecondHalf)} B per entry added over the second half (grows with the ledger by design)`,
    `WAL: at most ${f.storage.walMaxMiB} MiB (bound ${f.storage.walCapMiB} MiB); identity store ${f.storage.identityMiBAtEnd} MiB; ${n(f.checkpointsVerified)} checkpoints verified consistent; service log: ${f.serviceLog.warnings} warnings, ${f.serviceLog.errors} errors`,
    'growth over the second half (grows = fitted rise and Q4−Q2 both above the allowance):',
    ...growth.map(g),
    `chart: ${files.chart}; samples: ${files.samplesPath}`,
  ];
}

const fmt = (n: number): string => (!Number.isFinite(n) ? String(n) : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(1) : n.toFixed(3));

/**
 * Draws the chart again from a samples file a run wrote (`<chart>-samples.json`), e.g. after a
 * change to the chart's layout: the figures are the run's, untouched.
 */
export function redrawSoakChart(samplesPath: string, chartPath: string): void {
  const saved = JSON.parse(readFileSync(samplesPath, 'utf8')) as {
    held: boolean;
    date: string;
    options: { minutes: number; rate: number; sampleSeconds: number; seed: number };
    storage: { walCapMiB: number };
    loadAverage: { start: number[]; end: number[] };
    ledgerEntries: number;
    unexpected: number;
    violations?: string[];
    growth: GrowthVerdict[];
    samples: SoakSample[];
  };
  const verdict = chartVerdict(saved.growth, saved.unexpected, saved.violations?.length ?? (saved.held ? 0 : 1));
  mkdirSync(dirname(chartPath), { recursive: true });
  writeFileSync(
    chartPath,
    renderSoakChart(saved.samples, {
      ...saved.options,
      walCapMiB: saved.storage.walCapMiB,
      held: saved.held,
      date: new Date(saved.date),
      loadAtStart: saved.loadAverage.start,
      loadAtEnd: saved.loadAverage.end,
      finalSize: saved.ledgerEntries,
      ...(verdict === undefined ? {} : { verdict }),
    }),
  );
}
