/**
 * The document's component schemas: one zod registry, so shared pieces (the signed statement,
 * the prescription, findings, …) become $refs between components.
 */
import { z } from 'zod';
import { LedgerEntrySchema } from '../../core/entry.js';
import { SignedStatementSchema } from '../../core/statement.js';
import { OrderSignRequestSchema } from '../../domain/checker/cds-hooks.js';
import { FindingSchema } from '../../domain/prescription/lifecycle-entry-types.js';
import { RoutingSchema } from '../../../schemas/lifecycle.js';
import { PatientIdentitySchema, PrescriptionSchema } from '../../../schemas/prescription.js';
import { CheckRequestSchema } from '../checker-routes.js';
import { ACTION_PAYLOADS, PATIENT_IDENTIFY_ACTION, PatientIdentifyPayloadSchema, RECORD_BODIES } from './action-examples.js';
import { RESPONSE_SCHEMAS } from './response-schemas.js';
import type { Json } from './types.js';


const COMPONENT_URI = (id: string): string => `#/components/schemas/${id}`;

export function componentSchemas(descriptions: ReadonlyMap<string, string>): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  const add = (id: string, schema: z.ZodType) => {
    // One schema object can serve several actions; zod then emits a $ref to the first id.
    registry.add(registry.has(schema) ? schema.clone() : schema, { id });
  };
  add('SignedStatement', SignedStatementSchema);
  add('Prescription', PrescriptionSchema);
  add('PatientIdentity', PatientIdentitySchema);
  add('Routing', RoutingSchema);
  add('Finding', FindingSchema);
  add('LedgerEntry', LedgerEntrySchema);
  for (const [action, schema] of Object.entries(ACTION_PAYLOADS)) add(`payload.${action}`, schema);
  add(`payload.${PATIENT_IDENTIFY_ACTION}`, PatientIdentifyPayloadSchema);
  for (const [type, schema] of Object.entries(RECORD_BODIES)) add(`entry.${type}`, schema);
  for (const [id, schema] of Object.entries(RESPONSE_SCHEMAS)) add(id, schema);
  add('CheckRequest', CheckRequestSchema);
  add('OrderSignRequest', OrderSignRequestSchema);
  const generated = z.toJSONSchema(registry, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input', uri: COMPONENT_URI }).schemas;
  return Object.fromEntries(
    Object.entries(generated).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
      const description = descriptions.get(id);
      return [id, description === undefined ? rest : { description, ...rest }];
    }),
  );
}
