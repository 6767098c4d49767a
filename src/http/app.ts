/**
 * Builds the HTTP application around an open ledger. `main.ts` listens; tests call `createApp`
 * and use `inject` or listen on 127.0.0.1.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppendResult, Ledger } from '../ledger/ledger.js';
import { installErrorHandling } from './error-handler.js';
import { logRoutes } from './log-routes.js';
import { statementRoutes } from './statement-routes.js';
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
  /** Side effects of durable entries outside the ledger (identity erasure). */
  readonly onRecorded?: (result: AppendResult) => void;
  /** A pino logger instance, or false for none. */
  readonly logger?: FastifyServerOptions['loggerInstance'] | false;
}

export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  installErrorHandling(app);
  // Callback style: no promise per response.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    done(null, payload);
  });
  app.get('/healthz', async () => ({ status: 'ok', size: options.ledger.size() }));
  await app.register(logRoutes, {
    ledger: options.ledger,
    entriesPageMax: options.entriesPageMax,
    readAuth: options.readAuth,
    ...(options.lifecycle ? { prescriptions: options.lifecycle.prescriptions } : {}),
  });
  await app.register(statementRoutes, { ledger: options.ledger, ...(options.onRecorded ? { onRecorded: options.onRecorded } : {}) });
  await app.register(receiptRoutes, { ledger: options.ledger });
  if (options.patients !== undefined) await app.register(patientRoutes, { patients: options.patients });
  if (options.lifecycle !== undefined) await app.register(prescriptionRoutes, { ...options.lifecycle, readAuth: options.readAuth, queuePageMax: QUEUE_PAGE_MAX });
  if (options.checker !== undefined) {
    await app.register(checkerRoutes, { ...options.checker, readAuth: options.readAuth });
    await app.register(cdsHooksRoutes, { ...options.checker, readAuth: options.readAuth });
  }
  if (options.witnesses !== undefined) await app.register(witnessRoutes, { collector: options.witnesses });
  if (options.oversight !== undefined) await app.register(oversightRoutes, { ...options.oversight, readAuth: options.readAuth });
  await app.register(regulatorPageRoutes);
  await app.register(openApiRoutes, { origin: options.ledger.origin, entriesPageMax: options.entriesPageMax, queuePageMax: QUEUE_PAGE_MAX, patients: options.patients !== undefined, prescriptions: options.lifecycle !== undefined, checker: options.checker !== undefined, witnesses: options.witnesses !== undefined, oversight: options.oversight !== undefined });
  return app;
}
