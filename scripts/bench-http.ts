/**
 * `npm run bench:http`: signed prescription submissions over real HTTP on 127.0.0.1, against the
 * production service and, in the same run, against a bare baseline.
 *
 *   - The service (scripts/bench-http/rx-service.ts) and the baseline
 *     (scripts/bench-http/baseline-service.ts) each run in their own child process; this process
 *     is only the load generator (scripts/bench-http/load-generator.ts).
 *   - A submission is `POST /v1/statements` with a prescriber's signed `rx.submit` (one item,
 *     nominated pharmacy), which the service checks, judges and commits durably (the submission
 *     and its check result, one group commit, WAL with synchronous=FULL) before answering 201.
 *   - The baseline answers the same bodies with Fastify + one node:crypto Ed25519 verify + one
 *     group-committed SQLite insert per request.
 *   - Every request is distinct and signed before anything is timed: patients are identified
 *     through POST /v1/patients, then all submissions are signed (see bench-http/fast-signer.ts).
 *
 * Phases, each run against both servers: a warm-up; throughput with a fixed number of requests
 * in flight, in interleaved rounds (baseline and service alternate who goes first; each server's
 * figure is its median round, the ratio is the median of the rounds' ratios); latency in an open loop at a fixed offered rate, measured from each request's
 * due time so queueing cannot hide (no coordinated omission).
 *
 * Output: a table on stdout, then, as the very last line, one JSON object with every figure.
 * Progress goes to stderr. Any answer other than 201 (or a transport error) stops the run with
 * a non-zero exit: the benchmark never measures refusals. It never fails because of a time.
 *
 * Options:
 *   --requests N      closed-loop requests per server, split over the rounds (default 12000)
 *   --rounds N        interleaved closed-loop rounds (default 6)
 *   --concurrency N   requests in flight in the closed loop (default 64)
 *   --rate N          offered requests/s in the open loop (default 1000)
 *   --duration S      open-loop seconds per server (default 10)
 *   --warmup N        warm-up requests per server (default 1000)
 *   --per-patient N   submissions per identified patient (default 4)
 *   --log-level L     the service's pino level; its log goes to /dev/null (default info, as production)
 *   --profile DIR     write CPU profiles of each server's main thread to DIR: over the closed-loop
 *                     rounds (<server>.cpuprofile) and over its open loop (<server>-open.cpuprofile)
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeHex } from '../src/core/bytes.js';
import type { JsonObject } from '../src/core/canonical-json.js';
import { createLedgerClient } from '../src/client/index.js';
import { patientIdentity } from './lib/rx-builders.js';
import { prescription, type PatientRef } from './lib/rx-world.js';
import { writeBaselineSetup } from './bench-http/baseline-setup.js';
import { startChild, type Child, type UsageSnapshot } from './bench-http/child-channel.js';
import { createFastSigner, type FastSigner } from './bench-http/fast-signer.js';
import { createTarget, percentile, runClosedLoop, runOpenLoop, type PhaseOptions, type PhaseResult, type Target } from './bench-http/load-generator.js';
import type { RxServiceInfo } from './bench-http/rx-service.js';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '12000' },
    rounds: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '64' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1000' },
    'per-patient': { type: 'string', default: '4' },
    'log-level': { type: 'string', default: 'info' },
    profile: { type: 'string' },
  },
  strict: true,
});

function positiveInt(name: string, text: string): number {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return n;
}

const ROUNDS = positiveInt('rounds', args.rounds);
const PER_ROUND = Math.ceil(positiveInt('requests', args.requests) / ROUNDS);
const CONCURRENCY = positiveInt('concurrency', args.concurrency);
const RATE = positiveInt('rate', args.rate);
const DURATION_S = positiveInt('duration', args.duration);
const WARMUP = positiveInt('warmup', args.warmup);
const PER_PATIENT = positiveInt('per-patient', args['per-patient']);
const LOG_LEVEL = args['log-level'];
const PROFILE_DIR = args.profile === undefined ? undefined : resolve(args.profile);

const OPEN_LOOP = RATE * DURATION_S;
const TOTAL = WARMUP + PER_ROUND * ROUNDS + OPEN_LOOP;
/**
 * Connections per server. The open loop may need more than the closed loop; beyond this, due
 * requests wait in the client's queue, and that wait counts as latency. Kept below the listen
 * backlog Node asks for (511): a burst of new connections to a server whose event loop is busy in
 * a commit otherwise overflows the kernel's accept queue, and connections get reset.
 */
