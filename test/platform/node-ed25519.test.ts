/**
 * One signature semantics everywhere: the server's OpenSSL-backed verifier must accept exactly
 * what the reference (@noble/ed25519, strict) accepts — on honest, damaged, malleable and
 * deliberately crafted signatures — and key registration refuses keys that could make them differ.
 */
import t from 'tap';
import { createHash, createPublicKey, verify as opensslVerify } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { isAcceptablePublicKey, isValidEd25519, publicKeyFromSeed, signEd25519 } from '../../src/core/ed25519.js';
import { createNodeEd25519Verifier } from '../../src/platform/node-ed25519.js';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;
const fast = createNodeEd25519Verifier();
const le32 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
const fromLe = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).reverse().toString('hex')}`);
const seedOf = (i: number) => createHash('sha256').update(`seed-${i}`).digest();
const rawOpenssl = (sig: Uint8Array, msg: Uint8Array, pub: Uint8Array) => {
  try {
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]), format: 'der', type: 'spki' });
    return opensslVerify(null, msg, key, sig);
  } catch {
    return false;
  }
};

function agree(t: { pass(m: string): unknown; fail(m: string): unknown }, sig: Uint8Array, msg: Uint8Array, pub: Uint8Array, expected: boolean, what: string) {
  const reference = isValidEd25519(sig, msg, pub);
  const server = fast.verify(sig, msg, pub);
  if (reference !== expected || server !== expected) t.fail(`${what}: reference ${reference}, server ${server}, expected ${expected}`);
  else t.pass(what);
}

// Encodings of small-order points (the 8-torsion), and the order-8 point T used to craft signatures.
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
].map((h) => Buffer.from(h, 'hex'));

t.test('honest and damaged signatures', async (t) => {
  let checked = 0;
  for (let i = 0; i < 60; i++) {
    const seed = seedOf(i);
    const pub = publicKeyFromSeed(seed);
    const msg = createHash('sha256').update(`msg-${i}`).digest().subarray(0, i % 33);
    const sig = signEd25519(msg, seed);
    agree(t, sig, msg, pub, true, `valid ${i}`);
    const badSig = Buffer.from(sig);
    badSig[i % 64] = (badSig[i % 64] as number) ^ (1 << (i % 8));
    agree(t, badSig, msg, pub, false, `flipped signature bit ${i}`);
    agree(t, sig, Buffer.concat([msg, Buffer.of(i)]), pub, false, `other message ${i}`);
    agree(t, sig, msg, publicKeyFromSeed(seedOf(i + 1000)), false, `other key ${i}`);
    checked += 4;
  }
  t.ok(checked === 240);
});

t.test('malleability and non-canonical encodings are refused by both', async (t) => {
  const seed = seedOf(1);
  const pub = publicKeyFromSeed(seed);
  const msg = Buffer.from('rxledger');
  const sig = signEd25519(msg, seed);
  const s = fromLe(sig.subarray(32));
  agree(t, Buffer.concat([sig.subarray(0, 32), le32(s + L)]), msg, pub, false, 'S + L');
  agree(t, Buffer.concat([sig.subarray(0, 32), le32(s + 2n * L)]), msg, pub, false, 'S + 2L');
  agree(t, Buffer.concat([le32(P + 1n), sig.subarray(32)]), msg, pub, false, 'R encoded non-canonically (y = p + 1)');
  const nonCanonicalKey = le32(P + 3n);
  agree(t, sig, msg, nonCanonicalKey, false, 'public key with y >= p');
  t.notOk(isAcceptablePublicKey(nonCanonicalKey), 'and such a key cannot be registered');
  agree(t, sig, msg, Buffer.alloc(32, 0xff), false, 'public key that is not a point');
});

t.test('small-order public keys: refused by both, and at registration', async (t) => {
  for (const [i, key] of SMALL_ORDER.entries()) {
    t.notOk(isAcceptablePublicKey(key), `small-order key ${i} cannot be registered`);
    // With A of small order, S = 0 and R = -[k]A-type forgeries are the classic attack.
    for (const r of SMALL_ORDER) agree(t, Buffer.concat([r, Buffer.alloc(32)]), Buffer.from('anything'), key, false, `forgery under small-order key ${i}`);
  }
  t.ok(isAcceptablePublicKey(publicKeyFromSeed(seedOf(3))), 'an ordinary key can');
  const T = ed.Point.fromBytes(SMALL_ORDER[4] as Uint8Array, false);
  const mixed = ed.Point.fromBytes(publicKeyFromSeed(seedOf(3)), false).add(T).toBytes();
  t.notOk(isAcceptablePublicKey(mixed), 'a key with a small-order component cannot be registered');
  // The answers are remembered by key bytes (the torsion check is slow): asked again, from other
  // arrays holding the same bytes, the same answers.
  t.same(
    [Uint8Array.from(mixed), Uint8Array.from(publicKeyFromSeed(seedOf(3))), Uint8Array.from(SMALL_ORDER[4] as Uint8Array)].map(isAcceptablePublicKey),
    [false, true, false],
    'the same answers when asked again',
  );
  const inBiggerBuffer = new Uint8Array(40);
  inBiggerBuffer.set(mixed, 8);
  t.notOk(isAcceptablePublicKey(inBiggerBuffer.subarray(8)), 'a view into a larger buffer is judged by its own 32 bytes');
});

t.test('a crafted signature with a torsion component in R: OpenSSL alone would differ; the server does not', async (t) => {
  const seed = seedOf(7);
  const { scalar, pointBytes } = ed.utils.getExtendedPublicKey(seed);
  const T = ed.Point.fromBytes(SMALL_ORDER[4] as Uint8Array, false);
  const r = 123456789n;
  const rPrime = ed.Point.BASE.multiply(r).add(T).toBytes();
  const msg = Buffer.from('crafted');
  const k = fromLe(createHash('sha512').update(rPrime).update(pointBytes).update(msg).digest()) % L;
  const sPrime = (r + k * scalar) % L;
  const sig = Buffer.concat([rPrime, le32(sPrime)]);
  t.equal(rawOpenssl(sig, msg, pointBytes), false, 'OpenSSL (cofactorless) rejects');
  agree(t, sig, msg, pointBytes, true, 'reference (cofactored) accepts, and so does the server path');
});

// The edge-case vectors of docs/FORMAT.md §7.5, byte for byte: what every verifier of this ledger
// must answer, and what a cofactorless library (OpenSSL) answers on its own.
const EDGE_MESSAGE = Buffer.from('rxledger edge case');
const EDGE_VECTORS: ReadonlyArray<{ what: string; publicKey: string; signature: string; valid: boolean; openssl: boolean }> = [
  { what: "honest", publicKey: '03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8', signature: '97a1bf88a0db471f3c49fcf7b3638274d66113c47a5161ff207d889ab32bf2e147b3d2618d0c453b9a1cdc2117a49c9756321fbe5a79bba3205c0baa72f9da0b', valid: true, openssl: true },
  { what: "S + L (non-canonical S)", publicKey: '03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8', signature: '97a1bf88a0db471f3c49fcf7b3638274d66113c47a5161ff207d889ab32bf2e13487c8bea76f579370b9d3c4f59d7bac56321fbe5a79bba3205c0baa72f9da1b', valid: false, openssl: false },
  { what: "R encoded with y = p + 1 (non-canonical R)", publicKey: '03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8', signature: 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f47b3d2618d0c453b9a1cdc2117a49c9756321fbe5a79bba3205c0baa72f9da0b', valid: false, openssl: false },
  { what: "small-order public key, R = that point, S = 0", publicKey: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', signature: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc050000000000000000000000000000000000000000000000000000000000000000', valid: false, openssl: false },
  { what: "torsion component in R (crafted)", publicKey: '03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8', signature: '8ea6b58beb2ecc0801fbd6c82c6dafee292cd29e8b6698bbb94c566b594d8ba924dd0d86172120cec6a37fbdf81dfe15eac5a4f5ad553136659c60a30114f508', valid: true, openssl: false },
  { what: "torsion component in A (mixed-order key, crafted)", publicKey: 'b154bd62188ae283dd187fefe8c31f5e276edf083b4cff11c9d5cff856c74440', signature: '7db0dc9222f3c183457ddde4c708de8e5ea6bf3d5c4404cca14b32729a05c32a06f99c67eb57791c4bdbcabbb4ffc49f3f76879ad6c28aad186360bb26478007', valid: true, openssl: false },
];

t.test('the edge-case vectors of FORMAT.md §7.5', async (t) => {
  for (const v of EDGE_VECTORS) {
    const sig = Buffer.from(v.signature, 'hex');
    const pub = Buffer.from(v.publicKey, 'hex');
    agree(t, sig, EDGE_MESSAGE, pub, v.valid, v.what);
    t.equal(rawOpenssl(sig, EDGE_MESSAGE, pub), v.openssl, `${v.what}: OpenSSL alone says ${v.openssl}`);
  }
  t.equal(Buffer.from(EDGE_VECTORS[0]!.signature, 'hex').equals(signEd25519(EDGE_MESSAGE, Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex'))), true, 'the honest one is the AUTH.md §8 key signing the message');
  t.notOk(isAcceptablePublicKey(Buffer.from(EDGE_VECTORS[5]!.publicKey, 'hex')), 'the mixed-order key cannot be registered');
});
