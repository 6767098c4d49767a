/**
 * Client SDK: signs read requests with the rxledger-read profile of RFC 9421 (see
 * src/core/http-signature.ts and docs/AUTH.md). Returns the two headers to add to the request.
 */
import { bytesToHex } from '../core/bytes.js';
import { publicKeyFromSeed } from '../core/ed25519.js';
import { signRead } from '../core/http-signature.js';
import { actorKeyId } from '../core/statement.js';

export interface ReadSignerOptions {
  readonly seed: Uint8Array;
  readonly clock?: () => number;
  readonly randomBytes?: (n: number) => Uint8Array;
  /**
   * Ed25519 signing of the signature base with the seed; defaults to the pure reference. Ed25519
   * is deterministic, so a native implementation (OpenSSL) yields the same headers faster.
   */
  readonly signBytes?: (message: Uint8Array, seed: Uint8Array) => Uint8Array;
}

/** Signs `method` + the path and query of `url` (absolute, or a path starting with `/`). */
export type ReadSigner = (method: string, url: string) => Record<string, string>;

export function createReadSigner(options: ReadSignerOptions): ReadSigner {
  const keyId = actorKeyId(publicKeyFromSeed(options.seed));
  const clock = options.clock ?? Date.now;
  const random = options.randomBytes ?? ((n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n)));
  return (method, url) => {
    const parsed = new URL(url, 'http://placeholder.invalid');
    return signRead(
      { method, path: parsed.pathname, query: parsed.search === '' ? '?' : parsed.search },
      { created: Math.floor(clock() / 1000), keyId, nonce: bytesToHex(random(16)) },
      options.seed,
      options.signBytes,
    );
  };
}
