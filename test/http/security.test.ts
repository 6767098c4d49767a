/**
 * The HTTP edge's hardening (docs/SECURITY.md): security headers per route class, per-route body
 * limits, per-actor and per-address rate limits keyed so that forgeries cannot spend a real
 * actor's budget, and the server's timeouts against slow clients. Real Fastify instances (the
 * production service where the registry matters), real signatures, real sockets for timeouts.
 */
import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createApp } from '../../src/http/app.js';
import { API_CSP } from '../../src/http/security-headers.js';
import { ROUTE_BODY_LIMITS, routeBodyLimit } from '../../src/http/route-body-limits.js';
import { addressExemption, type RateLimitSettings } from '../../src/http/rate-limit.js';
import { DEFAULT_SERVER_TIMEOUTS, type ServerTimeouts } from '../../src/http/server-timeouts.js';
import { MAX_ENTRY_BYTES } from '../../src/core/entry.js';
import { buildTestLedger, manualClock } from '../support/test-ledger.js';
import { testReaders } from '../support/test-readers.js';
import { testdirWithStops } from '../support/testdir.js';
import { registerCast, startWorld, type Actor, type World } from '../../scripts/lib/rx-world.js';
import { createReadSigner } from '../../src/client/read-signer.js';
import type { JsonObject } from '../../src/core/canonical-json.js';

const codeOf = (res: LightMyRequestResponse): string | undefined => (res.json() as { error?: { code?: string } }).error?.code;

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

function commonHeaders(t: Test, res: LightMyRequestResponse, what: string): void {
  for (const [name, value] of Object.entries(COMMON_HEADERS)) t.equal(res.headers[name], value, `${what}: ${name}`);
  t.notOk(res.headers['x-powered-by'], `${what}: no x-powered-by`);
  t.notOk(res.headers.server, `${what}: no server banner`);
}

/** A bare app over a test ledger, with the in-memory readers. */
async function bareApp(t: Test, extra: Partial<Parameters<typeof createApp>[0]> = {}) {
  const readers = testReaders();
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { ledger } = await buildTestLedger(dir, 3);
  const app = await createApp({ ledger, entriesPageMax: 10, bodyLimitBytes: 1024 * 1024, readAuth: readers.readAuth, logger: false, ...extra });
  stopBeforeRemoval(async () => {
    await app.close();
    await ledger.close();
  });
  return { app, readers, ledger };
}

const SMALL_CAST = {
  institutions: [{ id: 'hosp-jinan-central', kind: 'hospital' as const, region: '370102', name: '济南市中心医院' }],
  actors: [
    { id: 'dr-li', role: 'prescriber' as const, institutionId: 'hosp-jinan-central', name: '李医生' },
    { id: 'dr-wang', role: 'prescriber' as const, institutionId: 'hosp-jinan-central', name: '王医生' },
  ],
};

/** The production service on a fresh directory with a hospital and two doctors. */
async function smallWorld(t: Test, env: Record<string, string> = {}): Promise<{ world: World; cast: Record<string, Actor> }> {
  const world = await startWorld({ env });
  t.teardown(() => world.close());
  const cast = await registerCast(world, SMALL_CAST.institutions, SMALL_CAST.actors);
  return { world, cast };
}

let patientSerial = 0;
/** A signed `patient.identify` body (a fictional patient). */
function identifyBody(actor: Actor): JsonObject {
  const n = ++patientSerial;
  const identity = { name: `安全测试${n}`, nationalId: `37010219800101${String(n).padStart(3, '0')}1`, phone: `1380000${String(n).padStart(4, '0')}` };
  return actor.sign('patient.identify', { identity }) as unknown as JsonObject;
}

