#!/usr/bin/env node
/** The `rxledger` command: `init`, `verify …` and `serve` (same as `npm start`). */
import { runInit } from './init-command.js';
import { runVerify } from './verify-command.js';

const USAGE = `usage: rxledger <command> [options]

commands:
  init     create a data directory: signing key, ledger, genesis operator key (configured like serve)
  verify   verify a log from its read API or database file (rxledger verify --help)
  serve    run the service, configured by environment variables (see README)
`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'verify':
      return runVerify(rest, { stdout: process.stdout, stderr: process.stderr });
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