const MAX_SOCKETS = Math.max(CONCURRENCY, 256);
/** Statements are signed before the run; a generous window keeps the last of them fresh. */
const TIMESTAMP_WINDOW_MS = 3_600_000;
const IDENTIFY_CONCURRENCY = 16;

const TARGETS = { throughputPerSec: 2000, ratio: 0.6, p99Ms: 50 } as const;

const progress = (text: string): void => {
  process.stderr.write(`[bench] ${text}\n`);
};
const round = (n: number, digits = 2): number => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---------------------------------------------------------------------------------------------
// Requests: identified patients, pre-signed distinct submissions
// ---------------------------------------------------------------------------------------------

async function identifyPatients(url: string, signers: readonly FastSigner[], count: number): Promise<PatientRef[]> {
  const client = createLedgerClient(url);
  const patients = new Array<PatientRef>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const signer = signers[n % signers.length]!;
      const r = await client.identifyPatient(signer.sign('patient.identify', { identity: patientIdentity(n) as unknown as JsonObject }).signed);
      patients[n] = { pseudonym: r.pseudonym, identityCommitment: r.identityCommitment };
    }
  };
  await Promise.all(Array.from({ length: IDENTIFY_CONCURRENCY }, worker));
  return patients;
}

interface Submissions {
  readonly bodies: Buffer[];
  readonly messages: Array<{ nonce: string; signingBytes: Uint8Array }>;
}

/** Submission i: prescriber i mod 2, patient i mod P, so each patient gets `PER_PATIENT` prescriptions spread over the run. */
function signSubmissions(info: RxServiceInfo, signers: readonly FastSigner[], patients: readonly PatientRef[], count: number): Submissions {
  const tag = Date.now().toString(36);
  const bodies: Buffer[] = [];
  const messages: Submissions['messages'] = [];
  for (let i = 0; i < count; i++) {
    const k = i % signers.length;
    const prescriber = info.prescribers[k]!;
    const rx = prescription(`rx-bench-${tag}-${i}`, { id: prescriber.id, institutionId: prescriber.institutionId }, patients[i % patients.length]!, { now: Date.now() });
    const { signed, signingBytes } = signers[k]!.sign('rx.submit', {
      prescription: rx as unknown as JsonObject,
      routing: { mode: 'nominated', pharmacyId: info.pharmacyId },
    });
    bodies.push(Buffer.from(JSON.stringify(signed)));
    messages.push({ nonce: signed.statement.nonce, signingBytes });
  }
  return { bodies, messages };
}

// ---------------------------------------------------------------------------------------------
// Phases
// ---------------------------------------------------------------------------------------------

interface Server {
  readonly name: 'baseline' | 'service';
  readonly child: Child<unknown>;
  readonly target: Target;
}

interface Measured {
  readonly result: PhaseResult;
  /** Server CPU (user + system) per request, µs. */
  readonly serverCpuUsPerRequest: number;
  /** Server CPU / wall time: cores the server kept busy. */
  readonly serverCores: number;
  /** Share of wall time the server's event loop was busy. */
  readonly serverLoopUtilisation: number;
  /** CPU time of the server's main thread (its event loop) per request, µs (NaN where the OS does not say). */
  readonly serverLoopCpuUsPerRequest: number;
  /** This process's CPU per request, µs. */
  readonly loadGenCpuUsPerRequest: number;
  /** Bytes the server wrote to storage per request, KiB (NaN where the OS does not say). */
  readonly serverWriteKibPerRequest: number;
  readonly counters: Readonly<Record<string, number>>;
}

const cpuUs = (u: UsageSnapshot): number => u.cpuUserUs + u.cpuSystemUs;