const post = (app: FastifyInstance, url: string, body: unknown, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' }, remoteAddress });

t.test('security headers, by route class', async (t) => {
  const { world, cast } = await smallWorld(t);
  const app = world.service.app;
  const drLi = cast['dr-li']!;
  const signedGet = (actor: Actor, url: string) => app.inject({ url, headers: createReadSigner({ seed: actor.seed })('GET', url) });

  // Public log data: the API CSP; no-store unless the route chose its own caching.
  for (const url of ['/v1/log', '/healthz', '/v1/log/proof/inclusion?index=0&size=1', '/v1/rulesets/active', '/v1/receipts/0']) {
    const res = await app.inject(url);
    t.ok(res.statusCode < 500, `${url}: ${res.statusCode}`);
    commonHeaders(t, res, url);
    t.equal(res.headers['content-security-policy'], API_CSP, `${url}: API CSP`);
    t.equal(res.headers['cache-control'], 'no-store', `${url}: no-store by default`);
    t.notOk(res.headers['strict-transport-security'], `${url}: no HSTS unless configured`);
  }
  const checkpoint = await app.inject('/checkpoint');
  commonHeaders(t, checkpoint, '/checkpoint');
  t.equal(checkpoint.headers['cache-control'], 'no-cache', 'the checkpoint keeps its own caching (revalidate)');
  const active = (await app.inject('/v1/rulesets/active')).json() as { hash: string };
  const bundle = await app.inject(`/v1/rulesets/${active.hash}`);
  t.equal(bundle.headers['cache-control'], 'public, max-age=31536000, immutable', 'an immutable rule-set bundle stays cacheable');
  commonHeaders(t, bundle, 'rule-set bundle');

  // Signed reads: access-controlled, never stored by any cache.
  for (const url of ['/v1/log/entries?start=0&end=2', '/v1/couriers/dr-li/assignments', '/v1/pharmacies/ph-x/queue', '/v1/prescriptions/rx-none', '/v1/oversight/stats']) {
    const res = await signedGet(drLi, url);
    commonHeaders(t, res, url);
    t.equal(res.headers['cache-control'], 'no-store', `${url} (${res.statusCode}): no-store`);
    t.equal(res.headers['content-security-policy'], API_CSP, `${url}: API CSP`);
  }
  const unsigned = await app.inject('/v1/log/entries?start=0&end=2');
  t.equal(codeOf(unsigned), 'AUTH_REQUIRED');
  t.equal(unsigned.headers['cache-control'], 'no-store', 'a refused signed read: no-store');

  // Writes: the answer is per caller (a pseudonym, a check result).
  const identified = await post(app, '/v1/patients', identifyBody(drLi));
  t.equal(identified.statusCode, 201);
  t.equal(identified.headers['cache-control'], 'no-store', 'patient identification: no-store');
  commonHeaders(t, identified, 'POST /v1/patients');
  const statement = await post(app, '/v1/statements', drLi.sign('registry.institution-register', { institutionId: 'x-1', kind: 'hospital', name: 'H', region: '370100', licence: 'L' }));
  t.equal(codeOf(statement), 'AUTH_ROLE_FORBIDDEN');
  t.equal(statement.headers['cache-control'], 'no-store', 'statement answers: no-store');

  // The regulator page: its own strict CSP (no inline script but the hashed import map), no framing.
  const page = await app.inject('/regulator/');
  commonHeaders(t, page, '/regulator/');
  const csp = String(page.headers['content-security-policy']);
  t.not(csp, API_CSP, 'the page has its own policy');
  t.notMatch(csp, /unsafe-inline|unsafe-eval|\*/, 'no unsafe-inline, unsafe-eval or wildcard');
  t.match(csp, /frame-ancestors 'none'/);
  t.match(csp, /default-src 'none'/);
  const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1]?.split(' ') ?? [];
  t.ok(scriptSrc.length > 0 && scriptSrc.every((s) => s === "'self'" || /^'sha256-[A-Za-z0-9+/]+=*'$/.test(s)), `script-src is self plus hashes: ${scriptSrc.join(' ')}`);
  t.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
  const missingScript = await app.inject('/regulator/js/core/no-such-module.js');
  t.equal(missingScript.statusCode, 404);
  t.equal(missingScript.headers['content-security-policy'], API_CSP, 'a page-route error still gets a policy');

  // Errors.
  const notFound = await app.inject('/no/such/route');
  commonHeaders(t, notFound, '404');
  t.equal(notFound.headers['cache-control'], 'no-store');
  t.equal(notFound.headers['content-security-policy'], API_CSP);
});

