/**
 * The fuzz campaign's generators for what is around a body: query parameters (pages, cursors,
 * indexes), paths and methods, and headers (size, duplicates, the RFC 9421 headers' grammar,
 * framing). Each template names the codes a correct refusal carries; signed templates are signed
 * over exactly the bytes sent, so the only fault is the one the template is about.
 */
import type { ErrorCode } from '../../src/core/errors.js';
import type { SignerName } from './fuzz-world.js';
import { JSON_TYPE, readHeaders, type FuzzContext, type Generator, type HostileRequest } from './fuzz-support.js';
import type { WireRequest } from './fuzz-wire.js';

interface Template {
  readonly variant: string;
  readonly method?: string;
  readonly target: string;
  /** Signed by this actor, over the target exactly as sent. */
  readonly signer?: SignerName;
  readonly expect: readonly ErrorCode[];
  readonly body?: string;
  /** Refused before any route runs (by the HTTP parser or the router), so a signature is never checked. */
  readonly early?: boolean;
}

const REQ: readonly ErrorCode[] = ['REQUEST_INVALID'];
const RANGE: readonly ErrorCode[] = ['PROOF_RANGE_INVALID'];
const NOT_FOUND: readonly ErrorCode[] = ['ROUTE_NOT_FOUND'];
const MAX = '9007199254740991';
const BEYOND = '9007199254740992';
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function pagingTemplates(ctx: FuzzContext): Template[] {
  const n = ctx.size;
  const t = (variant: string, target: string, expect: readonly ErrorCode[], signer?: SignerName): Template => ({ variant, target, expect, ...(signer ? { signer } : {}) });
  const inclusion = (q: string) => `/v1/log/proof/inclusion?${q}`;
  const consistency = (q: string) => `/v1/log/proof/consistency?${q}`;
  const entries = (q: string) => `/v1/log/entries?${q}`;
  const queue = (q: string) => `/v1/pharmacies/pharm-quancheng/queue?${q}`;
  const stats = (q: string) => `/v1/oversight/stats?${q}`;
  const alerts = (q: string) => `/v1/oversight/alerts?${q}`;
  return [
    ...['index=-1&size=2', 'index=01&size=2', 'index=1.0&size=2', 'index=1e1&size=20', 'index=0x1&size=2', 'index=+1&size=2', 'index=%201&size=2', `index=${BEYOND}&size=2`, 'index=99999999999999999&size=2', 'index=0', 'size=2', '', 'index=0&size=2&index=0', 'index=0&size=2&extra=1', 'index=&size=2', 'index[]=0&size=2', 'index=0;size=2', 'index=0&size=2%26index=1', 'index=%EF%BC%91&size=2', 'index=١&size=2'].map((q) =>
      t('inclusion-syntax', inclusion(q), REQ),
    ),
    t('inclusion-index-not-below-size', inclusion('index=1&size=1'), RANGE),
    t('inclusion-size-zero', inclusion('index=0&size=0'), RANGE),
    t('inclusion-size-beyond-log', inclusion(`index=0&size=${n + 1 + ctx.rng.int(1000)}`), RANGE),
    t('inclusion-size-max', inclusion(`index=0&size=${MAX}`), RANGE),
    t('inclusion-index-max', inclusion(`index=${MAX}&size=${n}`), RANGE),
    ...['from=-1&to=1', 'from=1&to=1e9', 'from=a&to=1', `from=0&to=${BEYOND}`, 'from=0', 'to=1', 'from=0&to=1&from=0'].map((q) => t('consistency-syntax', consistency(q), REQ)),
    t('consistency-reversed', consistency('from=2&to=1'), RANGE),
    t('consistency-beyond-log', consistency(`from=0&to=${n + 1 + ctx.rng.int(1000)}`), RANGE),
    t('receipt-beyond-log', `/v1/receipts/${n + ctx.rng.int(1_000_000)}`, ['LOG_INDEX_NOT_FOUND']),
    t('receipt-max', `/v1/receipts/${MAX}`, ['LOG_INDEX_NOT_FOUND']),
    ...[BEYOND, '-1', '00', '1.5', '1e3', 'abc', '%2D1', '1%00'].map((i) => t('receipt-syntax', `/v1/receipts/${i}`, REQ)),
    ...['format=xml', 'format=json&format=json', 'index=2', 'format=', 'FORMAT=json'].map((q) => t('receipt-query', `/v1/receipts/1?${q}`, REQ)),
    ...['min=0', 'min=-1', 'min=abc', `min=${BEYOND}`, 'min=1&min=1', 'max=1'].map((q) => t('cosigned-syntax', `/checkpoint/cosigned?${q}`, REQ)),
    t('cosigned-threshold', `/checkpoint/cosigned?min=${2 + ctx.rng.int(1000)}`, ['WITNESS_THRESHOLD_NOT_MET']),
    t('ruleset-unknown', `/v1/rulesets/${ctx.rng.hex(32)}`, ['RULE_SET_UNKNOWN']),
    ...['F'.repeat(64), 'abc', 'g'.repeat(64), `${'a'.repeat(64)}0`].map((h) => t('ruleset-syntax', `/v1/rulesets/${h}`, REQ)),
    ...['x=1', 'size=5', 'origin=evil'].map((q) => t('log-unknown-query', `/v1/log?${q}`, REQ)),
    ...['x=1', 'size=1'].map((q) => t('checkpoint-unknown-query', `/checkpoint?${q}`, REQ)),
    ...['start=-1&end=1', 'start=0&end=0', 'start=5&end=2', `start=0&end=${BEYOND}`, 'start=0', 'end=1', 'start=0&end=1&start=0', 'start=0&end=1&limit=5', 'start=abc&end=1', 'start=1e1&end=20'].map((q) =>
      t('entries-syntax', entries(q), REQ, 'regulator'),
    ),
    t('entries-beyond-log', entries(`start=${n + ctx.rng.int(1000)}&end=${n + 2000}`), ['LOG_INDEX_NOT_FOUND'], 'regulator'),
    ...['limit=0', 'limit=101', 'limit=-1', 'limit=1.5', 'limit=abc', 'after=-1', `after=${BEYOND}`, 'cursor=abc', 'limit=1&limit=2', 'limit=99999999999'].map((q) => t('queue-syntax', queue(q), REQ, 'pharmacist')),
    ...[
      'limit=0',
      'limit=1001',
      'limit=1000000',
      'by=patient',
      'period=year',
      'from=2026-13-01',
      'from=2026-02-30',
      'from=2026-01-02&to=2026-01-01',
      'from=2000-01-01&to=2026-01-01',
      'cursor=!!!',
      `cursor=${cursorOf(['x'])}`,
      `cursor=${'A'.repeat(1025)}`,
      'key=',
      `key=${'k'.repeat(257)}`,
      'unknown=1',
      'by=total&by=rule',
    ].map((q) => t('stats-syntax', stats(q), REQ, 'regulator')),
    ...['kind=bogus', 'since=-1', 'since=abc', 'limit=0', 'limit=501', `cursor=${cursorOf(['a', 0])}`, `cursor=${cursorOf(['b', 5])}`, `cursor=${cursorOf(['a', 1.5])}`, 'cursor=%25%25', 'since=2026-13-40'].map((q) =>
      t('alerts-syntax', alerts(q), REQ, 'regulator'),
    ),
    ...['since=2026-13-40', 'since=1.5', 'extra=1'].map((q) => t('summary-syntax', `/v1/oversight/alerts/summary?${q}`, REQ, 'operator')),
  ];
}

