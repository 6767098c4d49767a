/**
 * The regulator page's paths in the OpenAPI document (src/http/regulator-page-routes.ts,
 * docs/REGULATOR-PAGE.md): an HTML page and the static modules it loads. They are documented so
 * that every route the service answers is in the document; none of them reads the ledger.
 */
import { z } from 'zod';
import { errors } from './error-responses.js';
import { noCache, param } from './helpers.js';
import type { Json, ParameterObject } from './types.js';

const CSP = { description: 'A strict policy: scripts, styles and connections from this origin only (and the page’s import map by its hash); no frames, forms or inline script.', schema: { type: 'string' } };
const ModuleName = z.string().regex(/^[a-z0-9_-]{1,64}\.js$/);

function asset(operationId: string, summary: string, description: string, type: string, parameters: ParameterObject[] = []): Json {
  return {
    get: {
      operationId,
      tags: ['regulator page'],
      summary,
      description,
      ...(parameters.length > 0 ? { parameters } : {}),
      responses: {
        '200': { description: summary, headers: { ...noCache, 'Content-Security-Policy': CSP }, content: { [type]: { schema: { type: 'string' } } } },
        ...errors(404, 500),
      },
    },
  };
}

export function regulatorPagePaths(): Record<string, Json> {
  const file = param('file', 'path', ModuleName, 'A module’s file name.', 'checkpoint.js');
  return {
    '/regulator': {
      get: {
        operationId: 'getRegulatorPageRedirect',
        tags: ['regulator page'],
        summary: 'Redirects to /regulator/',
        description: 'Public.',
        responses: { '308': { description: 'To `/regulator/`.', headers: { Location: { schema: { type: 'string', const: '/regulator/' } } } }, ...errors(500) },
      },
    },
    '/regulator/': {
      get: {
        operationId: 'getRegulatorPage',
        tags: ['regulator page'],
        summary: 'The regulator web page',
        description:
          'Public. Verifies the latest checkpoint’s signature (against a key the regulator pins, or the served one), inclusion proofs and pasted receipts in the browser with the ledger’s own core, and shows oversight statistics and alerts through reads the regulator signs in the browser with a key file that never leaves it. docs/REGULATOR-PAGE.md. 503 `text/plain` when the build has not produced the page’s scripts.',
        responses: {
          '200': { description: 'The page.', headers: { ...noCache, 'Content-Security-Policy': CSP }, content: { 'text/html': { schema: { type: 'string' } } } },
          '503': { description: 'The page’s scripts are not built (`npm run build`).', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...errors(500),
        },
      },
    },
    '/regulator/style.css': asset('getRegulatorPageStyle', 'The page’s stylesheet', 'Public.', 'text/css'),
    '/regulator/js/web/{file}': asset('getRegulatorPageModule', 'A module of the page', 'Public. The compiled page, `dist/src/web/*.js`.', 'text/javascript', [file]),
    '/regulator/js/core/{file}': asset('getRegulatorCoreModule', 'A module of the ledger’s pure core', 'Public. `dist/src/core/*.js`: the same code the service and the verifier run.', 'text/javascript', [file]),
    '/regulator/js/vendor/{package}/{file}': asset(
      'getRegulatorVendorModule',
      'A module of a cryptography package',
      'Public. `noble-ed25519/index.js`, `noble-hashes/{sha2,_md,_u64,utils}.js` and `scure-base/index.js`, as installed in node_modules.',
      'text/javascript',
      [param('package', 'path', z.enum(['noble-ed25519', 'noble-hashes', 'scure-base']), 'The package.', 'noble-hashes'), file],
    ),
  };
}
