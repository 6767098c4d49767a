import t from 'tap';
import { createHash } from 'node:crypto';
import { encodeBase64, utf8 } from '../../src/core/bytes.js';
import { canonicalBytes, canonicalJson } from '../../src/core/canonical-json.js';
import { GENESIS_PREV, MAX_ENTRY_BYTES, encodeEntry, encodeEnvelope, parseEntry, type LedgerEntry } from '../../src/core/entry.js';
import { hashLeaf } from '../../src/core/merkle-hash.js';
import { throwsCode } from '../support/assert-code.js';

const KEY = 'example.org/rx-test+e6cf18c0+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk';
const GENESIS: LedgerEntry = {
  v: 1,
  index: 0,
  prev: encodeBase64(GENESIS_PREV),
  time: 1767225600000,
  type: 'ledger.checkpoint-keys',
  body: { origin: 'example.org/rx-test', keys: [KEY] },
};
// Golden leaf: the RFC 8785 bytes of GENESIS, written out by hand from the rules in docs/FORMAT.md.
const GENESIS_BYTES =
  '{"body":{"keys":["example.org/rx-test+e6cf18c0+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk"],"origin":"example.org/rx-test"},' +
  '"index":0,"prev":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","time":1767225600000,"type":"ledger.checkpoint-keys","v":1}';

t.test('golden leaf bytes and leaf hash', async (t) => {
  const bytes = encodeEntry(GENESIS);
  t.equal(Buffer.from(bytes).toString('utf8'), GENESIS_BYTES);
  const expected = createHash('sha256').update(Buffer.from([0])).update(GENESIS_BYTES).digest();
  t.same(Buffer.from(hashLeaf(bytes)), expected, 'SHA-256(0x00 || leaf bytes)');
  t.same(parseEntry(bytes), GENESIS);
});

t.test('envelope violations are refused', async (t) => {
  const bad: Record<string, unknown> = {
    'version 2': { ...GENESIS, v: 2 },
    'extra field': { ...GENESIS, extra: 1 },
    'missing body': { ...GENESIS, body: undefined },
    'body is an array': { ...GENESIS, body: [] },
    'negative index': { ...GENESIS, index: -1 },
    'prev of 31 bytes': { ...GENESIS, prev: encodeBase64(new Uint8Array(31)) },
    'prev in hex': { ...GENESIS, prev: '00'.repeat(32) },
    'type without a dot': { ...GENESIS, type: 'genesis' },
    'type with capitals': { ...GENESIS, type: 'Ledger.Keys' },
  };
  for (const [what, value] of Object.entries(bad)) {
    const { body, ...rest } = value as Record<string, unknown>;
    // Canonical bytes, so that only the envelope rule is at fault.
    throwsCode(t, () => parseEntry(canonicalBytes(body === undefined ? rest : { ...rest, body })), 'ENTRY_MALFORMED', what);
  }
  throwsCode(t, () => parseEntry(utf8(GENESIS_BYTES.replace('"v":1', '"v":1 '))), 'ENTRY_NOT_CANONICAL', 'not canonical');
  throwsCode(t, () => encodeEntry({ ...GENESIS, body: { blob: 'x'.repeat(MAX_ENTRY_BYTES) } }), 'ENTRY_TOO_LARGE');
  throwsCode(t, () => parseEntry(new Uint8Array(MAX_ENTRY_BYTES + 1)), 'ENTRY_TOO_LARGE');
});

t.test('the envelope fast path equals generic canonicalisation', async (t) => {
  for (let index = 0; index < 50; index++) {
    const entry = { ...GENESIS, index, time: GENESIS.time + index * 7919, body: { n: index, s: `é${index}😀`, list: [index, { z: 1, a: null }] } };
    t.equal(Buffer.from(encodeEntry(entry)).toString('utf8'), canonicalJson(entry));
  }
  throwsCode(t, () => encodeEnvelope({ v: 1, index: 0, prev: 'x', time: 0, type: 'a.b' }, '{}'), 'ENTRY_MALFORMED');
  throwsCode(t, () => encodeEnvelope({ v: 1, index: 0, prev: encodeBase64(GENESIS_PREV), time: 0, type: 'a"b.c' }, '{}'), 'ENTRY_MALFORMED');
  throwsCode(t, () => encodeEnvelope({ v: 1, index: -1, prev: encodeBase64(GENESIS_PREV), time: 0, type: 'a.b' }, '{}'), 'ENTRY_MALFORMED');
});