t.test('HSTS only when configured, and the service passes it through from its configuration', async (t) => {
  const { app } = await bareApp(t, { hstsMaxAgeSeconds: 31_536_000 });
  const res = await app.inject('/v1/log');
  t.equal(res.headers['strict-transport-security'], 'max-age=31536000');
  const { world } = await smallWorld(t, { HSTS_MAX_AGE_SECONDS: '600' });
  t.equal((await world.service.app.inject('/healthz')).headers['strict-transport-security'], 'max-age=600', 'HSTS_MAX_AGE_SECONDS reaches the answers');
});

t.test('per-route body limits: small routes refuse large bodies before parsing them', async (t) => {
  t.test('the table never raises a limit', async (t) => {
    for (const [route, limit] of Object.entries(ROUTE_BODY_LIMITS)) {
      const [method, url] = route.split(' ') as [string, string];
      t.equal(routeBodyLimit(method, url, 1024 * 1024), Math.min(limit, 1024 * 1024), route);
      t.equal(routeBodyLimit(method, url, 2048), 2048, `${route}: never above BODY_LIMIT_BYTES`);
    }
    t.equal(routeBodyLimit('POST', '/cds-services/rxledger-order-sign', 1024 * 1024), 1024 * 1024, 'unlisted routes keep BODY_LIMIT_BYTES');
    t.ok(ROUTE_BODY_LIMITS['POST /v1/statements']! >= MAX_ENTRY_BYTES, 'a statement body may be as large as the entry it becomes');
  });

  const { world, cast } = await smallWorld(t);
  const app = world.service.app;
  const padded = (bytes: number) => ({ statement: { padding: 'x'.repeat(bytes) }, signature: 'AAAA' });
  const tooBigForPatients = await post(app, '/v1/patients', padded(20 * 1024));
  t.same([tooBigForPatients.statusCode, codeOf(tooBigForPatients)], [413, 'REQUEST_TOO_LARGE'], 'POST /v1/patients: 20 KiB is refused');
  const fineForStatements = await post(app, '/v1/statements', padded(20 * 1024));
  t.same([fineForStatements.statusCode, codeOf(fineForStatements)], [400, 'REQUEST_INVALID'], 'the same body reaches the statement schema');
  const tooBigForStatements = await post(app, '/v1/statements', padded(4 * MAX_ENTRY_BYTES));
  t.same([tooBigForStatements.statusCode, codeOf(tooBigForStatements)], [413, 'REQUEST_TOO_LARGE'], 'POST /v1/statements: over 4 × MAX_ENTRY_BYTES is refused');
  const cds = await app.inject({ method: 'POST', url: '/cds-services/rxledger-order-sign', payload: JSON.stringify(padded(4 * MAX_ENTRY_BYTES)), headers: { 'content-type': 'application/json' } });
  t.equal(cds.statusCode, 401, 'CDS Hooks keeps the server-wide limit (the body was read; the signature is missing)');

  // A chunked body (no Content-Length) is cut as soon as it passes the limit.
  const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(`${world.url}/v1/patients`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write('{"statement":{"padding":"');
    for (let i = 0; i < 20; i++) req.write('x'.repeat(1024));
    req.end('"}}');
  });
  t.equal(chunked.status, 413, 'chunked: 413');
  t.equal((JSON.parse(chunked.body) as { error: { code: string } }).error.code, 'REQUEST_TOO_LARGE');

  // Deep nesting: parsed without recursion, refused by the strict schemas, never a crash.
  const deep = (depth: number) => `{"statement":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  for (const [url, depth] of [['/v1/statements', 100_000], ['/v1/patients', 5000], ['/v1/checks', 100_000], ['/v1/checkpoint/cosignatures', 60_000], ['/cds-services/rxledger-order-sign', 100_000]] as const) {
    const res = await app.inject({ method: 'POST', url, payload: deep(depth), headers: { 'content-type': 'application/json' } });
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${url}: ${depth} levels deep → ${res.statusCode} ${codeOf(res)}`);
  }

  const drLi = cast['dr-li']!;
  const ok = await post(app, '/v1/patients', identifyBody(drLi));
  t.equal(ok.statusCode, 201, 'a real identification is far below its limit');
  const proto = await app.inject({ method: 'POST', url: '/v1/patients', payload: '{"__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' } });
  t.same([proto.statusCode, codeOf(proto)], [400, 'REQUEST_INVALID'], 'prototype poisoning is refused');
});

