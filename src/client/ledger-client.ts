/**
 * Client SDK: talks to an rxledger service over HTTP. Uses the platform's fetch, so it runs in
 * Node 20+ and browsers. Errors from the service surface as RxError with the service's stable code.
 */
import { z } from 'zod';
import { RxError, ERROR_CODES, type ErrorCode } from '../core/errors.js';
import type { SignedStatement } from '../core/statement.js';
import type { ReadSigner } from './read-signer.js';

export interface SubmitResult {
  readonly index: number;
  readonly leafHash: string;
  readonly type: string;
  readonly replayed: boolean;
}

export interface LogInfo {
  readonly origin: string;
  readonly verifierKey: string;
  readonly verifierKeys: readonly string[];
  readonly size: number;
}

export interface EntriesPage {
  readonly entries: ReadonlyArray<{ index: number; leafHash: string; data: string | null; entry: unknown; redacted?: true }>;
  readonly next?: number;
}

export interface LedgerClient {
  submit(signed: SignedStatement): Promise<SubmitResult>;
  log(): Promise<LogInfo>;
  checkpoint(): Promise<string>;
  /** Entry content: a signed read, with the reader given to createLedgerClient. */
  entries(start: number, end: number): Promise<EntriesPage>;
}

export interface LedgerClientOptions {
  readonly fetch?: typeof fetch;
  /** Signs reads of entry content (createReadSigner with the actor's key). */
  readonly signRead?: ReadSigner;
}

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), paths: z.array(z.string()) }) });

async function failure(res: Response): Promise<RxError> {
  const parsed = ErrorBody.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) return new RxError('SOURCE_UNAVAILABLE', `the service answered ${res.status}`);
  const code = (ERROR_CODES as readonly string[]).includes(parsed.data.error.code) ? (parsed.data.error.code as ErrorCode) : 'INTERNAL';
  return new RxError(code, parsed.data.error.message, { paths: parsed.data.error.paths });
}

export function createLedgerClient(baseUrl: string, options: LedgerClientOptions = {}): LedgerClient {
  const base = baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const call = async (path: string, init?: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}`, init);
    } catch (cause) {
      throw new RxError('SOURCE_UNAVAILABLE', `cannot reach ${base}`, { cause });
    }
    if (!res.ok) throw await failure(res);
    return res;
  };
  return {
    async submit(signed) {
      const res = await call('/v1/statements', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(signed) });
      return (await res.json()) as SubmitResult;
    },
    log: async () => (await (await call('/v1/log')).json()) as LogInfo,
    checkpoint: async () => (await call('/checkpoint')).text(),
    async entries(start, end) {
      const path = `/v1/log/entries?start=${start}&end=${end}`;
      return (await (await call(path, { headers: options.signRead?.('GET', `${base}${path}`) ?? {} })).json()) as EntriesPage;
    },
  };
}
