/**
 * The soak campaign (scripts/campaigns/soak-campaign.ts). First its growth detector
 * (soak-analysis.ts) on synthetic series: it must flag a series that keeps growing (so the
 * campaign's "nothing grows without bound" can fail) and must not flag a flat, noisy, warming-up
 * or sawtoothed one. Then a CI-sized run against the real service.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { mulberry32 } from '../../scripts/lib/bench-support.js';
import { createFastSigner } from '../../scripts/bench-http/fast-signer.js';
import { describeGrowth, fitLine, judgeGrowth, judgeKeptUp, judgeWalBound, LatencyHistogram, percentile, walBoundMiB, type GrowthRule } from '../../scripts/campaigns/soak-analysis.js';
import { SOAK_ACTORS, type SoakActor, type SoakCast } from '../../scripts/campaigns/soak-cast.js';
import { type HttpAnswer, type HttpTarget } from '../../scripts/campaigns/soak-http.js';
import { createFastReadSigner } from '../../scripts/bench-http/fast-signer.js';
import { SoakWorkload, TEMPLATES } from '../../scripts/campaigns/soak-workload.js';
import { GROWTH_RULES, redrawSoakChart, runSoakCampaign } from '../../scripts/campaigns/soak-campaign.js';

const RSS: GrowthRule = GROWTH_RULES.find((r) => r.metric === 'rssMiB')!;
const THROUGHPUT: GrowthRule = GROWTH_RULES.find((r) => r.metric === 'completedPerSec')!;

/** 30 minutes sampled every 10 s: `f(seconds)` plus seeded noise of ± `noise`. */
function series(f: (t: number) => number, noise = 0, seed = 7): Array<[number, number]> {
  const rng = mulberry32(seed);
  return Array.from({ length: 181 }, (_, i) => [i * 10, f(i * 10) + (rng() * 2 - 1) * noise] as [number, number]);
}

t.test('fitLine recovers a line', async (t) => {
  const { slope, intercept } = fitLine([[0, 1], [1, 3], [2, 5], [3, 7]]);
  t.equal(slope, 2);
  t.equal(intercept, 1);
  t.equal(fitLine([[5, 1], [5, 2]]).slope, 0, 'all x equal: no slope');
});

t.test('a leak is flagged: RSS rising 1 MiB a minute from 150 MiB', async (t) => {
  const v = judgeGrowth(series((s) => 150 + s / 60, 3), RSS);
  t.ok(v.judged);
  t.ok(v.grows, describeGrowth(v));
  t.ok(v.fittedRise > 12 && v.fittedRise < 18, `fitted rise ${v.fittedRise} MiB over the second half`);
  t.ok(v.quarterRise > 12 && v.quarterRise < 18, `Q4 − Q2 ${v.quarterRise} MiB`);
  t.match(describeGrowth(v), /service RSS rose without levelling off/);
});

t.test('a slower leak that only the second half shows is still flagged', async (t) => {
  // Flat for 15 minutes, then 1.5 MiB a minute: a leak that starts with some later work.
  const v = judgeGrowth(series((s) => (s < 900 ? 150 : 150 + ((s - 900) / 60) * 1.5), 2), RSS);
  t.ok(v.grows, describeGrowth(v));
});

t.test('level series are not flagged: flat, noisy, warming up, sawtooth, a late spike', async (t) => {
  const cases: Record<string, (t: number) => number> = {
    flat: () => 150,
    // The first half climbs (V8 sizing its heap, SQLite's cache filling), then levels off.
    'warm-up then level': (s) => (s < 600 ? 100 + (s / 600) * 50 : 150),
    // GC: 10 MiB sawtooth with a 2-minute period.
    sawtooth: (s) => 150 + ((s % 120) / 120) * 10,
    // One sample 40 MiB high near the end tilts the line but barely moves the last quarter's mean.
    'late spike': (s) => (s === 1700 ? 190 : 150),
  };
  for (const [name, f] of Object.entries(cases)) {
    const v = judgeGrowth(series(f, 4), RSS);
    t.ok(v.judged, `${name}: judged`);
    t.notOk(v.grows, `${name}: ${describeGrowth(v)}`);
  }
});

