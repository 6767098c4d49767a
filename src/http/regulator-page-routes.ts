/**
 * The regulator page (docs/REGULATOR-PAGE.md), served by the service itself:
 *
 *   GET /regulator                                  → 308 to /regulator/
 *   GET /regulator/                                 the page (src/web/page-assets.ts)
 *   GET /regulator/style.css                        its stylesheet
 *   GET /regulator/js/web/{file}                    the page's compiled modules, dist/src/web/*.js
 *   GET /regulator/js/core/{file}                   the ledger's pure core, dist/src/core/*.js
 *   GET /regulator/js/vendor/{package}/{file}       @noble/ed25519, @noble/hashes, @scure/base from node_modules
 *
 * The scripts are the build's output (`npm run build`, which `npm start`, `npm ci` and `npm test`
 * run): the browser verifies with the very code the service and the verifier use. Only files that
 * exist in those directories, with plain module names, are served; nothing else of the disk is
 * reachable. A build without them answers the page with 503 and says so.
 *
 * Every answer carries a Content-Security-Policy that allows scripts from this origin only (plus
 * the page's one inline import map, by its hash), connections to this origin only, no frames, no
 * forms, no inline script or style, and Trusted Types with no policy (no HTML sink can be used).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { RxError } from '../core/errors.js';
import { IMPORT_MAP, REGULATOR_PAGE_CSS, REGULATOR_PAGE_HTML } from '../web/page-assets.js';

const MODULE_NAME = /^[a-z0-9_-]{1,64}\.js$/;

export const REGULATOR_PAGE_CSP = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${createHash('sha256').update(IMPORT_MAP).digest('base64')}'`,
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Where the compiled page and core live: <root>/dist/src, whether this module runs from dist or from src (tsx). */
function compiledSrcDir(): string {
  const src = dirname(dirname(fileURLToPath(import.meta.url)));
  return src.endsWith(join('dist', 'src')) ? src : join(dirname(src), 'dist', 'src');
}

/** The vendor packages the page imports, and the only files of each it may load. */
function vendorFiles(): Map<string, Map<string, string>> {
  const dirOf = (specifier: string) => dirname(fileURLToPath(import.meta.resolve(specifier)));
  const pkg = (dir: string, files: readonly string[]) => new Map(files.map((f) => [f, join(dir, f)]));
  return new Map([
    ['noble-ed25519', pkg(dirOf('@noble/ed25519'), ['index.js'])],
    ['noble-hashes', pkg(dirOf('@noble/hashes/sha2.js'), ['sha2.js', '_md.js', '_u64.js', 'utils.js'])],
    ['scure-base', pkg(dirOf('@scure/base'), ['index.js'])],
  ]);
}

/** The module files of a compiled directory, by name; empty when it was not built. */
function modulesIn(dir: string): Map<string, string> {
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).filter((f) => MODULE_NAME.test(f)).map((f) => [f, join(dir, f)]));
}

function pageHeaders(reply: FastifyReply, type: string): FastifyReply {
  return reply
    .type(type)
    .header('cache-control', 'no-cache')
    .header('content-security-policy', REGULATOR_PAGE_CSP)
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
}

const notFound = (): RxError => new RxError('ROUTE_NOT_FOUND', 'no such route');

export const regulatorPageRoutes: FastifyPluginAsync = async (app) => {
  const compiled = compiledSrcDir();
  const vendor = vendorFiles();
  // Listed once, at start-up: the build does not change under a running service.
  const web = modulesIn(join(compiled, 'web'));
  const core = modulesIn(join(compiled, 'core'));
  const built = web.has('regulator-page.js') && core.size > 0;
  const script = async (reply: FastifyReply, path: string | undefined) => {
    if (path === undefined) throw notFound();
    return pageHeaders(reply, 'text/javascript; charset=utf-8').send(await readFile(path));
  };

  app.get('/regulator', async (_request, reply) => reply.redirect('/regulator/', 308));
  app.get('/regulator/', async (_request, reply) => {
    if (!built) {
      return pageHeaders(reply.status(503), 'text/plain; charset=utf-8').send('The regulator page’s scripts are not built: run `npm run build`.\n');
    }
    return pageHeaders(reply, 'text/html; charset=utf-8').send(REGULATOR_PAGE_HTML);
  });
  app.get('/regulator/style.css', async (_request, reply) => pageHeaders(reply, 'text/css; charset=utf-8').send(REGULATOR_PAGE_CSS));
  app.get<{ Params: { file: string } }>('/regulator/js/web/:file', async (request, reply) => script(reply, web.get(request.params.file)));
  app.get<{ Params: { file: string } }>('/regulator/js/core/:file', async (request, reply) => script(reply, core.get(request.params.file)));
  app.get<{ Params: { package: string; file: string } }>('/regulator/js/vendor/:package/:file', async (request, reply) =>
    script(reply, vendor.get(request.params.package)?.get(request.params.file)),
  );
};