const SETTINGS = (over: Partial<RateLimitSettings> = {}): RateLimitSettings => ({
  writes: { perSecond: 1, burst: 3 },
  reads: { perSecond: 1, burst: 3 },
  addresses: { perSecond: 1, burst: 3 },
  maxTrackedKeys: 1000,
  ...over,
});

t.test('per-address limit: unauthenticated traffic, keyed by address (IPv6 by /64)', async (t) => {
  const clock = manualClock(0);
  const { app } = await bareApp(t, { rateLimits: { settings: SETTINGS(), clock } });
  const get = (remoteAddress: string) => app.inject({ url: '/v1/log', remoteAddress });
  for (let i = 0; i < 3; i++) t.equal((await get('198.51.100.1')).statusCode, 200, `within the burst (${i + 1})`);
  const refused = await get('198.51.100.1');
  t.same([refused.statusCode, codeOf(refused)], [429, 'RATE_LIMITED'], 'the burst is spent');
  t.equal(refused.headers['retry-after'], '1', 'Retry-After in whole seconds');
  t.same(refused.json(), { error: { code: 'RATE_LIMITED', message: 'too many requests; retry after the time in Retry-After', paths: [] } }, 'a typed body naming nothing');
  commonHeaders(t, refused, '429');
  t.equal((await get('198.51.100.2')).statusCode, 200, 'another address is not affected');
  t.equal((await get('::ffff:198.51.100.1')).statusCode, 429, 'the IPv4-mapped form is the same client');
  clock.advance(1000);
  t.equal((await get('198.51.100.1')).statusCode, 200, 'a token back after a second');
  t.equal((await get('198.51.100.1')).statusCode, 429, 'and only one');

  for (let i = 0; i < 3; i++) await get(`2001:db8:1:2::${i + 1}`);
  t.equal((await get('2001:db8:1:2:ffff::9')).statusCode, 429, 'any address of the same /64 shares its budget');
  t.equal((await get('2001:db8:1:3::1')).statusCode, 200, 'the next /64 does not');
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ url: '/no/such/route', remoteAddress: '198.51.100.77' })).statusCode, 404);
  t.equal((await app.inject({ url: '/no/such/route', remoteAddress: '198.51.100.77' })).statusCode, 429, 'unknown routes are charged too');
  const badUrl = () => app.inject({ url: '/v1/receipts/%E0%A4%A', remoteAddress: '198.51.100.78' });
  for (let i = 0; i < 3; i++) {
    const res = await badUrl();
    t.same([res.statusCode, codeOf(res)], [400, 'REQUEST_INVALID'], 'a URL the router cannot decode');
    commonHeaders(t, res, 'router refusal');
  }
  t.equal((await badUrl()).statusCode, 429, 'is charged to its sender too');
  t.equal((await app.inject({ url: '/v1/log', remoteAddress: '198.51.100.78' })).statusCode, 429, 'and counts against everything it sends');
});

t.test('per-address limit: exempt gateways are never refused or charged, everyone else is', async (t) => {
  const clock = manualClock(0);
  const settings = SETTINGS({ exemptAddresses: ['198.51.100.0/24', '2001:db8:5::/48', '192.0.2.7'] });
  const { app } = await bareApp(t, { rateLimits: { settings, clock } });
  const get = (remoteAddress: string, url = '/v1/log') => app.inject({ url, remoteAddress });
  for (const address of ['198.51.100.9', '::ffff:198.51.100.10', '2001:db8:5:ff::1', '192.0.2.7']) {
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await get(address)).statusCode);
    t.same(codes, [200, 200, 200, 200, 200, 200], `${address}: twice the burst, all answered`);
  }
  for (let i = 0; i < 5; i++) t.equal((await get('198.51.100.9', '/no/such/route')).statusCode, 404, 'unknown routes from a gateway are not charged either');
  for (let i = 0; i < 3; i++) await get('192.0.2.8');
  t.equal((await get('192.0.2.8')).statusCode, 429, 'the next address is limited as before');
  for (let i = 0; i < 3; i++) await get('2001:db8:6::1');
  t.equal((await get('2001:db8:6::1')).statusCode, 429, 'and so is the next /48');
});

