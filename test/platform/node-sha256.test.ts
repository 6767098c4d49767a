/** Native SHA-256 hex equals the pure implementation's, on the empty input and across block boundaries. */
import t from 'tap';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '../../src/core/bytes.js';
import { nodeSha256Hex } from '../../src/platform/node-sha256.js';

t.test('node:crypto and @noble/hashes agree', async (t) => {
  t.equal(nodeSha256Hex(new Uint8Array(0)), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'FIPS 180-4 empty-string vector');
  t.equal(nodeSha256Hex(new TextEncoder().encode('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'FIPS 180-4 "abc" vector');
  for (const n of [1, 55, 56, 63, 64, 65, 119, 1000, 4096]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
    t.equal(nodeSha256Hex(bytes), bytesToHex(sha256(bytes)), `${n} bytes`);
  }
  const buffer = new Uint8Array(100).fill(9);
  t.equal(nodeSha256Hex(buffer.subarray(10, 30)), bytesToHex(sha256(buffer.subarray(10, 30))), 'a view into a larger buffer hashes only its bytes');
});
