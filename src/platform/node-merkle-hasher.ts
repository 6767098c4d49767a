/**
 * RFC 9162 hashing with Node's native SHA-256 (OpenSSL). Byte-identical to the pure
 * implementation in src/core/merkle-hash.ts, several times faster on the append and verify hot
 * paths; test/platform/node-merkle-hasher.test.ts checks the two against each other.
 *
 * `crypto.hash` (one-shot) over a freshly assembled buffer is cheaper than a streaming Hash
 * object for inputs of this size: building the object costs more than copying a leaf.
 */
import { hash } from 'node:crypto';
import type { MerkleHasher } from '../core/merkle-hash.js';

export const nodeMerkleHasher: MerkleHasher = {
  hashLeaf(leaf) {
    const input = Buffer.allocUnsafe(leaf.length + 1);
    input[0] = 0x00;
    input.set(leaf, 1);
    return hash('sha256', input, 'buffer');
  },
  hashChildren(left, right) {
    const input = Buffer.allocUnsafe(1 + left.length + right.length);
    input[0] = 0x01;
    input.set(left, 1);
    input.set(right, 1 + left.length);
    return hash('sha256', input, 'buffer');
  },
};
