import t from 'tap';
import canonicalize from 'canonicalize';
import { canonicalJson, parseCanonicalJson } from '../../src/core/canonical-json.js';
import { utf8 } from '../../src/core/bytes.js';
import { RxError } from '../../src/core/errors.js';
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

// A deliberately naive statement of the data model, for the randomized comparison below: the path
// of the first value or name outside it, in the order the canonical walk visits them (members by
// sorted name, a name before its value), or undefined when the value is in the model.
const firstInvalidPath = (value: unknown, path: string[] = [], depth = 0): string | undefined => {
  const here = () => path.join('.');
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'string') return value.isWellFormed() ? undefined : here();
  if (typeof value === 'number') return Number.isSafeInteger(value) && !Object.is(value, -0) ? undefined : here();
  if (typeof value !== 'object' || depth >= 32) return here();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = firstInvalidPath(value[i], [...path, String(i)], depth + 1);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return here();
  for (const key of Object.keys(value).sort()) {
    if (!key.isWellFormed()) return [...path, key].join('.');
    const bad = firstInvalidPath((value as Record<string, unknown>)[key], [...path, key], depth + 1);
    if (bad !== undefined) return bad;
  }
  return undefined;
};

t.test('names sort by UTF-16 code units, not by code point or insertion order', async (t) => {
  // U+1F600 is written as the surrogates D83D DE00, which sort before U+FB01 and U+E000 although
  // its code point is larger; integer-like names come first from Object.keys but sort as text.
  const value = { '\ufb01': 1, '\ue000': 2, '\u{1f600}': 3, '\uffff': 4, '10': 5, '2': 6, '1': 7, b: 8, B: 9 };
  const text = '{"1":7,"10":5,"2":6,"B":9,"b":8,"\u{1f600}":3,"\ue000":2,"\ufb01":1,"\uffff":4}';
  t.equal(canonicalJson(value), text);
  t.equal(canonicalize(value), text);
  // More names than the small-object sort handles, in reverse, shuffled and sorted order.
  const names = Array.from({ length: 60 }, (_, i) => `k${String.fromCodePoint(0x10000 * (i % 3) + 0xe000 + i)}${i}`);
  for (const order of [names, [...names].reverse(), [...names].sort(), names.filter((_, i) => i % 2).concat(names.filter((_, i) => !(i % 2)))]) {
    const object = Object.fromEntries(order.map((name, i) => [name, i]));
    t.equal(canonicalJson(object), canonicalize(object));
  }
});

t.test('many distinct names (more than any cache holds) still serialise exactly', async (t) => {
  for (let round = 0; round < 2; round++) {
    const object = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`n${(i * 7919) % 5000}\u00e9"${round}`, i]));
    t.equal(canonicalJson(object), canonicalize(object), `round ${round}`);
  }
});

t.test('agrees with canonicalize, and refuses exactly what the data model excludes, on 20000 generated values', async (t) => {
  let seed = 20250101;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  // Escapes JSON.stringify writes, characters JCS writes literally (DEL, U+2028, BOM, non-characters,
  // CJK, astral pairs), code units that sort differently from their code points, and lone surrogates.
  const alphabet = [
    'a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u0001', '\u001f',
    '\u007f', '\u0080', 'é', '€', '处', '方', '\u2028', '\u2029', '\ufeff', '\ue000', '\ufb01', '\uffff',
    '😀', '\ud834\udd1e', '\u{10ffff}', '\ud800', '\udbff', '\udc00', '\udfff',
  ];
  const rareAlphabet = new Set(['\ud800', '\udbff', '\udc00', '\udfff']);
  const char = () => {
    const c = alphabet[rand(alphabet.length)] as string;
    return rareAlphabet.has(c) && rand(8) !== 0 ? 'x' : c;
  };
  const str = () => Array.from({ length: rand(9) }, char).join('') + (rand(4) === 0 ? 'prescription text '.repeat(rand(8)) : '');
  const name = () => (rand(5) === 0 ? String(rand(30)) : str());
  const numbers = [0, 1, -1, 42, -42, 2 ** 31, -(2 ** 31), 2 ** 32 + 1, 9007199254740991, -9007199254740991, 1e15, 123456789012];
  const outside = [0.5, -1.25, 1e-7, 1e21, -0, 2 ** 53, -(2 ** 53), Number.NaN, Infinity, -Infinity, undefined, 1n, new Date(0), new Map(), [1, , 3]];
  const number = () => (rand(3) === 0 ? (numbers[rand(numbers.length)] as number) : (rand(2) === 0 ? -1 : 1) * rand(2 ** 31) * (rand(3) === 0 ? 2 ** 21 : 1));
  // Nesting around the limit of 32, through arrays and objects.
  const deep = (): unknown => {
    let nested: unknown = str();
    for (let i = 28 + rand(8); i > 0; i--) nested = rand(2) === 0 ? [nested] : { [name()]: nested };
    return nested;
  };
  const object = (depth: number): Record<string, unknown> => {
    const o: Record<string, unknown> = rand(25) === 0 ? Object.create(null) : {};
    for (let i = rand(rand(10) === 0 ? 40 : 8); i > 0; i--) o[name()] = value(depth + 1);
    return o;
  };
  const value = (depth: number): unknown => {
    switch (depth > 5 ? rand(4) : rand(9)) {
      case 0: return rand(80) === 0 ? outside[rand(outside.length)] : null;
      case 1: return rand(2) === 0;
      case 2: return number();
      case 3: return str();
      case 4: case 5: return Array.from({ length: rand(5) }, () => value(depth + 1));
      case 6: return rand(20) === 0 ? deep() : object(depth);
      default: return object(depth);
    }
  };
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < 20000; i++) {
    const v = value(0);
    const bad = firstInvalidPath(v);
    if (bad === undefined) {
      const text = canonicalJson(v);
      if (text !== canonicalize(v)) return void t.fail(`value ${i}: differs from canonicalize`);
      // Re-canonicalising parsed canonical text (names already sorted) gives the same text.
      if (canonicalJson(JSON.parse(text)) !== text) return void t.fail(`value ${i}: not stable`);
      accepted++;
      continue;
    }
    try {
      canonicalJson(v);
      return void t.fail(`value ${i}: accepted, expected a refusal at ${JSON.stringify(bad)}`);
    } catch (err) {
      if (!(err instanceof RxError) || err.code !== 'CANONICAL_JSON_INVALID') return void t.fail(`value ${i}: ${String(err)}`);
      if (JSON.stringify(err.paths) !== JSON.stringify([bad])) return void t.fail(`value ${i}: refused at ${JSON.stringify(err.paths)}, expected ${JSON.stringify(bad)}`);
    }
    refused++;
  }
  // The generator must exercise both sides; these bounds only guard against it degenerating.
  t.ok(accepted > 10000 && refused > 1000, `${accepted} accepted, ${refused} refused`);
});
