/**
 * Compares the tree nodes a source stores with their recomputation, as the verifier completes
 * them. Nodes complete in index order within each level, so each level is read forward in pages
 * (one query per page) when the source can, instead of one lookup per node.
 */
import { equalBytes } from '../core/bytes.js';
import { RxError } from '../core/errors.js';
import type { LogSource, StoredNode } from './log-source.js';

const PAGE = 4096;

export class StoredTreeCheck {
  private readonly pages = new Map<number, { readonly nodes: readonly StoredNode[]; next: number }>();

  constructor(private readonly source: LogSource) {}

  get enabled(): boolean {
    return this.source.readStoredNodes !== undefined || this.source.readStoredNode !== undefined;
  }

  /** Throws TREE_NODE_MISMATCH when the stored node (level, index) is missing or differs from `hash`. */
  check(level: number, index: number, hash: Uint8Array): void {
    const stored = this.stored(level, index);
    if (stored === undefined || !equalBytes(stored, hash)) {
      throw new RxError('TREE_NODE_MISMATCH', `stored tree node (${level}, ${index}) ${stored === undefined ? 'is missing' : 'differs'}`, {
        // The last leaf the node covers: where the difference first shows.
        index: index * 2 ** level + 2 ** level - 1,
      });
    }
  }

  /**
   * Throws TREE_NODE_MISMATCH when the source stores a node above the leaves that no subtree of a
   * log of `size` entries completes (an inserted row; harmless to proofs, but the ledger could not
   * write that node when the log reached it). Needs a source that lists nodes; others are skipped.
   */
  checkNoneBeyond(size: number): void {
    const read = this.source.readStoredNodes;
    if (read === undefined) return;
    for (let level = 1; level < 64; level++) {
      const complete = Math.floor(size / 2 ** level);
      const extra = read.call(this.source, level, complete, 1)[0];
      if (extra !== undefined) {
        throw new RxError('TREE_NODE_MISMATCH', `stored tree node (${level}, ${extra.index}) lies beyond the log of ${size} entries`, {
          index: extra.index * 2 ** level + 2 ** level - 1,
        });
      }
    }
  }

  private stored(level: number, index: number): Uint8Array | undefined {
    const read = this.source.readStoredNodes;
    if (read === undefined) return this.source.readStoredNode?.(level, index);
    let page = this.pages.get(level);
    if (page === undefined || page.nodes.length === 0 || index < page.nodes[0]!.index || index > page.nodes[page.nodes.length - 1]!.index) {
      page = { nodes: read.call(this.source, level, index, PAGE), next: 0 };
      this.pages.set(level, page);
    }
    while (page.next < page.nodes.length && page.nodes[page.next]!.index < index) page.next++;
    const node = page.nodes[page.next];
    return node?.index === index ? node.hash : undefined;
  }
}
