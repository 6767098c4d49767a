/**
 * `npm run bench:ledger`: library-level benchmark of the ledger on a real SQLite file.
 *
 * Grows one log through `ledger.append()` (the group-commit path: WAL, synchronous=FULL, one
 * transaction and fsync per batch) to each requested size, and at each size measures inclusion
 * proofs, consistency proofs, root computation, start-up (close + reopen) and RSS after a full GC.
 * Every figure is reported next to a baseline measured in the same run on the same machine (raw
 * SQLite insert rate of same-sized rows, one SHA-256 node hash, one stored-node point lookup), so
 * the ratios stay meaningful on a shared, noisy host.
 *
 * Output: a human-readable table on stdout, then, as the very last line of stdout, one JSON object
 * with every figure. Progress goes to stderr.
 *
 * This is a script, not a test: it asserts nothing and never fails on a time.
 *
 * Options:
 *   --sizes 100000,1000000   log sizes to measure at (ascending; the log grows through each)
 *   --dir DIR                directory for the database files (default: a fresh temp dir)
 *   --keep                   keep the ledger database (otherwise deleted; a temp dir is removed whole)
 *   --concurrency N          appends kept outstanding at once (default 2000)
 *   --proofs N               samples per proof/root measurement (default 2000)
 *   --reopens N              start-up samples per size (default 5)
 *   --seed N                 PRNG seed for the sampled indices and payloads (default 1)
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir, cpus, totalmem, platform, arch, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { openLedger, type Ledger } from '../src/ledger/ledger.js';
import { openDatabase } from '../src/store/database.js';
import { createLedgerStore, type LedgerStore } from '../src/store/ledger-store.js';
import { createSigningKey, type Ed25519NoteSigningKey } from '../src/core/note-keys.js';
import { randomSeed } from '../src/core/ed25519.js';
import { ENTRY_BODY_SCHEMAS, type EntryBodySchemas } from '../src/domain/entry-types.js';
import { canonicalBytes, type JsonObject } from '../src/core/canonical-json.js';
import { hashChildren, hashLeaf } from '../src/core/merkle-hash.js';
import { nodeMerkleHasher } from '../src/platform/node-merkle-hasher.js';
import { mulberry32, requireGc } from './lib/bench-support.js';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '2000' },
    proofs: { type: 'string', default: '2000' },
    reopens: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
  strict: true,
});

function positiveInt(name: string, text: string): number {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return n;
}

const SIZES = args.sizes
  .split(',')
  .map((s) => positiveInt('sizes', s.trim()))
  .sort((a, b) => a - b)
  .filter((s, i, all) => i === 0 || s !== all[i - 1]);
const CONCURRENCY = positiveInt('concurrency', args.concurrency);
const PROOF_SAMPLES = positiveInt('proofs', args.proofs);
const REOPENS = positiveInt('reopens', args.reopens);
const SEED = positiveInt('seed', args.seed);
const ORIGIN = 'bench.rxledger.example/log';

const gc = requireGc('bench:ledger');

// ---------------------------------------------------------------------------------------------
// Helpers: PRNG, timing, statistics
// ---------------------------------------------------------------------------------------------

const random = mulberry32(SEED);
/** Uniform integer in [lo, hi]. */
const randInt = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

const nowNs = (): bigint => process.hrtime.bigint();
const msSince = (start: bigint): number => Number(nowNs() - start) / 1e6;

interface Stats {
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Nearest-rank percentile of an ascending-sorted sample. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? Number.NaN };
}

/** Times `op` once per sample (each call timed on its own), after a short JIT warm-up. */
function sample(count: number, op: () => void, warmup = Math.min(200, count)): Stats {
  for (let i = 0; i < warmup; i++) op();
  const times = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const t = nowNs();
    op();
    times[i] = msSince(t);
  }
  return stats(times);
}

/** Mean time of an operation too short to time alone: `reps` calls per timed block, median block. */
function meanOpMs(reps: number, blocks: number, op: () => void): number {
  for (let i = 0; i < reps; i++) op();
  const perOp: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const t = nowNs();
    for (let i = 0; i < reps; i++) op();
    perOp.push(msSince(t) / reps);
  }
  return stats(perOp).medianMs;
}

