import t from 'tap';
import { decodeBase64 } from '../../src/core/bytes.js';
import { createNoteSigner, createNoteVerifier, formatVerifierKey, parseVerifierKey } from '../../src/core/note-keys.js';
import { formatCheckpoint } from '../../src/core/checkpoint.js';
import { formatSignedNote, signNote } from '../../src/core/signed-note.js';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from '../../src/core/tlog-proof.js';
import { nobleMerkleHasher } from '../../src/core/merkle-hash.js';
import { inclusionProof } from '../../src/core/merkle-proof.js';
import { utf8 } from '../../src/core/bytes.js';
import { testKey } from '../support/test-ledger.js';
import { throwsCode } from '../support/assert-code.js';
import { memoryTree } from '../support/memory-tree.js';

const data = Array.from({ length: 5 }, (_, i) => utf8(`leaf ${i}`));
const leaves = data.map((d) => nobleMerkleHasher.hashLeaf(d));
const tree = memoryTree(data);

function receipt(index: number) {
  const key = testKey();
  const note = formatSignedNote(signNote(formatCheckpoint({ origin: key.name, size: leaves.length, rootHash: tree.range.root(), extensions: [] }), [createNoteSigner(key)]));
  const hashes = inclusionProof(tree.read, index, leaves.length);
  return { text: formatTlogProof({ index, hashes, checkpoint: note }), verifier: createNoteVerifier(parseVerifierKey(formatVerifierKey(key))), origin: key.name };
}

t.test('golden layout: header, index, one hash per line, empty line, checkpoint', async (t) => {
  const { text } = receipt(2);
  const lines = text.split('\n');
  t.equal(lines[0], 'c2sp.org/tlog-proof@v1');
  t.equal(lines[1], 'index 2');
  t.equal(lines.slice(2, 5).every((l) => decodeBase64(l).length === 32), true);
  t.equal(lines[5], '', 'three proof hashes for index 2 of 5, then the empty line');
  t.match(lines[6], /^test\.example\/ledger$/);
  t.same(parseTlogProof(text).index, 2);
});

t.test('verifies for its leaf only, under the right key and origin', async (t) => {
  for (let i = 0; i < leaves.length; i++) {
    const { text, verifier, origin } = receipt(i);
    t.equal(verifyTlogProof(text, leaves[i]!, [verifier], origin).checkpoint.size, 5);
    throwsCode(t, () => verifyTlogProof(text, leaves[(i + 1) % 5]!, [verifier]), 'PROOF_INVALID');
  }
  const { text, verifier } = receipt(1);
  throwsCode(t, () => verifyTlogProof(text, leaves[1]!, [verifier], 'other.example/log'), 'CHECKPOINT_ORIGIN_MISMATCH');
  const stranger = createNoteVerifier(parseVerifierKey(formatVerifierKey(testKey(9))));
  t.throws(() => verifyTlogProof(text, leaves[1]!, [stranger]));
  // An unauthenticated `extra` line is accepted and ignored.
  t.equal(parseTlogProof(text.replace('\nindex', '\nextra AAAA\nindex')).index, 1);
});

t.test('malformed receipts are refused', async (t) => {
  const { text } = receipt(3);
  for (const bad of [text.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'), text.replace('index 3', 'index 03'), text.replace('index 3', 'idx 3'), text.replace(/\n\n/, '\n'), text.replace(/\nindex 3\n[^\n]+/, '\nindex 3\nnot-base64!')]) {
    throwsCode(t, () => parseTlogProof(bad), 'PROOF_MALFORMED');
  }
});
