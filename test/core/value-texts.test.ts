/**
 * Texts kept beside a value (src/core/value-texts.ts): made once per object, or taken as made
 * elsewhere; and an object's text is never another object's.
 */
import t from 'tap';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { canonicalTextOf, jsonTextOf, rememberTexts } from '../../src/core/value-texts.js';

t.test("an object's JSON and canonical texts are the plain functions' texts; only the JSON text is kept", async (t) => {
  const value = { z: 1, a: [{ y: 'x', b: null }], m: '中文' };
  t.equal(jsonTextOf(value), JSON.stringify(value));
  t.equal(canonicalTextOf(value), canonicalJson(value));
  t.not(jsonTextOf(value), canonicalTextOf(value), 'member order differs between the two');
  // Values are never changed once made; this shows only which text is kept.
  (value as { z: number }).z = 2;
  t.equal(jsonTextOf(value), '{"z":1,"a":[{"y":"x","b":null}],"m":"中文"}', 'the JSON text made first is kept');
  t.equal(canonicalTextOf(value), '{"a":[{"b":null,"y":"x"}],"m":"中文","z":2}', 'a canonical text made here is not kept');
  const equal = { z: 1, a: [{ y: 'x', b: null }], m: '中文' };
  t.equal(jsonTextOf(equal), JSON.stringify(equal), 'another object, even an equal one, gets its own text');
});

t.test('remembered texts are taken as given, for that object only', async (t) => {
  const value = { b: 2, a: 1 };
  rememberTexts(value, { json: '{"b":2,"a":1}', canonical: '{"a":1,"b":2}' });
  t.equal(jsonTextOf(value), '{"b":2,"a":1}');
  t.equal(canonicalTextOf(value), '{"a":1,"b":2}');
  const marked = { b: 2, a: 1 };
  rememberTexts(marked, { json: 'J', canonical: 'C' });
  t.equal(jsonTextOf(marked), 'J', 'not recomputed: whoever remembers a text vouches for it');
  t.equal(canonicalTextOf(marked), 'C');
  t.equal(jsonTextOf({ b: 2, a: 1 }), '{"b":2,"a":1}');
});

t.test('a value outside the data model has no canonical text, and none is kept', async (t) => {
  const value = { n: 1.5 };
  t.throws(() => canonicalTextOf(value));
  t.throws(() => canonicalTextOf(value), 'still refused the second time');
});