const mb = (bytes: number): number => round(bytes / (1024 * 1024), 1);

function round(n: number, digits = 4): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const progress = (text: string): void => {
  process.stderr.write(`[bench] ${text}\n`);
};

// ---------------------------------------------------------------------------------------------
// The benchmark payload: a small prescription event, ~300 bytes of canonical body
// ---------------------------------------------------------------------------------------------

const BenchPayloadSchema = z.strictObject({
  event: z.enum(['issued', 'dispensed', 'partially-dispensed', 'cancelled']),
  prescriptionId: z.string().regex(/^rx-[0-9a-f]{16}$/),
  patientRef: z.string().regex(/^[0-9a-f]{64}$/),
  prescriberId: z.string().min(1).max(32),
  pharmacyId: z.string().min(1).max(32),
  productCode: z.string().min(1).max(32),
  dosage: z.string().min(1).max(64),
  quantity: z.number().int().min(1).max(10_000),
  refillsRemaining: z.number().int().min(0).max(12),
  daysSupply: z.number().int().min(1).max(365),
  issuedOn: z.number().int().min(0),
});

const BENCH_TYPE = 'bench.payload';
const SCHEMAS: EntryBodySchemas = { ...ENTRY_BODY_SCHEMAS, [BENCH_TYPE]: BenchPayloadSchema };

const EVENTS = ['issued', 'dispensed', 'partially-dispensed', 'cancelled'] as const;
const DOSAGES = ['1 tablet twice daily', '2 tablets at night', '5 ml three times daily', '1 patch every 72 hours'];
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0').slice(-width);

function payload(i: number): JsonObject {
  const r = Math.floor(random() * 0xffffffff);
  const patient = `${hex(r, 8)}${hex(i, 8)}`;
  return {
    event: EVENTS[i % EVENTS.length] as string,
    prescriptionId: `rx-${hex(r, 8)}${hex(i, 8)}`,
    patientRef: patient.repeat(4),
    prescriberId: `prescriber-${(r % 50_000).toString().padStart(6, '0')}`,
    pharmacyId: `pharmacy-${(r % 9_000).toString().padStart(5, '0')}`,
    productCode: `ndc-${(r % 99_999).toString().padStart(5, '0')}-${(i % 999).toString().padStart(3, '0')}-01`,
    dosage: DOSAGES[r % DOSAGES.length] as string,
    quantity: 1 + (r % 180),
    refillsRemaining: r % 6,
    daysSupply: 1 + (r % 90),
    issuedOn: 1_735_689_600_000 + (i % 10_000_000) * 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// Opening the ledger (with a thin counting wrapper around the store's write)
// ---------------------------------------------------------------------------------------------

interface CommitCounter {
  commits: number;
  entries: number;
  /** Wall time spent inside LedgerStore.appendBatch: the SQLite transaction including its fsync. */
  storeNs: bigint;
}

interface Opened {
  readonly ledger: Ledger;
  readonly store: LedgerStore;
}

function open(path: string, key: Ed25519NoteSigningKey, counter?: CommitCounter): Opened {
  const db = openDatabase(path);
  const inner = createLedgerStore(db);
  const store: LedgerStore =
    counter === undefined
      ? inner
      : {
          ...inner,
          appendBatch(batch) {
            const t = nowNs();
            inner.appendBatch(batch);
            counter.storeNs += nowNs() - t;
            counter.commits += 1;
            counter.entries += batch.entries.length;
          },
        };
  // The same hasher the service uses (src/service.ts): native SHA-256 on the append path.
  const ledger = openLedger({ store, origin: ORIGIN, signingKeys: [key], entryBodySchemas: SCHEMAS, hasher: nodeMerkleHasher });
  return { ledger, store };
}

/** Appends until the log holds `target` entries, with at most `CONCURRENCY` appends outstanding. */
async function growTo(ledger: Ledger, target: number): Promise<void> {
  const start = ledger.size();
  const total = target - start;
  if (total <= 0) return;
  let submitted = 0;
  let settled = 0;
  let nextReport = Math.ceil((start + 1) / 100_000) * 100_000;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const onDone = (): void => {
      settled += 1;
      const at = start + settled;
      if (at >= nextReport) {
        progress(`  ${at.toLocaleString('en-US')} entries`);
        nextReport += 100_000;
      }
      if (settled === total) resolve();
      else if (submitted < total) submitOne();
    };
    const onFail = (err: unknown): void => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    };
    const submitOne = (): void => {
      const i = start + submitted;
      submitted += 1;
      ledger.append(BENCH_TYPE, payload(i)).then(onDone, onFail);
    };
    while (submitted < Math.min(CONCURRENCY, total)) submitOne();
  });
}