t.test('addressExemption: single addresses and blocks of both families, the IPv4-mapped form, nothing else', async (t) => {
  const exempt = addressExemption(['10.1.0.0/16', '192.0.2.7', '2001:db8::/32']);
  t.ok(exempt('10.1.200.3'));
  t.ok(exempt('::ffff:10.1.0.1'), 'IPv4-mapped');
  t.ok(exempt('::FFFF:192.0.2.7'), 'mapped, upper case');
  t.ok(exempt('2001:db8:abcd::1'));
  t.notOk(exempt('10.2.0.1'));
  t.notOk(exempt('192.0.2.8'));
  t.notOk(exempt('2001:db9::1'));
  t.notOk(exempt('not-an-address'), 'a malformed forwarded address is never exempt');
  t.notOk(exempt(''));
  t.notOk(addressExemption([])('10.1.0.1'), 'an empty list exempts nothing');
});

t.test('per-actor read limit: only verified reads spend an actor’s budget', async (t) => {
  const clock = manualClock(0);
  const { app, readers } = await bareApp(t, { rateLimits: { settings: SETTINGS({ addresses: { perSecond: 1, burst: 5 } }), clock } });
  const url = '/v1/log/entries?start=0&end=2';
  const read = (signer: typeof readers.regulator, remoteAddress: string) => app.inject({ url, headers: signer('GET', url), remoteAddress });
  const forged = (remoteAddress: string) => {
    const headers = readers.regulator('GET', url);
    // The regulator's key id and a valid-looking signature that is not the regulator's.
    headers.signature = headers.signature!.replace(/:(.)/, (_, c: string) => `:${c === 'A' ? 'B' : 'A'}`);
    return app.inject({ url, headers, remoteAddress });
  };

  // A forger naming the regulator's key, from one address: refused, charged to that address.
  for (let i = 0; i < 5; i++) t.equal(codeOf(await forged('203.0.113.66')), 'AUTH_SIGNATURE_INVALID', `forgery ${i + 1} is refused as a forgery`);
  t.equal(codeOf(await forged('203.0.113.66')), 'RATE_LIMITED', 'then its address is refused before any verification');
  t.equal(codeOf(await read(readers.regulator, '203.0.113.66')), 'RATE_LIMITED', 'everything from that address waits');
  // The regulator, elsewhere, has its whole budget.
  for (let i = 0; i < 3; i++) t.equal((await read(readers.regulator, '192.0.2.10')).statusCode, 200, `the regulator reads (${i + 1}): forgeries spent nothing of its budget`);
  const over = await read(readers.regulator, '192.0.2.11');
  t.same([over.statusCode, codeOf(over)], [429, 'RATE_LIMITED'], 'past its own budget, the regulator waits, from any address');
  t.equal(over.headers['retry-after'], '1');
  t.equal((await read(readers.prescriber, '192.0.2.11')).statusCode, 200, 'another actor is not affected');

  // A replayed read (same nonce) verifies but is not fresh: the sender's address pays, not the actor.
  clock.advance(10_000);
  const headers = readers.prescriber('GET', url);
  t.equal((await app.inject({ url, headers, remoteAddress: '192.0.2.20' })).statusCode, 200);
  for (let i = 0; i < 5; i++) t.equal(codeOf(await app.inject({ url, headers, remoteAddress: '192.0.2.21' })), 'AUTH_NONCE_REUSED', `replay ${i + 1}`);
  t.equal(codeOf(await app.inject({ url, headers, remoteAddress: '192.0.2.21' })), 'RATE_LIMITED', 'the replaying address is cut off');
  t.equal((await read(readers.prescriber, '192.0.2.22')).statusCode, 200, 'the prescriber still reads');
  t.equal((await read(readers.prescriber, '192.0.2.22')).statusCode, 200, 'twice');
});

