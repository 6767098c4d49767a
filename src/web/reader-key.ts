/**
 * The regulator's actor key in the page: parsed from the key file's text, held in memory only,
 * and used to sign reads with the `rxledger-read` profile of RFC 9421 (docs/AUTH.md §3) through
 * the core's own `signRead`. The seed is never sent, stored or shown.
 *
 * The key-file format and the key ID are those of src/keys/actor-key-file.ts and
 * src/core/statement.ts. Those modules cannot load here (one reads files, the other pulls in zod),
 * so the two small rules are restated below; test/web/reader-key.test.ts checks them against the
 * originals on the same keys.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, decodeBase64, utf8 } from '../core/bytes.js';
import { publicKeyFromSeed } from '../core/ed25519.js';
import { RxError } from '../core/errors.js';
import { signRead } from '../core/http-signature.js';

/** Domain prefix of actor key IDs (src/core/statement.ts KEY_ID_PREFIX). */
const KEY_ID_PREFIX = 'rxledger/key/v1\n';
const ACTOR_ID = /^[a-z0-9][a-z0-9-]{2,63}$/;

export interface ReaderKey {
  readonly actorId: string;
  readonly keyId: string;
  readonly seed: Uint8Array;
}

/** keyId = hex(SHA-256("rxledger/key/v1\n" || public key)[:8]) (docs/AUTH.md §1). */
export function actorKeyIdOf(publicKey: Uint8Array): string {
  return bytesToHex(sha256(concatBytes(utf8(KEY_ID_PREFIX), publicKey)).subarray(0, 8));
}

/** Parses `RXLEDGER-ACTOR-KEY+<actorId>+<keyId>+<base64 seed>`; throws KEY_MALFORMED. */
export function parseReaderKey(text: string): ReaderKey {
  const [tag, actorId, keyId, ...rest] = text.trim().split('+');
  if (tag !== 'RXLEDGER-ACTOR-KEY' || actorId === undefined || keyId === undefined || rest.length === 0) {
    throw new RxError('KEY_MALFORMED', 'not an rxledger actor key file');
  }
  if (!ACTOR_ID.test(actorId)) throw new RxError('KEY_MALFORMED', 'invalid actor id in key file');
  let seed: Uint8Array;
  try {
    seed = decodeBase64(rest.join('+'));
  } catch {
    throw new RxError('KEY_MALFORMED', 'key material is not base64');
  }
  if (seed.length !== 32) throw new RxError('KEY_MALFORMED', 'Ed25519 seed must be 32 bytes');
  if (actorKeyIdOf(publicKeyFromSeed(seed)) !== keyId) throw new RxError('KEY_MALFORMED', 'key ID does not match the key');
  return { actorId, keyId, seed };
}

/**
 * The two headers of a signed read of `pathAndQuery` (a path starting with `/`, with its query
 * exactly as it will be sent). `now` is in milliseconds; `nonce` is 16 random bytes.
 */
export function readHeaders(key: ReaderKey, method: string, pathAndQuery: string, now: number, nonce: Uint8Array): Record<string, string> {
  const q = pathAndQuery.indexOf('?');
  const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  const query = q < 0 ? '?' : pathAndQuery.slice(q);
  return signRead({ method, path, query }, { created: Math.floor(now / 1000), keyId: key.keyId, nonce: bytesToHex(nonce) }, key.seed);
}
