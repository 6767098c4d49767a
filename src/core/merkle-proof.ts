/**
 * Builds RFC 9162 roots, inclusion proofs (§2.1.3.1) and consistency proofs (§2.1.4.1) from stored
 * perfect subtrees, without ever reading all leaves.
 *
 * A perfect subtree is addressed by (level, index): it covers leaves [index·2^level,
 * (index+1)·2^level). Level 0 holds the leaf hashes. Every range the RFC recursion touches starts
 * at a multiple of a power of two at least as large as the range, so its hash is the right fold of
 * the perfect subtrees of its binary decomposition (largest first). An inclusion proof reads one
 * node per level plus at most one such decomposition, i.e. O(log n) reads.
 */
import { EMPTY_TREE_ROOT, hashChildren, splitPoint } from './merkle-hash.js';
import { RxError } from './errors.js';

/** Returns the hash of the perfect subtree (level, index); the caller guarantees it exists. */
export type NodeReader = (level: number, index: number) => Uint8Array;

/** MTH of leaves [start, start + size); start is aligned to a power of two >= size. */
export function rangeHash(read: NodeReader, start: number, size: number): Uint8Array {
  if (size < 1) throw new RangeError('empty range has no subtree hash');
  const parts: Uint8Array[] = [];
  let offset = start;
  let remaining = size;
  while (remaining > 0) {
    let chunk = 1;
    let level = 0;
    while (chunk * 2 <= remaining) {
      chunk *= 2;
      level++;
    }
    parts.push(read(level, offset / chunk));
    offset += chunk;
    remaining -= chunk;
  }
  let acc = parts[parts.length - 1] as Uint8Array;
  for (let i = parts.length - 2; i >= 0; i--) acc = hashChildren(parts[i] as Uint8Array, acc);
  return acc;
}

/** MTH(D[0:size]). */
export function treeRoot(read: NodeReader, size: number): Uint8Array {
  return size === 0 ? EMPTY_TREE_ROOT : rangeHash(read, 0, size);
}

function assertSizes(condition: boolean, message: string): void {
  if (!condition) throw new RxError('PROOF_RANGE_INVALID', message);
}

/** PATH(index, D[0:size]); hashes ordered leaf-side first, as RFC 9162 specifies. */
export function inclusionProof(read: NodeReader, index: number, size: number): Uint8Array[] {
  assertSizes(Number.isSafeInteger(index) && Number.isSafeInteger(size), 'index and size must be integers');
  assertSizes(index >= 0 && index < size, 'index must be in [0, size)');
  const siblings: Uint8Array[] = [];
  let start = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      siblings.push(rangeHash(read, start + k, n - k));
      n = k;
    } else {
      siblings.push(rangeHash(read, start, k));
      start += k;
      m -= k;
      n -= k;
    }
  }
  return siblings.reverse();
}

/** PROOF(from, D[0:to]) = SUBPROOF(from, D[0:to], true); empty when from is 0 or equals to. */
export function consistencyProof(read: NodeReader, from: number, to: number): Uint8Array[] {
  assertSizes(Number.isSafeInteger(from) && Number.isSafeInteger(to), 'sizes must be integers');
  assertSizes(from >= 0 && from <= to, 'sizes must satisfy 0 <= from <= to');
  if (from === 0 || from === to) return [];
  const hashes: Uint8Array[] = [];
  let start = 0;
  let n = to;
  let m = from;
  let wholeTreeKnown = true; // SUBPROOF's b: the verifier already holds MTH of this subtree
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      hashes.push(rangeHash(read, start + k, n - k));
      n = k;
    } else {
      hashes.push(rangeHash(read, start, k));
      start += k;
      m -= k;
      n -= k;
      wholeTreeKnown = false;
    }
  }
  if (!wholeTreeKnown) hashes.push(rangeHash(read, start, n));
  return hashes.reverse();
}
