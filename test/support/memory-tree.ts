/** Builds an in-memory node table from leaves with CompactRange, for proof tests without SQLite. */
import { CompactRange } from '../../src/core/compact-range.js';
import { hashLeaf } from '../../src/core/merkle-hash.js';
import type { NodeBatchReader } from '../../src/core/merkle-proof.js';

export function memoryTree(leaves: Uint8Array[]): { read: NodeBatchReader; range: CompactRange } {
  const nodes = new Map<string, Uint8Array>();
  const range = CompactRange.empty();
  for (const leaf of leaves) for (const n of range.append(hashLeaf(leaf))) nodes.set(`${n.level}/${n.index}`, n.hash);
  const read: NodeBatchReader = (addresses) =>
    addresses.map(({ level, index }) => {
      const h = nodes.get(`${level}/${index}`);
      if (h === undefined) throw new Error(`node ${level}/${index} not stored`);
      return h;
    });
  return { read, range };
}
