/**
 * RFC 9162 §2.1.3.2 and §2.1.4.2 proof verification. Proofs arrive from outside and are
 * attacker-controlled: every size, index and hash length is checked before use, and the functions
 * return normally only when the proof is valid (they throw PROOF_* otherwise).
 *
 * Indexes can exceed 2^31, so shifts are done with arithmetic on safe integers, never with
 * JavaScript's 32-bit bit operators.
 */
import { equalBytes } from './bytes.js';
import { RxError } from './errors.js';
import { HASH_SIZE, hashChildren, isPowerOfTwo } from './merkle-hash.js';

const half = (x: number): number => Math.floor(x / 2);
const isOdd = (x: number): boolean => x % 2 === 1;

function assertHashes(hashes: readonly Uint8Array[], what: string): void {
  for (const h of hashes) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw new RxError('PROOF_MALFORMED', `${what} must be ${HASH_SIZE}-byte hashes`);
    }
  }
}

function assertSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RxError('PROOF_MALFORMED', `${what} must be a non-negative integer`);
}

/** Computes the root implied by an inclusion proof; throws PROOF_INVALID if the path has the wrong shape. */
export function rootFromInclusionProof(leafHash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[]): Uint8Array {
  assertSize(index, 'index');
  assertSize(size, 'size');
  assertHashes([leafHash], 'leaf hash');
  assertHashes(proof, 'inclusion proof');
  if (index >= size) throw new RxError('PROOF_RANGE_INVALID', 'index must be smaller than size');
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new RxError('PROOF_INVALID', 'inclusion proof is too long');
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new RxError('PROOF_INVALID', 'inclusion proof is too short');
  return r;
}

/** Returns if `leafHash` is at `index` in the tree of `size` leaves whose root is `root`; throws otherwise. */
export function verifyInclusion(leafHash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): void {
  assertHashes([root], 'root');
  const computed = rootFromInclusionProof(leafHash, index, size, proof);
  if (!equalBytes(computed, root)) throw new RxError('PROOF_INVALID', 'inclusion proof does not lead to the root');
}

/**
 * Returns if the tree of `from` leaves with `fromRoot` is a prefix of the tree of `to` leaves with
 * `toRoot`; throws otherwise. By convention size 0 is consistent with everything (empty proof),
 * and equal sizes need an empty proof and equal roots.
 */
export function verifyConsistency(from: number, to: number, proof: readonly Uint8Array[], fromRoot: Uint8Array, toRoot: Uint8Array): void {
  assertSize(from, 'from');
  assertSize(to, 'to');
  assertHashes([fromRoot, toRoot], 'roots');
  assertHashes(proof, 'consistency proof');
  if (from > to) throw new RxError('PROOF_RANGE_INVALID', 'from must not exceed to');
  if (from === to) {
    if (proof.length !== 0) throw new RxError('PROOF_INVALID', 'proof between equal sizes must be empty');
    if (!equalBytes(fromRoot, toRoot)) throw new RxError('PROOF_INVALID', 'equal sizes with different roots');
    return;
  }
  if (from === 0) {
    if (proof.length !== 0) throw new RxError('PROOF_INVALID', 'proof from the empty tree must be empty');
    return;
  }
  if (proof.length === 0) throw new RxError('PROOF_INVALID', 'consistency proof is empty');
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : [...proof];
  let fn = from - 1;
  let sn = to - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = path[0] as Uint8Array;
  for (const c of path.slice(1)) {
    if (sn === 0) throw new RxError('PROOF_INVALID', 'consistency proof is too long');
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new RxError('PROOF_INVALID', 'consistency proof is too short');
  if (!equalBytes(fr, fromRoot)) throw new RxError('PROOF_INVALID', 'consistency proof does not lead to the old root');
  if (!equalBytes(sr, toRoot)) throw new RxError('PROOF_INVALID', 'consistency proof does not lead to the new root');
}
