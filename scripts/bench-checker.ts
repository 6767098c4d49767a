/**
 * `npm run bench:checker`: the rational-drug-use checker on one core.
 *
 * Measures checks per second for a typical chronic-disease prescription (an antihypertensive, a
 * statin and metformin) for an older adult with three diagnoses, an allergy and a recorded eGFR,
 * who has five live co-medications on three other prescribers' prescriptions. Timed, in
 * interleaved batches:
 *   - `runCheck`: the whole check as the ledger runs it (evaluate, policy, sort, input hash);
 *   - `evaluate`: the rule set alone;
 *   - `checkInputHash`: the input hash alone (part of runCheck), and within it `canonicalJson` of
 *     the hashed object (src/core/canonical-json.ts), to show how the hash's time splits;
 *   - a baseline that the checker's code does not touch, `JSON.stringify` of the same input, so
 *     the ratio runCheck / baseline stays meaningful on a shared, noisy host.
 * It also reports the compiled knowledge base: the bundle's size in bytes, the heap it retains
 * (after a full GC) and the time to load, bundle and compile it.
 *
 * Output: a table on stdout, then, as the very last line of stdout, one JSON object with every
 * figure. Progress goes to stderr. A script, not a test: it asserts nothing about time.
 *
 * Options:
 *   --seconds N     timed seconds, shared by the five measurements (default 8)
 *   --warmup N      warm-up seconds before timing (default 2)
 *   --batch N       calls per timed batch; each batch gives one per-call sample (default 200)
 *   --pool N        distinct inputs cycled through (default 256)
 *   --seed N        seeds the PRNG that varies ids, doses, line order and instants (default 1)
 *   --knowledge DIR knowledge base to compile (default: the starter knowledge base)
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { bytesToHex } from '../src/core/bytes.js';
import { canonicalJson } from '../src/core/canonical-json.js';
import { compileBundle } from '../src/domain/checker/knowledge-bundle.js';
import { loadKnowledgeDir } from '../src/store/knowledge-dir.js';
import { createKnowledgeRuleSet, ruleCounts, type KnowledgeRuleSet } from '../src/domain/checker/knowledge-rule-set.js';
import { starterKnowledgeDir } from '../src/store/knowledge-dir.js';
import { checkInputHash, runCheck, type CheckInput, type OtherPrescription } from '../src/domain/prescription/checker.js';
import type { Prescription, PrescriptionItem } from '../schemas/prescription.js';
import { mulberry32, requireGc } from './lib/bench-support.js';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    batch: { type: 'string', default: '200' },
    pool: { type: 'string', default: '256' },
    seed: { type: 'string', default: '1' },
    knowledge: { type: 'string' },
  },
  strict: true,
});

function positiveNumber(name: string, text: string, integer = true): number {
  const n = Number(text.replace(/_/g, ''));
  if (!(integer ? Number.isSafeInteger(n) : Number.isFinite(n)) || n <= 0) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got '${text}'`);
  return n;
}

const SECONDS = positiveNumber('seconds', args.seconds, false);
const WARMUP_SECONDS = positiveNumber('warmup', args.warmup, false);
const BATCH = positiveNumber('batch', args.batch);
const POOL = positiveNumber('pool', args.pool);
const SEED = positiveNumber('seed', args.seed);
const KNOWLEDGE_DIR = args.knowledge ?? starterKnowledgeDir();
const TARGET_CHECKS_PER_SEC = 20_000;

const gc = requireGc('bench:checker');

// ---------------------------------------------------------------------------------------------
// Helpers: PRNG, timing, statistics
// ---------------------------------------------------------------------------------------------

const random = mulberry32(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
const randomHex = (bytes: number): string => bytesToHex(Uint8Array.from({ length: bytes }, () => Math.floor(random() * 256)));

const nowNs = (): bigint => process.hrtime.bigint();
const msSince = (start: bigint): number => Number(nowNs() - start) / 1e6;

/** Nearest-rank percentile of an ascending-sorted sample. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

function round(n: number, digits = 3): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const mb = (bytes: number): number => round(bytes / (1024 * 1024), 2);

const progress = (text: string): void => {
  process.stderr.write(`[bench] ${text}\n`);
};

// ---------------------------------------------------------------------------------------------
// The inputs: one typical chronic-disease check, varied so no two calls in a row are identical
// ---------------------------------------------------------------------------------------------

/** 2026-03-02 00:00 China Standard Time; every check is on that day (the day of issue). */
const DAY_START = Date.UTC(2026, 2, 1, 16);