async function measure(server: Server, run: () => Promise<PhaseResult>, phase: string): Promise<Measured> {
  const before = await server.child.usage();
  const ownBefore = process.cpuUsage();
  const t = process.hrtime.bigint();
  const result = await run();
  const wallUs = Number(process.hrtime.bigint() - t) / 1000;
  const own = process.cpuUsage(ownBefore);
  const after = await server.child.usage();
  if (result.failures > 0) {
    throw new Error(
      `${server.name} ${phase}: ${result.failures} of ${result.requests} requests refused or failed ` +
        `(statuses ${JSON.stringify(result.statuses)}); first: ${result.firstFailure ?? '?'}`,
    );
  }
  const loopActive = after.loopActiveMs - before.loopActiveMs;
  const loopIdle = after.loopIdleMs - before.loopIdleMs;
  const counters = Object.fromEntries(Object.entries(after.counters).map(([k, v]) => [k, v - (before.counters[k] ?? 0)]));
  return {
    result,
    serverCpuUsPerRequest: (cpuUs(after) - cpuUs(before)) / result.requests,
    serverCores: (cpuUs(after) - cpuUs(before)) / wallUs,
    serverLoopUtilisation: loopActive / (loopActive + loopIdle),
    serverLoopCpuUsPerRequest: after.loopThreadCpuUs === null || before.loopThreadCpuUs === null ? Number.NaN : (after.loopThreadCpuUs - before.loopThreadCpuUs) / result.requests,
    loadGenCpuUsPerRequest: (own.user + own.system) / result.requests,
    serverWriteKibPerRequest: after.writeBytes === null || before.writeBytes === null ? Number.NaN : (after.writeBytes - before.writeBytes) / 1024 / result.requests,
    counters,
  };
}

const closedLoop = (server: Server, bodies: readonly Buffer[], phase: string, options: PhaseOptions = { expectStatus: 201 }): Promise<Measured> =>
  measure(server, () => runClosedLoop(server.target, bodies, CONCURRENCY, options), phase);
const openLoop = (server: Server, bodies: readonly Buffer[]): Promise<Measured> =>
  measure(server, () => runOpenLoop(server.target, bodies, RATE, { expectStatus: 201 }), 'open loop');

interface ServerFigures {
  readonly throughputPerSec: number;
  readonly throughputPerRound: number[];
  readonly closedP50Ms: number;
  readonly closedP99Ms: number;
  readonly serverCpuUsPerRequest: number;
  readonly serverCores: number;
  readonly serverLoopUtilisation: number;
  readonly serverLoopCpuUsPerRequest: number;
  readonly loadGenCpuUsPerRequest: number;
  readonly serverWriteKibPerRequest: number;
  /** Server counters summed over the rounds: the baseline's commits and rows, the service's ledger entries (`ledgerSize`). */
  readonly counters: Record<string, number>;
  readonly openP50Ms: number;
  readonly openP90Ms: number;
  readonly openP99Ms: number;
  readonly openMaxMs: number;
  readonly openCompletedPerSec: number;
  readonly openServerCpuUsPerRequest: number;
  readonly openServerLoopUtilisation: number;
  readonly openServerLoopCpuUsPerRequest: number;
  readonly openSendLagP99Ms: number;
}