function pathTemplates(ctx: FuzzContext): Template[] {
  const rx = ctx.w.prescriptions;
  const nationalId = ctx.w.canaries[1]!;
  const t = (variant: string, target: string, expect: readonly ErrorCode[], signer?: SignerName, method = 'GET', early = false): Template => ({ variant, target, expect, method, early, ...(signer ? { signer } : {}) });
  const rxPath = (id: string) => `/v1/prescriptions/${id}`;
  return [
    t('dot-segments', '/v1/log/../healthz', NOT_FOUND),
    t('encoded-dot-segments', '/v1/log/%2e%2e/%2e%2e/healthz', NOT_FOUND),
    t('encoded-slash', '/v1%2flog', NOT_FOUND),
    t('double-slash', '//v1/log', NOT_FOUND),
    t('inner-double-slash', '/v1//log', NOT_FOUND),
    t('dot-segment-prefix', '/./v1/log', NOT_FOUND),
    t('case', '/V1/LOG', NOT_FOUND),
    t('nul', '/v1/log%00', NOT_FOUND),
    t('semicolon', '/v1/log;jsessionid=1', NOT_FOUND),
    t('trailing-slash', '/v1/log/', NOT_FOUND),
    t('overlong-path', `/${'a'.repeat(8000 + ctx.rng.int(4000))}`, NOT_FOUND),
    t('many-segments', `/v1/log/${'x/'.repeat(2000 + ctx.rng.int(2000))}`, NOT_FOUND),
    t('id-traversal', rxPath('..%2f..%2fhealthz'), REQ, 'prescriber'),
    t('id-dot-dot', rxPath('%2e%2e'), REQ, 'prescriber'),
    t('id-double-encoded', rxPath('%252e%252e%252fhealthz'), REQ, 'prescriber'),
    t('id-uppercase', rxPath('RX-ABCDEF123'), REQ, 'prescriber'),
    t('id-nul', rxPath('rx-abcdef%00ghi'), REQ, 'prescriber'),
    t('id-unicode-raw', rxPath('rx-测试处方号码'), REQ, 'prescriber', 'GET', true),
    t('id-unicode-encoded', rxPath('rx-%E6%B5%8B%E8%AF%95abcdef'), REQ, 'prescriber'),
    t('id-fullwidth', rxPath('rx-ａｂｃｄｅｆ'), REQ, 'prescriber', 'GET', true),
    t('id-rtl-override', rxPath(`${rx.assigned.slice(0, 6)}%E2%80%AE${rx.assigned.slice(6)}`), REQ, 'prescriber'),
    t('id-too-long', rxPath(`rx-${'a'.repeat(61 + ctx.rng.int(30))}`), REQ, 'prescriber'),
    t('id-over-router-bound', rxPath(`rx-${'a'.repeat(200 + ctx.rng.int(5000))}`), REQ, 'prescriber', 'GET', true),
    t('id-bad-percent', rxPath('rx-abcdef%zz'), REQ, 'prescriber', 'GET', true),
    t('id-overlong-utf8-dot', rxPath('rx-abc%c0%ae%c0%ae'), REQ, 'prescriber', 'GET', true),
    t('id-invalid-utf8', rxPath('rx-abc%ff%fe'), REQ, 'prescriber', 'GET', true),
    t('id-personal-data', rxPath(`${nationalId}%zz`), REQ, undefined, 'GET', true),
    t('id-personal-data-overlong', rxPath(`${nationalId}${'0'.repeat(150)}`), REQ, undefined, 'GET', true),
    t('id-trailing-slash', `${rxPath(rx.assigned)}/`, NOT_FOUND, 'prescriber'),
    t('id-dot-dot-after', `${rxPath(rx.assigned)}/..`, NOT_FOUND, 'prescriber'),
    t('queue-trailing-slash', '/v1/pharmacies/pharm-quancheng/queue/', NOT_FOUND, 'pharmacist'),
    t('queue-encoded-slash', '/v1/pharmacies/pharm-quancheng%2fqueue', NOT_FOUND, 'pharmacist'),
    t('queue-id-traversal', '/v1/pharmacies/..%2fpharm-lixia/queue', REQ, 'pharmacist'),
    t('queue-semicolon', '/v1/pharmacies/pharm-quancheng/queue;limit=5', NOT_FOUND, 'pharmacist'),
    t('courier-id-space', '/v1/couriers/courier-zhao%20/assignments', REQ, 'courier'),
    t('courier-id-uppercase', '/v1/couriers/COURIER-ZHAO/assignments', REQ, 'courier'),
    t('vendor-traversal', '/regulator/js/vendor/noble-ed25519/..%2f..%2fpackage.json', NOT_FOUND),
    t('core-traversal', '/regulator/js/core/..%2f..%2f..%2fpackage.json', NOT_FOUND),
    t('web-traversal', '/regulator/js/web/%2e%2e%2fsrc%2fconfig.js', NOT_FOUND),
    t('core-nul-extension', '/regulator/js/core/entry.js%00.txt', NOT_FOUND),
    t('vendor-unknown-package', '/regulator/js/vendor/..%2fnode_modules/index.js', NOT_FOUND),
    t('ruleset-traversal', '/v1/rulesets/..%2f..%2fknowledge', REQ),
    t('receipt-traversal', '/v1/receipts/..%2f1', REQ),
    t('query-in-path', '/v1/receipts/1%3Fformat=json', REQ),
    t('method-put', '/v1/statements', NOT_FOUND, undefined, 'PUT'),
    t('method-delete', '/v1/log', NOT_FOUND, undefined, 'DELETE'),
    t('method-patch', rxPath(rx.assigned), NOT_FOUND, 'prescriber', 'PATCH'),
    t('method-get-on-post', '/v1/statements', NOT_FOUND),
    t('method-get-patients', '/v1/patients', NOT_FOUND),
    t('method-options', '/v1/statements', NOT_FOUND, undefined, 'OPTIONS'),
    t('method-trace', '/v1/log', NOT_FOUND, undefined, 'TRACE'),
    t('method-post-on-get', '/v1/log', NOT_FOUND, undefined, 'POST'),
    t('method-delete-entries', '/v1/log/entries?start=0&end=1', NOT_FOUND, 'regulator', 'DELETE'),
  ];
}

