/**
 * `rxledger verify`: checks a log from its read API (--url) or its database file (--db) against
 * trusted verifier keys (--key, repeatable). Exit 0 when everything verifies, 1 on any failure,
 * 2 on a usage error. `--json` prints the report as JSON.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDbLogSource } from '../verify/db-log-source.js';
import { createHttpLogSource } from '../verify/http-log-source.js';
import { verifyLog, type VerifyReport } from '../verify/log-verifier.js';
import type { LogSource } from '../verify/log-source.js';
import { createProgress } from './progress.js';
import { readActorKey } from '../keys/actor-key-file.js';
import { createReadSigner } from '../client/read-signer.js';
import { nodeMerkleHasher } from '../platform/node-merkle-hasher.js';
import { createNodeEd25519Verifier } from '../platform/node-ed25519.js';

export const VERIFY_USAGE = `usage: rxledger verify (--url URL --actor-key FILE | --db FILE) --key VERIFIER_KEY [--key ...]
                       [--origin ORIGIN] [--trusted-checkpoint FILE] [--timestamp-window-ms MS] [--json]
  --actor-key: the auditor's actor key file (a regulator's), to sign reads of entry content`;

export interface CommandIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

export async function runVerify(args: string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        url: { type: 'string' },
        db: { type: 'string' },
        key: { type: 'string', multiple: true },
        origin: { type: 'string' },
        'actor-key': { type: 'string' },
        'timestamp-window-ms': { type: 'string' },
        'trusted-checkpoint': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${VERIFY_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${VERIFY_USAGE}\n`);
    return 0;
  }
  if ((values.url === undefined) === (values.db === undefined) || (values.key ?? []).length === 0) {
    io.stderr.write(`${VERIFY_USAGE}\n`);
    return 2;
  }
  const windowMs = values['timestamp-window-ms'];
  if (windowMs !== undefined && !/^[1-9][0-9]{0,9}$/.test(windowMs)) {
    io.stderr.write(`--timestamp-window-ms must be a positive integer\n${VERIFY_USAGE}\n`);
    return 2;
  }
  let previousCheckpoint: string | undefined;
  if (values['trusted-checkpoint'] !== undefined) {
    try {
      previousCheckpoint = readFileSync(values['trusted-checkpoint'], 'utf8');
    } catch {
      io.stderr.write(`cannot read ${values['trusted-checkpoint']}\n`);
      return 2;
    }
  }
  let source: LogSource;
  try {
    const reader = values['actor-key'] === undefined ? undefined : readActorKey(values['actor-key']);
    source =
      values.url !== undefined
        ? createHttpLogSource(values.url, reader === undefined ? {} : { signRead: createReadSigner({ seed: reader.seed }) })
        : openDbLogSource(values.db as string);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  const progress = createProgress(io.stderr, 'verifying');
  const signatures = createNodeEd25519Verifier();
  let report: VerifyReport;
  try {
    report = await verifyLog(source, {
      trustedKeys: values.key ?? [],
      hasher: nodeMerkleHasher,
      ...(values['timestamp-window-ms'] === undefined ? {} : { timestampWindowMs: Number(values['timestamp-window-ms']) }),
      verifySignature: (sig, msg, pub) => signatures.verify(sig, msg, pub),
      ...(values.origin === undefined ? {} : { origin: values.origin }),
      ...(previousCheckpoint === undefined ? {} : { previousCheckpoint }),
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.finish();
    await source.close?.();
  }
  io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
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