t.test('both conditions are required', async (t) => {
  // A step up at the very end: the line rises, but Q4's mean is only slightly above Q2's.
  const step = judgeGrowth(series((s) => (s >= 1750 ? 200 : 150)), RSS);
  t.ok(step.fittedRise > step.threshold, 'the fitted line rises above the allowance');
  t.notOk(step.grows, 'but the last quarter as a whole did not');
});

t.test('the absolute floor keeps small levels from tripping on noise', async (t) => {
  const fds: GrowthRule = GROWTH_RULES.find((r) => r.metric === 'fds')!;
  // 20 → 24 descriptors is 20 %, but under the 5-descriptor floor.
  t.notOk(judgeGrowth(series((s) => 20 + (s / 1800) * 4), fds).grows);
  t.ok(judgeGrowth(series((s) => 20 + (s / 1800) * 30), fds).grows, 'a descriptor leak of 30 is flagged');
});

t.test('a falling throughput is flagged by a "down" rule, a rising one is not', async (t) => {
  t.ok(judgeGrowth(series((s) => 100 - (s / 1800) * 30, 1), THROUGHPUT).grows, 'throughput sliding from 100/s to 70/s');
  t.notOk(judgeGrowth(series(() => 100, 2), THROUGHPUT).grows, 'steady at the offered rate');
  t.notOk(judgeGrowth(series((s) => 100 + s / 60, 1), THROUGHPUT).grows, 'a rise is not a fall');
});

t.test('too few samples are not judged (and not flagged)', async (t) => {
  const v = judgeGrowth([[0, 1], [10, 100], [20, 1000], [30, 10000]], RSS);
  t.notOk(v.judged);
  t.notOk(v.grows);
  t.notOk(judgeGrowth([], RSS).judged);
  const withGaps = series((s) => 150 + s / 60).map(([s, v], i) => [s, i % 2 === 0 ? Number.NaN : v] as [number, number]);
  t.ok(judgeGrowth(withGaps, RSS).grows, 'missing samples are skipped, not read as zero');
});

t.test('percentile and the latency histogram', async (t) => {
  t.equal(percentile(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 50), 5);
  t.equal(percentile(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 99), 10);
  t.ok(Number.isNaN(percentile([], 50)));
  const h = new LatencyHistogram();
  t.ok(Number.isNaN(h.percentile(50)), 'empty');
  const rng = mulberry32(3);
  const values = Array.from({ length: 10_000 }, () => 0.5 + rng() * 200);
  for (const v of values) h.record(v);
  const sorted = Float64Array.from(values).sort();
  for (const p of [50, 90, 99, 99.9]) {
    const exact = percentile(sorted, p);
    const approx = h.percentile(p);
    t.ok(approx >= exact && approx <= exact * 1.021, `p${p}: ${approx} within 2 % above ${exact}`);
  }
  t.equal(h.count, 10_000);
  t.equal(h.max, sorted[sorted.length - 1]);
});

t.test('the WAL bound and the keep-up check', async (t) => {
  const bound = walBoundMiB(4096, 8000);
  t.ok(bound > 62 && bound < 63, `twice 8,000 frames of 4 KiB pages: ${bound.toFixed(1)} MiB`);
  t.equal(judgeWalBound([0, 12, 31.9, 31.9], bound), undefined, 'a WAL at its checkpoint size');
  t.match(judgeWalBound([31.9, 48, 70], bound), /the WAL reached 70\.0 MiB/, 'a WAL checkpoints do not keep bounded');
  const steady = Array.from({ length: 20 }, (_, i) => ({ t: i * 10, offeredPerSec: 100, completedPerSec: 99 + (i % 3) }));
  t.equal(judgeKeptUp(steady).violation, undefined);
  const behind = steady.map((s) => ({ ...s, completedPerSec: s.t >= 100 ? 80 : 100 }));
  t.match(judgeKeptUp(behind).violation, /completed 80\.0 % of the offered rate/, 'a service falling behind in the second half');
});

