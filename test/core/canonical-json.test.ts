import t from 'tap';
import canonicalize from 'canonicalize';
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

t.test('agrees byte for byte with the canonicalize reference implementation of RFC 8785', async (t) => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', 'é', '€', '处', '😀', '\u2028', '\ufeff', '\ud834\udd1e'];
  const str = () => Array.from({ length: rand(6) }, () => alphabet[rand(alphabet.length)]).join('');
  const value = (depth: number): unknown => {
    switch (depth > 4 ? rand(4) : rand(7)) {
      case 0: return null;
      case 1: return rand(2) === 0;
      case 2: return (rand(2) === 0 ? -1 : 1) * rand(2 ** 31) * (rand(3) === 0 ? 2 ** 21 : 1);
      case 3: return str();
      case 4: return Array.from({ length: rand(4) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: rand(5) }, () => [str(), value(depth + 1)]));
    }
  };
  for (let i = 0; i < 3000; i++) {
    const v = value(0);
    if (canonicalJson(v) !== canonicalize(v)) {
      t.fail(`differs for ${JSON.stringify(v)}`);
      return;
    }
  }
  t.pass('3000 generated values');
});