function line(n: number, genericName: string, code: string, strength: PrescriptionItem['strength'], dose: PrescriptionItem['dose'], frequency: PrescriptionItem['frequency']): PrescriptionItem {
  return { line: n, drugCode: code, genericName, form: 'tablet', strength, dose, frequency, route: 'oral', days: 28, quantity: { value: '28', unit: '片' } };
}

/**
 * The prescription: amlodipine, atorvastatin and metformin (doses vary within the usual range;
 * metformin written in tablets, so the dose goes through the strength), a 28-day long
 * prescription for a 68-year-old woman with hypertension, type 2 diabetes and hyperlipidaemia,
 * a penicillin allergy and an eGFR of 52. Items come in a random order (the engine sorts them).
 */
function typicalPrescription(): Prescription {
  const items = [
    line(1, '苯磺酸氨氯地平片', 'XC08CAA040A001010100001', { value: '5', unit: 'mg' }, { value: pick(['5', '10']), unit: 'mg' }, 'qd'),
    line(2, '阿托伐他汀钙片', 'XC10AAA050A001010100001', { value: '20', unit: 'mg' }, { value: pick(['10', '20', '40']), unit: 'mg' }, 'qn'),
    line(3, '盐酸二甲双胍片', 'XA10BAA020A001010100001', { value: '0.5', unit: 'g' }, { value: pick(['1', '2']), unit: '片' }, pick(['bid', 'tid'] as const)),
  ].sort(() => random() - 0.5);
  return {
    prescriptionId: `rx-bench-${randomHex(8)}`,
    prescriberId: 'dr-wang',
    institutionId: 'jinan-first',
    encounter: { type: 'outpatient', date: '2026-03-02', longPrescription: true, validityDays: 1 },
    patient: {
      pseudonym: randomHex(32),
      identityCommitment: randomHex(32),
      birthDate: '1957-06-15',
      sex: 'female',
      weightKg: pick(['58', '63.5', '71.2']),
      pregnancy: 'no',
      lactation: false,
      allergies: [{ substance: '青霉素', reaction: '皮疹' }],
      renal: { egfr: pick(['52', '55', '58']) },
      diagnoses: [
        { icd10: 'I10', text: '原发性高血压' },
        { icd10: 'E11.9', text: '2型糖尿病' },
        { icd10: 'E78.5', text: '高脂血症' },
      ],
    },
    items,
  };
}

/** Five co-medications on three other live prescriptions (cardiology, gastroenterology, endocrinology). */
function typicalOthers(): OtherPrescription[] {
  const other = (institutionId: string, prescriberId: string, items: Array<[string, string]>): OtherPrescription => ({
    prescriptionId: `rx-other-${randomHex(8)}`,
    institutionId,
    prescriberId,
    items: items.map(([genericName, drugCode]) => ({ drugCode, genericName, route: 'oral', days: 28 })),
  });
  return [
    other('jinan-first', 'dr-li', [
      ['阿司匹林肠溶片', 'XB01ACA010A012010100001'],
      ['氯吡格雷片', 'XB01ACL040A001010100001'],
    ]),
    other('jinan-second', 'dr-zhang', [['奥美拉唑肠溶胶囊', 'XA02BCA010E001010100001']]),
    other('licheng-community', 'dr-chen', [
      ['氯沙坦钾片', 'XC09CAL030A001010100001'],
      ['格列美脲片', 'XA10BBG050A001010100001'],
    ]),
  ];
}

