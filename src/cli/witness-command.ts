/**
 * `rxledger witness`: a regulator's witness process (docs/WITNESS.md).
 *   rxledger witness --init --name NAME --state-dir DIR     create the witness key (mode 0600), print its vkey
 *   rxledger witness --show-key --state-dir DIR             print the vkey again
 *   rxledger witness --url URL --key LOG_KEY ... --state-dir DIR [--interval-ms MS] [--once] [--json]
 * Exit codes as `rxledger monitor`: 0 stopped or (--once) cosigned and submitted; 1 conflict,
 * evidence written, nothing cosigned; 2 usage; 3 (--once) could not verify, cosign or submit.
 */
import { mkdirSync } from 'node:fs';
import { createLedgerClient } from '../client/ledger-client.js';
import { formatCosignerVerifierKey } from '../core/cosignature.js';
import { randomSeed } from '../core/ed25519.js';
import { isRxError } from '../core/errors.js';
import { isValidKeyName, parseVerifierKey } from '../core/note-keys.js';
import { followLoop } from '../monitor/follow-loop.js';
import { acquireDataDirLock } from '../store/data-dir-lock.js';
import { createWitness, type WitnessReport } from '../witness/witness.js';
import { createWitnessKeyFile, readWitnessKey } from '../witness/witness-key-file.js';
import type { RunOptions } from './monitor-command.js';
import { parseCommandArgs } from './command-args.js';
import type { CommandIo } from './verify-command.js';

export const WITNESS_USAGE = `usage: rxledger witness --init --name NAME --state-dir DIR
       rxledger witness --show-key --state-dir DIR
       rxledger witness --url URL --key LOG_VERIFIER_KEY [--key ...] --state-dir DIR [--interval-ms MS] [--once] [--json]
  --name:        the witness's key name, a schema-less URL such as witness.nhc.example/w1
  --key:         the log's checkpoint verifier key(s), obtained out of band
  --state-dir:   the witness key, the last cosigned checkpoint and any evidence (one log per directory)
  --interval-ms: time between rounds (default 10000)`;

function describeError(err: unknown): { code: string; message: string } {
  return isRxError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: (err as Error).message };
}

export function formatWitnessReport(r: WitnessReport): string {
  const from = r.previousSize === undefined ? '' : ` (from ${r.previousSize})`;
  if (r.status === 'conflict') return `CONFLICT ${r.conflict}: ${r.origin} served size ${r.size}, root ${r.rootHash}${from}; nothing cosigned\nevidence:  ${r.evidencePath}\n`;
  const submitted = r.submitError !== undefined ? `submission failed: ${r.submitError.code}` : r.submitted ? 'submitted' : 'already held by the ledger';
  return `cosigned  ${r.origin} size ${r.size}, root ${r.rootHash}${from} at ${r.timestamp}; ${submitted}\n`;
}

export async function runWitness(args: string[], io: CommandIo, run: RunOptions = {}): Promise<number> {
  const parsedArgs = parseCommandArgs(
    args,
    {
    init: { type: 'boolean', default: false },
    'show-key': { type: 'boolean', default: false },
    name: { type: 'string' },
    url: { type: 'string' },
    key: { type: 'string', multiple: true },
    'state-dir': { type: 'string' },
    'interval-ms': { type: 'string', default: '10000' },
    once: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    },
    WITNESS_USAGE,
    io,
  );
  if ('exit' in parsedArgs) return parsedArgs.exit;
  const { values } = parsedArgs;
  const stateDir = values['state-dir'];
  const usage = (message: string): number => {
    io.stderr.write(`${message}\n${WITNESS_USAGE}\n`);
    return 2;
  };
  if (stateDir === undefined) return usage('--state-dir is required');
  if (values.init) {
    if (values.name === undefined || !isValidKeyName(values.name)) return usage('--init needs --name: non-empty, no spaces, no "+"');
    try {
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      const { key, path } = createWitnessKeyFile(stateDir, values.name, randomSeed());
      const vkey = formatCosignerVerifierKey(key);
      io.stdout.write(values.json ? `${JSON.stringify({ keyFile: path, verifierKey: vkey })}\n` : `witness key: ${path} (mode 0600)\nverifier key (give it to the ledger's WITNESS_KEYS and to verifiers):\n${vkey}\n`);
      return 0;
    } catch (err) {
      io.stderr.write(`${describeError(err).message}\n`);
      return 3;
    }
  }
  if (values['show-key']) {
    try {
      io.stdout.write(`${formatCosignerVerifierKey(readWitnessKey(stateDir))}\n`);
      return 0;
    } catch (err) {
      io.stderr.write(`${describeError(err).message}\n`);
      return 3;
    }
  }
  const keys = values.key ?? [];
  try {
    if (values.url === undefined || keys.length === 0) throw new Error('--url and --key are required');
    keys.forEach(parseVerifierKey);
    if (!/^[1-9][0-9]{0,8}$/.test(values['interval-ms'])) throw new Error('--interval-ms must be a positive integer');
  } catch (err) {
    return usage((err as Error).message);
  }
  let lock;
  let key;
  try {
    key = readWitnessKey(stateDir);
    lock = acquireDataDirLock(stateDir);
  } catch (err) {
    io.stderr.write(`${describeError(err).message}\n`);
    return 3;
  }
  try {
    const witness = createWitness({ source: createLedgerClient(values.url), sourceName: values.url, logKeys: keys, key, stateDir, ...(run.clock === undefined ? {} : { clock: run.clock }) });
    let submitFailed = false;
    const end = await followLoop({
      step: () => witness.cosign(),
      intervalMs: Number(values['interval-ms']),
      once: values.once,
      ...(run.signal === undefined ? {} : { signal: run.signal }),
      onReport: (r) => {
        submitFailed = r.submitError !== undefined;
        (r.status === 'conflict' && !values.json ? io.stderr : io.stdout).write(values.json ? `${JSON.stringify(r)}\n` : formatWitnessReport(r));
      },
      onError: (err) => {
        const e = describeError(err);
        io.stderr.write(values.json ? `${JSON.stringify({ status: 'error', error: e })}\n` : `error     ${e.code} — ${e.message}\n`);
      },
    });
    if (end === 'conflict') return 1;
    if (end === 'failed' || (end === 'done' && submitFailed)) return 3;
    return 0;
  } finally {
    lock.release();
  }
}
