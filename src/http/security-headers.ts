/**
 * Headers every answer carries (docs/SECURITY.md §"Security headers"). The API answers JSON and
 * text to programs; one route serves an HTML page (src/http/regulator-page-routes.ts), which sets
 * its own, stricter Content-Security-Policy and Permissions-Policy; this hook never overrides a
 * header a route set, except that it forces `Cache-Control: no-store` on credentialed requests.
 *
 *   X-Content-Type-Options: nosniff        a browser never runs a JSON or text answer as script
 *   Referrer-Policy: no-referrer           URLs (prescription ids, queries) never leak to a third party
 *   X-Frame-Options: DENY                  no answer is framed (and frame-ancestors 'none' below)
 *   Cross-Origin-Resource-Policy: same-origin
 *                                          another site cannot pull an answer into its page as a
 *                                          no-cors resource (an <img> or <script> read side-channel)
 *   Content-Security-Policy: default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'
 *                                          for anything but the page: an answer rendered as a
 *                                          document by mistake can load and run nothing
 *   Cache-Control: no-store                on every answer to a credentialed request (a signed read,
 *                                          a signed write: personal or access-controlled data), and
 *                                          on every other answer whose route did not choose its
 *                                          own caching (public log data that is immutable says so)
 *   Strict-Transport-Security              only when HSTS_MAX_AGE_SECONDS > 0: the service speaks
 *                                          plain HTTP behind a TLS-terminating proxy, and only the
 *                                          deployment knows that every client reaches it over TLS
 *
 * Neither Node nor Fastify sends `Server` or `X-Powered-By`; none is added.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The same headers as raw HTTP/1.1 header lines, for answers written straight to the socket when
 * Node's parser refused the request (error-handler.ts answerClientError): no request to inspect,
 * so every such answer is treated as credentialed. HSTS is left to the lifecycle's answers.
 */
export const RAW_SECURITY_HEADERS =
  `X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nX-Frame-Options: DENY\r\n` +
  `Cross-Origin-Resource-Policy: same-origin\r\nContent-Security-Policy: ${API_CSP}\r\nCache-Control: no-store\r\n`;

export interface SecurityHeaderOptions {
  /** `Strict-Transport-Security: max-age=…` when > 0; 0: not sent. */
  readonly hstsMaxAgeSeconds: number;
}

/**
 * Whether a request presented credentials: a signed read (RFC 9421 headers) or a body-carrying
 * call (every POST of this API is a signed statement or is answered per caller). Its answer is
 * personal or access-controlled, and no cache may keep it.
 */
export function isCredentialed(request: FastifyRequest): boolean {
  return request.method === 'POST' || request.headers['signature-input'] !== undefined || request.headers.signature !== undefined;
}

/**
 * Sets the headers on `reply`. The hook below calls it for every answer that goes through the
 * request lifecycle; an answer given outside it (Fastify's `frameworkErrors`) calls it directly.
 */
export function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply, options: SecurityHeaderOptions): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  if (!reply.hasHeader('cross-origin-resource-policy')) reply.header('cross-origin-resource-policy', 'same-origin');
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', API_CSP);
  if (isCredentialed(request) || !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  if (options.hstsMaxAgeSeconds > 0) reply.header('strict-transport-security', `max-age=${options.hstsMaxAgeSeconds}`);
}

export function installSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): void {
  // Callback style: no promise per response.
  app.addHook('onSend', (request, reply, payload, done) => {
    applySecurityHeaders(request, reply, options);
    done(null, payload);
  });
}
