import t from 'tap';
import { readFileSync } from 'node:fs';
import { decodeBase64, decodeHex, encodeBase64 } from '../../src/core/bytes.js';
import { EMPTY_TREE_ROOT, hashChildren, hashLeaf, splitPoint } from '../../src/core/merkle-hash.js';
import { consistencyProof, inclusionProof, treeRoot } from '../../src/core/merkle-proof.js';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../../src/core/merkle-verify.js';
import { buildMerkleVectors, VECTOR_MAX_SIZE } from '../support/generate-merkle-vectors.js';
import { throwsCode } from '../support/assert-code.js';
import { memoryTree } from '../support/memory-tree.js';
import { refMTH, refRootFromPath, vectorLeaf } from '../support/merkle-reference.js';

type Vectors = ReturnType<typeof buildMerkleVectors>;
const vectors = JSON.parse(readFileSync(new URL('../vectors/merkle-64.json', import.meta.url), 'utf8')) as Vectors;
const leaves = Array.from({ length: VECTOR_MAX_SIZE }, (_, i) => vectorLeaf(i));
const tree = memoryTree(leaves);
const b64 = (hs: Uint8Array[]) => hs.map(encodeBase64);
const unb64 = (hs: string[]) => hs.map(decodeBase64);

t.test('the committed vectors are what the naive reference produces', async (t) => {
  t.same(buildMerkleVectors(), vectors);
});