// ---------------------------------------------------------------------------------------------
// Baselines measured in the same run
// ---------------------------------------------------------------------------------------------

interface InsertBaseline {
  /** Rows/s inserting same-sized rows into the ledger's `entries` table in ONE transaction. */
  readonly singleTxInsertRowsPerSec: number;
  readonly rows: number;
}

/**
 * Raw SQLite insert rate of rows the size of an average leaf, into a fresh database opened the
 * same way as the ledger's (WAL, synchronous=FULL, same schema), all in one transaction: the
 * ceiling for anything that stores one row per entry.
 */
function measureInsertBaseline(dir: string, rows: number, rowBytes: number): InsertBaseline {
  const path = join(dir, 'baseline-insert.sqlite');
  removeDb(path);
  const db = openDatabase(path);
  const insert = db.prepare<[number, Uint8Array, Uint8Array]>('INSERT INTO entries (idx, leaf_hash, data) VALUES (?, ?, ?)');
  const hash = new Uint8Array(32).fill(7);
  const blobs = Array.from({ length: 64 }, (_, k) => {
    const b = new Uint8Array(rowBytes);
    for (let j = 0; j < rowBytes; j++) b[j] = 32 + ((j * 7 + k) % 90);
    return b;
  });
  const run = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(i, hash, blobs[i % blobs.length] as Uint8Array);
  });
  const t = nowNs();
  run.immediate(rows);
  const seconds = msSince(t) / 1000;
  db.close();
  removeDb(path);
  return { singleTxInsertRowsPerSec: Math.round(rows / seconds), rows };
}

