/** One log line per request: the arrival writes nothing, the answer writes method, URL, status and time together. */
import t from 'tap';
import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { OneLinePerRequest } from '../../src/http/request-log.js';
import { createServiceLogger, REDACTED, REDACTED_LOG_PATHS } from '../../src/service-logger.js';

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

t.test('with the service logger: the request line has nothing redaction would censor, and other lines are still censored', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = Fastify({ loggerInstance: createServiceLogger('info', sink), logController: new OneLinePerRequest() });
  t.teardown(() => app.close());
  app.post('/echo', async (request) => {
    request.log.warn({ identity: { phone: '13900000001' }, body: request.body }, 'a careless line');
    return { ok: true };
  });
  await app.inject({ method: 'POST', url: '/echo?identity=x', payload: { identity: { name: '测试患者1' } }, headers: { 'x-phone': '13900000001' } });
  const completed = lines.find((l) => l.msg === 'request completed');
  t.ok(completed, 'the request line is written');
  // Every member name on the line, at any depth: none is one the service logger censors.
  const names = (v: unknown): string[] => (typeof v === 'object' && v !== null ? Object.entries(v).flatMap(([k, x]) => [k, ...names(x)]) : []);
  const censored = new Set(REDACTED_LOG_PATHS.map((p) => p.split('.').pop()!));
  t.same(names(completed).filter((n) => censored.has(n)), [], 'no member is named like anything redaction censors');
  t.same(Object.keys(completed!), ['level', 'time', 'service', 'reqId', 'req', 'res', 'responseTime', 'msg'], 'the members, in the order the request logger wrote them');
  const careless = lines.find((l) => l.msg === 'a careless line');
  t.equal(completed!.reqId, careless!.reqId, "the request's id, as its own logger writes it");
  t.notOk(JSON.stringify(lines).includes('13900000001'), 'no phone number anywhere');
  t.notOk(JSON.stringify(lines).includes('测试患者1'), 'no name anywhere');
  t.match(careless, { identity: REDACTED, body: REDACTED }, "the handler's own line is still censored");
});
