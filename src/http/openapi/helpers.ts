/** Small builders every part of the OpenAPI document uses: security, media types, parameters. */
import { z } from 'zod';
import { ref } from './error-responses.js';
import type { Json, MediaTypeObject, ParameterObject } from './types.js';

export function jsonSchemaOf(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  return rest;
}

export const SIGNED_READ = [{ rxReadSignatureInput: [], rxReadSignature: [] }] as const;
export const SIGNED_WRITE_NOTE = 'Authenticated by the signed statement in the body (docs/AUTH.md §2), not by any HTTP header.';
export const json = (schemaName: string, extra: Omit<MediaTypeObject, 'schema'> = {}): Record<string, MediaTypeObject> => ({ 'application/json': { schema: ref('schemas', schemaName), ...extra } });
export const noCache = { 'Cache-Control': { description: 'Always `no-cache`.', schema: { type: 'string', const: 'no-cache' } } };

export function param(name: string, where: 'path' | 'query', schema: z.ZodType, description: string, example: string, required = true): ParameterObject {
  return { name, in: where, required: where === 'path' ? true : required, description, schema: jsonSchemaOf(schema), example };
}