t.test('per-actor write limit: keyed on the actor only once its signature verifies', async (t) => {
  const { world, cast } = await smallWorld(t, {
    // Tiny refill so that nothing comes back while the test runs (the service's clock is real time).
    RATE_LIMIT_WRITES_PER_SECOND: '0.001',
    RATE_LIMIT_WRITES_BURST: '6',
    RATE_LIMIT_ADDRESS_PER_SECOND: '0.001',
    RATE_LIMIT_ADDRESS_BURST: '4',
  });
  const app = world.service.app;
  const drLi = cast['dr-li']!;
  const drWang = cast['dr-wang']!;
  const forgedAs = (actor: Actor): JsonObject => {
    const body = identifyBody(drWang) as unknown as { statement: JsonObject; signature: string };
    // dr-wang's signature over a statement that names dr-li and dr-li's key: a forgery of dr-li.
    return { statement: { ...body.statement, actor: actor.id, keyId: actor.signer.keyId }, signature: body.signature };
  };

  // Forgeries naming dr-li from one address: refused as forgeries, then that address is cut off.
  for (let i = 0; i < 4; i++) t.equal(codeOf(await post(app, '/v1/patients', forgedAs(drLi), '203.0.113.5')), 'AUTH_SIGNATURE_INVALID', `forgery ${i + 1}`);
  t.equal(codeOf(await post(app, '/v1/patients', forgedAs(drLi), '203.0.113.5')), 'RATE_LIMITED', 'the forging address is refused before verification');

  // A retry of dr-li's statement, sent by anyone holding a copy: answered, paid by the sender's address.
  const original = identifyBody(drLi);
  t.equal((await post(app, '/v1/patients', original, '198.51.100.7')).statusCode, 201, 'dr-li identifies a patient (1 of 6)');
  for (let i = 0; i < 4; i++) t.equal((await post(app, '/v1/patients', original, '203.0.113.9')).statusCode, 200, `replay ${i + 1} answered`);
  t.equal(codeOf(await post(app, '/v1/patients', original, '203.0.113.9')), 'RATE_LIMITED', 'the replaying address is cut off');

  // An authenticated refusal is dr-li's own doing: charged to dr-li.
  const forbidden = await post(app, '/v1/statements', drLi.sign('registry.institution-register', { institutionId: 'x-2', kind: 'hospital', name: 'H', region: '370100', licence: 'L' }), '198.51.100.7');
  t.equal(codeOf(forbidden), 'AUTH_ROLE_FORBIDDEN', 'dr-li may not register institutions (2 of 6)');
  for (let i = 3; i <= 6; i++) t.equal((await post(app, '/v1/patients', identifyBody(drLi), `198.51.100.${i}`)).statusCode, 201, `dr-li writes from anywhere (${i} of 6)`);

  const over = await post(app, '/v1/patients', identifyBody(drLi), '198.51.100.50');
  t.same([over.statusCode, codeOf(over)], [429, 'RATE_LIMITED'], 'dr-li’s own seventh write waits');
  t.ok(Number(over.headers['retry-after']) >= 1, `Retry-After: ${String(over.headers['retry-after'])}`);
  const overStatement = await post(app, '/v1/statements', drLi.sign('registry.institution-register', { institutionId: 'x-3', kind: 'hospital', name: 'H', region: '370100', licence: 'L' }), '198.51.100.51');
  t.equal(codeOf(overStatement), 'RATE_LIMITED', 'statements share the write budget');
  const forgedWhileLimited = await post(app, '/v1/patients', forgedAs(drLi), '198.51.100.52');
  t.equal(codeOf(forgedWhileLimited), 'AUTH_SIGNATURE_INVALID', 'a forgery naming a limited actor is still just a forgery: no oracle, no refusal in its name');
  t.equal((await post(app, '/v1/patients', identifyBody(drWang), '198.51.100.50')).statusCode, 201, 'dr-wang is not affected');
  const size = world.service.ledger.size();
  t.equal(codeOf(await post(app, '/v1/statements', drLi.sign('registry.institution-register', { institutionId: 'x-4', kind: 'hospital', name: 'H', region: '370100', licence: 'L' }), '198.51.100.53')), 'RATE_LIMITED');
  t.equal(world.service.ledger.size(), size, 'a refused write writes nothing');
});

