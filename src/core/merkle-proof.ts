/**
 * Builds RFC 9162 roots, inclusion proofs (§2.1.3.1) and consistency proofs (§2.1.4.1) from stored
 * perfect subtrees, without ever reading all leaves.
 *
 * A perfect subtree is addressed by (level, index): it covers leaves [index·2^level,
 * (index+1)·2^level). Level 0 holds the leaf hashes. Every range the RFC recursion touches starts
 * at a multiple of a power of two at least as large as the range, so its hash is the right fold of
 * the perfect subtrees of its binary decomposition (largest first).
 *
 * Building is split in three so that storage is asked once per proof, not once per node:
 *   plan    (pure)  which subtrees each proof hash is made of;
 *   read    (store) every needed subtree hash in one batch;
 *   fold    (pure)  combine them into the proof hashes.
 * An inclusion proof needs one subtree per level plus at most one decomposition: O(log n).
 */
import { EMPTY_TREE_ROOT, hashChildren, splitPoint } from './merkle-hash.js';
import { RxError } from './errors.js';

export interface NodeAddress {
  readonly level: number;
  readonly index: number;
}

/**
 * Returns the hashes of the given perfect subtrees, in the same order. The caller guarantees the
 * subtrees are complete; a store that lacks one throws.
 */
export type NodeBatchReader = (addresses: readonly NodeAddress[]) => Uint8Array[];

/** Each element is one hash of the result: the right fold of these subtrees. */
export type HashPlan = NodeAddress[][];

/** The perfect subtrees making up leaves [start, start + size); start is aligned to a power of two >= size. */
export function rangeNodes(start: number, size: number): NodeAddress[] {
  if (size < 1) throw new RangeError('empty range has no subtree hash');
  const nodes: NodeAddress[] = [];
  let offset = start;
  let remaining = size;
  while (remaining > 0) {
    let chunk = 1;
    let level = 0;
    while (chunk * 2 <= remaining) {
      chunk *= 2;
      level++;
    }
    nodes.push({ level, index: offset / chunk });
    offset += chunk;
    remaining -= chunk;
  }
  return nodes;
}

/** Reads every subtree of a plan in one batch and folds each group into one hash. */
export function executePlan(read: NodeBatchReader, plan: HashPlan): Uint8Array[] {
  const hashes = read(plan.flat());
  let next = 0;
  return plan.map((group) => {
    const parts = hashes.slice(next, next + group.length);
    next += group.length;
    let acc = parts[parts.length - 1] as Uint8Array;
    for (let i = parts.length - 2; i >= 0; i--) acc = hashChildren(parts[i] as Uint8Array, acc);
    return acc;
  });
}

/** MTH(D[0:size]). */
export function treeRoot(read: NodeBatchReader, size: number): Uint8Array {
  return size === 0 ? EMPTY_TREE_ROOT : (executePlan(read, [rangeNodes(0, size)])[0] as Uint8Array);
}

function assertSizes(condition: boolean, message: string): void {
  if (!condition) throw new RxError('PROOF_RANGE_INVALID', message);
}

/** Plan of PATH(index, D[0:size]); hashes ordered leaf-side first, as RFC 9162 specifies. */
export function planInclusionProof(index: number, size: number): HashPlan {
  assertSizes(Number.isSafeInteger(index) && Number.isSafeInteger(size), 'index and size must be integers');
  assertSizes(index >= 0 && index < size, 'index must be in [0, size)');
  const plan: HashPlan = [];
  let start = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      plan.push(rangeNodes(start + k, n - k));
      n = k;
    } else {
      plan.push(rangeNodes(start, k));
      start += k;
      m -= k;
      n -= k;
    }
  }
  return plan.reverse();
}

/** Plan of PROOF(from, D[0:to]) = SUBPROOF(from, D[0:to], true); empty when from is 0 or equals to. */
export function planConsistencyProof(from: number, to: number): HashPlan {
  assertSizes(Number.isSafeInteger(from) && Number.isSafeInteger(to), 'sizes must be integers');
  assertSizes(from >= 0 && from <= to, 'sizes must satisfy 0 <= from <= to');
  if (from === 0 || from === to) return [];
  const plan: HashPlan = [];
  let start = 0;
  let n = to;
  let m = from;
  let wholeTreeKnown = true; // SUBPROOF's b: the verifier already holds MTH of this subtree
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      plan.push(rangeNodes(start + k, n - k));
      n = k;
    } else {
      plan.push(rangeNodes(start, k));
      start += k;
      m -= k;
      n -= k;
      wholeTreeKnown = false;
    }
  }
  if (!wholeTreeKnown) plan.push(rangeNodes(start, n));
  return plan.reverse();
}

export function inclusionProof(read: NodeBatchReader, index: number, size: number): Uint8Array[] {
  return executePlan(read, planInclusionProof(index, size));
}

export function consistencyProof(read: NodeBatchReader, from: number, to: number): Uint8Array[] {
  return executePlan(read, planConsistencyProof(from, to));
}