t.test('RFC 9162 / RFC 6962 canonical 8-leaf test tree', async (t) => {
  const data = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(decodeHex);
  const expected = '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328';
  t.equal(Buffer.from(refMTH(data)).toString('hex'), expected, 'reference');
  t.equal(Buffer.from(memoryTree(data).range.root()).toString('hex'), expected, 'compact range');
  t.equal(Buffer.from(treeRoot(memoryTree(data).read, 8)).toString('hex'), expected, 'from stored nodes');
  t.equal(Buffer.from(EMPTY_TREE_ROOT).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

t.test('roots for every size up to 64 match the reference', async (t) => {
  for (let n = 0; n <= VECTOR_MAX_SIZE; n++) {
    t.equal(encodeBase64(treeRoot(tree.read, n)), vectors.roots[n], `size ${n}`);
    t.equal(encodeBase64(memoryTree(leaves.slice(0, n)).range.root()), vectors.roots[n], `compact range ${n}`);
  }
});

t.test('every inclusion proof up to 64 matches the reference and verifies', async (t) => {
  for (const v of vectors.inclusion) {
    const proof = inclusionProof(tree.read, v.index, v.size);
    if (JSON.stringify(b64(proof)) !== JSON.stringify(v.hashes)) t.fail(`proof ${v.index}/${v.size} differs`);
    verifyInclusion(hashLeaf(leaves[v.index] as Uint8Array), v.index, v.size, proof, decodeBase64(vectors.roots[v.size] as string));
  }
  t.pass(`${vectors.inclusion.length} inclusion proofs`);
});

t.test('every consistency proof up to 64 matches the reference and verifies', async (t) => {
  for (const v of vectors.consistency) {
    const proof = consistencyProof(tree.read, v.from, v.to);
    if (JSON.stringify(b64(proof)) !== JSON.stringify(v.hashes)) t.fail(`proof ${v.from}->${v.to} differs`);
    verifyConsistency(v.from, v.to, proof, decodeBase64(vectors.roots[v.from] as string), decodeBase64(vectors.roots[v.to] as string));
  }
  t.pass(`${vectors.consistency.length} consistency proofs`);
});

/** Every way of damaging a proof that must be caught. */
function mutations(hashes: Uint8Array[]): { what: string; hashes: Uint8Array[] }[] {
  const out: { what: string; hashes: Uint8Array[] }[] = [];
  hashes.forEach((h, i) => {
    for (const bit of [0, 7, 130, 255]) {
      const flipped = h.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
      out.push({ what: `bit ${bit} of hash ${i}`, hashes: hashes.map((x, j) => (j === i ? flipped : x)) });
    }
  });
  out.push({ what: 'extra hash appended', hashes: [...hashes, new Uint8Array(32)] });
  out.push({ what: 'extra hash prepended', hashes: [new Uint8Array(32), ...hashes] });
  if (hashes.length > 0) {
    out.push({ what: 'last hash missing', hashes: hashes.slice(0, -1) });
    out.push({ what: 'first hash missing', hashes: hashes.slice(1) });
  }
  if (hashes.length > 1 && encodeBase64(hashes[0] as Uint8Array) !== encodeBase64(hashes[1] as Uint8Array)) {
    out.push({ what: 'first two swapped', hashes: [hashes[1] as Uint8Array, hashes[0] as Uint8Array, ...hashes.slice(2)] });
    out.push({ what: 'reversed', hashes: [...hashes].reverse() });
  }
  return out;
}

/** Whether `verify` accepts (returns) rather than refuses (throws). */
function accepts(verify: () => unknown): boolean {
  try {
    verify();
    return true;
  } catch {
    return false;
  }
}

// The hostile-proof tests judge thousands of proofs each. They collect what was wrongly accepted
// and assert once, naming every case at fault: one assertion per proof cost most of the time.

t.test('hostile inclusion proofs are rejected', async (t) => {
  let checked = 0;
  const accepted: string[] = [];
  for (const v of vectors.inclusion.filter((v) => v.size >= 2 && v.size <= 40)) {
    const leaf = hashLeaf(leaves[v.index] as Uint8Array);
    const root = decodeBase64(vectors.roots[v.size] as string);
    const proof = unb64(v.hashes);
    for (const m of mutations(proof)) {
      if (accepts(() => verifyInclusion(leaf, v.index, v.size, m.hashes, root))) accepted.push(`${v.index}/${v.size}: ${m.what}`);
      checked++;
    }
    // The same path claimed for another position or size: the verifier must agree with the naive
    // recursive reference (some shapes coincide, and then both accept), and never accept otherwise.
    for (const [index, size] of [[v.index + 1, v.size], [v.index - 1, v.size], [v.index, v.size + 1], [v.index, v.size - 1], [v.index, v.size * 2], [v.size, v.size]] as const) {
      const verdict = accepts(() => verifyInclusion(leaf, index, size, proof, root));
      if (index < 0 || index >= size) {
        if (verdict) accepted.push(`${v.index}/${v.size} claimed at index ${index} of ${size}`);
        continue;
      }
      const ref = refRootFromPath(leaf, index, size, proof);
      const expected = ref !== undefined && encodeBase64(ref) === encodeBase64(root);
      if (verdict !== expected) t.fail(`index/size ${index}/${size} for ${v.index}/${v.size}: verifier ${verdict}, reference ${expected}`);
      checked++;
    }
    if (accepts(() => verifyInclusion(leaf, v.index, v.size, proof, decodeBase64(vectors.roots[v.size - 1] as string)))) accepted.push(`${v.index}/${v.size}: the root of size ${v.size - 1}`);
    if (accepts(() => verifyInclusion(hashLeaf(leaves[(v.index + 1) % v.size] as Uint8Array), v.index, v.size, proof, root))) accepted.push(`${v.index}/${v.size}: another leaf`);
  }
  t.same(accepted, [], 'no damaged or misplaced inclusion proof is accepted');
  t.ok(checked > 1000, `${checked} mutated inclusion proofs`);
});

t.test('hostile consistency proofs are rejected', async (t) => {
  let checked = 0;
  const accepted: string[] = [];
  for (const v of vectors.consistency.filter((v) => v.from > 0 && v.from < v.to && v.to <= 40)) {
    const fromRoot = decodeBase64(vectors.roots[v.from] as string);
    const toRoot = decodeBase64(vectors.roots[v.to] as string);
    const proof = unb64(v.hashes);
    const refused = (what: string, verify: () => unknown) => {
      if (accepts(verify)) accepted.push(`${v.from}->${v.to}: ${what}`);
    };
    for (const m of mutations(proof)) {
      refused(m.what, () => verifyConsistency(v.from, v.to, m.hashes, fromRoot, toRoot));
      checked++;
    }
    refused('wrong old root', () => verifyConsistency(v.from, v.to, proof, toRoot, toRoot));
    refused('wrong new root', () => verifyConsistency(v.from, v.to, proof, fromRoot, fromRoot));
    refused('sizes swapped', () => verifyConsistency(v.to, v.from, proof, toRoot, fromRoot));
  }
  t.same(accepted, [], 'no damaged consistency proof is accepted');
  t.ok(checked > 1000, `${checked} mutated consistency proofs`);
});

t.test('proof conventions and malformed input', async (t) => {
  const r5 = decodeBase64(vectors.roots[5] as string);
  const r7 = decodeBase64(vectors.roots[7] as string);
  t.doesNotThrow(() => verifyConsistency(0, 7, [], EMPTY_TREE_ROOT, r7), 'empty tree is consistent with anything');
  t.throws(() => verifyConsistency(0, 7, [r5], EMPTY_TREE_ROOT, r7), 'but only with an empty proof');
  t.doesNotThrow(() => verifyConsistency(7, 7, [], r7, r7));
  t.throws(() => verifyConsistency(7, 7, [], r5, r7), 'equal sizes need equal roots');
  throwsCode(t, () => verifyConsistency(5, 7, [], r5, r7), 'PROOF_INVALID');
  throwsCode(t, () => verifyInclusion(new Uint8Array(31), 0, 1, [], r5), 'PROOF_MALFORMED');
  throwsCode(t, () => verifyInclusion(r5, 0, 2, [new Uint8Array(33)], r5), 'PROOF_MALFORMED');
  throwsCode(t, () => verifyInclusion(r5, -1, 2, [r5], r5), 'PROOF_MALFORMED');
  throwsCode(t, () => verifyInclusion(r5, 1.5, 2, [r5], r5), 'PROOF_MALFORMED');
  throwsCode(t, () => verifyInclusion(r5, 2, 2, [r5], r5), 'PROOF_RANGE_INVALID');
  throwsCode(t, () => inclusionProof(tree.read, 5, 5), 'PROOF_RANGE_INVALID');
  throwsCode(t, () => consistencyProof(tree.read, 6, 5), 'PROOF_RANGE_INVALID');
  t.same(rootFromInclusionProof(hashLeaf(leaves[0] as Uint8Array), 0, 1, []), hashLeaf(leaves[0] as Uint8Array));
});

t.test('indexes beyond 2^32 use arithmetic, not 32-bit bit operators', async (t) => {
  t.equal(splitPoint(2 ** 33 + 5), 2 ** 33);
  t.equal(splitPoint(2 ** 40), 2 ** 39);
  // A tree of 2^33+ identical leaves: every perfect subtree of a level has the same hash.
  const levels = [hashLeaf(new Uint8Array(0))];
  for (let l = 1; l < 40; l++) levels.push(hashChildren(levels[l - 1] as Uint8Array, levels[l - 1] as Uint8Array));
  const levelHash = (level: number) => levels[level] as Uint8Array;
  const read = (addresses: readonly { level: number }[]) => addresses.map((a) => levelHash(a.level));
  const size = 2 ** 33 + 3;
  const index = 2 ** 32 + 7;
  const proof = inclusionProof(read, index, size);
  verifyInclusion(levelHash(0), index, size, proof, treeRoot(read, size));
  const cproof = consistencyProof(read, 2 ** 32 + 1, size);
  verifyConsistency(2 ** 32 + 1, size, cproof, treeRoot(read, 2 ** 32 + 1), treeRoot(read, size));
  t.pass();
});
