/** The OpenAPI 3.1 objects the document generator builds (the subset it uses). */

import type { Role } from '../../domain/registry/registry-model.js';

export const OPENAPI_VERSION = '3.1.0';

export interface OpenApiOptions {
  /** The log's origin: the statements in the examples name it, as real statements must. */
  readonly origin: string;
  /** Largest page of GET /v1/log/entries (ENTRIES_PAGE_MAX). */
  readonly entriesPageMax: number;
  /** Largest page of a pharmacy queue. */
  readonly queuePageMax: number;
  /** Whether POST /v1/patients is served; default true. */
  readonly patients?: boolean;
  /** Whether the prescription reads are served; default true. */
  readonly prescriptions?: boolean;
  /** Whether the checker's routes (rule sets, dry runs, CDS Hooks) are served; default true. */
  readonly checker?: boolean;
  /** Whether the witness routes (cosignature submission, cosigned checkpoint) are served; default true. */
  readonly witnesses?: boolean;
  /** Whether the oversight routes (statistics and alerts for regulators) are served; default true. */
  readonly oversight?: boolean;
}

export type Json = { readonly [key: string]: unknown };
export type Reference = { readonly $ref: string };
export interface ExampleObject {
  readonly summary: string;
  readonly description?: string;
  readonly value: unknown;
}
export interface MediaTypeObject {
  readonly schema: Json;
  readonly example?: unknown;
  readonly examples?: Readonly<Record<string, ExampleObject>>;
}
export interface ResponseObject {
  readonly description: string;
  readonly headers?: Json;
  readonly content?: Readonly<Record<string, MediaTypeObject>>;
}
export interface ParameterObject {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly description: string;
  readonly schema: Json;
  readonly example: string;
}
export interface ActionEntry {
  readonly payload: Reference;
  readonly roles: readonly Role[];
  readonly examples: readonly string[];
}
export interface OperationObject {
  readonly operationId: string;
  readonly tags: readonly string[];
  readonly summary: string;
  readonly description: string;
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: { readonly required: true; readonly description: string; readonly content: Readonly<Record<string, MediaTypeObject>> };
  readonly responses: Readonly<Record<string, ResponseObject | Reference>>;
  readonly 'x-rxledger-actions'?: Readonly<Record<string, ActionEntry>>;
}
export interface OpenApiDocument {
  readonly openapi: typeof OPENAPI_VERSION;
  readonly jsonSchemaDialect: string;
  readonly info: Json;
  readonly tags: readonly Json[];
  readonly paths: Readonly<Record<string, Readonly<Partial<Record<'get' | 'post', OperationObject>>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, Json>>;
    readonly responses: Readonly<Record<string, ResponseObject>>;
    readonly securitySchemes: Readonly<Record<string, Json>>;
  };
  readonly 'x-rxledger-error-codes': Readonly<Record<string, { readonly status: number; readonly response: string }>>;
}