function figures(rounds: readonly Measured[], open: Measured): ServerFigures {
  const closedLatencies = Float64Array.from(rounds.flatMap((m) => Array.from(m.result.latenciesMs))).sort();
  const openLatencies = Float64Array.from(open.result.latenciesMs).sort();
  const requests = rounds.reduce((s, m) => s + m.result.requests, 0);
  const weighted = (f: (m: Measured) => number): number => rounds.reduce((s, m) => s + f(m) * m.result.requests, 0) / requests;
  const counters: Record<string, number> = {};
  for (const m of rounds) for (const [k, v] of Object.entries(m.counters)) counters[k] = (counters[k] ?? 0) + v;
  return {
    throughputPerSec: Math.round(median(rounds.map((m) => m.result.perSecond))),
    throughputPerRound: rounds.map((m) => Math.round(m.result.perSecond)),
    closedP50Ms: round(percentile(closedLatencies, 50)),
    closedP99Ms: round(percentile(closedLatencies, 99)),
    serverCpuUsPerRequest: Math.round(weighted((m) => m.serverCpuUsPerRequest)),
    serverCores: round(weighted((m) => m.serverCores)),
    serverLoopUtilisation: round(weighted((m) => m.serverLoopUtilisation)),
    serverLoopCpuUsPerRequest: Math.round(weighted((m) => m.serverLoopCpuUsPerRequest)),
    loadGenCpuUsPerRequest: Math.round(weighted((m) => m.loadGenCpuUsPerRequest)),
    serverWriteKibPerRequest: round(weighted((m) => m.serverWriteKibPerRequest), 1),
    counters,
    openP50Ms: round(percentile(openLatencies, 50)),
    openP90Ms: round(percentile(openLatencies, 90)),
    openP99Ms: round(percentile(openLatencies, 99)),
    openMaxMs: round(openLatencies[openLatencies.length - 1] ?? Number.NaN),
    openCompletedPerSec: Math.round(open.result.perSecond),
    openServerCpuUsPerRequest: Math.round(open.serverCpuUsPerRequest),
    openServerLoopUtilisation: round(open.serverLoopUtilisation),
    openServerLoopCpuUsPerRequest: Math.round(open.serverLoopCpuUsPerRequest),
    openSendLagP99Ms: round(open.result.sendLagP99Ms ?? Number.NaN),
  };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const loadAtStart = loadavg().map((l) => round(l));
  const dir = mkdtempSync(join(tmpdir(), 'rxledger-bench-http-'));
  if (PROFILE_DIR !== undefined) mkdirSync(PROFILE_DIR, { recursive: true });
  const children: Array<Child<unknown>> = [];
  try {
    progress(`starting the service (log level ${LOG_LEVEL}) and registering the demo cast`);
    const rx = await startChild<RxServiceInfo>('rx-service', ['--log-level', LOG_LEVEL, '--window-ms', String(TIMESTAMP_WINDOW_MS)]);
    children.push(rx);
    const signers = rx.info.prescribers.map((p) => createFastSigner({ origin: rx.info.origin, actorId: p.id, seed: decodeHex(p.seedHex) }));

    const patientCount = Math.ceil(TOTAL / PER_PATIENT);
    let t = process.hrtime.bigint();
    const patients = await identifyPatients(rx.info.url, signers, patientCount);
    progress(`identified ${patientCount.toLocaleString('en-US')} patients in ${round(Number(process.hrtime.bigint() - t) / 1e9, 1)} s`);
    t = process.hrtime.bigint();
    const { bodies, messages } = signSubmissions(rx.info, signers, patients, TOTAL);
    progress(`signed ${TOTAL.toLocaleString('en-US')} submissions in ${round(Number(process.hrtime.bigint() - t) / 1e9, 1)} s`);
    const meanBodyBytes = Math.round(bodies.reduce((s, b) => s + b.length, 0) / bodies.length);

    const setupPath = join(dir, 'baseline-setup.json');
    writeBaselineSetup(setupPath, new Map(signers.map((s) => [s.keyId, s.publicKey])), messages);
    messages.length = 0;
    const base = await startChild<{ url: string }>('baseline-service', [setupPath, join(dir, 'baseline.sqlite')]);
    children.push(base);
    const service: Server = { name: 'service', child: rx, target: createTarget(rx.info.url, '/v1/statements', MAX_SOCKETS) };
    const baseline: Server = { name: 'baseline', child: base, target: createTarget(base.info.url, '/v1/statements', MAX_SOCKETS) };

    // --- Warm-up, on the slice both servers get first. The service's answers are checked. ---
    const warm = bodies.slice(0, WARMUP);
    const outcomes: Record<string, number> = {};
    let responseBytes = 0;
    progress(`warm-up: ${WARMUP.toLocaleString('en-US')} requests each`);
    await closedLoop(baseline, warm, 'warm-up');
    await closedLoop(service, warm, 'warm-up', {
      expectStatus: 201,
      inspect(text) {
        responseBytes += Buffer.byteLength(text);
        const outcome = (JSON.parse(text) as { check?: { outcome?: string } }).check?.outcome ?? 'none';
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      },
    });
    if (outcomes.active !== WARMUP) throw new Error(`expected every warm-up submission to be checked 'active', got ${JSON.stringify(outcomes)}`);

    // --- Throughput: interleaved rounds on the same slices. ---
    const rounds = { baseline: [] as Measured[], service: [] as Measured[] };
    if (PROFILE_DIR !== undefined) await Promise.all([rx.startProfile(), base.startProfile()]);
    for (let r = 0; r < ROUNDS; r++) {
      const slice = bodies.slice(WARMUP + r * PER_ROUND, WARMUP + (r + 1) * PER_ROUND);
      for (const server of r % 2 === 0 ? [baseline, service] : [service, baseline]) {
        const m = await closedLoop(server, slice, `round ${r + 1}`);
        rounds[server.name].push(m);
        progress(`round ${r + 1}/${ROUNDS} ${server.name.padEnd(8)} ${Math.round(m.result.perSecond).toLocaleString('en-US').padStart(6)}/s`);
      }
    }
    if (PROFILE_DIR !== undefined) {
      await Promise.all([rx.stopProfile(join(PROFILE_DIR, 'service.cpuprofile')), base.stopProfile(join(PROFILE_DIR, 'baseline.cpuprofile'))]);
      progress(`CPU profiles written to ${PROFILE_DIR}`);
    }

    // --- Latency: open loop at the offered rate. ---
    const openSlice = bodies.slice(WARMUP + ROUNDS * PER_ROUND);
    const open = {} as Record<Server['name'], Measured>;
    for (const server of [baseline, service]) {
      progress(`open loop: ${server.name}, ${RATE.toLocaleString('en-US')}/s for ${DURATION_S} s`);
      if (PROFILE_DIR !== undefined) await server.child.startProfile();
      open[server.name] = await openLoop(server, openSlice);
      if (PROFILE_DIR !== undefined) await server.child.stopProfile(join(PROFILE_DIR, `${server.name}-open.cpuprofile`));
    }

    const ledgerSize = (await rx.usage()).counters.ledgerSize ?? 0;
    const b = figures(rounds.baseline, open.baseline);
    const s = figures(rounds.service, open.service);
    // Each round's pair ran back to back, so their ratio shares the machine's mood of the moment.
    const roundRatios = s.throughputPerRound.map((v, i) => round(v / b.throughputPerRound[i]!, 3));
    const ratio = round(median(roundRatios), 3);
    const targets = {
      throughput: { target: `>= ${TARGETS.throughputPerSec}/s`, value: s.throughputPerSec, met: s.throughputPerSec >= TARGETS.throughputPerSec },
      ratio: { target: `>= ${TARGETS.ratio}`, value: ratio, met: ratio >= TARGETS.ratio },
      p99AtRate: { target: `<= ${TARGETS.p99Ms} ms at ${RATE}/s offered`, value: s.openP99Ms, met: s.openP99Ms <= TARGETS.p99Ms },
    };
    const loadAtEnd = loadavg().map((l) => round(l));
    const totalSeconds = round(Number(process.hrtime.bigint() - started) / 1e9, 1);

    printTable(b, s, { ratio, roundRatios, meanBodyBytes, meanResponseBytes: Math.round(responseBytes / WARMUP), patientCount, loadAtStart, loadAtEnd, totalSeconds, ledgerSize }, targets);
    const report = {
      bench: 'http',
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      options: { requestsPerServer: PER_ROUND * ROUNDS, rounds: ROUNDS, concurrency: CONCURRENCY, rate: RATE, durationSeconds: DURATION_S, warmup: WARMUP, perPatient: PER_PATIENT, logLevel: LOG_LEVEL, profiled: PROFILE_DIR !== undefined },
      requestBytes: meanBodyBytes,
      patients: patientCount,
      ledgerSize,
      baseline: b,
      service: s,
      ratio,
      roundRatios,
      targets,
      totalSeconds,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    for (const child of children.reverse()) await child.stop().catch((err: unknown) => progress(`stopping a server failed: ${String(err)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(
  b: ServerFigures,
  s: ServerFigures,
  extra: {
    ratio: number;
    roundRatios: number[];
    meanBodyBytes: number;
    meanResponseBytes: number;
    patientCount: number;
    loadAtStart: number[];
    loadAtEnd: number[];
    totalSeconds: number;
    ledgerSize: number;
  },
  targets: Record<string, { met: boolean }>,
): void {
  const fmt = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2));
  const spread = (xs: readonly number[], f: (n: number) => string): string => `${f(Math.min(...xs))} – ${f(Math.max(...xs))}`;
  const rows: Array<[string, string, string, string, string]> = [
    [`throughput /s (${CONCURRENCY} in flight, median of rounds)`, fmt(b.throughputPerSec), fmt(s.throughputPerSec), extra.ratio.toFixed(3), `>= ${fmt(TARGETS.throughputPerSec)}, ratio >= ${TARGETS.ratio}`],
    ['  slowest – fastest round', spread(b.throughputPerRound, fmt), spread(s.throughputPerRound, fmt), spread(extra.roundRatios, (r) => r.toFixed(2)), ''],
    ['  latency p50 / p99 ms', `${fmt(b.closedP50Ms)} / ${fmt(b.closedP99Ms)}`, `${fmt(s.closedP50Ms)} / ${fmt(s.closedP99Ms)}`, '', ''],
    ['  server CPU per request µs', fmt(b.serverCpuUsPerRequest), fmt(s.serverCpuUsPerRequest), '', ''],
    ['  server cores busy', fmt(b.serverCores), fmt(s.serverCores), '', ''],
    ['  server event loop busy', fmt(b.serverLoopUtilisation), fmt(s.serverLoopUtilisation), '', ''],
    ['  server event loop CPU per request µs', fmt(b.serverLoopCpuUsPerRequest), fmt(s.serverLoopCpuUsPerRequest), '', ''],
    ['  server storage writes per request KiB', fmt(b.serverWriteKibPerRequest), fmt(s.serverWriteKibPerRequest), '', ''],
    ['  load generator CPU per request µs', fmt(b.loadGenCpuUsPerRequest), fmt(s.loadGenCpuUsPerRequest), '', ''],
    [`open loop ${fmt(RATE)}/s: p50 ms`, fmt(b.openP50Ms), fmt(s.openP50Ms), '', ''],
    ['  p90 ms', fmt(b.openP90Ms), fmt(s.openP90Ms), '', ''],
    ['  p99 ms', fmt(b.openP99Ms), fmt(s.openP99Ms), '', `<= ${TARGETS.p99Ms}`],
    ['  max ms', fmt(b.openMaxMs), fmt(s.openMaxMs), '', ''],
    ['  completed /s', fmt(b.openCompletedPerSec), fmt(s.openCompletedPerSec), '', ''],
    ['  server CPU per request µs', fmt(b.openServerCpuUsPerRequest), fmt(s.openServerCpuUsPerRequest), '', ''],
    ['  server event loop busy', fmt(b.openServerLoopUtilisation), fmt(s.openServerLoopUtilisation), '', ''],
    ['  server event loop CPU per request µs', fmt(b.openServerLoopCpuUsPerRequest), fmt(s.openServerLoopCpuUsPerRequest), '', ''],
    ['  send lag p99 ms (load generator)', fmt(b.openSendLagP99Ms), fmt(s.openSendLagP99Ms), '', ''],
  ];
  const header: [string, string, string, string, string] = ['metric', 'baseline', 'service', 'ratio', 'target'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const verdict = (m: boolean | undefined): string => (m === undefined ? 'n/a' : m ? 'met' : 'MISSED');
  const out = [
    '',
    `rxledger HTTP benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load generator on the same machine`,
    `signed rx.submit, ${fmt(extra.meanBodyBytes)} B per request body (${fmt(extra.meanResponseBytes)} B answered by the service); ` +
      `${fmt(extra.patientCount)} patients, ${PER_PATIENT} submissions each; service log level ${LOG_LEVEL}`,
    `closed loop: ${ROUNDS} interleaved rounds of ${fmt(PER_ROUND)} per server; open loop: ${fmt(RATE)}/s offered for ${DURATION_S} s per server`,
    '',
    line(header),
    line(header.map((_, c) => '-'.repeat(widths[c]!))),
    ...rows.map(line),
    '',
    `baseline commits ${fmt(b.counters.commits ?? 0)} for ${fmt(b.counters.rows ?? 0)} rows in the rounds (${fmt(round((b.counters.rows ?? 0) / (b.counters.commits || 1), 1))} per fsync); ` +
      `service ledger ${fmt(extra.ledgerSize)} entries at the end`,
    `load average (1/5/15 min) at start ${extra.loadAtStart.join(' / ')}, at end ${extra.loadAtEnd.join(' / ')} on ${cpus().length} CPUs; total ${extra.totalSeconds} s`,
    `targets: throughput ${verdict(targets.throughput?.met)}; ratio ${verdict(targets.ratio?.met)}; p99 at ${fmt(RATE)}/s ${verdict(targets.p99AtRate?.met)}`,
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-http failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