/** Requests Node's HTTP parser itself must refuse: the service answers them from its client-error handler. */
function rawTemplates(ctx: FuzzContext): Array<{ variant: string; request: WireRequest; expect: readonly ErrorCode[] }> {
  const head = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
  const host = 'Host: 127.0.0.1';
  const body = Buffer.from('{"statement":{},"signature":""}');
  const raw = (variant: string, text: string, withBody = false, expect: readonly ErrorCode[] = REQ) => ({ variant, request: { method: 'POST', target: '/', headers: [], rawHead: head(text), ...(withBody ? { body: new Uint8Array(body), framing: 'none' as const } : {}) }, expect });
  return [
    raw('method-invalid', `FOO /v1/log HTTP/1.1\r\n${host}`),
    raw('method-lowercase', `get /v1/log HTTP/1.1\r\n${host}`),
    raw('version-invalid', `GET /v1/log HTTP/9.9\r\n${host}`),
    raw('request-line-garbage', `GET\t/v1/log\tHTTP/1.1 extra\r\n${host}`),
    raw('content-length-conflict', `POST /v1/statements HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: ${body.length + 5}`, true),
    raw('content-length-and-chunked', `POST /v1/statements HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked`, true),
    raw('content-length-negative', `POST /v1/statements HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: -${body.length}`, true),
    raw('content-length-garbage', `POST /v1/statements HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: 1e2`, true),
    raw('transfer-encoding-unknown', `POST /v1/statements HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip`, true),
    raw('header-name-space', `GET /v1/log HTTP/1.1\r\n${host}\r\nBad Header: x`),
    raw('header-obs-fold', `GET /v1/log HTTP/1.1\r\n${host}\r\nX-A: a\r\n  folded`),
    raw('header-nul', `GET /v1/log HTTP/1.1\r\n${host}\r\nX-A: a\u0000b`),
    raw('header-no-colon', `GET /v1/log HTTP/1.1\r\n${host}\r\nNoColonHere`),
    raw('bare-lf', `GET /v1/log HTTP/1.1\n${host}\nX-A: b`),
    raw('huge-header', `GET /v1/log HTTP/1.1\r\n${host}\r\nX-Pad: ${'a'.repeat(17_000 + ctx.rng.int(50_000))}`, false, ['REQUEST_HEADERS_TOO_LARGE']),
    raw('many-headers', `GET /v1/log HTTP/1.1\r\n${host}\r\n${Array.from({ length: 1200 + ctx.rng.int(2000) }, (_, i) => `X-H-${i}: vvvvvvvvvvvvvvvv`).join('\r\n')}`, false, ['REQUEST_HEADERS_TOO_LARGE']),
    raw('huge-request-line', `GET /v1/log?${'a'.repeat(17_000 + ctx.rng.int(20_000))}=1 HTTP/1.1\r\n${host}`, false, ['REQUEST_HEADERS_TOO_LARGE']),
  ];
}

