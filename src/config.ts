/**
 * The service's configuration, read from the environment once at start-up, validated, and frozen.
 * Nothing else in src/ reads process.env.
 */
import { z } from 'zod';
import { RxError } from './core/errors.js';
import { issuePaths, zodIssuePaths } from './core/issue-paths.js';
import { isValidKeyName } from './core/note-keys.js';
import { formatCosignerVerifierKey, parseCosignerVerifierKey } from './core/cosignature.js';
import { DEFAULT_CHECK_POLICY, type CheckPolicy } from './domain/prescription/checker.js';
import { OversightEnvSchema, oversightSettingsFrom } from './oversight/oversight-env.js';
import type { OversightSettings } from './oversight/oversight-settings.js';
import { isIP } from 'node:net';
import type { RateLimitSettings } from './http/rate-limit.js';
import { DEFAULT_SERVER_TIMEOUTS as T, type ServerTimeouts } from './http/server-timeouts.js';

const ms = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);
/** Tokens per second of a rate limit; 0 turns that limit off. */
const perSecond = (fallback: number) => z.coerce.number().min(0).max(1_000_000).default(fallback);
const burst = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

/** An IP address, or a CIDR block `address/prefix`. */
function isAddressOrCidr(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^(0|[1-9][0-9]{0,2})$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const ConfigSchema = z.object({
  // Statistics and alert thresholds for regulators (docs/OVERSIGHT.md).
  ...OversightEnvSchema.shape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_ORIGIN: z
    .string()
    .min(1)
    .max(256)
    .refine(isValidKeyName, 'must contain no spaces or "+" (it is also the signing key name)')
    // C2SP checkpoint origins name the log without a scheme (docs/FORMAT.md §7.1).
    .refine((s) => !s.includes('://'), 'drop the scheme ("https://" or the like): an origin is a schema-less URL such as rx.example.gov.cn/ledger')
    .default('rxledger.localhost/ledger'),
  CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ENTRIES_PAGE_MAX: z.coerce.number().int().min(1).max(10_000).default(1000),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
  AUTH_TIMESTAMP_WINDOW_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  // The HTTP server's timeouts (src/http/server-timeouts.ts, docs/SECURITY.md).
  HTTP_HEADERS_TIMEOUT_MS: ms(100, 600_000, T.headersTimeoutMs),
  HTTP_REQUEST_TIMEOUT_MS: ms(100, 3_600_000, T.requestTimeoutMs),
  HTTP_CONNECTION_TIMEOUT_MS: ms(100, 3_600_000, T.connectionTimeoutMs),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: ms(100, 3_600_000, T.keepAliveTimeoutMs),
  HTTP_MAX_REQUESTS_PER_SOCKET: z.coerce.number().int().min(0).max(1_000_000).default(T.maxRequestsPerSocket),
  /**
   * Whose X-Forwarded-For to believe for the client address: a hop count (1: the proxy in front),
   * or addresses/CIDR blocks of the proxies, comma-separated. Unset: the socket's peer. `true`
   * (trust any forwarder) is refused: anyone could then pick the address they are limited by.
   */
  TRUST_PROXY: z
    .string()
    .transform((s, ctx) => {
      if (/^[1-9][0-9]?$/.test(s)) return Number(s);
      const list = s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
      if (list.length === 0 || !list.every(isAddressOrCidr)) {
        ctx.addIssue({ code: 'custom', message: 'a hop count (1-99) or proxy addresses/CIDR blocks separated by commas' });
        return z.NEVER;
      }
      return list;
    })
    .optional(),
  // Rate limits (src/http/rate-limit.ts, docs/SECURITY.md): per verified actor, per client address.
  RATE_LIMIT_WRITES_PER_SECOND: perSecond(100),
  RATE_LIMIT_WRITES_BURST: burst(1000),
  RATE_LIMIT_READS_PER_SECOND: perSecond(200),
  RATE_LIMIT_READS_BURST: burst(2000),
  RATE_LIMIT_ADDRESS_PER_SECOND: perSecond(100),
  RATE_LIMIT_ADDRESS_BURST: burst(1000),
  RATE_LIMIT_MAX_TRACKED: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  // Gateways many institutions' systems share (a hospital's NAT): never refused or charged by the
  // per-address limit, so one broken client behind it cannot cut the others off. Empty: none.
  RATE_LIMIT_ADDRESS_EXEMPT: z
    .string()
    .transform((s, ctx) => {
      const list = s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
      if (!list.every(isAddressOrCidr)) {
        ctx.addIssue({ code: 'custom', message: 'client addresses or CIDR blocks separated by commas' });
        return z.NEVER;
      }
      return list;
    })
    .default([]),
  /** Strict-Transport-Security max-age, sent only when > 0: behind a TLS-terminating proxy. */
  HSTS_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(63_072_000).default(0),
  WRITES_IN_FLIGHT_MAX: z.coerce.number().int().min(0).max(1_000_000).default(1000),
  /** A knowledge-base directory (docs/CHECKER.md); unset means the starter set shipped in knowledge/starter. */
  KNOWLEDGE_DIR: z.string().min(1).optional(),
  /** What each severity tier's findings do, e.g. "critical=block,major=override,moderate=warn,minor=inform". */
  CHECK_POLICY: z
    .string()
    .regex(/^(critical|major|moderate|minor)=(block|override|warn|inform)(,(critical|major|moderate|minor)=(block|override|warn|inform))*$/, 'tier=action pairs separated by commas')
    .transform((s, ctx) => {
      const policy = Object.fromEntries(s.split(',').map((pair) => pair.split('='))) as Record<string, string>;
      if (Object.keys(policy).length !== 4 || s.split(',').length !== 4) ctx.addIssue({ code: 'custom', message: 'name each of critical, major, moderate and minor once' });
      return policy as unknown as CheckPolicy;
    })
    .default(DEFAULT_CHECK_POLICY),
  /** Witnesses whose cosignatures the ledger accepts: C2SP cosigner vkeys (type 0x04), comma- or space-separated. */
  WITNESS_KEYS: z
    .string()
    .transform((s, ctx) => {
      const keys: string[] = [];
      for (const text of s.split(/[\s,]+/).filter((k) => k.length > 0)) {
        try {
          keys.push(formatCosignerVerifierKey(parseCosignerVerifierKey(text)));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'each key must be a C2SP cosigner vkey <name>+<key ID>+<base64(0x04 || key)>' });
          return z.NEVER;
        }
      }
      return [...new Set(keys)];
    })
    .default([]),
}).refine((c) => c.HTTP_HEADERS_TIMEOUT_MS <= c.HTTP_REQUEST_TIMEOUT_MS, {
  path: ['HTTP_HEADERS_TIMEOUT_MS'],
  message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
  // Only between two valid values: a bad one is reported by itself.
  when: (payload) => payload.issues.length === 0,
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly logOrigin: string;
  readonly checkpointIntervalMs: number;
  readonly logLevel: string;
  readonly entriesPageMax: number;
  readonly bodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
  /** Largest accepted difference between a signed statement's timestamp and the ledger's clock. */
  readonly authTimestampWindowMs: number;
  /** The knowledge base to check prescriptions with; undefined means the starter set. */
  readonly knowledgeDir: string | undefined;
  readonly checkPolicy: CheckPolicy;
  /** The witnesses whose cosignatures POST /v1/checkpoint/cosignatures accepts (vkeys); empty: none. */
  readonly witnessKeys: readonly string[];
  /** Periods and alert thresholds of the oversight projection (docs/OVERSIGHT.md). */
  readonly oversight: OversightSettings;
  /** How often the oversight projection folds new entries (it also does before every read). */
  readonly oversightFoldIntervalMs: number;
  /** The HTTP server's timeouts. */
  readonly serverTimeouts: ServerTimeouts;
  /** Proxies whose X-Forwarded-For names the client: a hop count or addresses/CIDRs; undefined: none. */
  readonly trustProxy: number | readonly string[] | undefined;
  /** Per-actor and per-address rate limits (a `perSecond` of 0 is off). */
  readonly rateLimits: RateLimitSettings;
  /** Strict-Transport-Security max-age; 0: not sent. */
  readonly hstsMaxAgeSeconds: number;
  /** Most write requests handled at once; past it, 503 SERVICE_OVERLOADED as they arrive (src/http/write-admission.ts); 0: no limit. */
  readonly writesInFlightMax: number;
}

/** Parses configuration from an environment-like record; throws CONFIG_INVALID naming each bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // An empty variable means "unset", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const paths = zodIssuePaths(parsed.error.issues);
    const detail = parsed.error.issues.map((i) => `${issuePaths(i).join(', ')}: ${i.message}`).join('; ');
    throw new RxError('CONFIG_INVALID', `invalid configuration: ${detail}`, { paths });
  }
  const c = parsed.data;
  return Object.freeze({
    port: c.PORT,
    host: c.HOST,
    dataDir: c.DATA_DIR,
    logOrigin: c.LOG_ORIGIN,
    checkpointIntervalMs: c.CHECKPOINT_INTERVAL_MS,
    logLevel: c.LOG_LEVEL,
    entriesPageMax: c.ENTRIES_PAGE_MAX,
    bodyLimitBytes: c.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    authTimestampWindowMs: c.AUTH_TIMESTAMP_WINDOW_MS,
    knowledgeDir: c.KNOWLEDGE_DIR,
    checkPolicy: Object.freeze({ ...c.CHECK_POLICY }),
    witnessKeys: Object.freeze([...c.WITNESS_KEYS]),
    oversight: oversightSettingsFrom(c),
    oversightFoldIntervalMs: c.OVERSIGHT_FOLD_INTERVAL_MS,
    serverTimeouts: Object.freeze({
      headersTimeoutMs: c.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
      connectionTimeoutMs: c.HTTP_CONNECTION_TIMEOUT_MS,
      keepAliveTimeoutMs: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxRequestsPerSocket: c.HTTP_MAX_REQUESTS_PER_SOCKET,
    }),
    trustProxy: typeof c.TRUST_PROXY === 'object' ? Object.freeze([...c.TRUST_PROXY]) : c.TRUST_PROXY,
    rateLimits: Object.freeze({
      writes: Object.freeze({ perSecond: c.RATE_LIMIT_WRITES_PER_SECOND, burst: c.RATE_LIMIT_WRITES_BURST }),
      reads: Object.freeze({ perSecond: c.RATE_LIMIT_READS_PER_SECOND, burst: c.RATE_LIMIT_READS_BURST }),
      addresses: Object.freeze({ perSecond: c.RATE_LIMIT_ADDRESS_PER_SECOND, burst: c.RATE_LIMIT_ADDRESS_BURST }),
      maxTrackedKeys: c.RATE_LIMIT_MAX_TRACKED,
      exemptAddresses: Object.freeze([...c.RATE_LIMIT_ADDRESS_EXEMPT]),
    }),
    hstsMaxAgeSeconds: c.HSTS_MAX_AGE_SECONDS,
    writesInFlightMax: c.WRITES_IN_FLIGHT_MAX,
  });
}
