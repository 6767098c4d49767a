/**
 * Per-route body limits. BODY_LIMIT_BYTES (1 MiB by default) bounds every body; the routes below
 * take bodies whose legitimate size is far smaller, and refuse anything larger with
 * `413 REQUEST_TOO_LARGE` before reading it (by Content-Length) or as soon as a chunked body
 * passes the limit: nobody can make the service buffer and parse a megabyte per request there.
 *
 * Fastify does the counting (the route's `bodyLimit`); this sets it from one table, as each route
 * is registered, and never raises a limit above BODY_LIMIT_BYTES or above one a route set itself.
 * Routes not listed (CDS Hooks, whose FHIR context may carry extra members) keep BODY_LIMIT_BYTES.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_ENTRY_BYTES } from '../core/entry.js';
import { MAX_NOTE_BYTES } from '../core/signed-note.js';

/**
 * Largest body per route, by `METHOD /path`. On the wire a statement may be larger than the entry
 * it becomes (whitespace, `\uXXXX` escapes up to 3 × the UTF-8 bytes of a character), hence the
 * margins; the ledger still refuses an entry over MAX_ENTRY_BYTES (ENTRY_TOO_LARGE).
 */
export const ROUTE_BODY_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  // A signed statement: every entry a statement becomes is at most MAX_ENTRY_BYTES.
  'POST /v1/statements': 4 * MAX_ENTRY_BYTES,
  // A prescription, as in rx.submit.
  'POST /v1/checks': 4 * MAX_ENTRY_BYTES,
  // A signed identity record: name ≤ 64, address line ≤ 256 characters (schemas/prescription.ts); under 3 KiB even fully escaped.
  'POST /v1/patients': 16 * 1024,
  // A checkpoint (≤ MAX_NOTE_BYTES) and one cosignature line.
  'POST /v1/checkpoint/cosignatures': 2 * MAX_NOTE_BYTES + 4096,
});

/** Body limit of `METHOD url` given the server's limit. */
export function routeBodyLimit(method: string, url: string, serverLimit: number): number {
  const listed = ROUTE_BODY_LIMITS[`${method} ${url}`];
  return listed === undefined ? serverLimit : Math.min(listed, serverLimit);
}

/** Applies the table to every route registered on `app` (and its children) from now on. */
export function installRouteBodyLimits(app: FastifyInstance, serverLimit: number): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const limit = routeBodyLimit(method, route.url, serverLimit);
      if (limit < (route.bodyLimit ?? serverLimit)) route.bodyLimit = limit;
    }
  });
}
