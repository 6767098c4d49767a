/** One log line per request: the arrival writes nothing, the answer writes method, URL, status and time together. */
import t from 'tap';
import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { OneLinePerRequest } from '../../src/http/request-log.js';

function appWithLog() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = Fastify({ loggerInstance: pino({ level: 'info' }, sink), logController: new OneLinePerRequest() });
  app.get('/ok', async () => ({ ok: true }));
  app.get('/refused', async (_request, reply) => reply.status(409).send({ error: { code: 'RX_STATE_CONFLICT' } }));
  app.get('/broken', async () => {
    throw new Error('boom');
  });
  return { app, lines };
}

t.test('each answered request is one line with the request and the answer', async (t) => {
  const { app, lines } = appWithLog();
  t.teardown(() => app.close());
  await app.inject({ method: 'GET', url: '/ok?page=2' });
  await app.inject({ method: 'GET', url: '/refused' });
  t.same(lines.map((l) => l.msg), ['request completed', 'request completed'], 'no "incoming request" line');
  const [ok, refused] = lines as Array<{ reqId: string; req: { method: string; url: string }; res: { statusCode: number }; responseTime: number }>;
  t.match(ok, { req: { method: 'GET', url: '/ok?page=2' }, res: { statusCode: 200 } });
  t.type(ok!.responseTime, 'number');
  t.equal(ok!.responseTime, Math.round(ok!.responseTime * 1000) / 1000, 'milliseconds to the microsecond, not fifteen decimals');
  t.notMatch(JSON.stringify(ok!.responseTime), /\.\d{4}/);
  t.ok(ok!.reqId, 'the request id is on the line');
  t.not(ok!.reqId, refused!.reqId);
  t.match(refused, { req: { method: 'GET', url: '/refused' }, res: { statusCode: 409 } });
});

t.test('a failing request still logs its error, and Fastify’s other lines are unchanged', async (t) => {
  const { app, lines } = appWithLog();
  t.teardown(() => app.close());
  await app.inject({ method: 'GET', url: '/broken' });
  await app.inject({ method: 'GET', url: '/nowhere' });
  const messages = lines.map((l) => l.msg);
  t.ok(lines.some((l) => l.level === 50 && (l.err as { message?: string } | undefined)?.message === 'boom'), 'the 500 is logged at error with its error');
  t.ok(messages.includes('Route GET:/nowhere not found'), 'unknown routes are logged as before');
  t.notOk(messages.includes('incoming request'));
  t.equal(messages.filter((m) => m === 'request completed').length, 2, 'both requests answered: one completion line each');
});
