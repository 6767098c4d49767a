/**
 * Regenerates test/vectors/merkle-64.json from the naive reference:
 *   npx tsx test/support/generate-merkle-vectors.ts
 * The file is committed; test/core/merkle.test.ts checks both that the reference still produces
 * it and that the optimised code in src/core matches it.
 */
import { writeFileSync } from 'node:fs';
import { refMTH, refPATH, refPROOF, vectorLeaf } from './merkle-reference.js';

export const VECTOR_MAX_SIZE = 64;

export function buildMerkleVectors() {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const leaves = Array.from({ length: VECTOR_MAX_SIZE }, (_, i) => vectorLeaf(i));
  const roots: string[] = [];
  const inclusion: { index: number; size: number; hashes: string[] }[] = [];
  const consistency: { from: number; to: number; hashes: string[] }[] = [];
  for (let n = 0; n <= VECTOR_MAX_SIZE; n++) {
    const prefix = leaves.slice(0, n);
    roots.push(b64(refMTH(prefix)));
    for (let i = 0; i < n; i++) inclusion.push({ index: i, size: n, hashes: refPATH(i, prefix).map(b64) });
    for (let m = 0; m <= n; m++) consistency.push({ from: m, to: n, hashes: refPROOF(m, prefix).map(b64) });
  }
  return { description: 'RFC 9162 vectors from the naive reference; leaf i = ASCII "leaf-<i>"', roots, inclusion, consistency };
}

if (process.argv[1]?.endsWith('generate-merkle-vectors.ts')) {
  writeFileSync(new URL('../vectors/merkle-64.json', import.meta.url), `${JSON.stringify(buildMerkleVectors())}\n`);
}
