/**
 * Golden vectors for signed statements and signed reads: the worked example of docs/AUTH.md.
 * Ed25519 is deterministic; each signature is also recomputed with node:crypto (OpenSSL).
 */
import t from 'tap';
import { createHash, createPrivateKey, sign as nodeSign } from 'node:crypto';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import { parseReadSignature, readSignatureBase, signRead } from '../../src/core/http-signature.js';
import { actorKeyId, signStatement, statementSigningBytes, statementSigningBytesFromCanonical, type Statement } from '../../src/core/statement.js';
import { throwsCode } from '../support/assert-code.js';

const SEED = Uint8Array.from({ length: 32 }, (_, i) => i);
const PKCS8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(SEED)]);
const opensslSign = (bytes: Uint8Array) => nodeSign(null, bytes, createPrivateKey({ key: PKCS8, format: 'der', type: 'pkcs8' })).toString('base64');

const STATEMENT: Statement = {
  v: 1,
  origin: 'rx.example.gov.cn/ledger',
  actor: 'op-genesis',
  keyId: 'd240eba9f008796b',
  action: 'registry.institution-register',
  payload: { institutionId: 'hosp-jinan-1', kind: 'hospital', name: '济南市第一人民医院', region: '370100', licence: 'PDY12345' },
  timestamp: 1767225600000,
  nonce: '000102030405060708090a0b0c0d0e0f',
  idempotencyKey: 'register-hosp-jinan-1',
};

t.test('statement: key ID, canonical bytes, signature', async (t) => {
  const pub = publicKeyFromSeed(SEED);
  t.equal(Buffer.from(pub).toString('base64'), 'A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=');
  t.equal(actorKeyId(pub), 'd240eba9f008796b');
  t.equal(actorKeyId(pub), createHash('sha256').update('rxledger/key/v1\n').update(pub).digest('hex').slice(0, 16), 'key ID rule');
  t.equal(
    canonicalJson(STATEMENT),
    '{"action":"registry.institution-register","actor":"op-genesis","idempotencyKey":"register-hosp-jinan-1","keyId":"d240eba9f008796b","nonce":"000102030405060708090a0b0c0d0e0f","origin":"rx.example.gov.cn/ledger","payload":{"institutionId":"hosp-jinan-1","kind":"hospital","licence":"PDY12345","name":"济南市第一人民医院","region":"370100"},"timestamp":1767225600000,"v":1}',
  );
  const bytes = statementSigningBytes(STATEMENT);
  t.equal(bytes.length, 401);
  t.equal(createHash('sha256').update(bytes).digest('hex'), 'fe476bb72505878545669c870fbd1263dc65e8a263c8915751a12e00a4242dff');
  const signed = signStatement(STATEMENT, SEED);
  t.equal(signed.signature, '2JOT2NGXs7U6A3eJl+Z8mtMBWKfKjXhiCCOaWp+a2Ziu2LCR/tW94c1ifHlXXY/r2oANl4JRPjEOvSo16YoUCQ==');
  t.equal(opensslSign(bytes), signed.signature, 'OpenSSL agrees');
});

t.test('signed read: signature base and headers', async (t) => {
  const params = { created: 1767225600, keyId: 'd240eba9f008796b', nonce: '101112131415161718191a1b1c1d1e1f' };
  const request = { method: 'GET', path: '/v1/log/entries', query: '?start=0&end=10' };
  const base = Buffer.from(readSignatureBase(request, params)).toString('utf8');
  t.equal(
    base,
    '"@method": GET\n"@path": /v1/log/entries\n"@query": ?start=0&end=10\n"@signature-params": ("@method" "@path" "@query");created=1767225600;keyid="d240eba9f008796b";alg="ed25519";nonce="101112131415161718191a1b1c1d1e1f";tag="rxledger-read"',
  );
  const headers = signRead(request, params, SEED);
  t.equal(headers.signature, 'rx=:sTQMcL0KFUt2yaxLoUUS7IaoSIsfc2yUCFF/poFZ8+qdGdUYpBTE3RooTOBJ4oZUZF13554oCjP3hVY0MVtWBw==:');
  t.equal(`rx=:${opensslSign(Buffer.from(base))}:`, headers.signature, 'OpenSSL agrees');
  const viaSignBytes = signRead(request, params, SEED, (message, seed) => {
    t.equal(seed, SEED, 'signBytes is given the seed');
    return Buffer.from(opensslSign(Buffer.from(message)), 'base64');
  });
  t.same(viaSignBytes, headers, 'a native signBytes yields the same headers');
  t.same(parseReadSignature(headers['signature-input'], headers.signature).params, params);
  t.equal(Buffer.from(readSignatureBase({ ...request, query: '' }, params)).toString().split('\n')[2], '"@query": ?', 'an empty query is "?"');
  const bad: Record<string, [string, string]> = {
    'other label': [headers['signature-input'].replace('rx=', 'sig1='), headers.signature],
    'extra component': [headers['signature-input'].replace('"@query")', '"@query" "@authority")'), headers.signature],
    'parameters reordered': [headers['signature-input'].replace(';alg="ed25519";nonce', ';nonce').replace('1f";tag', '1f";alg="ed25519";tag'), headers.signature],
    'uppercase key id': [headers['signature-input'].replace('d240eba9f008796b', 'D240EBA9F008796B'), headers.signature],
    'short signature': [headers['signature-input'], 'rx=:AAAA:'],
    'signature without colons': [headers['signature-input'], headers.signature.replaceAll(':', '')],
  };
  for (const [what, [input, sig]] of Object.entries(bad)) throwsCode(t, () => parseReadSignature(input, sig), 'AUTH_SIGNATURE_INVALID', what);
  throwsCode(t, () => parseReadSignature(undefined, undefined), 'AUTH_REQUIRED');
});

t.test('signing bytes cut from the canonical text of the signed statement', async (t) => {
  const signed = signStatement(STATEMENT, SEED);
  const canonical = canonicalJson(signed);
  t.same(statementSigningBytesFromCanonical(signed, canonical), statementSigningBytes(STATEMENT), 'equal to canonicalising the statement');
  const unicode = signStatement({ ...STATEMENT, payload: { ...STATEMENT.payload, name: 'é"\\\u2028😀' } }, SEED);
  t.same(statementSigningBytesFromCanonical(unicode, canonicalJson(unicode)), statementSigningBytes(unicode.statement), 'escapes and non-ASCII');
  t.equal(statementSigningBytesFromCanonical({ ...signed, extra: 1 } as never, canonicalJson({ ...signed, extra: 1 })), undefined, 'a third member');
  t.equal(statementSigningBytesFromCanonical(signed, canonicalJson({ ...signed, signature: 'AAAA' })), undefined, 'text of another signature');
});
