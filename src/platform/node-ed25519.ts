/**
 * The server's Ed25519 verification: OpenSSL's speed with exactly the accept set of the
 * project's reference, @noble/ed25519 in strict mode (`isValidEd25519` in src/core/ed25519.ts).
 *
 * Why the two can differ, and how this closes the gap:
 *   - OpenSSL checks the cofactorless equation R = [S]B - [k]A; noble checks the cofactored one
 *     [8]R = [8]([S]B - [k]A). Whatever OpenSSL accepts (canonical S and R, a key noble decodes
 *     and does not refuse as small-order) noble accepts too.
 *   - The converse fails only for crafted signatures with a small-order component in R or A. So
 *     when OpenSSL says no, the reference decides. Honest traffic never takes that path; hostile
 *     traffic pays a pure-JS verification, after the cheaper checks (key, timestamp, nonce).
 *   - Keys noble refuses outright (non-canonical or small-order encodings) are refused here
 *     before OpenSSL sees them.
 * test/platform/node-ed25519.test.ts checks equality on valid, mutated, malleable and crafted
 * signatures.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { PUBLIC_KEY_SIZE, SIGNATURE_SIZE, isStrictlyDecodablePublicKey, isValidEd25519 } from '../core/ed25519.js';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

interface CachedKey {
  readonly decodable: boolean;
  readonly keyObject: KeyObject | undefined;
}

export interface Ed25519Verifier {
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/** A verifier with a bounded cache of parsed keys (parsing a key costs more than a verification). */
export function createNodeEd25519Verifier(maxCachedKeys = 10_000): Ed25519Verifier {
  const cache = new Map<string, CachedKey>();
  const lookup = (publicKey: Uint8Array): CachedKey => {
    const id = Buffer.from(publicKey).toString('base64');
    let entry = cache.get(id);
    if (entry === undefined) {
      const decodable = isStrictlyDecodablePublicKey(publicKey);
      let keyObject: KeyObject | undefined;
      if (decodable) {
        try {
          keyObject = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
        } catch {
          keyObject = undefined;
        }
      }
      entry = { decodable, keyObject };
      if (cache.size >= maxCachedKeys) cache.delete(cache.keys().next().value as string);
      cache.set(id, entry);
    }
    return entry;
  };
  return {
    verify(signature, message, publicKey) {
      if (signature.length !== SIGNATURE_SIZE || publicKey.length !== PUBLIC_KEY_SIZE) return false;
      const key = lookup(publicKey);
      if (!key.decodable) return false;
      if (key.keyObject !== undefined) {
        try {
          if (verify(null, message, key.keyObject, signature)) return true;
        } catch {
          // fall through to the reference
        }
      }
      return isValidEd25519(signature, message, publicKey);
    },
  };
}
