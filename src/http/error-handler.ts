/**
 * Turns every failure into `{ error: { code, message, paths } }` with the status from the one
 * table. Server-side failures answer with a generic message: internals and payloads never reach
 * a client or the log.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { RxError, type ErrorCode } from '../core/errors.js';
import { HTTP_STATUS } from './error-status.js';

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly paths: readonly string[] };
}

/** Fastify's own client errors, by their stable FST_* codes. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'REQUEST_MEDIA_TYPE_UNSUPPORTED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'REQUEST_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'REQUEST_INVALID',
  FST_ERR_CTP_INVALID_JSON_BODY: 'REQUEST_INVALID',
  FST_ERR_VALIDATION: 'REQUEST_INVALID',
};

export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof RxError) {
    const status = HTTP_STATUS[err.code];
    const message = status >= 500 ? 'the service could not complete the request' : err.message;
    return { status, body: { error: { code: err.code, message, paths: err.paths } } };
  }
  const fastifyCode = (err as FastifyError | undefined)?.code;
  const mapped = fastifyCode === undefined ? undefined : FASTIFY_CODES[fastifyCode];
  if (mapped !== undefined) {
    return { status: HTTP_STATUS[mapped], body: { error: { code: mapped, message: 'the request was refused', paths: [] } } };
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
