/**
 * `rxledger import`: audits an export bundle (--bundle) against trusted verifier keys (--key) and,
 * if it verifies, writes it as a ledger database into an empty data directory (--data-dir),
 * with identical roots, proofs and derived state. Exit 0 when imported, 1 when the bundle did not
 * verify (nothing is written) or the import failed, 2 on a usage error.
 */
import { formatAuditSummary } from '../audit/audit.js';
import { importBundle } from '../transfer/import-bundle.js';
import { createProgress } from './progress.js';
import { parseCommandArgs, usageProblem } from './command-args.js';
import { parseSourceArgs, SOURCE_OPTIONS } from './log-source-args.js';
import type { CommandIo } from './verify-command.js';
import { RxError } from '../core/errors.js';

export const IMPORT_USAGE = `usage: rxledger import --bundle BUNDLE --key VERIFIER_KEY [--key ...] --data-dir DIR
                       [--origin ORIGIN] [--timestamp-window-ms MS] [--workers N]
  DIR must be empty; to serve the imported log as the ledger, copy the log's keys/ folder into it`;

export async function runImport(args: string[], io: CommandIo): Promise<number> {
  const parsedArgs = parseCommandArgs(
    args,
    {
      key: SOURCE_OPTIONS.key,
      origin: SOURCE_OPTIONS.origin,
      'timestamp-window-ms': SOURCE_OPTIONS['timestamp-window-ms'],
      bundle: { type: 'string' },
      'data-dir': { type: 'string' },
      workers: { type: 'string' },
    },
    IMPORT_USAGE,
    io,
  );
  if ('exit' in parsedArgs) return parsedArgs.exit;
  const { values } = parsedArgs;
  const parsed = parseSourceArgs(values);
  if (!parsed.ok || values['data-dir'] === undefined || (values.workers !== undefined && !/^[0-9]{1,3}$/.test(values.workers))) return usageProblem(parsed.ok ? 'give --data-dir (and --workers as a small integer)' : parsed.problem, IMPORT_USAGE, io);
  const progress = createProgress(io.stderr, 'auditing the bundle');
  try {
    const { ok: _ok, ...trust } = parsed;
    const { report, imported } = await importBundle(values.bundle as string, values['data-dir'], {
      ...trust,
      ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.finish();
    io.stdout.write(formatAuditSummary(report));
    if (imported === undefined) {
      io.stderr.write('the bundle did not verify: nothing was imported\n');
      return 1;
    }
    io.stdout.write(`imported:    ${imported.entries} entries and ${imported.checkpoints} checkpoints into ${imported.databasePath}\n`);
    return 0;
  } catch (err) {
    progress.finish();
    io.stderr.write(`import failed: ${err instanceof RxError ? `${err.code}: ` : ''}${(err as Error).message}\n`);
    return 1;
  }
}
