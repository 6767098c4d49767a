/** The prescription lifecycle's read paths in the OpenAPI document (src/http/prescription-routes.ts). */
import { z } from 'zod';
import { ActorIdSchema } from '../../core/statement.js';
import { InstitutionIdSchema } from '../../domain/registry/registry-model.js';
import { PrescriptionIdSchema } from '../../../schemas/lifecycle.js';
import { IndexParam } from '../index-param.js';
import { EXAMPLE_ACTORS, PHARMACY, RX_NOMINATED } from './action-examples.js';
import { errors, ref } from './error-responses.js';
import { json, param, SIGNED_READ } from './helpers.js';
import type { OperationObject } from './types.js';

export function prescriptionPaths(queuePageMax: number): Record<string, Partial<Record<'get' | 'post', OperationObject>>> {
  return {
    '/v1/prescriptions/{id}': {
      get: {
        operationId: 'getPrescription',
        tags: ['prescriptions'],
        summary: 'A prescription’s state, fills and content, for its parties',
        description: 'Signed read. Parties (the prescribing institution’s prescribers, pharmacies that held it, regulators, operators) get PrescriptionDetail; a courier that carries or carried it gets PrescriptionDeliveryView (state and holder, never the prescription). A pharmacist of a pharmacy in the prescribing city gets PrescriptionStatus of an open prescription, to claim it. Everyone else gets 404 RX_NOT_FOUND: existence is not disclosed.',
        security: SIGNED_READ,
        parameters: [param('id', 'path', PrescriptionIdSchema, 'The prescription id.', RX_NOMINATED)],
        responses: {
          '200': { description: 'The prescription.', content: { 'application/json': { schema: { oneOf: [ref('schemas', 'PrescriptionDetail'), ref('schemas', 'PrescriptionDeliveryView'), ref('schemas', 'PrescriptionStatus')] } } } },
          ...errors(400, 401, 403, 404, 500, 503),
        },
      },
    },
    '/v1/pharmacies/{pharmacyId}/queue': {
      get: {
        operationId: 'getPharmacyQueue',
        tags: ['prescriptions'],
        summary: 'What is routed to a pharmacy and claimable now, oldest first',
        description: `Signed read by the pharmacy’s own pharmacists (or a regulator or operator). Paged by submission index: pass \`next\` as \`after\`.`,
        security: SIGNED_READ,
        parameters: [
          param('pharmacyId', 'path', InstitutionIdSchema, 'The pharmacy.', PHARMACY),
          param('after', 'query', IndexParam.optional(), 'Only prescriptions submitted after this index.', '1000', false),
          param('limit', 'query', IndexParam.pipe(z.number().int().min(1).max(queuePageMax)).optional(), `Page size, 1 to ${queuePageMax} (the default).`, '20', false),
        ],
        responses: { '200': { description: 'A page of the queue.', content: json('PharmacyQueuePage') }, ...errors(400, 401, 403, 500, 503) },
      },
    },
    '/v1/couriers/{courierId}/assignments': {
      get: {
        operationId: 'getCourierAssignments',
        tags: ['prescriptions'],
        summary: 'A courier’s open deliveries, with where and to whom',
        description: 'Signed read by the courier itself. Only what a delivery needs: the address and recipient, never the national id or the drugs. `address` is null when the identity record is erased or has no address.',
        security: SIGNED_READ,
        parameters: [param('courierId', 'path', ActorIdSchema, 'The courier (must be the signer).', EXAMPLE_ACTORS.courier)],
        responses: { '200': { description: 'The assignments.', content: json('CourierAssignments') }, ...errors(400, 401, 403, 500, 503) },
      },
    },
  };
}
