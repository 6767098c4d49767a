/**
 * A regulator's full audit of a log: everything the verifier checks (src/verify/log-verifier.ts:
 * canonical bytes, the hash chain, the Merkle tree against every signed checkpoint, stored tree
 * nodes, every actor signature against the registry as it stood at that index, the lifecycle
 * state machine, every check result re-run against its recorded rule set, the source's derived
 * state tables against the replay), on every core, going
 * on past failures so the report names where each kind of problem first shows and how often it
 * occurs.
 */
import { availableParallelism } from 'node:os';
import { nodeMerkleHasher } from '../platform/node-merkle-hasher.js';
import { createNodeEd25519Verifier } from '../platform/node-ed25519.js';
import { nodeSha256 } from '../platform/node-sha256.js';
import { verifyLog, type VerifyOptions, type VerifyReport } from '../verify/log-verifier.js';
import { createPreflightPool, inlinePreflight, type PreflightRunner } from '../verify/preflight-pool.js';
import type { LogSource } from '../verify/log-source.js';

export const AUDIT_REPORT_FORMAT = 'rxledger-audit-report/v1';

/** What an audit checks, in the order it checks it; the report lists these. */
export const AUDIT_CHECKS = [
  'the latest checkpoint is signed by a trusted key and names the expected origin',
  'every stored checkpoint is signed by a trusted key or one the log announced, and its root is reproduced',
  'a trusted earlier checkpoint, if given, is consistent with the latest one',
  'every entry is canonical RFC 8785 JSON of a version 1 envelope at its own index',
  'every entry links to the leaf hash of the one before it, and time never goes back',
  'every body matches its entry type’s schema',
  'every actor statement is signed by a key registered, valid and unrevoked at that index, its actor active and allowed the action, its nonce unspent',
  'every prescription step is a legal transition of the lifecycle state machine',
  'every check result is reproduced by re-running the check with the rule set it names',
  'every stored tree node equals its recomputation',
  'the derived state the source claims (registry, statements and nonces, prescriptions, traceability codes, rule-set activations, log state) equals the replay, record by record',
] as const;

export interface AuditOptions extends Omit<VerifyOptions, 'failureMode' | 'preflight' | 'hasher' | 'verifySignature'> {
  /** Worker threads for preflight; default: one per core. 0 runs everything on the calling thread. */
  readonly workers?: number;
  readonly clock?: () => number;
}

export interface AuditReport extends VerifyReport {
  readonly format: typeof AUDIT_REPORT_FORMAT;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Entries audited per second, wall clock. */
  readonly entriesPerSecond: number;
  readonly workers: number;
  readonly checks: readonly string[];
}

export async function auditLog(source: LogSource, options: AuditOptions): Promise<AuditReport> {
  const clock = options.clock ?? Date.now;
  const workers = options.workers ?? availableParallelism();
  const signatures = createNodeEd25519Verifier();
  const verifySignature = (s: Uint8Array, m: Uint8Array, k: Uint8Array) => signatures.verify(s, m, k);
  const fallback = { hasher: nodeMerkleHasher, verifySignature, sha256: nodeSha256 };
  const started = clock();
  let preflight: PreflightRunner;
  try {
    preflight = workers > 0 ? await createPreflightPool(workers, fallback) : inlinePreflight(fallback);
  } catch {
    preflight = inlinePreflight(fallback); // no worker could start: slower, same verdict
  }
  try {
    const report = await verifyLog(source, { ...options, failureMode: 'each-kind', preflight, hasher: nodeMerkleHasher, verifySignature });
    return auditReport(report, started, clock(), workers);
  } finally {
    await preflight.close();
  }
}

/** The audit report of a verification that ran from `started` to `finished` (ms) on `workers` threads. */
export function auditReport(report: VerifyReport, started: number, finished: number, workers: number): AuditReport {
  const durationMs = Math.max(finished - started, 1);
  return {
    format: AUDIT_REPORT_FORMAT,
    ...report,
    startedAt: new Date(started).toISOString(),
    durationMs,
    entriesPerSecond: Math.round((report.entriesVerified * 1000) / durationMs),
    workers,
    checks: AUDIT_CHECKS,
  };
}

/** The human summary: what was audited, and the first failure of each kind. */
export function formatAuditSummary(r: AuditReport): string {
  const lines = [`source:      ${r.source}`];
  if (r.origin !== undefined) lines.push(`origin:      ${r.origin}`);
  if (r.checkpointSize !== undefined) lines.push(`checkpoint:  size ${r.checkpointSize}, root ${r.rootHash}`);
  if (r.logSize !== undefined) lines.push(`log size:    ${r.logSize}`);
  lines.push(`audited:     ${r.entriesVerified} entries in ${(r.durationMs / 1000).toFixed(1)} s (${r.entriesPerSecond}/s, ${r.workers} worker${r.workers === 1 ? '' : 's'})`);
  const types = Object.entries(r.entryTypes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (types.length > 0) lines.push(`entry types: ${types.map(([t, n]) => `${t} ${n}`).join(', ')}`);
  if (r.ok) {
    lines.push('result:      OK — every check passed');
  } else {
    const kinds = r.failures ?? (r.failure ? [{ first: r.failure, count: 1 }] : []);
    lines.push(`result:      FAILED — ${kinds.length} kind${kinds.length === 1 ? '' : 's'} of failure`);
    for (const { first, count } of kinds) {
      const at = first.index === undefined ? '' : ` first at index ${first.index}`;
      const paths = first.paths && first.paths.length > 0 ? ` [${first.paths.slice(0, 3).join(', ')}]` : '';
      lines.push(`  ${first.code} ×${count}${at}: ${first.message}${paths}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
