/**
 * `rxledger export`: audits a log from its read API (--url with --actor-key) or database file
 * (--db) and writes it, with its checkpoints, rule sets and registry, to an export bundle (--out)
 * that an auditor verifies offline with `rxledger audit --bundle`. Exit 0 when the log verified
 * and the bundle is written, 1 when it did not verify (the bundle is still written, as evidence)
 * or could not be written, 2 on a usage error.
 */
import { formatAuditSummary } from '../audit/audit.js';
import { exportLog } from '../transfer/export-log.js';
import { createProgress } from './progress.js';
import { parseCommandArgs, usageProblem } from './command-args.js';
import { openSourceOrSay, parseSourceArgs, SOURCE_OPTIONS } from './log-source-args.js';
import type { CommandIo } from './verify-command.js';
import { RxError } from '../core/errors.js';

export const EXPORT_USAGE = `usage: rxledger export (--url URL --actor-key FILE | --db FILE) --key VERIFIER_KEY [--key ...] --out BUNDLE
                       [--origin ORIGIN] [--timestamp-window-ms MS] [--workers N]
  writes an rxledger-export/v1 bundle (gzip); audit it with: rxledger audit --bundle BUNDLE --key ...`;

export async function runExport(args: string[], io: CommandIo): Promise<number> {
  const parsedArgs = parseCommandArgs(args, { ...SOURCE_OPTIONS, out: { type: 'string' }, workers: { type: 'string' } }, EXPORT_USAGE, io);
  if ('exit' in parsedArgs) return parsedArgs.exit;
  const { values } = parsedArgs;
  const parsed = parseSourceArgs(values);
  if (!parsed.ok || values.out === undefined || (values.workers !== undefined && !/^[0-9]{1,3}$/.test(values.workers))) {
    return usageProblem(parsed.ok ? 'give --out (and --workers as a small integer)' : parsed.problem, EXPORT_USAGE, io);
  }
  const source = await openSourceOrSay(values, io.stderr);
  if (source === undefined) return 1;
  const progress = createProgress(io.stderr, 'exporting');
  try {
    const { ok: _ok, ...trust } = parsed;
    const { report, entries } = await exportLog(source, values.out, {
      ...trust,
      ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.finish();
    io.stdout.write(`${formatAuditSummary(report)}bundle:      ${values.out} (${entries} entries)\n`);
    if (!report.ok) io.stderr.write('the log did not verify: the bundle holds it as found\n');
    return report.ok ? 0 : 1;
  } catch (err) {
    progress.finish();
    io.stderr.write(`export failed: ${err instanceof RxError ? `${err.code}: ` : ''}${(err as Error).message}\n`);
    return 1;
  } finally {
    await source.close?.();
  }
}
