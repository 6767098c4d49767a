/**
 * Reads of the prescription lifecycle, all with a signed request (docs/AUTH.md §4):
 *   GET /v1/prescriptions/:id                     a party's view: state, fills, the prescription
 *                                                 (a courier's: state and holder only)
 *   GET /v1/pharmacies/:pharmacyId/queue?after&limit
 *                                                 what is routed to the pharmacy and claimable now,
 *                                                 oldest first, paged by submission index
 *   GET /v1/couriers/:courierId/assignments       the courier's open deliveries, with the address
 * Writes all go through POST /v1/statements.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { RxError } from '../core/errors.js';
import { isPartyTo, readsAllEntries } from '../domain/registry/authorization.js';
import type { RegistryView } from '../domain/registry/registry-rules.js';
import { prescriptionDeliveryView, prescriptionDetail, prescriptionStatus } from '../domain/prescription/prescription-summary.js';
import type { PrescriptionStore } from '../store/prescription-store.js';
import type { IdentityStore } from '../store/identity-store.js';
import { PrescriptionIdSchema } from '../../schemas/lifecycle.js';
import { IndexParam } from './index-param.js';
import { parseRequestPart } from './parse-request.js';
import type { ReadAuthenticator } from './read-auth.js';

export interface PrescriptionRoutesOptions {
  readonly readAuth: ReadAuthenticator;
  readonly prescriptions: PrescriptionStore;
  readonly registry: RegistryView;
  /** Delivery addresses, for couriers' assignments. */
  readonly identities: Pick<IdentityStore, 'get'>;
  readonly clock?: () => number;
  readonly queuePageMax: number;
}

const ActorParam = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lowercase letters, digits and hyphens, 3 to 64');

export const prescriptionRoutes: FastifyPluginAsync<PrescriptionRoutesOptions> = async (app, options) => {
  const { readAuth, prescriptions, registry, identities, queuePageMax } = options;
  const clock = options.clock ?? Date.now;
  const notFound = () => new RxError('RX_NOT_FOUND', 'no such prescription, or not one this actor may read', { paths: ['params.id'] });

  app.get('/v1/prescriptions/:id', async (request) => {
    const reader = readAuth.authenticate(request);
    const { id } = parseRequestPart(z.strictObject({ id: PrescriptionIdSchema }), request.params, 'params');
    const rx = prescriptions.prescription(id);
    if (rx === undefined) throw notFound();
    // A courier is a party to what it carries, but reads only the delivery's view of it: never the drugs.
    if (isPartyTo(reader, rx)) return reader.role === 'courier' ? prescriptionDeliveryView(rx, clock()) : prescriptionDetail(rx, clock());
    // A pharmacy the patient walks into with an open prescription's access code sees its status
    // (not its content) so that it can claim it; the claim itself checks the code.
    const pharmacy = reader.institutionId === null ? undefined : registry.institution(reader.institutionId);
    if (reader.role === 'pharmacist' && rx.routing.mode === 'open' && pharmacy?.region.slice(0, 4) === rx.city) return prescriptionStatus(rx, clock());
    throw notFound(); // existence is not disclosed to non-parties
  });

  app.get('/v1/pharmacies/:pharmacyId/queue', async (request) => {
    const reader = readAuth.authenticate(request);
    const { pharmacyId } = parseRequestPart(z.strictObject({ pharmacyId: ActorParam }), request.params, 'params');
    const query = z.strictObject({ after: IndexParam.optional(), limit: IndexParam.pipe(z.number().int().min(1).max(queuePageMax)).optional() });
    const { after, limit } = parseRequestPart(query, request.query, 'query');
    if (!readsAllEntries(reader) && !(reader.role === 'pharmacist' && reader.institutionId === pharmacyId)) {
      throw new RxError('AUTH_ROLE_FORBIDDEN', 'a pharmacy’s queue is read by its own pharmacists', { paths: ['params.pharmacyId'] });
    }
    const now = clock();
    const page = prescriptions.queue(pharmacyId, now, after ?? -1, limit ?? queuePageMax);
    return { items: page.items.map((rx) => prescriptionStatus(rx, now)), ...(page.next === undefined ? {} : { next: page.next }) };
  });

  app.get('/v1/couriers/:courierId/assignments', async (request) => {
    const reader = readAuth.authenticate(request);
    const { courierId } = parseRequestPart(z.strictObject({ courierId: ActorParam }), request.params, 'params');
    if (reader.actorId !== courierId) throw new RxError('AUTH_ROLE_FORBIDDEN', 'a courier reads only its own assignments', { paths: ['params.courierId'] });
    const now = clock();
    return {
      items: prescriptions.assignments(courierId).map((rx) => {
        const identity = identities.get(rx.identityCommitment);
        // Only what a delivery needs: where, and whom to hand it to. Never the national id or the drugs.
        const address =
          identity.status === 'present' && identity.identity.address !== undefined
            ? { ...identity.identity.address, recipient: identity.identity.address.recipient ?? identity.identity.name, recipientPhone: identity.identity.address.recipientPhone ?? identity.identity.phone ?? null }
            : null;
        return { prescriptionId: rx.prescriptionId, state: rx.state, lastIndex: rx.lastIndex, fill: rx.fill, pharmacyId: rx.holder, address, identity: identity.status };
      }),
      asOf: now,
    };
  });
};
