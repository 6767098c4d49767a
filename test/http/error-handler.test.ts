/**
 * Refusals that never reach a route still get the typed error body: the router's (a path that is
 * not valid percent-encoded UTF-8, a parameter over its length bound) and Node's HTTP parser's
 * (malformed request line or headers, headers over the size bound). Found by the fuzz campaign
 * (scripts/campaigns/fuzz-campaign.ts): Fastify's own answers to these are untyped and echo the
 * request's path, which may carry personal data.
 */
import t from 'tap';
import { connect } from 'node:net';
import Fastify from 'fastify';
import { RxError } from '../../src/core/errors.js';
import { answerClientError, answerFrameworkError, installErrorHandling, MAX_ERROR_PATHS, toErrorBody } from '../../src/http/error-handler.js';

/** Writes raw bytes on a fresh connection and returns everything the server sent back. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', (err) => (answer === '' ? reject(err) : resolve(answer)));
    socket.write(bytes, 'latin1');
  });
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string; paths: string[] } };

t.test('an error body names at most MAX_ERROR_PATHS paths', async (t) => {
  const paths = Array.from({ length: 5000 }, (_, i) => `body.items.${i}`);
  const { status, body } = toErrorBody(new RxError('REQUEST_INVALID', 'invalid body', { paths }));
  t.equal(status, 400);
  t.same(body.error.paths, paths.slice(0, MAX_ERROR_PATHS));
});

t.test('router and parser refusals are typed and echo nothing', async (t) => {
  const app = Fastify({ frameworkErrors: answerFrameworkError, clientErrorHandler: answerClientError });
  installErrorHandling(app);
  app.get('/v1/prescriptions/:id', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const port = (app.server.address() as { port: number }).port;

  const personal = '37010219800101123X';
  const badUrl = await app.inject(`/v1/prescriptions/${personal}%zz`);
  t.equal(badUrl.statusCode, 400);
  t.same(badUrl.json(), { error: { code: 'REQUEST_INVALID', message: 'the request was refused', paths: ['params'] } }, 'a path that does not decode');
  t.notMatch(badUrl.body, personal, 'the path is not echoed');
  const long = await app.inject(`/v1/prescriptions/${personal}${'0'.repeat(200)}`);
  t.equal(long.statusCode, 400);
  t.same(long.json().error.code, 'REQUEST_INVALID', 'a parameter over the router’s bound');
  t.notMatch(long.body, personal);

  for (const [what, request] of [
    ['an unknown method', 'FOO /v1/log HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['two content lengths', 'POST /v1/log HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['a header name with a space', 'GET /v1/log HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
  ] as const) {
    const answer = await rawExchange(port, request);
    t.match(answer, /^HTTP\/1\.1 400 /, what);
    t.same(bodyOf(answer).error.code, 'REQUEST_INVALID', what);
  }
  const huge = await rawExchange(port, `GET /v1/log HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`);
  t.match(huge, /^HTTP\/1\.1 431 /, 'headers over the bound');
  t.same(bodyOf(huge).error, { code: 'REQUEST_HEADERS_TOO_LARGE', message: 'the request was refused', paths: ['headers'] });
});
