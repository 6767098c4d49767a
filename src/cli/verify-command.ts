/**
 * `rxledger verify`: checks a log from its read API (--url) or its database file (--db) against
 * trusted verifier keys (--key, repeatable). Exit 0 when everything verifies, 1 on any failure,
 * 2 on a usage error. `--json` prints the report as JSON.
 */
import { verifyLog, type VerifyReport } from '../verify/log-verifier.js';
import { createProgress } from './progress.js';
import { parseCommandArgs, usageProblem } from './command-args.js';
import { openSourceOrSay, parseSourceArgs, SOURCE_OPTIONS } from './log-source-args.js';
import { nodeMerkleHasher } from '../platform/node-merkle-hasher.js';
import { createNodeEd25519Verifier } from '../platform/node-ed25519.js';
import { witnessPolicyFrom } from './monitor-command.js';
import { checkWitnesses, type WitnessCheck } from '../witness/witness-check.js';
import { createLedgerClient } from '../client/ledger-client.js';

export const VERIFY_USAGE = `usage: rxledger verify (--url URL --actor-key FILE | --db FILE) --key VERIFIER_KEY [--key ...]
                       [--origin ORIGIN] [--trusted-checkpoint FILE] [--timestamp-window-ms MS] [--json]
                       [--witness WITNESS_KEY ... [--witness-threshold K]]   (with --url: K of the witnesses cosigned a consistent checkpoint)
  --actor-key: the auditor's actor key file (a regulator's), to sign reads of entry content`;

export interface CommandIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

export async function runVerify(args: string[], io: CommandIo): Promise<number> {
  const parsedArgs = parseCommandArgs(
    args,
    {
      ...SOURCE_OPTIONS,
      witness: { type: 'string', multiple: true },
      'witness-threshold': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    VERIFY_USAGE,
    io,
  );
  if ('exit' in parsedArgs) return parsedArgs.exit;
  const { values } = parsedArgs;
  const parsed = parseSourceArgs(values);
  if (!parsed.ok) return usageProblem(parsed.problem, VERIFY_USAGE, io);
  let witnessPolicy;
  try {
    witnessPolicy = witnessPolicyFrom(values.witness, values['witness-threshold']);
    if (witnessPolicy !== undefined && values.url === undefined) throw new Error('--witness needs --url: cosignatures are read from the ledger');
  } catch (err) {
    return usageProblem((err as Error).message, VERIFY_USAGE, io);
  }
  const source = await openSourceOrSay(values, io.stderr);
  if (source === undefined) return 1;
  const progress = createProgress(io.stderr, 'verifying');
  const signatures = createNodeEd25519Verifier();
  let report: VerifyReport;
  try {
    const { ok: _ok, ...trust } = parsed;
    report = await verifyLog(source, {
      ...trust,
      hasher: nodeMerkleHasher,
      verifySignature: (sig, msg, pub) => signatures.verify(sig, msg, pub),
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.finish();
    await source.close?.();
  }
  let witnesses: WitnessCheck | undefined;
  if (witnessPolicy !== undefined && report.ok && report.checkpointSize !== undefined && report.rootHash !== undefined) {
    witnesses = await checkWitnesses({ source: createLedgerClient(values.url as string), logKeys: values.key ?? [], policy: witnessPolicy, verified: { size: report.checkpointSize, rootHash: report.rootHash }, nowSeconds: Math.floor(Date.now() / 1000) });
  }
  const ok = report.ok && (witnessPolicy === undefined || witnesses?.ok === true);
  io.stdout.write(values.json ? `${JSON.stringify(witnesses === undefined ? report : { ...report, ok, witnesses })}\n` : formatReport(report) + (witnesses === undefined ? '' : formatWitnessCheck(witnesses)));
  return ok ? 0 : 1;
}

export function formatWitnessCheck(w: WitnessCheck): string {
  if (w.ok) return `witnesses:  ${w.witnessedBy?.length} of the required ${w.threshold} cosigned size ${w.size} (${w.witnessedBy?.map((x) => x.name).join(', ')}): OK\n`;
  return `witnesses:  FAILED: ${w.failure?.code} — ${w.failure?.message}\n`;
}

export function formatReport(r: VerifyReport): string {
  const lines = [`source:     ${r.source}`];
  if (r.origin !== undefined) lines.push(`origin:     ${r.origin}`);
  if (r.checkpointSize !== undefined) lines.push(`checkpoint: size ${r.checkpointSize}, root ${r.rootHash}`);
  if (r.logSize !== undefined) lines.push(`log size:   ${r.logSize}`);
  lines.push(`verified:   ${r.entriesVerified} entries`);
  if (r.ok) lines.push('result:     OK');
  else {
    const f = r.failure;
    const at = f?.index === undefined ? '' : ` at index ${f.index}`;
    lines.push(`result:     FAILED${at}: ${f?.code} — ${f?.message}`);
  }
  return `${lines.join('\n')}\n`;
}
