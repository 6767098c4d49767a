/**
 * Client SDK: talks to an rxledger service over HTTP. Uses the platform's fetch, so it runs in
 * Node 20+ and browsers. Errors from the service surface as RxError with the service's stable code.
 */
import { z } from 'zod';
import { RxError, ERROR_CODES, type ErrorCode } from '../core/errors.js';
import type { SignedStatement } from '../core/statement.js';
import type { ReadSigner } from './read-signer.js';
import type { OversightAlerts, OversightAlertsParams, OversightAlertSummary, OversightStats, OversightStatsParams } from './oversight-types.js';

export interface SubmitResult {
  readonly index: number;
  readonly leafHash: string;
  readonly type: string;
  readonly replayed: boolean;
  /** Entries the ledger wrote right after this one (a submission's check result). */
  readonly records: ReadonlyArray<{ index: number; leafHash: string; type: string }>;
  /** What the next statement about the same prescription names as `previous`. */
  readonly lastIndex: number;
  /** A submission's check result. */
  readonly check?: { outcome: 'active' | 'awaiting-override' | 'rejected'; ruleSet: string; inputHash: string; findings: Array<{ ruleId: string; action: string; tier: string; lines: number[] }> };
  readonly receipt: string;
  /** `patient.erase-identity`: whether this request removed an identity record, or none was held. */
  readonly identityRecord?: 'erased' | 'none-held';
}

export interface Receipt {
  readonly index: number;
  readonly size: number;
  readonly leafHash: string;
  readonly hashes: readonly string[];
  readonly checkpoint: string;
  /** The same, in the C2SP tlog-proof form: keep it to prove the entry offline (verifyReceipt). */
  readonly proof: string;
}

export interface PrescriptionStatus {
  readonly prescriptionId: string;
  readonly state: string;
  readonly lastIndex: number;
  readonly submittedAt: number;
  readonly fill: number;
  readonly fillCount: number;
  readonly cancelPending: boolean;
  readonly [more: string]: unknown;
}

