/**
 * SHA-256 in lowercase hex through Node's one-shot native hash (OpenSSL): the same digest as
 * `bytesToHex(sha256(bytes))` with @noble/hashes, several times faster on the server's hot paths.
 * test/platform/node-sha256.test.ts checks the two against each other.
 */
import { hash } from 'node:crypto';

export function nodeSha256Hex(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

/** The same digest as raw bytes. */
export function nodeSha256(bytes: Uint8Array): Uint8Array {
  const digest = hash('sha256', bytes, 'buffer');
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}
