/**
 * `npm run bench:audit`: the full audit's rate (`rxledger audit`: every check, every signature,
 * the lifecycle replay and every check re-run, on worker threads) over a realistic ledger of a
 * million entries, against the single-core node:crypto Ed25519 verify rate measured in the same
 * run (before and after the audit: the machine is shared and noisy, so the baseline is their
 * mean). Target: audit rate >= 1.6 x the single-core verify rate on this 2-core machine.
 *
 * The ledger is built once (scripts/lib/synthetic-ledger.ts: the production ledger driven
 * in-process with real signed statements, about 10 minutes for a million entries here) and
 * reused by later runs from the same directory.
 *
 * Options: --entries N (default 1000000), --dir D (default <tmpdir>/rxledger-bench-audit-N),
 * --workers N (default: one per core), --verify-samples N (default 20000), --rebuild.
 * Prints a table, then one JSON line.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { auditLog } from '../src/audit/audit.js';
import { decodeBase64 } from '../src/core/bytes.js';
import { statementSigningBytes, type SignedStatement } from '../src/core/statement.js';
import { openDbLogSource } from '../src/verify/db-log-source.js';
import { buildSyntheticLedger } from './lib/synthetic-ledger.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    dir: { type: 'string' },
    workers: { type: 'string' },
    'verify-samples': { type: 'string', default: '20000' },
    rebuild: { type: 'boolean', default: false },
  },
});
const ENTRIES = Number(values.entries);
const DIR = values.dir ?? join(tmpdir(), `rxledger-bench-audit-${ENTRIES}`);
const WORKERS = values.workers === undefined ? availableParallelism() : Number(values.workers);
const SAMPLES = Number(values['verify-samples']);
const TARGET = 1.6;
/** Bump when the synthetic ledger changes, so an old one is not reused. */
const LEDGER_VERSION = 1;

interface Built {
  readonly version: number;
  readonly entries: number;
  readonly size: number;
  readonly verifierKeys: readonly string[];
  readonly buildSeconds: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function ledger(): Promise<Built> {
  const markerPath = join(DIR, 'bench-audit.json');
  if (!values.rebuild && existsSync(markerPath)) {
    const built = JSON.parse(readFileSync(markerPath, 'utf8')) as Built;
    if (built.version === LEDGER_VERSION && built.entries === ENTRIES) {
      log(`reusing the ledger in ${DIR} (${built.size} entries)`);
      return built;
    }
  }
  rmSync(DIR, { recursive: true, force: true });
  log(`building a ledger of ${ENTRIES} entries in ${DIR} (once; later runs reuse it)`);
  const started = Date.now();
  const result = await buildSyntheticLedger({
    dataDir: DIR,
    entries: ENTRIES,
    onProgress: (size, target) => log(`  ${size}/${target} entries (${Math.round((size * 1000) / (Date.now() - started))}/s)`),
  });
  const built: Built = { version: LEDGER_VERSION, entries: ENTRIES, size: result.size, verifierKeys: result.verifierKeys, buildSeconds: (Date.now() - started) / 1000 };
  writeFileSync(markerPath, JSON.stringify(built));
  return built;
}

/** Real statements from the ledger: signature, signing bytes and the signer's parsed key. */
function verifySamples(dbPath: string): Array<{ signature: Uint8Array; message: Uint8Array; key: KeyObject }> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const keys = new Map<string, KeyObject>();
    for (const row of db.prepare<[], { key_id: string; public_key: Buffer }>('SELECT key_id, public_key FROM registry_keys').all()) {
      keys.set(row.key_id, createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), row.public_key]), format: 'der', type: 'spki' }));
    }
    const rows = db.prepare<[number], { data: Buffer }>("SELECT data FROM entries WHERE idx % 7 = 3 AND CAST(data AS TEXT) LIKE '%\"type\":\"rx.%' LIMIT ?").all(SAMPLES * 2);
    const samples = [];
    for (const { data } of rows) {
      const body = (JSON.parse(data.toString('utf8')) as { body: Partial<SignedStatement> }).body;
      if (body.statement === undefined || body.signature === undefined) continue;
      const key = keys.get(body.statement.keyId);
      if (key === undefined) continue;
      samples.push({ signature: decodeBase64(body.signature), message: statementSigningBytes(body.statement), key });
      if (samples.length === SAMPLES) break;
    }
    return samples;
  } finally {
    db.close();
  }
}

/** Single-core node:crypto Ed25519 verifications per second, keys pre-parsed. */
function verifyRate(samples: ReturnType<typeof verifySamples>): number {
  let valid = 0;
  const start = process.hrtime.bigint();
  for (const s of samples) if (verify(null, s.message, s.key, s.signature)) valid++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (valid !== samples.length) throw new Error('a sampled signature did not verify');
  return samples.length / seconds;
}

const built = await ledger();
const dbPath = join(DIR, 'ledger.sqlite');
const samples = verifySamples(dbPath);
verifyRate(samples.slice(0, 2000)); // warm-up
const loadStart = loadavg();
const verifyBefore = verifyRate(samples);
log(`single-core node:crypto verify: ${Math.round(verifyBefore)}/s; auditing with ${WORKERS} workers…`);
const source = openDbLogSource(dbPath);
let lastShown = 0;
const report = await auditLog(source, {
  trustedKeys: built.verifierKeys,
  workers: WORKERS,
  onProgress: (done, total) => {
    if (done - lastShown >= 100_000 || done === total) {
      lastShown = done;
      log(`  audited ${done}/${total}`);
    }
  },
}).finally(() => source.close?.());
const verifyAfter = verifyRate(samples);
const verifyPerSec = (verifyBefore + verifyAfter) / 2;
const auditPerSec = report.entriesPerSecond;
const ratio = auditPerSec / verifyPerSec;
if (!report.ok) throw new Error(`the audit failed: ${JSON.stringify(report.failures)}`);

const rows: Array<[string, string]> = [
  ['entries audited', String(report.entriesVerified)],
  ['audit duration', `${(report.durationMs / 1000).toFixed(1)} s`],
  ['audit rate', `${auditPerSec}/s (${WORKERS} workers)`],
  ['node:crypto verify, 1 core', `${Math.round(verifyPerSec)}/s (before ${Math.round(verifyBefore)}, after ${Math.round(verifyAfter)})`],
  ['ratio audit / verify', `${ratio.toFixed(2)} (target >= ${TARGET})`],
];
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(28)} ${v}\n`);
process.stdout.write(
  `${JSON.stringify({
    bench: 'audit',
    node: process.version,
    cpus: cpus().length,
    entries: report.entriesVerified,
    entryTypes: report.entryTypes,
    workers: WORKERS,
    auditPerSec,
    auditSeconds: report.durationMs / 1000,
    verifyPerSec: Math.round(verifyPerSec),
    verifyBefore: Math.round(verifyBefore),
    verifyAfter: Math.round(verifyAfter),
    ratio: Number(ratio.toFixed(3)),
    target: TARGET,
    met: ratio >= TARGET,
    buildSeconds: built.buildSeconds,
    loadAverage: { start: loadStart, end: loadavg() },
  })}\n`,
);