// --- The request mix against a stub service: every answer is judged, and a wrong one is caught. ---

/** The soak cast with fresh keys, for a stub service (nothing registered anywhere). */
function stubCast(): SoakCast {
  const actors: Record<string, SoakActor> = {};
  for (const [n, spec] of SOAK_ACTORS.entries()) {
    const seed = randomBytes(32);
    actors[spec.id] = {
      id: spec.id,
      role: spec.role,
      institutionId: spec.institutionId,
      address: `127.0.1.${n + 1}`,
      statements: createFastSigner({ origin: 'stub.example/log', actorId: spec.id, seed }),
      read: createFastReadSigner(seed, (k) => new Uint8Array(randomBytes(k))),
    };
  }
  const all = Object.values(actors);
  return { origin: 'stub.example/log', verifierKey: '', actors, prescribers: all.filter((a) => a.role === 'prescriber'), couriers: all.filter((a) => a.role === 'courier') };
}

interface StubBehaviour {
  /** An answer to use instead of the well-behaved one, for a statement with this action. */
  readonly override?: (action: string, payload: Record<string, unknown>) => HttpAnswer | undefined;
  /** Let both raced claims win. */
  readonly twoWinners?: boolean;
}

/** A stand-in for the service that answers as the real one would when everything is right. */
function stubService(behaviour: StubBehaviour = {}): HttpTarget {
  let index = 100;
  const seen = new Set<string>();
  const held = new Set<string>();
  const json = (status: number, body: unknown): HttpAnswer => ({ status, body: JSON.stringify(body) });
  const refuse = (status: number, code: string): HttpAnswer => json(status, { error: { code, message: code, paths: [] } });
  return {
    async send(method, path, _headers, body) {
      await new Promise((resolve) => setImmediate(resolve));
      if (method === 'GET') return json(200, {});
      const text = body!.toString('utf8');
      if (path === '/v1/patients') return json(201, { pseudonym: 'a'.repeat(64), identityCommitment: 'b'.repeat(64), replayed: false });
      if (seen.has(text)) return json(200, { replayed: true });
      seen.add(text);
      const { statement } = JSON.parse(text) as { statement: { action: string; payload: Record<string, unknown> } };
      const { action, payload } = statement;
      const instead = behaviour.override?.(action, payload);
      if (instead !== undefined) return instead;
      if (String(payload.prescriptionId).endsWith('-forged')) return refuse(401, 'AUTH_SIGNATURE_INVALID');
      if (action === 'rx.claim' && payload.accessCode !== undefined && !behaviour.twoWinners) {
        if (held.has(String(payload.prescriptionId))) return refuse(409, 'RX_HELD_BY_ANOTHER_PHARMACY');
        held.add(String(payload.prescriptionId));
      }
      index += action === 'rx.submit' ? 2 : 1;
      const days = (payload.prescription as { items?: Array<{ days: number }> } | undefined)?.items?.[0]?.days;
      const check =
        action !== 'rx.submit' ? undefined : days === 14 ? { outcome: 'awaiting-override', findings: [{ ruleId: 'reg.days-outpatient', action: 'override' }] } : { outcome: 'active', findings: [] };
      return json(201, { index: index - 1, leafHash: '', type: action, replayed: false, records: [], lastIndex: index - 1, receipt: '', ...(check ? { check } : {}) });
    },
    close: () => undefined,
  };
}

/** Runs `slots` slots of the mix against `http`; returns what the sink heard. */
async function driveMix(http: HttpTarget, slots: number): Promise<{ workload: SoakWorkload; verdicts: Record<string, number>; details: string[]; violations: string[]; kinds: Set<string> }> {
  const verdicts: Record<string, number> = {};
  const details: string[] = [];
  const violations: string[] = [];
  const kinds = new Set<string>();
  const workload = new SoakWorkload({
    http,
    cast: stubCast(),
    rng: mulberry32(5),
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    now: () => performance.now(),
    runTag: 'test',
    targetFlows: 16,
    sink: {
      done(kind, _due, _end, _status, verdict, detail) {
        verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
        kinds.add(kind);
        if (detail !== undefined) details.push(`${kind}: ${detail}`);
      },
      violation: (sentence) => violations.push(sentence),
    },
  });
  for (let i = 0; i < slots; i++) {
    workload.slot(performance.now());
    await new Promise((resolve) => setImmediate(resolve));
  }
  while (workload.outstanding > 0) await new Promise((resolve) => setImmediate(resolve));
  return { workload, verdicts, details, violations, kinds };
}

