/**
 * `rxledger init`: prepares a data directory without serving it: checkpoint signing key, SQLite
 * ledger, genesis entries and the genesis operator's key. Configured by the same environment
 * variables as the service (DATA_DIR, LOG_ORIGIN, …). Safe to re-run: an initialised directory is
 * left as it is and described. Refused (exit 1) while a service holds the directory.
 */
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { genesisOperatorKeyPath } from '../ledger/genesis-operator.js';
import { openServiceLedger } from '../service.js';
import type { CommandIo } from './verify-command.js';

export async function runInit(args: string[], io: CommandIo, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (args.length > 0) {
    io.stderr.write('usage: rxledger init   (configured by DATA_DIR, LOG_ORIGIN, … as in the README)\n');
    return args[0] === '--help' ? 0 : 2;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  let opened;
  try {
    opened = await openServiceLedger(config, { logger: pino({ level: 'silent' }) });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  const { ledger } = opened;
  const keyPath = genesisOperatorKeyPath(config.dataDir);
  io.stdout.write(
    [
      `data directory:        ${config.dataDir}`,
      `origin:                ${ledger.origin}`,
      `checkpoint verifier:   ${ledger.verifierKeys[0]}`,
      `log size:              ${ledger.size()}`,
      `genesis operator key:  ${existsSync(keyPath) ? `${keyPath} (mode 0600: move it off this machine)` : 'moved away'}`,
      '',
    ].join('\n'),
  );
  await opened.close();
  return 0;
}
