import t from 'tap';
import { loadConfig } from '../src/config.js';

t.test('defaults', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 8080);
  t.equal(c.host, '127.0.0.1');
  t.equal(c.dataDir, './data');
  t.equal(c.checkpointIntervalMs, 1000);
  t.ok(Object.isFrozen(c));
});

t.test('environment overrides and validation', async (t) => {
  const c = loadConfig({ PORT: '9000', LOG_ORIGIN: 'rx.example/prod', CHECKPOINT_INTERVAL_MS: '250', HOST: '', UNRELATED: 'x' });
  t.equal(c.port, 9000);
  t.equal(c.logOrigin, 'rx.example/prod');
  t.equal(c.checkpointIntervalMs, 250);
  t.equal(c.host, '127.0.0.1', 'empty means unset');
  for (const [name, value] of [['PORT', '70000'], ['PORT', 'eighty'], ['LOG_ORIGIN', 'has space'], ['LOG_ORIGIN', 'a+b'], ['CHECKPOINT_INTERVAL_MS', '1'], ['LOG_LEVEL', 'loud']] as const) {
    try {
      loadConfig({ [name]: value });
      t.fail(`${name}=${value} accepted`);
    } catch (err) {
      t.same((err as { code: string; paths: string[] }).code, 'CONFIG_INVALID');
      t.same((err as { paths: string[] }).paths, [name], `${name}=${value} refused, naming the variable`);
    }
  }
});

t.test('LOG_ORIGIN: an origin without a scheme (a value with "://" was accepted)', async (t) => {
  for (const value of ['https://x.example/log', 'http://rx.example.gov.cn/ledger', 'rx.example/a://b']) {
    t.throws(() => loadConfig({ LOG_ORIGIN: value }), { code: 'CONFIG_INVALID', paths: ['LOG_ORIGIN'], message: /LOG_ORIGIN: drop the scheme/ }, value);
  }
  t.equal(loadConfig({ LOG_ORIGIN: 'x.example/log' }).logOrigin, 'x.example/log');
  t.equal(loadConfig({ LOG_ORIGIN: 'x.example:8443/log' }).logOrigin, 'x.example:8443/log', 'a port is not a scheme');
});

t.test('edge hardening: timeouts, rate limits, proxies, HSTS', async (t) => {
  const c = loadConfig({});
  t.same(c.serverTimeouts, { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, connectionTimeoutMs: 60_000, keepAliveTimeoutMs: 72_000, maxRequestsPerSocket: 0 });
  t.same(c.rateLimits, {
    writes: { perSecond: 100, burst: 1000 },
    reads: { perSecond: 200, burst: 2000 },
    addresses: { perSecond: 100, burst: 1000 },
    maxTrackedKeys: 100_000,
    exemptAddresses: [],
  });
  t.equal(c.trustProxy, undefined, 'no proxy is trusted unless configured');
  t.equal(c.hstsMaxAgeSeconds, 0, 'no HSTS unless configured');
  t.equal(c.writesInFlightMax, 1000, 'writes are shed past 1,000 in progress');
  t.equal(loadConfig({ WRITES_IN_FLIGHT_MAX: '0' }).writesInFlightMax, 0, '0: never shed');
  t.ok(Object.isFrozen(c.rateLimits) && Object.isFrozen(c.rateLimits.writes) && Object.isFrozen(c.serverTimeouts));

  const set = loadConfig({
    HTTP_HEADERS_TIMEOUT_MS: '5000',
    HTTP_REQUEST_TIMEOUT_MS: '5000',
    RATE_LIMIT_WRITES_PER_SECOND: '0.5',
    RATE_LIMIT_READS_PER_SECOND: '0',
    RATE_LIMIT_ADDRESS_BURST: '7',
    TRUST_PROXY: '10.0.0.0/8, 192.0.2.1,2001:db8::/32',
    HSTS_MAX_AGE_SECONDS: '31536000',
    RATE_LIMIT_ADDRESS_EXEMPT: ' 198.51.100.0/24 ,2001:db8:5::/48',
  });
  t.equal(set.serverTimeouts.headersTimeoutMs, 5000);
  t.equal(set.rateLimits.writes.perSecond, 0.5, 'fractional rates');
  t.equal(set.rateLimits.reads.perSecond, 0, '0 turns a limit off');
  t.equal(set.rateLimits.addresses.burst, 7);
  t.same(set.trustProxy, ['10.0.0.0/8', '192.0.2.1', '2001:db8::/32']);
  t.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1, 'a hop count');
  t.equal(set.hstsMaxAgeSeconds, 31_536_000);
  t.same(set.rateLimits.exemptAddresses, ['198.51.100.0/24', '2001:db8:5::/48'], 'exempt gateways, trimmed');

  const refused: Array<[Record<string, string>, string]> = [
    [{ HTTP_HEADERS_TIMEOUT_MS: '40000' }, 'HTTP_HEADERS_TIMEOUT_MS'], // above the request timeout
    [{ HTTP_REQUEST_TIMEOUT_MS: '50' }, 'HTTP_REQUEST_TIMEOUT_MS'],
    [{ HTTP_KEEP_ALIVE_TIMEOUT_MS: 'soon' }, 'HTTP_KEEP_ALIVE_TIMEOUT_MS'],
    [{ HTTP_MAX_REQUESTS_PER_SOCKET: '-1' }, 'HTTP_MAX_REQUESTS_PER_SOCKET'],
    [{ RATE_LIMIT_WRITES_PER_SECOND: '-1' }, 'RATE_LIMIT_WRITES_PER_SECOND'],
    [{ RATE_LIMIT_READS_BURST: '0' }, 'RATE_LIMIT_READS_BURST'],
    [{ RATE_LIMIT_ADDRESS_BURST: '1.5' }, 'RATE_LIMIT_ADDRESS_BURST'],
    [{ RATE_LIMIT_MAX_TRACKED: '10' }, 'RATE_LIMIT_MAX_TRACKED'],
    [{ WRITES_IN_FLIGHT_MAX: '-1' }, 'WRITES_IN_FLIGHT_MAX'],
    [{ WRITES_IN_FLIGHT_MAX: 'many' }, 'WRITES_IN_FLIGHT_MAX'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'], // any forwarder: the client would pick its own key
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'proxy.example' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '0' }, 'TRUST_PROXY'],
    [{ HSTS_MAX_AGE_SECONDS: '-5' }, 'HSTS_MAX_AGE_SECONDS'],
    [{ RATE_LIMIT_ADDRESS_EXEMPT: 'hospital-gateway.example' }, 'RATE_LIMIT_ADDRESS_EXEMPT'],
    [{ RATE_LIMIT_ADDRESS_EXEMPT: '198.51.100.0/33' }, 'RATE_LIMIT_ADDRESS_EXEMPT'],
  ];
  for (const [env, name] of refused) {
    try {
      loadConfig(env);
      t.fail(`${JSON.stringify(env)} accepted`);
    } catch (err) {
      t.equal((err as { code: string }).code, 'CONFIG_INVALID');
      t.same((err as { paths: string[] }).paths, [name], `${JSON.stringify(env)} refused, naming ${name}`);
    }
  }
});
