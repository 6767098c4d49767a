#!/usr/bin/env node
/**
 * The `rxledger` command: `init`, `verify …` and `serve` (same as `npm start`). Each command's
 * module is imported only when that command runs: a verifier's start-up does not load the
 * service, nor `init` the worker pools (a second or more saved on every run).
 */

const USAGE = `usage: rxledger <command> [options]

commands:
  init     create a data directory: signing key, ledger, genesis operator key (configured like serve)
  verify   verify a log from its read API or database file (rxledger verify --help)
  audit    a regulator's full replay on every core, with a JSON report (rxledger audit --help)
  export   audit a log and write it to a self-verifying bundle (rxledger export --help)
  import   audit a bundle and write it into an empty data directory (rxledger import --help)
  monitor  follow a log's checkpoints; stop with evidence on a split view or rollback (rxledger monitor --help)
  witness  a regulator's witness: cosign checkpoints consistent with what it cosigned before (rxledger witness --help)
  serve    run the service, configured by environment variables (rxledger serve --help)
`;

const SERVE_USAGE = `usage: rxledger serve   (what npm start runs)
  Runs the service: opens the data directory (DATA_DIR, default ./data), creating it on first
  start with the checkpoint signing key, the ledger and the genesis operator key, and serves the
  log's HTTP API on HOST:PORT (default 127.0.0.1:8080) until SIGTERM or SIGINT.
  It takes no arguments: it is configured by environment variables (DATA_DIR, LOG_ORIGIN, PORT,
  HOST, KNOWLEDGE_DIR, ...), each described in README.md, "Configuration"; an invalid value stops
  it with a message naming the variable.`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'verify':
      return (await import('./verify-command.js')).runVerify(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'audit':
      return (await import('./audit-command.js')).runAudit(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'export':
      return (await import('./export-command.js')).runExport(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'import':
      return (await import('./import-command.js')).runImport(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'monitor':
    case 'witness': {
      // SIGINT/SIGTERM end the loop cleanly (exit 0) between two rounds.
      const stop = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
      const io = { stdout: process.stdout, stderr: process.stderr };
      return command === 'monitor'
        ? (await import('./monitor-command.js')).runMonitor(rest, io, { signal: stop.signal })
        : (await import('./witness-command.js')).runWitness(rest, io, { signal: stop.signal });
    }
    case 'init':
      return (await import('./init-command.js')).runInit(rest, { stdout: process.stdout, stderr: process.stderr }, process.env);
    case 'serve': {
      // Arguments first: `serve --help` must not create a data directory.
      const io = { stdout: process.stdout, stderr: process.stderr };
      const { parseCommandArgs } = await import('./command-args.js');
      const parsed = parseCommandArgs(rest, {}, SERVE_USAGE, io);
      if ('exit' in parsed) return parsed.exit;
      await import('../main.js');
      return -1; // the server keeps the process alive and exits on its own
    }
    case undefined:
    case '--help':
    case '-h':
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
