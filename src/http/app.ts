/**
 * Builds the HTTP application around an open ledger. `main.ts` listens; tests call `createApp`
 * and use `inject` or listen on 127.0.0.1.
 *
 * The edge hardening (docs/SECURITY.md) is installed here, before any route: security headers on
 * every answer, per-route body limits, the server's timeouts, prototype-poisoning refusal, the
 * client-address key (TRUST_PROXY) and, when configured, the rate limits, whose read guard wraps
 * the read authenticator every signed route uses.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppendResult, Ledger } from '../ledger/ledger.js';
import type { StatementIntake } from '../ledger/statement-intake.js';
import { answerClientError, answerFrameworkError, installErrorHandling } from './error-handler.js';
import { applySecurityHeaders, installSecurityHeaders } from './security-headers.js';
import { installRouteBodyLimits } from './route-body-limits.js';
import { OneLinePerRequest } from './request-log.js';
import { answerRateLimited, installRateLimits, type RateLimitOptions, type RateLimits } from './rate-limit.js';
import { installWriteAdmission } from './write-admission.js';
import { DEFAULT_SERVER_TIMEOUTS, serverTimeoutOptions, type ServerTimeouts } from './server-timeouts.js';
import { logRoutes } from './log-routes.js';
import { statementRoutes, type RecordedEffects } from './statement-routes.js';
import type { ReadAuthenticator } from './read-auth.js';
import type { PatientService } from '../patients/patient-service.js';
import { patientRoutes } from './patient-routes.js';
import { prescriptionRoutes, type PrescriptionRoutesOptions } from './prescription-routes.js';
import { receiptRoutes } from './receipt-routes.js';
import { openApiRoutes } from './openapi-routes.js';
import { checkerRoutes, type CheckerRoutesOptions } from './checker-routes.js';
import { cdsHooksRoutes } from './cds-hooks-routes.js';
import { regulatorPageRoutes } from './regulator-page-routes.js';
import { witnessRoutes } from './witness-routes.js';
import type { CosignatureCollector } from '../witness/cosignature-collector.js';
import { oversightRoutes, type OversightRoutesOptions } from './oversight-routes.js';

/** Largest page of a pharmacy queue. */
export const QUEUE_PAGE_MAX = 100;

export interface AppOptions {
  readonly ledger: Ledger;
  readonly entriesPageMax: number;
  readonly bodyLimitBytes: number;
  readonly readAuth: ReadAuthenticator;
  /** Patient identification; absent in tools that serve only the log. */
  readonly patients?: PatientService;
  /** The prescription lifecycle's reads; absent in tools that serve only the log. */
  readonly lifecycle?: Omit<PrescriptionRoutesOptions, 'readAuth' | 'queuePageMax'>;
  /** The checker's routes: rule sets, dry runs and CDS Hooks (absent in bare ledgers used by tests). */
  readonly checker?: Omit<CheckerRoutesOptions, 'readAuth'>;
  /** Witness cosignatures: submission and the cosigned checkpoint (absent in bare ledgers used by tests). */
  readonly witnesses?: CosignatureCollector;
  /** Statistics and alerts for regulators (absent in bare ledgers used by tests). */
  readonly oversight?: Omit<OversightRoutesOptions, 'readAuth'>;
  /** Statement bodies parsed and validated on worker threads (absent: on the event loop). */
  readonly statementIntake?: StatementIntake;
  /** Side effects of durable entries outside the ledger (identity erasure). */
  readonly onRecorded?: (result: AppendResult) => RecordedEffects | void;
  /** A pino logger instance, or false for none. */
  readonly logger?: FastifyServerOptions['loggerInstance'] | false;
  /** The server's timeouts; default DEFAULT_SERVER_TIMEOUTS. */
  readonly timeouts?: ServerTimeouts;
  /**
   * Which proxies' X-Forwarded-For is believed for the client address (Fastify `trustProxy`): a
   * hop count or a list of addresses/CIDRs; default none (the socket's peer is the client).
   */
  readonly trustProxy?: number | readonly string[];
  /** Per-actor and per-address rate limits; absent: none (bare apps in tests). */
  readonly rateLimits?: RateLimitOptions;
  /** `Strict-Transport-Security` max-age when > 0 (behind a TLS-terminating proxy only); default 0: not sent. */
  readonly hstsMaxAgeSeconds?: number;
  /** Most write requests handled at once (src/http/write-admission.ts); absent or 0: no limit. */
  readonly writesInFlightMax?: number;
}

