import t from 'tap';
import { canonicalJson, parseCanonicalJson } from '../../src/core/canonical-json.js';
import { utf8 } from '../../src/core/bytes.js';
import { throwsCode } from '../support/assert-code.js';

// Golden vectors for RFC 8785 within the ledger's data model (integers only). Key order is by
// UTF-16 code units (RFC 8785 §3.2.3): "\u20ac" (€) sorts before "\ud83d\ude00" (😀) although the
// emoji's code point is larger; strings escape only what JCS requires.
const GOLDEN: [unknown, string][] = [
  [null, 'null'],
  [true, 'true'],
  [0, '0'],
  [-42, '-42'],
  [9007199254740991, '9007199254740991'],
  ['', '""'],
  ['a"b\\c', '"a\\"b\\\\c"'],
  ['\u0000\u001f\b\t\n\f\r', '"\\u0000\\u001f\\b\\t\\n\\f\\r"'],
  ['\u007f é 处方 😀 \u2028', '"\u007f é 处方 😀 \u2028"'],
  [{ b: 1, a: 2, A: 3 }, '{"A":3,"a":2,"b":1}'],
  [{ '\ud83d\ude00': 1, '\u20ac': 2, '\r': 3, '1': 4, 'é': 5 }, '{"\\r":3,"1":4,"é":5,"€":2,"😀":1}'],
  [{ nested: { z: [3, { y: null, x: false }], a: [] } }, '{"nested":{"a":[],"z":[3,{"x":false,"y":null}]}}'],
  [[1, [2, [3]]], '[1,[2,[3]]]'],
];

t.test('golden vectors', async (t) => {
  // Names use the vector's number: raw U+2028 in a test name would break the TAP stream.
  GOLDEN.forEach(([value, text], i) => {
    t.equal(canonicalJson(value), text, `vector ${i}`);
    t.same(parseCanonicalJson(utf8(text)), value, `vector ${i} round trip`);
  });
});

t.test('values outside the data model are refused, naming the path', async (t) => {
  const bad: Record<string, unknown> = {
    float: { dose: 1.5 },
    NaN: [Number.NaN],
    infinity: Infinity,
    'unsafe integer': 2 ** 53,
    'negative zero': -0,
    undefined: { a: undefined },
    function: { f: () => 1 },
    bigint: 1n,
    date: new Date(0),
    'class instance': new (class X {})(),
    'lone surrogate': '\ud800',
    'lone surrogate key': { '\udc00': 1 },
    map: new Map(),
  };
  for (const [what, value] of Object.entries(bad)) throwsCode(t, () => canonicalJson(value), 'CANONICAL_JSON_INVALID', what);
  try {
    canonicalJson({ items: [{ ok: 1 }, { dose: 0.5 }] });
  } catch (err) {
    t.same((err as { paths: string[] }).paths, ['items.1.dose']);
  }
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = [deep];
  throwsCode(t, () => canonicalJson(deep), 'CANONICAL_JSON_INVALID', 'nesting deeper than 32');
});

t.test('only canonical bytes parse', async (t) => {
  const bad: Record<string, string> = {
    whitespace: '{"a": 1}',
    'unsorted keys': '{"b":1,"a":2}',
    'duplicate keys': '{"a":1,"a":1}',
    'duplicate keys, last wins': '{"a":2,"a":1}',
    float: '{"a":1.0}',
    exponent: '{"a":1e2}',
    'escaped letter': '"\\u0041"',
    'escaped slash': '"\\/"',
    'uppercase escape': '"\\u001F"',
    'trailing newline': '{"a":1}\n',
    'not json': '{a:1}',
    'byte order mark': '\ufeff{"a":1}',
  };
  for (const [what, text] of Object.entries(bad)) throwsCode(t, () => parseCanonicalJson(utf8(text)), 'ENTRY_NOT_CANONICAL', what);
  throwsCode(t, () => parseCanonicalJson(Uint8Array.of(0x22, 0xff, 0x22)), 'ENCODING_MALFORMED', 'invalid UTF-8');
  throwsCode(t, () => parseCanonicalJson(Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22)), 'ENCODING_MALFORMED', 'UTF-8 encoded surrogate');
});
