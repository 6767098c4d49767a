/**
 * A deliberately naive RFC 9162 §2.1 reference: the recursive MTH, PATH and PROOF definitions
 * transcribed literally, over arrays of leaves, with node:crypto for SHA-256. It shares no code
 * with src/core so that agreement between the two means something.
 */
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/** k: the largest power of two smaller than n. */
const k = (n: number): number => 2 ** Math.floor(Math.log2(n - 1));

export function refMTH(leaves: Uint8Array[]): Uint8Array {
  const n = leaves.length;
  if (n === 0) return sha256();
  if (n === 1) return sha256(Uint8Array.of(0), leaves[0] as Uint8Array);
  const split = k(n);
  return sha256(Uint8Array.of(1), refMTH(leaves.slice(0, split)), refMTH(leaves.slice(split)));
}

export function refPATH(m: number, leaves: Uint8Array[]): Uint8Array[] {
  const n = leaves.length;
  if (n === 1) return [];
  const split = k(n);
  if (m < split) return [...refPATH(m, leaves.slice(0, split)), refMTH(leaves.slice(split))];
  return [...refPATH(m - split, leaves.slice(split)), refMTH(leaves.slice(0, split))];
}

function refSUBPROOF(m: number, leaves: Uint8Array[], b: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [refMTH(leaves)];
  const split = k(n);
  if (m <= split) return [...refSUBPROOF(m, leaves.slice(0, split), b), refMTH(leaves.slice(split))];
  return [...refSUBPROOF(m - split, leaves.slice(split), false), refMTH(leaves.slice(0, split))];
}

export function refPROOF(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (m === 0 || m === leaves.length) return [];
  return refSUBPROOF(m, leaves, true);
}

/** Leaf data used for the golden vectors: leaf i is the bytes of the ASCII string `leaf-<i>`. */
export function vectorLeaf(i: number): Uint8Array {
  return new TextEncoder().encode(`leaf-${i}`);
}

/**
 * The root a path leads to under the recursive definition, or undefined if the path has the
 * wrong length for (index, size): the oracle for "does this proof verify".
 */
export function refRootFromPath(leafHash: Uint8Array, index: number, size: number, path: Uint8Array[]): Uint8Array | undefined {
  if (size === 1) return path.length === 0 ? leafHash : undefined;
  if (path.length === 0) return undefined;
  const split = k(size);
  const sibling = path[path.length - 1] as Uint8Array;
  const rest = path.slice(0, -1);
  if (index < split) {
    const left = refRootFromPath(leafHash, index, split, rest);
    return left === undefined ? undefined : sha256(Uint8Array.of(1), left, sibling);
  }
  const right = refRootFromPath(leafHash, index - split, size - split, rest);
  return right === undefined ? undefined : sha256(Uint8Array.of(1), sibling, right);
}
