/**
 * `rxledger monitor`: follows a log's checkpoints (docs/WITNESS.md). Exit 0 when stopped (SIGINT,
 * SIGTERM) or, with --once, when the check passed; 1 on a split view, inconsistent proof or
 * rollback, with an evidence file written; 2 on a usage error; 3 when --once could not verify
 * (log unreachable, bad signature, too few cosignatures). `--check-evidence FILE` checks an
 * evidence file against the given log keys instead (exit 0 when it shows a conflict, 1 if not).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createLedgerClient } from '../client/ledger-client.js';
import { parseCosignerVerifierKey } from '../core/cosignature.js';
import { isRxError } from '../core/errors.js';
import { parseVerifierKey } from '../core/note-keys.js';
import { assertWitnessPolicy, type WitnessPolicy } from '../core/witness-quorum.js';
import { checkEvidence, parseEvidence } from '../monitor/evidence.js';
import { followLoop } from '../monitor/follow-loop.js';
import { createMonitor, type MonitorReport } from '../monitor/monitor.js';
import { acquireDataDirLock } from '../store/data-dir-lock.js';
import { parseCommandArgs } from './command-args.js';
import type { CommandIo } from './verify-command.js';

export const MONITOR_USAGE = `usage: rxledger monitor --url URL --key VERIFIER_KEY [--key ...] --state-dir DIR
                        [--witness WITNESS_KEY ... --witness-threshold K] [--interval-ms MS] [--once] [--json]
       rxledger monitor --check-evidence FILE --key VERIFIER_KEY [--key ...] [--json]
  --key:               the log's checkpoint verifier key(s), obtained out of band
  --state-dir:         where the last verified checkpoint and any evidence are kept (one log per directory)
  --witness:           a trusted witness's cosigner key; with --witness-threshold K, follow only
                       checkpoints cosigned by K of them (default K: all given)
  --interval-ms:       time between checks (default 10000)
  --once:              check once and exit`;

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly clock?: () => number;
}

/** Parses --witness/--witness-threshold; undefined when no witness is given. Throws RxError on bad input. */
export function witnessPolicyFrom(witnesses: readonly string[] | undefined, threshold: string | undefined): WitnessPolicy | undefined {
  if ((witnesses ?? []).length === 0) {
    if (threshold !== undefined) throw new Error('--witness-threshold needs --witness');
    return undefined;
  }
  const keys = (witnesses ?? []).map(parseCosignerVerifierKey);
  if (threshold !== undefined && !/^[1-9][0-9]{0,3}$/.test(threshold)) throw new Error('--witness-threshold must be a positive integer');
  const policy = { witnesses: keys, threshold: threshold === undefined ? new Set(witnesses).size : Number(threshold) };
  assertWitnessPolicy(policy);
  return policy;
}

function describeError(err: unknown): { code: string; message: string } {
  return isRxError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: (err as Error).message };
}

export function formatMonitorReport(r: MonitorReport): string {
  const from = r.previousSize === undefined ? '' : ` (from ${r.previousSize})`;
  if (r.status === 'conflict') return `CONFLICT ${r.conflict}: ${r.origin} served size ${r.size}, root ${r.rootHash}${from}\nevidence:  ${r.evidencePath}\n`;
  const witnesses = r.witnesses === undefined ? '' : `, cosigned by ${r.witnesses.map((w) => w.name).join(', ')}`;
  return `${r.status.padEnd(9)} ${r.origin} size ${r.size}, root ${r.rootHash}${from}${witnesses}\n`;
}

function runCheckEvidence(file: string, keys: readonly string[], json: boolean, io: CommandIo): number {
  try {
    const finding = checkEvidence(parseEvidence(readFileSync(file, 'utf8')), keys);
    io.stdout.write(json ? `${JSON.stringify({ ok: true, ...finding })}\n` : `${finding.kind}: ${finding.explanation}\nconclusive: ${finding.conclusive ? 'yes (the two signed checkpoints suffice)' : 'no (ask the log for a consistency proof, see docs/FORMAT.md §12.5)'}\n`);
    return 0;
  } catch (err) {
    const e = describeError(err);
    io.stdout.write(json ? `${JSON.stringify({ ok: false, error: e })}\n` : `not established: ${e.code} — ${e.message}\n`);
    return 1;
  }
}

export async function runMonitor(args: string[], io: CommandIo, run: RunOptions = {}): Promise<number> {
  const parsedArgs = parseCommandArgs(
    args,
    {
    url: { type: 'string' },
    key: { type: 'string', multiple: true },
    'state-dir': { type: 'string' },
    witness: { type: 'string', multiple: true },
    'witness-threshold': { type: 'string' },
    'interval-ms': { type: 'string', default: '10000' },
    once: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'check-evidence': { type: 'string' },
    },
    MONITOR_USAGE,
    io,
  );
  if ('exit' in parsedArgs) return parsedArgs.exit;
  const { values } = parsedArgs;
  const keys = values.key ?? [];
  let policy: WitnessPolicy | undefined;
  try {
    if (keys.length === 0) throw new Error('give the log verifier key(s) with --key');
    keys.forEach(parseVerifierKey);
    if (values['check-evidence'] !== undefined) return runCheckEvidence(values['check-evidence'], keys, values.json, io);
    if (values.url === undefined || values['state-dir'] === undefined) throw new Error('--url and --state-dir are required');
    if (!/^[1-9][0-9]{0,8}$/.test(values['interval-ms'])) throw new Error('--interval-ms must be a positive integer');
    policy = witnessPolicyFrom(values.witness, values['witness-threshold']);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${MONITOR_USAGE}\n`);
    return 2;
  }
  const stateDir = values['state-dir'];
  let lock;
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    lock = acquireDataDirLock(stateDir);
  } catch (err) {
    io.stderr.write(`${describeError(err).message}\n`);
    return 3;
  }
  try {
    const monitor = createMonitor({
      source: createLedgerClient(values.url),
      sourceName: values.url,
      logKeys: keys,
      stateDir,
      ...(policy === undefined ? {} : { witnessPolicy: policy }),
      ...(run.clock === undefined ? {} : { clock: run.clock }),
    });
    const end = await followLoop({
      step: () => monitor.check(),
      intervalMs: Number(values['interval-ms']),
      once: values.once,
      ...(run.signal === undefined ? {} : { signal: run.signal }),
      onReport: (r) => (r.status === 'conflict' && !values.json ? io.stderr : io.stdout).write(values.json ? `${JSON.stringify(r)}\n` : formatMonitorReport(r)),
      onError: (err) => {
        const e = describeError(err);
        io.stderr.write(values.json ? `${JSON.stringify({ status: 'error', error: e })}\n` : `error     ${e.code} — ${e.message}\n`);
      },
    });
    return end === 'conflict' ? 1 : end === 'failed' ? 3 : 0;
  } finally {
    lock.release();
  }
}
