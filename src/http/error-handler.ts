/**
 * Turns every failure into `{ error: { code, message, paths } }` with the status from the one
 * table. Server-side failures answer with a generic message: internals and payloads never reach
 * a client or the log.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RxError, type ErrorCode } from '../core/errors.js';
import { HTTP_STATUS } from './error-status.js';
import { RAW_SECURITY_HEADERS } from './security-headers.js';

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly paths: readonly string[] };
}

/** Fastify's own client errors, by their stable FST_* codes, with the request part at fault. */
const FASTIFY_CODES: Readonly<Record<string, { code: ErrorCode; paths: readonly string[] }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'REQUEST_TOO_LARGE', paths: ['body'] },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'REQUEST_MEDIA_TYPE_UNSUPPORTED', paths: ['headers.content-type'] },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'REQUEST_INVALID', paths: ['headers.content-length'] },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'REQUEST_INVALID', paths: ['body'] },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'REQUEST_INVALID', paths: ['body'] },
  FST_ERR_VALIDATION: { code: 'REQUEST_INVALID', paths: [] },
  // The router's: a path parameter that is not valid percent-encoded UTF-8, or one longer than
  // the router's bound (no parameter of this API is anywhere near it).
  FST_ERR_BAD_URL: { code: 'REQUEST_INVALID', paths: ['params'] },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'REQUEST_INVALID', paths: ['params'] },
};

/**
 * Most offending paths one error body names. A hostile body can break a schema in as many places
 * as it has values; the first few say what is wrong, and the answer stays small.
 */
export const MAX_ERROR_PATHS = 32;

export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof RxError) {
    const status = HTTP_STATUS[err.code];
    const message = status >= 500 ? 'the service could not complete the request' : err.message;
    const paths = err.paths.length > MAX_ERROR_PATHS ? err.paths.slice(0, MAX_ERROR_PATHS) : err.paths;
    return { status, body: { error: { code: err.code, message, paths } } };
  }
  const fastifyCode = (err as FastifyError | undefined)?.code;
  const mapped = fastifyCode === undefined || !Object.hasOwn(FASTIFY_CODES, fastifyCode) ? undefined : FASTIFY_CODES[fastifyCode];
  if (mapped !== undefined) {
    return { status: HTTP_STATUS[mapped.code], body: { error: { code: mapped.code, message: 'the request was refused', paths: mapped.paths } } };
  }
  // JSON syntax errors from the body parser carry statusCode 400 but no FST code.
  const statusCode = (err as { statusCode?: number } | undefined)?.statusCode;
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return { status: 400, body: { error: { code: 'REQUEST_INVALID', message: 'the request was refused', paths: [] } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'the service could not complete the request', paths: [] } } };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const { status, body } = toErrorBody(err);
    if (status >= 500) {
      // Log the code and the stack's origin, never the request body.
      request.log.error({ code: body.error.code, err: err instanceof RxError ? { code: err.code } : { type: (err as Error).name } }, 'request failed');
    }
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((_request, reply) => {
    const body: ErrorBody = { error: { code: 'ROUTE_NOT_FOUND', message: 'no such route', paths: [] } };
    return reply.status(404).send(body);
  });
}

/**
 * Fastify's `frameworkErrors` option (given to `Fastify()` in app.ts): the router's refusals —
 * a URL it cannot decode, a path parameter over its length bound — answered with the typed body,
 * instead of Fastify's own, which is untyped and echoes the request's path.
 */
export function answerFrameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorBody(err);
  void reply.status(status).send(body);
}

/** Node's HTTP parser refusals, by `err.code` (llhttp's HPE_* codes and Node's own). */
const CLIENT_ERROR_CODES: Readonly<Record<string, ErrorCode>> = {
  HPE_HEADER_OVERFLOW: 'REQUEST_HEADERS_TOO_LARGE',
  // The headers or the whole request did not arrive within the server's timeouts (server-timeouts.ts).
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};

/**
 * Fastify's `clientErrorHandler` option (given to `Fastify()` in app.ts): a request Node's HTTP
 * parser refused (malformed request line or headers, headers over the size bound) never reaches
 * a route; it is answered here with the typed body and the connection is closed, as Node does.
 * The request's bytes are never echoed or logged.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code = (err.code !== undefined && Object.hasOwn(CLIENT_ERROR_CODES, err.code) ? CLIENT_ERROR_CODES[err.code] : undefined) ?? 'REQUEST_INVALID';
  const status = HTTP_STATUS[code];
  const body: ErrorBody = { error: { code, message: 'the request was refused', paths: code === 'REQUEST_HEADERS_TOO_LARGE' ? ['headers'] : [] } };
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
        `${RAW_SECURITY_HEADERS}Connection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(err);
}