t.test('a limit of 0 is off; the service configures the limits from its environment', async (t) => {
  const clock = manualClock(0);
  const { app } = await bareApp(t, { rateLimits: { settings: SETTINGS({ addresses: { perSecond: 0, burst: 1 } }), clock } });
  for (let i = 0; i < 20; i++) t.equal((await app.inject({ url: '/v1/log', remoteAddress: '198.51.100.1' })).statusCode, 200, `unlimited (${i + 1})`);

  const { world } = await smallWorld(t, { RATE_LIMIT_ADDRESS_BURST: '2', RATE_LIMIT_ADDRESS_PER_SECOND: '0.001', RATE_LIMIT_ADDRESS_EXEMPT: '203.0.113.0/24' });
  const s = world.service.app;
  const codes = [];
  for (let i = 0; i < 3; i++) codes.push((await s.inject({ url: '/v1/log', remoteAddress: '198.51.100.9' })).statusCode);
  t.same(codes, [200, 200, 429], 'RATE_LIMIT_ADDRESS_* reach the service');
  const gateway = [];
  for (let i = 0; i < 3; i++) gateway.push((await s.inject({ url: '/v1/log', remoteAddress: '203.0.113.40' })).statusCode);
  t.same(gateway, [200, 200, 200], 'and RATE_LIMIT_ADDRESS_EXEMPT');
});

t.test('TRUST_PROXY: the forwarded client address is believed only from the configured proxies', async (t) => {
  const { world } = await smallWorld(t, { RATE_LIMIT_ADDRESS_BURST: '1', RATE_LIMIT_ADDRESS_PER_SECOND: '0.001', TRUST_PROXY: '10.0.0.0/8' });
  const app = world.service.app;
  const via = (remoteAddress: string, forwardedFor: string) => app.inject({ url: '/v1/log', remoteAddress, headers: { 'x-forwarded-for': forwardedFor } });
  t.equal((await via('10.1.2.3', '198.51.100.1')).statusCode, 200, 'client 1 through the proxy');
  t.equal((await via('10.1.2.3', '198.51.100.2')).statusCode, 200, 'client 2 through the same proxy has its own budget');
  t.equal((await via('10.1.2.3', '198.51.100.1')).statusCode, 429, 'client 1 again: its budget is spent');
  t.equal((await via('192.0.2.1', '198.51.100.3')).statusCode, 200, 'a direct client claiming another address…');
  t.equal((await via('192.0.2.1', '198.51.100.4')).statusCode, 429, '…is keyed by its own address whatever it claims');

  // A hop count: the nearest proxy's word is taken, and only its.
  const clock = manualClock(0);
  const { app: oneHop } = await bareApp(t, { trustProxy: 1, rateLimits: { settings: SETTINGS({ addresses: { perSecond: 1, burst: 1 } }), clock } });
  const hop = (forwardedFor: string) => oneHop.inject({ url: '/v1/log', remoteAddress: '10.9.9.9', headers: { 'x-forwarded-for': forwardedFor } });
  t.equal((await hop('198.51.100.1')).statusCode, 200);
  t.equal((await hop('203.0.113.99, 198.51.100.1')).statusCode, 429, 'an address the client prepended is ignored: still 198.51.100.1');
  t.equal((await hop('198.51.100.1, 198.51.100.2')).statusCode, 200, 'the proxy’s own entry decides');
});