const sign = (ctx: FuzzContext, template: Template): Array<[string, string]> =>
  template.signer === undefined ? [] : readHeaders(ctx, ctx.w.keys[template.signer], template.method ?? 'GET', template.target);

function fromTemplate(ctx: FuzzContext, category: 'paging' | 'path', template: Template): HostileRequest {
  const method = template.method ?? 'GET';
  const headers = sign(ctx, template);
  const request: WireRequest = method === 'POST' || method === 'PUT' || method === 'PATCH' ? { method, target: template.target, headers: [JSON_TYPE, ...headers], body: new Uint8Array(Buffer.from(template.body ?? '{}')) } : { method, target: template.target, headers };
  return { category, variant: template.variant, request, expect: template.expect, replayable: template.signer !== undefined && template.early !== true && !template.expect.includes('ROUTE_NOT_FOUND') };
}

export const paging: Generator = (ctx) => fromTemplate(ctx, 'paging', ctx.rng.pick(pagingTemplates(ctx)));

export const path: Generator = (ctx) => fromTemplate(ctx, 'path', ctx.rng.pick(pathTemplates(ctx)));

/** Malformed and duplicated RFC 9421 headers; headers over the size bound; framing the parser refuses. */
export const header: Generator = (ctx) => {
  if (ctx.rng.chance(0.35)) {
    const r = ctx.rng.pick(rawTemplates(ctx));
    return { category: 'header', variant: r.variant, request: r.request, expect: r.expect, isolated: true };
  }
  const reads = [
    { target: '/v1/log/entries?start=0&end=2', signer: 'regulator' as const },
    { target: `/v1/prescriptions/${ctx.w.prescriptions.assigned}`, signer: 'prescriber' as const },
    { target: '/v1/oversight/alerts/summary', signer: 'regulator' as const },
  ];
  const read = ctx.rng.pick(reads);
  const good = readHeaders(ctx, ctx.w.keys[read.signer], 'GET', read.target);
  const [input, sig] = [good[0]![1], good[1]![1]];
  const other = readHeaders(ctx, ctx.w.keys[read.signer], 'GET', read.target);
  const keyId = ctx.w.keys[read.signer].keyId;
  const created = Math.floor(Date.now() / 1000);
  const nonce = ctx.rng.hex(16);
  const params = (p: string) => `rx=("@method" "@path" "@query")${p}`;
  const inputs: Array<[string, string]> = [
    ['label', input.replace(/^rx=/, 'sig=')],
    ['components-order', input.replace('("@method" "@path" "@query")', '("@path" "@method" "@query")')],
    ['components-missing-query', input.replace(' "@query"', '')],
    ['components-extra', input.replace('"@query")', '"@query" "content-digest")')],
    ['params-order', params(`;keyid="${keyId}";created=${created};alg="ed25519";nonce="${nonce}";tag="rxledger-read"`)],
    ['created-text', input.replace(/created=[0-9]+/, 'created=now')],
    ['created-negative', input.replace(/created=[0-9]+/, `created=-${created}`)],
    ['created-fraction', input.replace(/created=([0-9]+)/, 'created=$1.5')],
    ['keyid-uppercase', input.replace(keyId, keyId.toUpperCase())],
    ['keyid-short', input.replace(keyId, keyId.slice(1))],
    ['keyid-unquoted', input.replace(`"${keyId}"`, keyId)],
    ['alg', input.replace('alg="ed25519"', ctx.rng.pick(['alg="rsa-pss-sha512"', 'alg="ED25519"', 'alg="hmac-sha256"']))],
    ['tag', input.replace('tag="rxledger-read"', ctx.rng.pick(['tag="rxledger-write"', 'tag=""', 'tag="rxledger-read";tag="x"']))],
    ['tag-missing', input.replace(';tag="rxledger-read"', '')],
    ['nonce-short', input.replace(/nonce="[0-9a-f]+"/, `nonce="${ctx.rng.hex(8)}"`)],
    ['nonce-uppercase', input.replace(/nonce="([0-9a-f]+)"/, (_, n: string) => `nonce="${n.toUpperCase()}A"`)],
    ['nonce-long', input.replace(/nonce="[0-9a-f]+"/, `nonce="${ctx.rng.hex(40)}"`)],
    ['extra-param', `${input};expires=${created + 60}`],
    ['unicode', input.replace('ed25519', 'ｅｄ25519')],
    ['empty', ''],
    ['huge', `${input};x="${'a'.repeat(8000 + ctx.rng.int(4000))}"`],
    ['two-signatures', `${input}, rx2=${input.slice(3)}`],
  ];
  const signatures: Array<[string, string]> = [
    ['no-colons', sig.replace(/^rx=:(.*):$/, 'rx=$1')],
    ['label', sig.replace(/^rx=/, 'sig=')],
    ['two-signatures', `${sig}, rx=${sig.slice(3)}`],
    ['trailing-garbage', `${sig}x`],
    ['unicode', sig.replace('rx=:', 'rx=：')],
    ['huge', `rx=:${'A'.repeat(8000 + ctx.rng.int(4000))}==:`],
  ];
  const kind = ctx.rng.pick(['input', 'input', 'signature', 'duplicate-input', 'duplicate-signature', 'duplicate-mixed'] as const);
  let headers: Array<[string, string]>;
  let variant: string;
  switch (kind) {
    case 'input': {
      const [name, value] = ctx.rng.pick(inputs);
      headers = [['Signature-Input', value], ['Signature', sig]];
      variant = `signature-input-${name}`;
      break;
    }
    case 'signature': {
      const [name, value] = ctx.rng.pick(signatures);
      headers = [['Signature-Input', input], ['Signature', value]];
      variant = `signature-${name}`;
      break;
    }
    case 'duplicate-input':
      headers = [['Signature-Input', input], ['Signature-Input', input], ['Signature', sig]];
      variant = 'duplicate-signature-input';
      break;
    case 'duplicate-signature':
      headers = [['Signature-Input', input], ['Signature', sig], ['Signature', sig]];
      variant = 'duplicate-signature';
      break;
    case 'duplicate-mixed':
      headers = [['Signature-Input', other[0]![1]], ['Signature-Input', input], ['Signature', other[1]![1]], ['Signature', sig]];
      variant = 'duplicate-pairs';
      break;
  }
  return { category: 'header', variant, request: { method: 'GET', target: read.target, headers }, expect: ['AUTH_SIGNATURE_INVALID'] };
};