/** The object checkInputHash canonicalises (src/domain/prescription/checker.ts). */
const hashedObject = (input: CheckInput): object => ({ prescription: input.prescription, others: input.others, instant: input.instant, prescriberPrivileges: input.prescriberPrivileges });

function inputPool(size: number): CheckInput[] {
  return Array.from({ length: size }, () => ({
    prescription: typicalPrescription(),
    others: typicalOthers(),
    instant: DAY_START + 8 * 3_600_000 + Math.floor(random() * 10 * 3_600_000),
    prescriberPrivileges: { narcotic: false, psychotropicI: false, psychotropicII: true, antimicrobialGrade: 'restricted' },
  }));
}

// ---------------------------------------------------------------------------------------------
// Knowledge base: size, retained heap, compile time
// ---------------------------------------------------------------------------------------------

interface KnowledgeFigures {
  readonly bundleBytes: number;
  /** Heap retained by the rule set after a full GC: the bundle objects and the compiled tables. */
  readonly heapRetainedMb: number;
  /** Of which the compiled lookup tables alone (createKnowledgeRuleSet on top of the bundle). */
  readonly heapCompiledTablesMb: number;
  /** ArrayBuffer memory retained (the bundle's canonical bytes). */
  readonly arrayBuffersMb: number;
  readonly loadMs: number;
  readonly bundleMs: number;
  readonly compileMs: number;
}

const heapUsed = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