export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  // A hop count n trusts the n proxies nearest the service (proxy-addr's numeric rule).
  const hops = options.trustProxy;
  const trustProxy = hops === undefined ? false : typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : hops.length === 0 ? false : [...hops];
  const headers = { hstsMaxAgeSeconds: options.hstsMaxAgeSeconds ?? 0 };
  let limits: RateLimits | undefined;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger, logController: new OneLinePerRequest() } : { logger: false }),
    bodyLimit: options.bodyLimitBytes,
    // Fastify's defaults, stated: a body with `__proto__`, or `constructor.prototype`, is refused.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy,
    ...serverTimeoutOptions(options.timeouts ?? DEFAULT_SERVER_TIMEOUTS),
    // The router's refusals skip every hook: headers and the address limit are applied here.
    frameworkErrors: (err, request, reply) => {
      applySecurityHeaders(request, reply, headers);
      const wait = limits?.chargeUnrouted(request) ?? 0;
      if (wait > 0) answerRateLimited(reply, wait);
      else answerFrameworkError(err, request, reply);
    },
    clientErrorHandler: answerClientError,
  });
  installSecurityHeaders(app, headers);
  installRouteBodyLimits(app, options.bodyLimitBytes);
  limits = options.rateLimits === undefined ? undefined : installRateLimits(app, options.rateLimits);
  // After the address limit (an address over its budget is refused first, and cheaply).
  installWriteAdmission(app, options.writesInFlightMax ?? 0);
  installErrorHandling(app);
  // Every signed route authenticates through this one: the read limits apply to all of them.
  const readAuth = limits === undefined ? options.readAuth : limits.guardReads(options.readAuth);
  app.get('/healthz', async () => ({ status: 'ok', size: options.ledger.size() }));
  await app.register(logRoutes, {
    ledger: options.ledger,
    entriesPageMax: options.entriesPageMax,
    readAuth,
    ...(options.lifecycle ? { prescriptions: options.lifecycle.prescriptions } : {}),
  });
  await app.register(statementRoutes, {
    ledger: options.ledger,
    ...(options.onRecorded ? { onRecorded: options.onRecorded } : {}),
    ...(options.statementIntake ? { intake: options.statementIntake } : {}),
  });
  await app.register(receiptRoutes, { ledger: options.ledger });
  if (options.patients !== undefined) await app.register(patientRoutes, { patients: options.patients });
  if (options.lifecycle !== undefined) await app.register(prescriptionRoutes, { ...options.lifecycle, readAuth, queuePageMax: QUEUE_PAGE_MAX });
  if (options.checker !== undefined) {
    await app.register(checkerRoutes, { ...options.checker, readAuth });
    await app.register(cdsHooksRoutes, { ...options.checker, readAuth });
  }
  if (options.witnesses !== undefined) await app.register(witnessRoutes, { collector: options.witnesses });
  if (options.oversight !== undefined) await app.register(oversightRoutes, { ...options.oversight, readAuth });
  await app.register(regulatorPageRoutes);
  await app.register(openApiRoutes, { origin: options.ledger.origin, entriesPageMax: options.entriesPageMax, queuePageMax: QUEUE_PAGE_MAX, patients: options.patients !== undefined, prescriptions: options.lifecycle !== undefined, checker: options.checker !== undefined, witnesses: options.witnesses !== undefined, oversight: options.oversight !== undefined });
  return app;
}
