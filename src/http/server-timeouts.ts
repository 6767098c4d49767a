/**
 * The HTTP server's timeouts: how long a client may take to send its headers and its whole
 * request, how long a connection may sit idle mid-request and between requests. They bound what a
 * slow or stalled client (slow loris, a stalled body upload, a reader that never reads) can hold:
 * a socket, a parser and a little memory, for at most these times.
 *
 * Node checks the header and request deadlines every `connectionsCheckingInterval` (30 s by
 * default, which would let a slow loris live half a minute past its deadline); it is derived from
 * the deadlines here so that a connection is cut within a quarter of its deadline, and at most a
 * second, after it passes.
 *
 * A cut request is answered `408 REQUEST_TIMEOUT` (when nothing was answered on the connection
 * yet) by error-handler.ts answerClientError, and the connection closed.
 */
import type { ServerOptions } from 'node:http';

export interface ServerTimeouts {
  /** A request's headers must all arrive within this many ms of its first byte (Node `headersTimeout`). */
  readonly headersTimeoutMs: number;
  /** The whole request, headers and body, within this many ms (Node `requestTimeout`); ≥ headersTimeoutMs. */
  readonly requestTimeoutMs: number;
  /** A socket with no traffic either way for this long, while a request is in progress, is destroyed (Fastify `connectionTimeout`). */
  readonly connectionTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long (Fastify `keepAliveTimeout`). */
  readonly keepAliveTimeoutMs: number;
  /** Most requests one connection may carry; 0: no limit (Fastify `maxRequestsPerSocket`). */
  readonly maxRequestsPerSocket: number;
}

/**
 * The defaults (src/config.ts): headers in 10 s and a request in 30 s are far beyond what any
 * client needs for this API's bodies (≤ 1 MiB); a 72 s keep-alive (Fastify's default) outlasts
 * the 60 s idle timeout of common proxies and load balancers, so the proxy, not the service,
 * closes idle upstream connections (otherwise it may reuse one the service is closing).
 */
export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  maxRequestsPerSocket: 0,
});

/** The Fastify server options that carry `t`. */
export function serverTimeoutOptions(t: ServerTimeouts): {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  maxRequestsPerSocket: number;
  http: ServerOptions;
} {
  const checkEvery = Math.max(10, Math.min(1000, Math.floor(Math.min(t.headersTimeoutMs, t.requestTimeoutMs) / 4)));
  return {
    connectionTimeout: t.connectionTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    maxRequestsPerSocket: t.maxRequestsPerSocket,
    // Fastify passes these to http.createServer and sets requestTimeout again afterwards.
    http: { headersTimeout: t.headersTimeoutMs, requestTimeout: t.requestTimeoutMs, connectionsCheckingInterval: checkEvery },
  };
}