/** Builds the rule set once with GCs around each step (memory), then times the steps without them. */
function measureKnowledge(): { ruleSet: KnowledgeRuleSet; figures: KnowledgeFigures } {
  const heap0 = heapUsed();
  const buffers0 = process.memoryUsage().arrayBuffers;
  const compiled = compileBundle(loadKnowledgeDir(KNOWLEDGE_DIR));
  const heapBundle = heapUsed();
  const ruleSet = createKnowledgeRuleSet(compiled);
  const heapRuleSet = heapUsed();
  const buffers1 = process.memoryUsage().arrayBuffers;

  const loads: number[] = [];
  const bundles: number[] = [];
  const compiles: number[] = [];
  for (let r = 0; r < 5; r++) {
    let t = nowNs();
    const files = loadKnowledgeDir(KNOWLEDGE_DIR);
    loads.push(msSince(t));
    t = nowNs();
    const c = compileBundle(files);
    bundles.push(msSince(t));
    t = nowNs();
    createKnowledgeRuleSet(c);
    compiles.push(msSince(t));
  }
  const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
  return {
    ruleSet,
    figures: {
      bundleBytes: compiled.bytes.length,
      heapRetainedMb: mb(heapRuleSet - heap0),
      heapCompiledTablesMb: mb(heapRuleSet - heapBundle),
      arrayBuffersMb: mb(buffers1 - buffers0),
      loadMs: round(median(loads), 1),
      bundleMs: round(median(bundles), 1),
      compileMs: round(median(compiles), 1),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Timed batches
// ---------------------------------------------------------------------------------------------

interface Measurement {
  readonly name: string;
  readonly op: (input: CheckInput) => number;
  /** Wall-clock µs per call, one sample per batch. */
  readonly samples: number[];
  /** CPU µs per call (this process, all threads), one sample per batch. */
  readonly cpuSamples: number[];
}

interface Figures {
  /** Calls per second of wall-clock time, from the median batch. */
  readonly perSec: number;
  readonly usMedian: number;
  readonly usP99: number;
  /** CPU time per call in the median batch by CPU time: less sensitive to neighbours taking the core. */
  readonly cpuUsMedian: number;
  readonly batches: number;
}

/** Runs one batch of `BATCH` calls over the pool; returns wall-clock and CPU µs per call. */
function batch(m: Measurement, pool: readonly CheckInput[], cursor: { i: number; sink: number }): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const t = nowNs();
  for (let n = 0; n < BATCH; n++) {
    cursor.sink += m.op(pool[cursor.i] as CheckInput);
    cursor.i = cursor.i + 1 === pool.length ? 0 : cursor.i + 1;
  }
  const wall = (msSince(t) * 1000) / BATCH;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / BATCH };
}

/** Interleaves batches of every measurement (rotating who goes first) until `seconds` pass. */
function runInterleaved(measurements: readonly Measurement[], pool: readonly CheckInput[], seconds: number, record: boolean, cursor: { i: number; sink: number }): void {
  const end = nowNs() + BigInt(Math.round(seconds * 1e9));
  for (let round = 0; nowNs() < end; round++) {
    for (let k = 0; k < measurements.length; k++) {
      const m = measurements[(round + k) % measurements.length] as Measurement;
      const us = batch(m, pool, cursor);
      if (record) {
        m.samples.push(us.wall);
        m.cpuSamples.push(us.cpu);
      }
    }
  }
}

function figures(m: Measurement): Figures {
  const sorted = [...m.samples].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  const cpuMedian = percentile([...m.cpuSamples].sort((a, b) => a - b), 50);
  return { perSec: Math.round(1e6 / median), usMedian: round(median, 2), usP99: round(percentile(sorted, 99), 2), cpuUsMedian: round(cpuMedian, 2), batches: sorted.length };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function main(): void {
  const started = nowNs();
  const loadAtStart = loadavg().map((l) => round(l, 2));
  progress(`knowledge ${KNOWLEDGE_DIR}`);
  const { ruleSet, figures: kb } = measureKnowledge();
  progress(`bundle ${kb.bundleBytes} B; heap retained ${kb.heapRetainedMb} MB; compile ${kb.compileMs} ms`);

  const pool = inputPool(POOL);
  const results = pool.map((input) => runCheck(ruleSet, input));
  const unresolved = results.flatMap((r) => r.findings.filter((f) => f.ruleId === 'kb.unknown-drug'));
  if (unresolved.length > 0) throw new Error(`the typical prescription does not resolve in this knowledge base: ${JSON.stringify(unresolved.map((f) => f.evidence))}`);
  // What the checks find, over the pool: rule id → how many inputs raise it.
  const findings: Record<string, number> = {};
  for (const r of results) for (const f of r.findings) findings[f.ruleId] = (findings[f.ruleId] ?? 0) + 1;
  const findingsPerCheck = round(results.reduce((n, r) => n + r.findings.length, 0) / results.length, 2);
  const inputBytes = Math.round(pool.reduce((n, input) => n + JSON.stringify(input).length, 0) / pool.length);

  const measurements: Measurement[] = [
    { name: 'runCheck', op: (input) => runCheck(ruleSet, input).findings.length, samples: [], cpuSamples: [] },
    { name: 'evaluate', op: (input) => ruleSet.evaluate(input).length, samples: [], cpuSamples: [] },
    { name: 'checkInputHash', op: (input) => checkInputHash(input).length, samples: [], cpuSamples: [] },
    { name: 'canonicalJson', op: (input) => canonicalJson(hashedObject(input)).length, samples: [], cpuSamples: [] },
    { name: 'baseline', op: (input) => JSON.stringify(input).length, samples: [], cpuSamples: [] },
  ];
  const cursor = { i: 0, sink: 0 };
  progress(`warm-up ${WARMUP_SECONDS} s; then ${SECONDS} s of interleaved batches of ${BATCH}`);
  runInterleaved(measurements, pool, WARMUP_SECONDS, false, cursor);
  gc();
  runInterleaved(measurements, pool, SECONDS, true, cursor);
  const [check, evaluate, inputHash, canonical, baseline] = measurements.map(figures) as [Figures, Figures, Figures, Figures, Figures];
  const loadAtEnd = loadavg().map((l) => round(l, 2));
  const totalSeconds = round(msSince(started) / 1000, 1);

  const report = {
    bench: 'checker',
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    options: { seconds: SECONDS, warmup: WARMUP_SECONDS, batch: BATCH, pool: POOL, seed: SEED, knowledge: args.knowledge ?? 'starter' },
    ruleSet: { name: ruleSet.name, hash: ruleSet.hash, counts: ruleCounts(ruleSet.compiled) },
    input: {
      items: (pool[0] as CheckInput).prescription.items.length,
      coMedications: (pool[0] as CheckInput).others.reduce((n, o) => n + o.items.length, 0),
      jsonBytes: inputBytes,
      findingsPerCheck,
      findings,
    },
    runCheck: check,
    evaluate,
    checkInputHash: inputHash,
    canonicalJson: canonical,
    baseline: { what: 'JSON.stringify(input)', ...baseline },
    runCheckVsBaseline: round(check.usMedian / baseline.usMedian, 2),
    runCheckVsBaselineCpu: round(check.cpuUsMedian / baseline.cpuUsMedian, 2),
    knowledge: kb,
    targets: { runCheckPerSec: { target: `>= ${TARGET_CHECKS_PER_SEC}`, value: check.perSec, met: check.perSec >= TARGET_CHECKS_PER_SEC } },
    totalSeconds,
  };
  printTable(report);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function printTable(r: {
  ruleSet: { name: string };
  input: { items: number; coMedications: number; jsonBytes: number; findingsPerCheck: number; findings: Record<string, number> };
  runCheck: Figures;
  evaluate: Figures;
  checkInputHash: Figures;
  canonicalJson: Figures;
  baseline: Figures;
  runCheckVsBaseline: number;
  runCheckVsBaselineCpu: number;
  knowledge: KnowledgeFigures;
  loadAverage: { start: number[]; end: number[] };
  targets: { runCheckPerSec: { met: boolean } };
  totalSeconds: number;
}): void {
  const fmt = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : String(n));
  const row = (label: string, f: Figures, target = ''): string[] => [label, fmt(f.perSec), fmt(f.usMedian), fmt(f.usP99), fmt(f.cpuUsMedian), target];
  const rows = [
    row('runCheck (evaluate + policy + sort + hash)', r.runCheck, `>= ${fmt(TARGET_CHECKS_PER_SEC)}/s`),
    row('  evaluate alone', r.evaluate),
    row('  checkInputHash alone', r.checkInputHash),
    row('    of which canonicalJson (src/core)', r.canonicalJson),
    row('baseline: JSON.stringify(input)', r.baseline),
  ];
  const header = ['per call', 'calls/s', 'µs median', 'µs p99', 'CPU µs', 'target'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const fmtRow = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const k = r.knowledge;
  const out = [
    '',
    `rxledger checker benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), one core used`,
    `rule set ${r.ruleSet.name}; input: ${r.input.items} items, ${r.input.coMedications} co-medications on other prescriptions, ~${fmt(r.input.jsonBytes)} B of JSON; pool of ${POOL}`,
    `findings per check ${r.input.findingsPerCheck} (inputs raising each: ${Object.entries(r.input.findings).map(([id, n]) => `${id} ${n}`).join(', ') || 'none'})`,
    `${r.runCheck.batches} batches of ${BATCH} per row: median and p99 of the batches' wall-clock µs per call; CPU µs of the median batch by CPU time`,
    '',
    fmtRow(header),
    fmtRow(widths.map((w) => '-'.repeat(w))),
    ...rows.map(fmtRow),
    '',
    `runCheck / baseline: ${r.runCheckVsBaseline} by wall-clock time, ${r.runCheckVsBaselineCpu} by CPU time`,
    `knowledge: bundle ${fmt(k.bundleBytes)} B; heap retained ${k.heapRetainedMb} MB (compiled tables ${k.heapCompiledTablesMb} MB) + ${k.arrayBuffersMb} MB of buffers`,
    `           load ${k.loadMs} ms, bundle ${k.bundleMs} ms, compile ${k.compileMs} ms (median of 5)`,
    `load average (1/5/15 min) at start ${r.loadAverage.start.join(' / ')}, at end ${r.loadAverage.end.join(' / ')} on ${cpus().length} CPUs; total ${r.totalSeconds} s`,
    `target: runCheck >= ${fmt(TARGET_CHECKS_PER_SEC)}/s ${r.targets.runCheckPerSec.met ? 'met' : 'MISSED'}`,
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

try {
  main();
} catch (err: unknown) {
  process.stderr.write(`bench-checker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