t.test('the mix drives every path and read against a well-behaved service', async (t) => {
  const { workload, verdicts, details, violations, kinds } = await driveMix(stubService(), 4000);
  t.same(details, [], 'no unexpected answer');
  t.same(violations, []);
  t.equal(verdicts.unexpected, undefined);
  t.ok((verdicts.intended ?? 0) > 0, 'damaged signatures and raced claims refused as intended');
  t.equal(workload.counters.flowsAbandoned, 0);
  t.ok(workload.counters.flowsCompleted > 100, `${workload.counters.flowsCompleted} prescriptions completed their path`);
  t.same(Object.keys(workload.counters.byTemplate).sort(), TEMPLATES.map((x) => x.name).sort(), 'every path was started');
  for (const kind of ['patient.identify', 'rx.submit', 'rx.claim', 'rx.review', 'rx.dispense', 'rx.delivery-complete', 'rx.delivery-fail', 'rx.override', 'rx.cancel', 'rx.return', 'rx.collect', 'retry', 'forged', 'read.queue', 'read.prescription', 'read.assignments', 'read.entries', 'read.oversight', 'public.checkpoint', 'public.inclusion', 'public.consistency', 'public.log']) {
    t.ok(kinds.has(kind), `sent ${kind}`);
  }
});

t.test('a refusal nobody provoked is an unexpected answer, and ends that prescription', async (t) => {
  const http = stubService({ override: (action) => (action === 'rx.review' ? { status: 409, body: JSON.stringify({ error: { code: 'RX_STATE_CONFLICT', message: '', paths: [] } }) } : undefined) });
  const { workload, verdicts, details } = await driveMix(http, 1500);
  t.ok((verdicts.unexpected ?? 0) > 0, `${verdicts.unexpected} unexpected`);
  t.match(details[0], /^rx\.review: 409 RX_STATE_CONFLICT/);
  t.ok(workload.counters.flowsAbandoned > 0, 'the prescriptions were abandoned');
});

t.test('a server error, a transport error and a wrong check outcome are caught', async (t) => {
  const failing: HttpTarget = {
    send: async (method, path, headers, body, from) => {
      if (path.startsWith('/v1/log/proof')) throw new Error('socket hang up');
      if (path === '/checkpoint') return { status: 500, body: '{"error":{"code":"INTERNAL","message":"","paths":[]}}' };
      return stubService().send(method, path, headers, body, from);
    },
    close: () => undefined,
  };
  const { details } = await driveMix(failing, 1500);
  t.ok(details.some((d) => d.startsWith('public.checkpoint: 500 INTERNAL')), 'a 500');
  t.ok(details.some((d) => /^public\.(inclusion|consistency): transport error: socket hang up/.test(d)), 'a transport error');

  const allActive = stubService({ override: (action, payload) => (action === 'rx.submit' ? { status: 201, body: JSON.stringify({ index: 1, lastIndex: 2, records: [], check: { outcome: 'rejected', findings: [] }, payloadId: payload.prescriptionId }) } : undefined) });
  const { violations } = await driveMix(allActive, 300);
  t.match(violations[0], /was checked 'rejected', expected 'active'|expected 'awaiting-override'/, 'a submission checked otherwise than expected');
});

t.test('two winners of a raced claim is a violation', async (t) => {
  const { violations, workload } = await driveMix(stubService({ twoWinners: true }), 4000);
  t.ok(workload.counters.races > 0, `${workload.counters.races} races`);
  t.match(violations.find((v) => v.startsWith('raced claims')), /2 winners and 0 refused, expected exactly one of each/);
});

