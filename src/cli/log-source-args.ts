/**
 * The options `rxledger verify` and `rxledger audit` share: where the log is read from and what is
 * trusted. One of --url (the read API; entry content needs a regulator's or operator's actor key
 * to sign reads), --db (a database file, read-only) or --bundle (an export bundle, audit only).
 */
import { readFileSync } from 'node:fs';
import { openDbLogSource } from '../verify/db-log-source.js';
import { createHttpLogSource } from '../verify/http-log-source.js';
import type { LogSource } from '../verify/log-source.js';
import { readActorKey } from '../keys/actor-key-file.js';
import { createReadSigner } from '../client/read-signer.js';

export const SOURCE_OPTIONS = {
  url: { type: 'string' },
  db: { type: 'string' },
  key: { type: 'string', multiple: true },
  origin: { type: 'string' },
  'actor-key': { type: 'string' },
  'timestamp-window-ms': { type: 'string' },
  'trusted-checkpoint': { type: 'string' },
} as const;

export interface SourceArgs {
  readonly url?: string | undefined;
  readonly db?: string | undefined;
  readonly bundle?: string | undefined;
  readonly key?: string[] | undefined;
  readonly origin?: string | undefined;
  readonly 'actor-key'?: string | undefined;
  readonly 'timestamp-window-ms'?: string | undefined;
  readonly 'trusted-checkpoint'?: string | undefined;
}

/** What the arguments say, or a usage problem to print (exit 2). */
export type ParsedSourceArgs =
  | { readonly ok: true; readonly trustedKeys: string[]; readonly origin?: string; readonly timestampWindowMs?: number; readonly previousCheckpoint?: string }
  | { readonly ok: false; readonly problem: string };

export function parseSourceArgs(values: SourceArgs): ParsedSourceArgs {
  const sources = [values.url, values.db, values.bundle].filter((v) => v !== undefined);
  if (sources.length !== 1) return { ok: false, problem: 'give exactly one source' };
  if ((values.key ?? []).length === 0) return { ok: false, problem: 'give at least one --key' };
  const windowMs = values['timestamp-window-ms'];
  if (windowMs !== undefined && !/^[1-9][0-9]{0,9}$/.test(windowMs)) return { ok: false, problem: '--timestamp-window-ms must be a positive integer' };
  let previousCheckpoint: string | undefined;
  if (values['trusted-checkpoint'] !== undefined) {
    try {
      previousCheckpoint = readFileSync(values['trusted-checkpoint'], 'utf8');
    } catch {
      return { ok: false, problem: `cannot read ${values['trusted-checkpoint']}` };
    }
  }
  return {
    ok: true,
    trustedKeys: values.key ?? [],
    ...(values.origin === undefined ? {} : { origin: values.origin }),
    ...(windowMs === undefined ? {} : { timestampWindowMs: Number(windowMs) }),
    ...(previousCheckpoint === undefined ? {} : { previousCheckpoint }),
  };
}

/** Opens the one source the arguments name (throws on an unreadable file or key). */
export async function openSource(values: SourceArgs, openBundle?: (path: string) => Promise<LogSource>): Promise<LogSource> {
  if (values.bundle !== undefined) {
    if (openBundle === undefined) throw new Error('this command does not read bundles');
    return openBundle(values.bundle);
  }
  if (values.db !== undefined) return openDbLogSource(values.db);
  const reader = values['actor-key'] === undefined ? undefined : readActorKey(values['actor-key']);
  return createHttpLogSource(values.url as string, reader === undefined ? {} : { signRead: createReadSigner({ seed: reader.seed }) });
}

/** How a source the arguments name is described in a report, for one that could not be opened (as each source describes itself). */
export function sourceDescription(values: SourceArgs): string {
  if (values.bundle !== undefined) return `bundle ${values.bundle}`;
  if (values.db !== undefined) return `database ${values.db}`;
  return values.url as string;
}

/** `openSource`, printing why it could not open to stderr; undefined then (the command exits 1). */
export async function openSourceOrSay(values: SourceArgs, stderr: NodeJS.WriteStream, openBundle?: (path: string) => Promise<LogSource>): Promise<LogSource | undefined> {
  try {
    return await openSource(values, openBundle);
  } catch (err) {
    stderr.write(`${(err as Error).message}\n`);
    return undefined;
  }
}