/** Opens a raw connection to `url`'s host and port. */
function rawConnect(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `chunk` every `everyMs` until the server closes the connection; resolves with what it answered. */
function trickleUntilClosed(socket: Socket, first: string, chunk: string, everyMs: number): Promise<{ answer: string; sent: number; closedByServer: boolean }> {
  return new Promise((resolve) => {
    let answer = '';
    let sent = 0;
    let ended = false;
    socket.on('data', (d) => (answer += String(d)));
    socket.on('end', () => (ended = true));
    socket.on('error', () => undefined);
    socket.write(first);
    const timer = setInterval(() => {
      if (socket.destroyed || ended) return;
      socket.write(chunk);
      sent++;
    }, everyMs);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, sent, closedByServer: ended || answer.length > 0 });
    });
  });
}

t.test('timeouts: slow clients are cut off by the server', async (t) => {
  const timeouts: ServerTimeouts = { ...DEFAULT_SERVER_TIMEOUTS, headersTimeoutMs: 300, requestTimeoutMs: 600 };
  const { app } = await bareApp(t, { timeouts });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  // Slow loris: headers one line at a time, never finished, the socket never idle.
  const loris = await trickleUntilClosed(await rawConnect(url), 'GET /v1/log HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n', 25);
  t.ok(loris.closedByServer, 'the server closed the connection');
  t.ok(loris.sent > 0, `the client was still sending (${loris.sent} header lines)`);
  t.match(loris.answer, /^HTTP\/1\.1 408 /, 'answered 408');
  t.match(loris.answer, /"code":"REQUEST_TIMEOUT"/, 'with the typed code');
  t.match(loris.answer, /\r\nConnection: close\r\n/i);

  // A stalled body: complete headers, then one byte at a time.
  const body = await trickleUntilClosed(await rawConnect(url), 'POST /v1/statements HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{', ' ', 25);
  t.ok(body.closedByServer, 'a body that never completes is cut off');
  t.match(body.answer, /^HTTP\/1\.1 408 /, 'answered 408');

  // A connection that says nothing at all.
  const silent = await rawConnect(url);
  const closed = await new Promise<string>((resolve) => {
    let answer = '';
    silent.on('data', (d) => (answer += String(d)));
    silent.on('error', () => undefined);
    silent.on('close', () => resolve(answer));
  });
  t.pass(`a silent connection is closed${closed.length > 0 ? ` (${closed.split('\r\n')[0]})` : ''}`);

  // A prompt client on the same server is unaffected.
  t.equal((await fetch(`${url}/v1/log`)).status, 200);
});

t.test('the configured timeouts reach the server', async (t) => {
  const { world } = await smallWorld(t, { HTTP_HEADERS_TIMEOUT_MS: '4000', HTTP_REQUEST_TIMEOUT_MS: '9000', HTTP_CONNECTION_TIMEOUT_MS: '20000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '61000', HTTP_MAX_REQUESTS_PER_SOCKET: '500' });
  const server = world.service.app.server;
  t.same(
    { headers: server.headersTimeout, request: server.requestTimeout, idle: server.timeout, keepAlive: server.keepAliveTimeout, perSocket: server.maxRequestsPerSocket },
    { headers: 4000, request: 9000, idle: 20000, keepAlive: 61000, perSocket: 500 },
  );
  const { app } = await bareApp(t);
  t.same(
    { headers: app.server.headersTimeout, request: app.server.requestTimeout, idle: app.server.timeout, keepAlive: app.server.keepAliveTimeout },
    { headers: 10_000, request: 30_000, idle: 60_000, keepAlive: 72_000 },
    'an app built without options gets the defaults',
  );
});

t.test('docs/SECURITY.md points at files that exist', async (t) => {
  const root = new URL('../../', import.meta.url);
  const doc = readFileSync(new URL('docs/SECURITY.md', root), 'utf8');
  const cited = [...new Set([...doc.matchAll(/`((?:src|test|scripts|docs|schemas)\/[A-Za-z0-9_./-]+\.(?:ts|md|json))(?:[:#][^`]*)?`/g)].map((m) => m[1]!))];
  t.ok(cited.length > 40, `${cited.length} files cited`);
  for (const path of cited) t.ok(existsSync(new URL(path, root)), path);
});