export interface CosignatureResult {
  readonly size: number;
  readonly witness: string;
  readonly keyId: string;
  readonly timestamp: number;
  /** False when the ledger already held this witness's cosignature of the checkpoint, as recent or more. */
  readonly stored: boolean;
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
  /** GET /v1/log/proof/consistency: the proof's hashes as served (untrusted: verify them). */
  consistencyProof(from: number, to: number): Promise<{ from: number; to: number; hashes: string[] }>;
  /** GET /checkpoint/cosigned: the largest checkpoint cosigned by ≥ `min` (default 1) witnesses, as text (verify it). */
  cosignedCheckpoint(min?: number): Promise<string>;
  /** POST /v1/checkpoint/cosignatures: a witness's cosignature line for a checkpoint (note text or signed note). */
  submitCosignature(checkpoint: string, cosignature: string): Promise<CosignatureResult>;
  /** Entry content: a signed read, with the reader given to createLedgerClient. */
  entries(start: number, end: number): Promise<EntriesPage>;
  /** GET /v1/oversight/stats: 处方点评 figures (signed read by a regulator or operator). */
  oversightStats(params?: OversightStatsParams): Promise<OversightStats>;
  /** GET /v1/oversight/alerts: alerts, newest first; pass `next` as `cursor` for more. */
  oversightAlerts(params?: OversightAlertsParams): Promise<OversightAlerts>;
  /** GET /v1/oversight/alerts/summary: alert counts per kind. */
  oversightAlertSummary(since?: number | string): Promise<OversightAlertSummary>;
  /** POST /v1/patients: a signed `patient.identify` → pseudonym and commitment. */
  identifyPatient(signed: SignedStatement): Promise<{ pseudonym: string; identityCommitment: string; replayed: boolean }>;
  /** Signed reads of the lifecycle. */
  prescription(id: string): Promise<PrescriptionStatus>;
  queue(pharmacyId: string, page?: { after?: number; limit?: number }): Promise<{ items: PrescriptionStatus[]; next?: number }>;
  assignments(courierId: string): Promise<{ items: Array<{ prescriptionId: string; state: string; lastIndex: number; fill: number; address: Record<string, unknown> | null }> }>;
  /** The receipt of an entry; RECEIPT_PENDING until a checkpoint covers it. */
  receipt(index: number): Promise<Receipt>;
  /** The rule set and policy prescriptions are checked with now. */
  activeRuleSet(): Promise<{ hash: string; name: string; version: string; engine: string; policy: Record<string, string>; counts: Record<string, number> }>;
  /** POST /v1/checks, signed by the prescriber the prescription names: the check it would get now; nothing is recorded. */
  check(prescription: unknown): Promise<NonNullable<SubmitResult['check']> & { recorded: false }>;
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
  const signedGet = async (path: string): Promise<unknown> => (await call(path, { headers: options.signRead?.('GET', `${base}${path}`) ?? {} })).json();
  const signedPost = async (path: string, body: unknown): Promise<unknown> =>
    (await call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(options.signRead?.('POST', `${base}${path}`) ?? {}) }, body: JSON.stringify(body) })).json();
  return {
    async submit(signed) {
      const res = await call('/v1/statements', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(signed) });
      return (await res.json()) as SubmitResult;
    },
    log: async () => (await (await call('/v1/log')).json()) as LogInfo,
    checkpoint: async () => (await call('/checkpoint')).text(),
    consistencyProof: async (from, to) => (await (await call(`/v1/log/proof/consistency?from=${from}&to=${to}`)).json()) as { from: number; to: number; hashes: string[] },
    cosignedCheckpoint: async (min = 1) => (await call(`/checkpoint/cosigned?min=${min}`)).text(),
    async submitCosignature(checkpoint, cosignature) {
      const res = await call('/v1/checkpoint/cosignatures', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ checkpoint, cosignature }) });
      return (await res.json()) as CosignatureResult;
    },
    entries: (start, end) => signedGet(`/v1/log/entries?start=${start}&end=${end}`) as Promise<EntriesPage>,
    oversightStats: (params = {}) => signedGet(`/v1/oversight/stats${queryOf(params)}`) as Promise<OversightStats>,
    oversightAlerts: (params = {}) => signedGet(`/v1/oversight/alerts${queryOf(params)}`) as Promise<OversightAlerts>,
    oversightAlertSummary: (since) => signedGet(`/v1/oversight/alerts/summary${queryOf({ since })}`) as Promise<OversightAlertSummary>,
    async identifyPatient(signed) {
      const res = await call('/v1/patients', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(signed) });
      return (await res.json()) as { pseudonym: string; identityCommitment: string; replayed: boolean };
    },
    prescription: (id) => signedGet(`/v1/prescriptions/${encodeURIComponent(id)}`) as Promise<PrescriptionStatus>,
    queue(pharmacyId, page = {}) {
      const query = new URLSearchParams();
      if (page.after !== undefined) query.set('after', String(page.after));
      if (page.limit !== undefined) query.set('limit', String(page.limit));
      const q = query.size > 0 ? `?${query}` : '';
      return signedGet(`/v1/pharmacies/${encodeURIComponent(pharmacyId)}/queue${q}`) as Promise<{ items: PrescriptionStatus[]; next?: number }>;
    },
    assignments: (courierId) => signedGet(`/v1/couriers/${encodeURIComponent(courierId)}/assignments`) as never,
    receipt: async (index) => (await (await call(`/v1/receipts/${index}`)).json()) as Receipt,
    activeRuleSet: async () => (await (await call('/v1/rulesets/active')).json()) as never,
    check: (prescription) => signedPost('/v1/checks', { prescription }) as never,
  };
}

/** `?a=1&b=x` of the defined parameters, or nothing. */
function queryOf(params: object): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params) as [string, unknown][]) if (value !== undefined) query.set(name, String(value));
  return query.size > 0 ? `?${query}` : '';
}
