/**
 * CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/): discovery and the `order-sign` service. The
 * request is authenticated like every other call here, by the prescriber's signed request
 * (docs/AUTH.md), rather than by a JWT: the signing key is the one the registry holds for that
 * prescriber. The draft orders are checked like a dry run (POST /v1/checks): nothing is recorded.
 */
import type { FastifyPluginAsync } from 'fastify';
import { RxError } from '../core/errors.js';
import { CDS_DISCOVERY, draftPrescription, findingsToCards, ORDER_SIGN_SERVICE_ID, OrderSignRequestSchema } from '../domain/checker/cds-hooks.js';
import { activeChecker } from '../domain/checker/rule-set-activation.js';
import { dayOf } from '../domain/prescription/calendar.js';
import { checkPrescription } from '../domain/prescription/lifecycle-records.js';
import { PrescriptionSchema } from '../../schemas/prescription.js';
import type { CheckerRoutesOptions } from './checker-routes.js';
import { parseRequestPart } from './parse-request.js';
import { useStrictJsonBodies } from './json-body.js';

export const cdsHooksRoutes: FastifyPluginAsync<CheckerRoutesOptions> = async (app, options) => {
  useStrictJsonBodies(app);
  const { readAuth, state, ruleSets } = options;
  const clock = options.clock ?? Date.now;

  app.get('/cds-services', async () => CDS_DISCOVERY);

  app.post(`/cds-services/${ORDER_SIGN_SERVICE_ID}`, async (request) => {
    const reader = readAuth.authenticate(request);
    if (reader.role !== 'prescriber' || reader.institutionId === null) throw new RxError('AUTH_ROLE_FORBIDDEN', 'order-sign is called by a prescriber’s system', { paths: [] });
    const hook = parseRequestPart(OrderSignRequestSchema, request.body, 'body');
    const now = clock();
    // The mapped prescription must be one the ledger would accept; its faults name the FHIR field behind them.
    const prescription = parseRequestPart(PrescriptionSchema, draftPrescription(hook, { actorId: reader.actorId, institutionId: reader.institutionId }, dayOf(now)), 'body');
    const checker = activeChecker(state, ruleSets);
    const result = checkPrescription(state, prescription, now, checker);
    request.log.info({ actorId: reader.actorId, findings: result.findings.length }, 'order-sign check');
    const orderIds = hook.context.draftOrders.entry.map((e) => e.resource.id);
    return { cards: findingsToCards(result, orderIds, checker.ruleSet.name) };
  });
};
