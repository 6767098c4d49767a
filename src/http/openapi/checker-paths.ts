/**
 * The checker's paths in the OpenAPI document: the active rule set, bundles by hash, dry-run
 * checks and the CDS Hooks service (src/http/checker-routes.ts, cds-hooks-routes.ts).
 */
import { z } from 'zod';
import { Hex256Schema } from '../../../schemas/prescription.js';
import { CDS_DISCOVERY, ORDER_SIGN_SERVICE_ID } from '../../domain/checker/cds-hooks.js';
import { examplePrescription, exampleHex256, RX_NOMINATED } from './action-examples.js';
import { errors, ref } from './error-responses.js';
import { json, SIGNED_READ } from './helpers.js';
import type { Json, ParameterObject } from './types.js';

const jsonOf = (schemaName: string, example?: Json) => json(schemaName, example === undefined ? {} : { example });

/** A FHIR order-sign request in the profile of src/domain/checker/cds-hooks.ts. */
export const ORDER_SIGN_EXAMPLE = {
  hook: 'order-sign',
  hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
  context: {
    userId: 'Practitioner/dr-li',
    patientId: exampleHex256('patient pseudonym'),
    draftOrders: {
      resourceType: 'Bundle',
      entry: [
        {
          resource: {
            resourceType: 'MedicationRequest',
            id: 'mr-1',
            medicationCodeableConcept: { text: '苯磺酸氨氯地平片', coding: [{ system: 'urn:nhsa:drug', code: 'XC08CAA001A001010100001' }] },
            dosageInstruction: [{ timing: { code: { coding: [{ code: 'qd' }] } }, route: { coding: [{ code: 'oral' }] }, doseAndRate: [{ doseQuantity: { value: 5, unit: 'mg' } }] }],
            dispenseRequest: { expectedSupplyDuration: { value: 7, unit: 'd' }, quantity: { value: 7, unit: '片' } },
          },
        },
      ],
    },
  },
  prefetch: {
    patient: { resourceType: 'Patient', birthDate: '1958-03-02', gender: 'female' },
    conditions: { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Condition', code: { text: '原发性高血压', coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }] } } }] },
    allergies: { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'AllergyIntolerance', code: { text: '青霉素' } } }] },
  },
} as const;

export function checkerPaths(): Record<string, Json> {
  const hashParam: ParameterObject = { name: 'hash', in: 'path', required: true, description: 'The rule set’s hash (docs/CHECKER.md §3).', schema: z.toJSONSchema(Hex256Schema) as Json, example: exampleHex256('rule set') };
  return {
    '/v1/rulesets/active': {
      get: {
        operationId: 'getActiveRuleSet',
        tags: ['checker'],
        summary: 'The rule set and policy new prescriptions are checked with',
        description: 'Public. Activated by the log’s last `ledger.rule-set` entry; counts per kind of rule.',
        responses: { '200': { description: 'The active rule set.', content: jsonOf('ActiveRuleSet') }, ...errors(500, 503) },
      },
    },
    '/v1/rulesets/{hash}': {
      get: {
        operationId: 'getRuleSetBundle',
        tags: ['checker'],
        summary: 'A rule-set bundle’s exact bytes',
        description: 'Public. RFC 8785 JSON whose domain-separated SHA-256 is the hash (docs/CHECKER.md §3); what a verifier re-runs checks with.',
        parameters: [hashParam],
        responses: { '200': { description: 'The bundle bytes.', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(400, 404, 500, 503) },
      },
    },
    '/v1/checks': {
      post: {
        operationId: 'postCheck',
        tags: ['checker'],
        summary: 'Dry run: the check a submission would get now; nothing is recorded',
        description: 'Signed request by the prescriber the prescription names (the signature covers method and path). The findings reflect the patient’s other live prescriptions and the prescriber’s privileges.',
        security: SIGNED_READ,
        requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', 'CheckRequest'), examples: { plain: { summary: 'A one-line outpatient prescription', value: { prescription: examplePrescription(RX_NOMINATED) } } } } } },
        responses: { '200': { description: 'The result; nothing was written.', content: jsonOf('CheckResponse') }, ...errors(400, 401, 403, 413, 415, 500, 503) },
      },
    },
    '/cds-services': {
      get: {
        operationId: 'getCdsServices',
        tags: ['checker'],
        summary: 'CDS Hooks 2.0 discovery',
        description: 'Public.',
        responses: { '200': { description: 'The services.', content: jsonOf('CdsDiscovery', CDS_DISCOVERY as unknown as Json) }, ...errors(500) },
      },
    },
    [`/cds-services/${ORDER_SIGN_SERVICE_ID}`]: {
      post: {
        operationId: 'postOrderSign',
        tags: ['checker'],
        summary: 'CDS Hooks `order-sign`: cards for draft medication orders; nothing is recorded',
        description: 'Signed request by a prescriber (instead of a JWT). The FHIR profile it reads is in docs/CHECKER.md §6.',
        security: SIGNED_READ,
        requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', 'OrderSignRequest'), examples: { amlodipine: { summary: 'One draft order', value: ORDER_SIGN_EXAMPLE as unknown as Json } } } } },
        responses: { '200': { description: 'One card per finding.', content: jsonOf('CdsCards') }, ...errors(400, 401, 403, 413, 415, 500, 503) },
      },
    },
  };
}