/**
 * The CI-sized soak: the real service in a child process for 15 s at a low rate, sampled every
 * second. It asserts that the campaign ran its mix without an unexpected answer, sampled the
 * service, judged every growth rule and wrote its chart and samples; it asserts no speed, latency
 * or growth verdict (a 15-second run is all warm-up, and benchmarks are not tests).
 */
/** The figures of the report's JSON line this test reads. */
interface ShortRunFigures {
  readonly unexpected: number;
  readonly shed: number;
  readonly intended: number;
  readonly requests: number;
  readonly offered: number;
  readonly samples: number;
  readonly samplesFile: string;
  readonly checkpointsVerified: number;
  readonly serviceLog: { readonly errors: number };
  readonly flows: { readonly started: number; readonly completed: number };
  readonly growth: Readonly<Record<string, string>>;
}

t.test('a short soak samples the service and writes its chart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rxledger-soak-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const chart = join(dir, 'soak.svg');
  const report = await runSoakCampaign({ minutes: 0.25, rate: 40, sampleSeconds: 1, seed: 11, chart, targetFlows: 16, log: () => undefined });
  const f = report.figures as unknown as ShortRunFigures;

  t.equal(report.campaign, 'soak');
  t.equal(f.unexpected, 0, `no unexpected answer: ${report.violations.filter((v) => v.startsWith('unexpected')).slice(0, 3).join('; ')}`);
  t.equal(f.shed, 0, 'every slot was sent');
  t.ok(f.intended >= 0 && f.requests >= f.offered, 'every offered slot was answered');
  t.equal(f.serviceLog.errors, 0, 'the service logged no error');
  t.ok(f.checkpointsVerified >= 2, `the monitor verified ${f.checkpointsVerified} checkpoints`);
  t.ok(f.flows.started > 0 && f.flows.completed > 0, `prescriptions went through the lifecycle (${JSON.stringify(f.flows)})`);
  for (const v of report.violations) t.notMatch(v, /unexpected answer|checkpoint monitor|exited|shut down|logged|unanswered/, 'no functional violation');

  t.ok(f.samples >= 12, `${f.samples} samples`);
  const saved = JSON.parse(readFileSync(f.samplesFile, 'utf8')) as { samples: Array<Record<string, number>>; growth: Array<{ metric: string; judged: boolean }> };
  t.equal(saved.samples.length, f.samples);
  for (const s of saved.samples) {
    t.ok(s.rssMiB! > 10 && s.hwmMiB! >= s.rssMiB! - 0.1, `RSS ${s.rssMiB} MiB, peak ${s.hwmMiB} MiB read from /proc`);
    t.ok(s.fds! > 3 && s.threads! > 1, 'descriptors and threads read from /proc');
  }
  const sizes = saved.samples.map((s) => s.ledgerSize!);
  t.ok(sizes[sizes.length - 1]! > sizes[0]!, `the ledger grew (${sizes[0]} → ${sizes[sizes.length - 1]} entries)`);
  t.ok(saved.samples.some((s) => s.walMiB! > 0), 'the WAL size was sampled');
  t.same(saved.growth.map((g) => g.metric), GROWTH_RULES.map((r) => r.metric), 'a verdict for every growth rule');
  t.ok(saved.growth.every((g) => g.judged), 'with enough samples to judge each');
  t.same(Object.keys(f.growth), GROWTH_RULES.map((r) => r.metric), 'the JSON line names each verdict');

  const svg = readFileSync(chart, 'utf8');
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const title of ['Service memory', 'Throughput', 'Latency from due time', 'Ledger WAL', 'Database file']) t.match(svg, new RegExp(`data-title="${title}`), `a ${title} panel`);
  t.ok((svg.match(/<polyline /g) ?? []).length >= 10, 'with lines drawn');

  // The chart can be drawn again from the samples file alone.
  const redrawn = join(dir, 'again.svg');
  redrawSoakChart(f.samplesFile, redrawn);
  t.equal(readFileSync(redrawn, 'utf8'), svg, 'redrawing from the samples gives the same chart');
});
