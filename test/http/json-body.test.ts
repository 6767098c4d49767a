/**
 * The strict JSON body parser (src/http/json-body.ts): one reading per body. Cases from the fuzz
 * campaign (scripts/campaigns/fuzz-campaign.ts), which found that Fastify's default parser kept
 * the last of two duplicate members, replaced invalid UTF-8 by U+FFFD, skipped a byte-order mark
 * and ignored the charset — so a body could be read two ways and still carry a valid signature.
 */
import t from 'tap';
import Fastify from 'fastify';
import { forbiddenMemberPath, parseJsonBody, useStrictJsonBodies } from '../../src/http/json-body.js';
import { installErrorHandling } from '../../src/http/error-handler.js';
import { throwsCode } from '../support/assert-code.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const JSON_TYPE = { 'content-type': 'application/json' };

t.test('duplicate member names are found wherever they are, compared unescaped', async (t) => {
  const cases: Array<[string, Array<string | number> | undefined]> = [
    ['{"a":1,"b":2}', undefined],
    ['{"a":1,"a":1}', ['a']],
    ['{"a":1,"\\u0061":2}', ['a']],
    ['{"s":{"t":[1,{"x":0,"y":0,"x":1}]}}', ['s', 't', 1, 'x']],
    ['[{"a":1},{"a":1}]', undefined],
    ['{"a":{"b":1},"c":{"b":1}}', undefined],
    ['{"a":"{\\"a\\":1,\\"a\\":2}","b":"}]\\\\"}', undefined],
    ['{"a":[],"b":{},"c":"","a":null}', ['a']],
    ['{"__proto__":{"x":1}}', ['__proto__']],
    ['{"constructor":{"prototype":{"x":1}}}', ['constructor', 'prototype']],
    ['{"constructor":{"name":"x"},"prototype":1}', undefined],
    ['"just a string"', undefined],
    ['{"":1,"":2}', ['']],
  ];
  for (const [text, expected] of cases) {
    JSON.parse(text); // every case is valid JSON
    t.same(forbiddenMemberPath(text), expected, text);
  }
});

t.test('a body is refused, typed and without its values, unless it has exactly one reading', async (t) => {
  t.same(parseJsonBody(bytes('{"a":"济南","b":[1,2]}'), JSON_TYPE), { a: '济南', b: [1, 2] });
  t.same(parseJsonBody(bytes('{"a":1}'), { 'content-type': 'application/json; charset=UTF-8' }), { a: 1 });
  t.same(parseJsonBody(bytes('{"a":1}'), { 'content-type': 'application/json; charset="utf-8"', 'content-encoding': 'identity' }), { a: 1 });
  throwsCode(t, () => parseJsonBody(bytes('{"a":1,"a":2}'), JSON_TYPE), 'REQUEST_INVALID', 'duplicate member');
  throwsCode(t, () => parseJsonBody(bytes('{"a":1'), JSON_TYPE), 'REQUEST_INVALID', 'not JSON');
  throwsCode(t, () => parseJsonBody(new Uint8Array(0), JSON_TYPE), 'REQUEST_INVALID', 'empty');
  throwsCode(t, () => parseJsonBody(Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes('{"a":1}')]), JSON_TYPE), 'REQUEST_INVALID', 'byte-order mark');
  for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe6, 0xb5]]) {
    throwsCode(t, () => parseJsonBody(Uint8Array.from([...bytes('{"a":"'), ...bad, ...bytes('"}')]), JSON_TYPE), 'ENCODING_MALFORMED', `invalid UTF-8 ${bad.join(' ')}`);
  }
  for (const type of ['application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset=utf-8; charset=utf-16', 'application/json; charset=utf-8x']) {
    throwsCode(t, () => parseJsonBody(bytes('{"a":1}'), { 'content-type': type }), 'REQUEST_MEDIA_TYPE_UNSUPPORTED', type);
  }
  throwsCode(t, () => parseJsonBody(bytes('{"a":1}'), { ...JSON_TYPE, 'content-encoding': 'gzip' }), 'REQUEST_MEDIA_TYPE_UNSUPPORTED', 'a content coding');
  try {
    parseJsonBody(bytes('{"identity":{"name":"甄英莲","name":"贾宝玉"}}'), JSON_TYPE);
  } catch (err) {
    t.same((err as { paths: string[] }).paths, ['body.identity.name'], 'the path names the duplicate');
    t.notMatch((err as Error).message, /甄|贾/, 'and no value is echoed');
  }
});

t.test('in a route context it is the only parser; elsewhere Fastify’s stays', async (t) => {
  const app = Fastify();
  installErrorHandling(app);
  await app.register(async (scope) => {
    useStrictJsonBodies(scope);
    scope.post('/strict', async (request) => ({ got: request.body }));
  });
  app.post('/default', async (request) => ({ got: request.body }));
  t.teardown(() => app.close());
  const post = (url: string, payload: string, headers: Record<string, string> = JSON_TYPE) => app.inject({ method: 'POST', url, payload, headers });
  t.same((await post('/strict', '{"a":1}')).json(), { got: { a: 1 } });
  const dup = await post('/strict', '{"a":1,"a":2}');
  t.equal(dup.statusCode, 400);
  t.same(dup.json(), { error: { code: 'REQUEST_INVALID', message: 'duplicate or forbidden member name', paths: ['body.a'] } });
  t.equal((await post('/strict', '{"a":1}', { 'content-type': 'text/plain' })).json().error.code, 'REQUEST_MEDIA_TYPE_UNSUPPORTED', 'text/plain is not parsed');
  t.equal((await post('/strict', '{"a":1}', { 'content-type': 'application/json; charset=utf-16' })).statusCode, 415);
  t.same((await post('/default', '{"a":1,"a":2}')).json(), { got: { a: 2 } }, 'routes outside the context keep the default parser');
});

t.test('with an offload: headers are checked first, its value is taken, and what it declines is parsed here', async (t) => {
  const app = Fastify();
  installErrorHandling(app);
  const offered: string[] = [];
  await app.register(async (scope) => {
    useStrictJsonBodies(scope, async (bytes) => {
      const text = Buffer.from(bytes).toString('utf8');
      offered.push(text);
      return text === '{"a":1}' ? { taken: true } : undefined;
    });
    scope.post('/strict', async (request) => ({ got: request.body }));
  });
  t.teardown(() => app.close());
  const post = (payload: string, headers: Record<string, string> = JSON_TYPE) => app.inject({ method: 'POST', url: '/strict', payload, headers });
  t.same((await post('{"a":1}')).json(), { got: { taken: true } }, 'the offload’s value is the body');
  t.same((await post('{"b":2}')).json(), { got: { b: 2 } }, 'declined: parsed here');
  const dup = await post('{"a":1,"a":2}');
  t.same(dup.json(), { error: { code: 'REQUEST_INVALID', message: 'duplicate or forbidden member name', paths: ['body.a'] } }, 'declined and refused here, as without an offload');
  const before = offered.length;
  t.equal((await post('{"a":1}', { 'content-type': 'application/json; charset=utf-16' })).statusCode, 415);
  t.equal((await post('{"a":1}', { 'content-type': 'application/json', 'content-encoding': 'gzip' })).statusCode, 415);
  t.equal(offered.length, before, 'bodies whose headers are refused are never offered');
});
