/**
 * Argument parsing every `rxledger` subcommand shares: strict `node:util` parseArgs, `--help` (or
 * `-h`) printing the usage (exit 0), and a parse error printing itself and the usage (exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandIo } from './verify-command.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O & { help: { type: 'boolean'; short: 'h'; default: false } }; strict: true; allowPositionals: false }>>['values'];

/** The parsed option values, or the exit code the command should return at once. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, usage: string, io: CommandIo): { values: Values<O> } | { exit: number } {
  let values: Values<O>;
  try {
    ({ values } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h', default: false } }, strict: true, allowPositionals: false }) as { values: Values<O> });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${usage}\n`);
    return { exit: 2 };
  }
  if ((values as { help?: boolean }).help) {
    io.stdout.write(`${usage}\n`);
    return { exit: 0 };
  }
  return { values };
}

/** Prints a usage problem and the usage; the command returns 2. */
export function usageProblem(problem: string, usage: string, io: CommandIo): number {
  io.stderr.write(`${problem}\n${usage}\n`);
  return 2;
}
