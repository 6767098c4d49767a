/**
 * The right edge of a Merkle tree: the roots of the perfect subtrees that make up D[0:size], one
 * per set bit of size, largest first. Appending a leaf merges equal-sized subtrees and yields the
 * perfect nodes that became complete, which is exactly what the store must persist. Memory is
 * O(log size), so the ledger can compute its root without reading anything at start-up but these
 * few nodes.
 */
import { EMPTY_TREE_ROOT, nobleMerkleHasher, type MerkleHasher } from './merkle-hash.js';
import { rangeNodes, type NodeBatchReader } from './merkle-proof.js';

export interface TreeNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

export class CompactRange {
  #size: number;
  /** Perfect subtree roots, largest (leftmost) first. */
  #nodes: TreeNode[];

  readonly #hasher: MerkleHasher;

  private constructor(size: number, nodes: TreeNode[], hasher: MerkleHasher) {
    this.#size = size;
    this.#nodes = nodes;
    this.#hasher = hasher;
  }

  static empty(hasher: MerkleHasher = nobleMerkleHasher): CompactRange {
    return new CompactRange(0, [], hasher);
  }

  /** Rebuilds the edge of a tree of `size` leaves from stored perfect subtrees: one read per set bit. */
  static fromStore(read: NodeBatchReader, size: number, hasher: MerkleHasher = nobleMerkleHasher): CompactRange {
    if (size === 0) return CompactRange.empty(hasher);
    const addresses = rangeNodes(0, size);
    const hashes = read(addresses);
    return new CompactRange(
      size,
      addresses.map((a, i) => ({ level: a.level, index: a.index, hash: hashes[i] as Uint8Array })),
      hasher,
    );
  }

  get size(): number {
    return this.#size;
  }

  clone(): CompactRange {
    return new CompactRange(this.#size, [...this.#nodes], this.#hasher);
  }

  /** Appends a leaf hash; returns every perfect node completed by it, the leaf itself first. */
  append(leafHash: Uint8Array): TreeNode[] {
    const created: TreeNode[] = [];
    let node: TreeNode = { level: 0, index: this.#size, hash: leafHash };
    created.push(node);
    let last = this.#nodes[this.#nodes.length - 1];
    while (last !== undefined && last.level === node.level) {
      this.#nodes.pop();
      node = { level: node.level + 1, index: last.index / 2, hash: this.#hasher.hashChildren(last.hash, node.hash) };
      created.push(node);
      last = this.#nodes[this.#nodes.length - 1];
    }
    this.#nodes.push(node);
    this.#size += 1;
    return created;
  }

  /** MTH(D[0:size]). */
  root(): Uint8Array {
    const last = this.#nodes[this.#nodes.length - 1];
    if (last === undefined) return EMPTY_TREE_ROOT;
    let acc = last.hash;
    for (let i = this.#nodes.length - 2; i >= 0; i--) acc = this.#hasher.hashChildren((this.#nodes[i] as TreeNode).hash, acc);
    return acc;
  }
}
