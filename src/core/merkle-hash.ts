/**
 * RFC 9162 §2.1.1 Merkle tree hashing. The 0x00 / 0x01 prefixes separate leaf hashes from interior
 * node hashes so that a leaf can never be passed off as a node (second-preimage defence).
 */
import { sha256 } from '@noble/hashes/sha2.js';

export const HASH_SIZE = 32;
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** MTH({}) = SHA-256() — the root of the empty tree. */
export const EMPTY_TREE_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function hashLeaf(leaf: Uint8Array): Uint8Array {
  return sha256.create().update(LEAF_PREFIX).update(leaf).digest();
}

/** SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256.create().update(NODE_PREFIX).update(left).update(right).digest();
}

/**
 * The two RFC 9162 hash functions as one injectable value. Core code defaults to the pure
 * @noble/hashes implementation (it also runs in browsers); a Node process may inject a native one
 * (src/platform/node-merkle-hasher.ts) for the hot paths. Both MUST return identical bytes; the
 * test suite checks that.
 */
export interface MerkleHasher {
  hashLeaf(leaf: Uint8Array): Uint8Array;
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array;
}

export const nobleMerkleHasher: MerkleHasher = { hashLeaf, hashChildren };

/**
 * The largest power of two strictly smaller than n (n >= 2): RFC 9162's split point k.
 * Uses arithmetic, not bit operators, which are 32-bit in JavaScript.
 */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
