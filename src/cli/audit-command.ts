/**
 * `rxledger audit`: a regulator's full replay of a log from its read API (--url with --actor-key),
 * a database file (--db) or an export bundle (--bundle), against trusted verifier keys (--key).
 * Uses every core, shows progress on a terminal, writes the JSON report to --report (default
 * ./audit-report.json) and prints a human summary naming the first failure of each kind (or the
 * report itself with --json). Exit 0 when everything verifies, 1 on any failure, 2 on a usage error.
 */
import { writeFileSync } from 'node:fs';
import { auditLog, auditReport, formatAuditSummary, type AuditReport } from '../audit/audit.js';
import { RxError } from '../core/errors.js';
import { openBundleLogSource } from '../transfer/bundle-log-source.js';
import type { VerifyFailure } from '../verify/failure-record.js';
import type { LogSource } from '../verify/log-source.js';
import { createProgress } from './progress.js';
import { parseCommandArgs, usageProblem } from './command-args.js';
import { openSource, parseSourceArgs, sourceDescription, SOURCE_OPTIONS } from './log-source-args.js';
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
  const started = Date.now();
  let source: LogSource;
  try {
    source = await openSource(values, openBundleLogSource);
  } catch (err) {
    // A source that cannot be opened (a missing file; a bundle that is not gzip, or is damaged
    // before its first entry) fails the audit like one that fails part-way: the report is written
    // and names the failure by its code, and the exit status is 1.
    return writeReport(unopenedReport(sourceDescription(values), err, started), values, io);
  }
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
  return writeReport(report, values, io);
}

/** Writes the report to --report and the summary (or the report, --json) to stdout; the exit status. */
function writeReport(report: AuditReport, values: { readonly report: string; readonly json: boolean }, io: CommandIo): number {
  try {
    writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
  } catch (err) {
    io.stderr.write(`cannot write the report to ${values.report}: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatAuditSummary(report)}report:      ${values.report}\n`);
  return report.ok ? 0 : 1;
}

/** The report of an audit whose source could not be opened: nothing was read, one failure. */
function unopenedReport(source: string, err: unknown, started: number): AuditReport {
  const failure: VerifyFailure =
    err instanceof RxError
      ? { code: err.code, message: err.message, ...(err.index === undefined ? {} : { index: err.index }), ...(err.paths.length > 0 ? { paths: err.paths } : {}) }
      : // Not one of the sources' own errors (a database file SQLite cannot read, say): still the source.
        { code: 'SOURCE_UNAVAILABLE', message: `cannot open ${source}: ${err instanceof Error ? err.message : String(err)}` };
  // No worker was started.
  return auditReport({ ok: false, source, entriesVerified: 0, failure, failures: [{ first: failure, count: 1 }], entryTypes: {} }, started, Date.now(), 0);
}
