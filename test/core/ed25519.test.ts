import t from 'tap';
import { isValidEd25519, publicKeyFromSeed, signEd25519 } from '../../src/core/ed25519.js';

// RFC 8032 §7.1, TEST 1 (empty message).
const SECRET = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const PUBLIC = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
const SIG = Buffer.from(
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  'hex',
);
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

t.test('RFC 8032 test vector 1', async (t) => {
  t.same(Buffer.from(publicKeyFromSeed(SECRET)), PUBLIC);
  t.same(Buffer.from(signEd25519(new Uint8Array(0), SECRET)), SIG);
  t.ok(isValidEd25519(SIG, new Uint8Array(0), PUBLIC));
});

t.test('strict RFC 8032 verification', async (t) => {
  t.notOk(isValidEd25519(SIG, Uint8Array.of(0), PUBLIC), 'other message');
  // S + L encodes the same scalar mod L: malleable, refused by strict verification.
  const s = BigInt(`0x${Buffer.from(SIG.subarray(32)).reverse().toString('hex')}`) + L;
  const sPlusL = Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse();
  t.notOk(isValidEd25519(Buffer.concat([SIG.subarray(0, 32), sPlusL]), new Uint8Array(0), PUBLIC), 'non-canonical S');
  t.notOk(isValidEd25519(SIG.subarray(0, 63), new Uint8Array(0), PUBLIC), 'short signature');
  t.notOk(isValidEd25519(SIG, new Uint8Array(0), PUBLIC.subarray(1)), 'short key');
  // A public key that is not a canonical point encoding (y >= p).
  const nonCanonicalY = Buffer.alloc(32, 0xff);
  nonCanonicalY[31] = 0x7f;
  t.notOk(isValidEd25519(SIG, new Uint8Array(0), nonCanonicalY), 'non-canonical public key');
});
