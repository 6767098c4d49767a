/**
 * `rxledger audit`: a regulator's full replay of a log from its read API (--url with --actor-key),
 * a database file (--db) or an export bundle (--bundle), against trusted verifier keys (--key).
 * Uses every core, shows progress on a terminal, writes the JSON report to --report (default
 * ./audit-report.json) and prints a human summary naming the first failure of each kind (or the
 * report itself with --json). Exit 0 when everything verifies, 1 on any failure, 2 on a usage error.
 */
import { writeFileSync } from 'node:fs';
import { auditLog, formatAuditSummary, type AuditReport } from '../audit/audit.js';
import { openBundleLogSource } from '../transfer/bundle-log-source.js';
import { createProgress } from './progress.js';
import { parseCommandArgs, usageProblem } from './command-args.js';
import { openSourceOrSay, parseSourceArgs, SOURCE_OPTIONS } from './log-source-args.js';
import type { CommandIo } from './verify-command.js';

export const AUDIT_USAGE = `usage: rxledger audit (--url URL --actor-key FILE | --db FILE | --bundle FILE) --key VERIFIER_KEY [--key ...]
                      [--origin ORIGIN] [--trusted-checkpoint FILE] [--timestamp-window-ms MS]
                      [--workers N] [--report FILE] [--json]
  --actor-key: a regulator's (or operator's) actor key file, to sign reads of entry content
  --workers:   worker threads for hashing, parsing and signatures (default: one per core; 0: none)
  --report:    where the JSON report goes (default ./audit-report.json)`;

export async function runAudit(args: string[], io: CommandIo): Promise<number> {
  const parsedArgs = parseCommandArgs(
    args,
    {
      ...SOURCE_OPTIONS,
      bundle: { type: 'string' },
      workers: { type: 'string' },
      report: { type: 'string', default: 'audit-report.json' },
      json: { type: 'boolean', default: false },
    },
    AUDIT_USAGE,
    io,
  );
  if ('exit' in parsedArgs) return parsedArgs.exit;
  const { values } = parsedArgs;
  const parsed = parseSourceArgs(values);
  if (!parsed.ok) return usageProblem(parsed.problem, AUDIT_USAGE, io);
  if (values.workers !== undefined && !/^[0-9]{1,3}$/.test(values.workers)) return usageProblem('--workers must be a small non-negative integer', AUDIT_USAGE, io);
  const source = await openSourceOrSay(values, io.stderr, openBundleLogSource);
  if (source === undefined) return 1;
  const progress = createProgress(io.stderr, 'auditing');
  let report: AuditReport;
  try {
    const { ok: _ok, ...trust } = parsed;
    report = await auditLog(source, {
      ...trust,
      ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.finish();
    await source.close?.();
  }
  try {
    writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
  } catch (err) {
    io.stderr.write(`cannot write the report to ${values.report}: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatAuditSummary(report)}report:      ${values.report}\n`);
  return report.ok ? 0 : 1;
}
