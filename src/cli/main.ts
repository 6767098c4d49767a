#!/usr/bin/env node
/** The `rxledger` command: `init`, `verify …` and `serve` (same as `npm start`). */
import { runInit } from './init-command.js';
import { runVerify } from './verify-command.js';
import { runMonitor } from './monitor-command.js';
import { runWitness } from './witness-command.js';
import { runAudit } from './audit-command.js';
import { runExport } from './export-command.js';
import { runImport } from './import-command.js';

const USAGE = `usage: rxledger <command> [options]

commands:
  init     create a data directory: signing key, ledger, genesis operator key (configured like serve)
  verify   verify a log from its read API or database file (rxledger verify --help)
  audit    a regulator's full replay on every core, with a JSON report (rxledger audit --help)
  export   audit a log and write it to a self-verifying bundle (rxledger export --help)
  import   audit a bundle and write it into an empty data directory (rxledger import --help)
  monitor  follow a log's checkpoints; stop with evidence on a split view or rollback (rxledger monitor --help)
  witness  a regulator's witness: cosign checkpoints consistent with what it cosigned before (rxledger witness --help)
  serve    run the service, configured by environment variables (see README)
`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'verify':
      return runVerify(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'audit':
      return runAudit(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'export':
      return runExport(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'import':
      return runImport(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'monitor':
    case 'witness': {
      // SIGINT/SIGTERM end the loop cleanly (exit 0) between two rounds.
      const stop = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
      const io = { stdout: process.stdout, stderr: process.stderr };
      return command === 'monitor' ? runMonitor(rest, io, { signal: stop.signal }) : runWitness(rest, io, { signal: stop.signal });
    }
    case 'init':
      return runInit(rest, { stdout: process.stdout, stderr: process.stderr }, process.env);
    case 'serve':
      await import('../main.js');
      return -1; // the server keeps the process alive and exits on its own
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

const code = await run(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