/** Durable commits/s of one-row transactions: the disk's fsync rate as SQLite sees it. */
function measureCommitBaseline(dir: string, commits: number, rowBytes: number): number {
  const path = join(dir, 'baseline-commit.sqlite');
  removeDb(path);
  const db = openDatabase(path);
  const insert = db.prepare<[number, Uint8Array, Uint8Array]>('INSERT INTO entries (idx, leaf_hash, data) VALUES (?, ?, ?)');
  const blob = new Uint8Array(rowBytes).fill(65);
  const hash = new Uint8Array(32).fill(7);
  const one = db.transaction((i: number) => insert.run(i, hash, blob));
  one.immediate(0);
  const t = nowNs();
  for (let i = 1; i <= commits; i++) one.immediate(i);
  const seconds = msSince(t) / 1000;
  db.close();
  removeDb(path);
  return Math.round(commits / seconds);
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

function dbBytes(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) if (existsSync(path + suffix)) total += statSync(path + suffix).size;
  return total;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

interface SizeResult {
  size: number;
  appendedEntries: number;
  appendSeconds: number;
  appendsPerSec: number;
  commits: number;
  meanEntriesPerCommit: number;
  storeWriteShare: number;
  baselineInsertRowsPerSec: number;
  appendsVsRawInsert: number;
  proofMedianMs: number;
  proofP99Ms: number;
  proofOlderMedianMs: number;
  proofOlderP99Ms: number;
  proofMeanLength: number;
  rootOlderMedianMs: number;
  rootOlderP99Ms: number;
  consistencyMedianMs: number;
  consistencyP99Ms: number;
  pointLookupMedianMs: number;
  proofVsPointLookup: number;
  proofVsSha256: number;
  checkpointPublishMs: number;
  startupMedianMs: number;
  startupMaxMs: number;
  rssMb: number;
  heapUsedMb: number;
  dbMb: number;
}

async function main(): Promise<void> {
  const ownDir = args.dir === undefined;
  const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'rxledger-bench-'));
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, 'ledger.sqlite');
  removeDb(dbPath);
  const started = nowNs();
  const loadAtStart = loadavg().map((l) => round(l, 2));
  progress(`dir ${dir}; sizes ${SIZES.join(', ')}; concurrency ${CONCURRENCY}; proof samples ${PROOF_SAMPLES}`);

  // Per-operation baselines that do not depend on the log.
  const samplePayloadBytes = canonicalBytes(payload(123_456)).length;
  const sampleLeafBytes = canonicalBytes({
    v: 1,
    index: 500_000,
    prev: 'A'.repeat(43) + '=',
    time: Date.now(),
    type: BENCH_TYPE,
    body: payload(123_457),
  }).length;
  const a = hashLeaf(Uint8Array.of(1));
  const b = hashLeaf(Uint8Array.of(2));
  const sha256NodeMs = meanOpMs(2000, 15, () => hashChildren(a, b));
  const commitsPerSec = measureCommitBaseline(dir, 200, sampleLeafBytes);
  progress(`baseline: one SHA-256 node hash ${round(sha256NodeMs * 1000, 2)} µs; single-row durable commits ${commitsPerSec}/s`);

  const key = createSigningKey('bench.rxledger.example', randomSeed());
  const counter: CommitCounter = { commits: 0, entries: 0, storeNs: 0n };
  let { ledger, store } = open(dbPath, key, counter);
  await ledger.recordCheckpointKeys(); // the genesis entry, as in production
  gc();
  const rssAtStartMb = mb(process.memoryUsage().rss);

  const results: SizeResult[] = [];
  for (const size of SIZES) {
    // --- Append segment: grow the log to `size`. ---
    const from = ledger.size();
    const baseline = measureInsertBaseline(dir, Math.min(Math.max(size - from, 10_000), 200_000), sampleLeafBytes);
    progress(`size ${size.toLocaleString('en-US')}: raw insert baseline ${baseline.singleTxInsertRowsPerSec} rows/s; appending ${(size - from).toLocaleString('en-US')}`);
    const before = { ...counter };
    gc();
    const t = nowNs();
    await growTo(ledger, size);
    const appendSeconds = msSince(t) / 1000;
    const appended = ledger.size() - from;
    const commits = counter.commits - before.commits;
    const storeSeconds = Number(counter.storeNs - before.storeNs) / 1e9;
    const appendsPerSec = appended > 0 ? Math.round(appended / appendSeconds) : Number.NaN;
    progress(`  ${appendsPerSec} appends/s over ${round(appendSeconds, 1)} s in ${commits} commits`);

    // --- Checkpoint at this size (what a running server does on its cadence). ---
    let t2 = nowNs();
    ledger.publishCheckpoint();
    const checkpointPublishMs = msSince(t2);

    // --- Reads at this size. ---
    const n = ledger.size();
    gc();
    let hashes = 0;
    const proof = sample(PROOF_SAMPLES, () => {
      hashes += ledger.inclusionProof(randInt(0, n - 1), n).length;
    });
    const proofOlder = sample(PROOF_SAMPLES, () => {
      const s = randInt(1, n);
      ledger.inclusionProof(randInt(0, s - 1), s);
    });
    const rootOlder = sample(PROOF_SAMPLES, () => {
      ledger.root(randInt(1, n));
    });
    const consistency = sample(PROOF_SAMPLES, () => {
      ledger.consistencyProof(randInt(1, n - 1), n);
    });
    const lookup = sample(PROOF_SAMPLES * 5, () => {
      store.readNode(0, randInt(0, n - 1));
    });
    progress(`  proof median ${round(proof.medianMs, 4)} ms; point lookup ${round(lookup.medianMs, 4)} ms`);

    // --- RSS after a full collection, before the reopen churn. ---
    gc();
    const mem = process.memoryUsage();

    // --- Start-up: close, then time openDatabase + createLedgerStore + openLedger. ---
    await ledger.close();
    const startups: number[] = [];
    for (let r = 0; r < REOPENS; r++) {
      gc();
      t2 = nowNs();
      const opened = open(dbPath, key, counter);
      startups.push(msSince(t2));
      if (r < REOPENS - 1) await opened.ledger.close();
      else ({ ledger, store } = opened);
    }
    const startup = stats(startups);
    progress(`  start-up median ${round(startup.medianMs, 2)} ms`);

    results.push({
      size: n,
      appendedEntries: appended,
      appendSeconds: round(appendSeconds, 2),
      appendsPerSec,
      commits,
      meanEntriesPerCommit: commits > 0 ? round(appended / commits, 1) : 0,
      storeWriteShare: round(storeSeconds / appendSeconds, 3),
      baselineInsertRowsPerSec: baseline.singleTxInsertRowsPerSec,
      appendsVsRawInsert: round(appendsPerSec / baseline.singleTxInsertRowsPerSec, 3),
      proofMedianMs: round(proof.medianMs),
      proofP99Ms: round(proof.p99Ms),
      proofOlderMedianMs: round(proofOlder.medianMs),
      proofOlderP99Ms: round(proofOlder.p99Ms),
      proofMeanLength: round(hashes / (PROOF_SAMPLES + Math.min(200, PROOF_SAMPLES)), 1),
      rootOlderMedianMs: round(rootOlder.medianMs),
      rootOlderP99Ms: round(rootOlder.p99Ms),
      consistencyMedianMs: round(consistency.medianMs),
      consistencyP99Ms: round(consistency.p99Ms),
      pointLookupMedianMs: round(lookup.medianMs, 5),
      proofVsPointLookup: round(proof.medianMs / lookup.medianMs, 1),
      proofVsSha256: round(proof.medianMs / sha256NodeMs, 1),
      checkpointPublishMs: round(checkpointPublishMs, 2),
      startupMedianMs: round(startup.medianMs, 2),
      startupMaxMs: round(startup.maxMs, 2),
      rssMb: mb(mem.rss),
      heapUsedMb: mb(mem.heapUsed),
      dbMb: mb(dbBytes(dbPath)),
    });
  }
  await ledger.close();
  const peakRssMb = round(process.resourceUsage().maxRSS / 1024, 1);
  const loadAtEnd = loadavg().map((l) => round(l, 2));
  const totalSeconds = round(msSince(started) / 1000, 1);
  if (!args.keep) {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    else removeDb(dbPath);
  }

  // --- Targets. ---
  const at1M = results.find((r) => r.size === 1_000_000);
  const first = results[0] as SizeResult;
  const last = results[results.length - 1] as SizeResult;
  const rssGrowth = last.rssMb / first.rssMb - 1;
  const targets = {
    appendsPerSec: { target: '>= 20000 at every size', met: results.every((r) => r.appendsPerSec >= 20_000) },
    proofMedianAt1M: { target: '<= 0.2 ms', value: at1M?.proofMedianMs ?? null, met: at1M === undefined ? null : at1M.proofMedianMs <= 0.2 },
    startupAt1M: { target: '<= 1000 ms', value: at1M?.startupMedianMs ?? null, met: at1M === undefined ? null : at1M.startupMedianMs <= 1000 },
    rssFlat: {
      target: `RSS at the largest size within 25% of the smallest (log grows ${round(last.size / first.size, 1)}x)`,
      growth: round(rssGrowth, 3),
      met: results.length < 2 ? null : rssGrowth <= 0.25,
    },
  };

  printTable(
    results,
    { sha256NodeMs, commitsPerSec, rssAtStartMb, peakRssMb, totalSeconds, samplePayloadBytes, sampleLeafBytes, loadAtStart, loadAtEnd },
    targets,
  );

  const report = {
    bench: 'ledger',
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryMb: mb(totalmem()),
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    options: { sizes: SIZES, concurrency: CONCURRENCY, proofSamples: PROOF_SAMPLES, reopens: REOPENS, seed: SEED },
    payloadBytes: samplePayloadBytes,
    leafBytes: sampleLeafBytes,
    sizes: results,
    baseline: {
      sha256NodeHashMs: round(sha256NodeMs, 6),
      singleRowDurableCommitsPerSec: commitsPerSec,
      singleTxInsertRowsPerSec: results.map((r) => r.baselineInsertRowsPerSec),
    },
    rssAtStartMb,
    peakRssMb,
    targets,
    totalSeconds,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function printTable(
  results: readonly SizeResult[],
  extra: {
    sha256NodeMs: number;
    commitsPerSec: number;
    rssAtStartMb: number;
    peakRssMb: number;
    totalSeconds: number;
    samplePayloadBytes: number;
    sampleLeafBytes: number;
    loadAtStart: number[];
    loadAtEnd: number[];
  },
  targets: Record<string, { met: boolean | null }>,
): void {
  const fmt = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : String(n));
  const rows: Array<[string, (r: SizeResult) => string, string]> = [
    ['durable appends/s (group commit)', (r) => fmt(r.appendsPerSec), '>= 20,000'],
    ['  baseline: raw 1-tx insert rows/s', (r) => fmt(r.baselineInsertRowsPerSec), ''],
    ['  appends / raw insert', (r) => fmt(r.appendsVsRawInsert), ''],
    ['  commits (fsyncs) in segment', (r) => fmt(r.commits), ''],
    ['  mean entries per commit', (r) => fmt(r.meanEntriesPerCommit), ''],
    ['  share of time in SQLite write', (r) => fmt(r.storeWriteShare), ''],
    ['inclusion proof median ms', (r) => fmt(r.proofMedianMs), '<= 0.2 @1M'],
    ['inclusion proof p99 ms', (r) => fmt(r.proofP99Ms), ''],
    ['  at random older size: median', (r) => fmt(r.proofOlderMedianMs), ''],
    ['  at random older size: p99', (r) => fmt(r.proofOlderP99Ms), ''],
    ['  hashes in a proof (mean)', (r) => fmt(r.proofMeanLength), ''],
    ['  baseline: point lookup median ms', (r) => fmt(r.pointLookupMedianMs), ''],
    ['  proof / point lookup', (r) => fmt(r.proofVsPointLookup), ''],
    ['  proof / one SHA-256 node hash', (r) => fmt(r.proofVsSha256), ''],
    ['root at random older size median ms', (r) => fmt(r.rootOlderMedianMs), ''],
    ['consistency proof (rand -> size) med ms', (r) => fmt(r.consistencyMedianMs), ''],
    ['checkpoint publish ms', (r) => fmt(r.checkpointPublishMs), ''],
    ['start-up median ms', (r) => fmt(r.startupMedianMs), '<= 1000 @1M'],
    ['start-up max ms', (r) => fmt(r.startupMaxMs), ''],
    ['RSS after GC MB', (r) => fmt(r.rssMb), 'flat'],
    ['heap used after GC MB', (r) => fmt(r.heapUsedMb), ''],
    ['database file MB', (r) => fmt(r.dbMb), ''],
  ];
  const header = ['metric', ...results.map((r) => `${r.size.toLocaleString('en-US')}`), 'target'];
  const body = rows.map(([label, get, target]) => [label, ...results.map(get), target]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => (row[c] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ');
  const out: string[] = [];
  out.push('');
  out.push(`rxledger ledger benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'})`);
  out.push(`payload ~${extra.samplePayloadBytes} B canonical body, ~${extra.sampleLeafBytes} B leaf; concurrency ${CONCURRENCY}; ${PROOF_SAMPLES} samples per read figure`);
  out.push('');
  out.push(line(header));
  out.push(line(header.map((_, c) => '-'.repeat(widths[c] as number))));
  for (const row of body) out.push(line(row));
  out.push('');
  out.push(`baseline: one SHA-256 node hash ${round(extra.sha256NodeMs * 1000, 2)} µs; single-row durable commits ${extra.commitsPerSec.toLocaleString('en-US')}/s`);
  out.push(`load average (1/5/15 min) at start ${extra.loadAtStart.join(' / ')}, at end ${extra.loadAtEnd.join(' / ')} on ${cpus().length} CPUs`);
  out.push(`RSS after genesis ${extra.rssAtStartMb} MB; peak RSS ${extra.peakRssMb} MB; total ${extra.totalSeconds} s`);
  const verdict = (m: boolean | null): string => (m === null ? 'n/a' : m ? 'met' : 'MISSED');
  out.push(
    `targets: appends ${verdict(targets.appendsPerSec?.met ?? null)}; proof@1M ${verdict(targets.proofMedianAt1M?.met ?? null)}; ` +
      `start-up@1M ${verdict(targets.startupAt1M?.met ?? null)}; RSS flat ${verdict(targets.rssFlat?.met ?? null)}`,
  );
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-ledger failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
