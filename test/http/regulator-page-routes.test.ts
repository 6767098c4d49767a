/**
 * GET /regulator/ and the modules it loads (src/http/regulator-page-routes.ts): what is served,
 * with which headers, and that nothing but the listed module files is reachable.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { createApp } from '../../src/http/app.js';
import { IMPORT_MAP, REGULATOR_PAGE_HTML } from '../../src/web/page-assets.js';
import { buildTestLedger } from '../support/test-ledger.js';
import { testReaders } from '../support/test-readers.js';
import { testdirWithStops } from '../support/testdir.js';

t.test('the page, its stylesheet and its modules are served under a strict policy', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { ledger } = await buildTestLedger(dir, 3);
  const app = await createApp({ ledger, entriesPageMax: 10, bodyLimitBytes: 1024 * 1024, readAuth: testReaders().readAuth, logger: false });
  stopBeforeRemoval(async () => {
    await app.close();
    await ledger.close();
  });

  const redirect = await app.inject('/regulator');
  t.equal(redirect.statusCode, 308);
  t.equal(redirect.headers.location, '/regulator/');

  const page = await app.inject('/regulator/');
  t.equal(page.statusCode, 200, 'built by pretest / npm run build');
  t.match(page.headers['content-type'], /^text\/html; charset=utf-8/);
  t.equal(page.body, REGULATOR_PAGE_HTML);
  const csp = String(page.headers['content-security-policy']);
  const hash = createHash('sha256').update(IMPORT_MAP).digest('base64');
  t.match(csp, `script-src 'self' 'sha256-${hash}';`, 'the inline import map is admitted by its hash only');
  t.ok(page.body.includes(`<script type="importmap">${IMPORT_MAP}</script>`), 'and that hash is of the map the page carries');
  t.match(csp, "default-src 'none'");
  t.match(csp, "connect-src 'self'");
  t.match(csp, "frame-ancestors 'none'");
  t.notMatch(csp, /unsafe|\*|https?:/, 'no wildcard, no other origin, nothing unsafe');
  t.equal(page.headers['x-frame-options'], 'DENY');
  t.equal(page.headers['x-content-type-options'], 'nosniff');
  t.equal(page.headers['referrer-policy'], 'no-referrer');
  // Every script the page loads is a module from this origin; no inline script but the import map.
  const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  t.same(scripts.map((m) => m[1]!.trim()), ['type="importmap"', 'type="module" src="./js/web/regulator-page.js"']);
  t.notMatch(page.body, /\sstyle=|\son[a-z]+=|https?:\/\//, 'no inline style or handler, no absolute URL');

  const css = await app.inject('/regulator/style.css');
  t.equal(css.statusCode, 200);
  t.match(css.headers['content-type'], /^text\/css/);

  for (const url of ['/regulator/js/web/regulator-page.js', '/regulator/js/web/log-checks.js', '/regulator/js/core/signed-note.js', '/regulator/js/core/merkle-verify.js', '/regulator/js/vendor/noble-ed25519/index.js', '/regulator/js/vendor/noble-hashes/sha2.js', '/regulator/js/vendor/noble-hashes/_md.js', '/regulator/js/vendor/scure-base/index.js']) {
    const res = await app.inject(url);
    t.equal(res.statusCode, 200, url);
    t.match(res.headers['content-type'], /^text\/javascript; charset=utf-8/, url);
    t.equal(res.headers['content-security-policy'], csp, `${url}: same policy`);
  }
  // The import map's targets are all served.
  for (const target of Object.values((JSON.parse(IMPORT_MAP) as { imports: Record<string, string> }).imports)) {
    if (target.endsWith('.js')) t.equal((await app.inject(`/regulator/${target.slice(2)}`)).statusCode, 200, target);
  }

  for (const url of [
    '/regulator/js/core/..%2F..%2Fpackage.json',
    '/regulator/js/core/bytes.d.ts',
    '/regulator/js/core/bytes.js.map',
    '/regulator/js/core/nothing.js',
    '/regulator/js/web/..%2Fmain.js',
    '/regulator/js/vendor/noble-hashes/argon2.js',
    '/regulator/js/vendor/zod/index.js',
    '/regulator/js/vendor/noble-hashes/..%2F..%2Fzod%2Findex.js',
    '/regulator/index.html',
  ]) {
    const res = await app.inject(url);
    t.equal(res.statusCode, 404, url);
    t.equal(res.json().error.code, 'ROUTE_NOT_FOUND', url);
  }
});
