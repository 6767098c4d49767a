/** k of n witnesses over a cosigned checkpoint, with the golden vectors and hostile variants. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseCosignerVerifierKey } from '../../src/core/cosignature.js';
import { createNoteVerifier, parseVerifierKey } from '../../src/core/note-keys.js';
import { formatCosignedNote, verifyCosignedCheckpoint } from '../../src/core/witness-quorum.js';
import { throwsCode } from '../support/assert-code.js';
import type { buildCosignatureVectors } from '../support/generate-cosignature-vectors.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/cosignature.json', import.meta.url), 'utf8')) as ReturnType<typeof buildCosignatureVectors>;
const [w1, w2] = [vectors.witnesses[0]!, vectors.witnesses[1]!];
const logVerifiers = [createNoteVerifier(parseVerifierKey(vectors.logKey))];
const witnesses = [parseCosignerVerifierKey(w1.verifierKey), parseCosignerVerifierKey(w2.verifierKey)];
const third = parseCosignerVerifierKey('witness.example.org/w3+452bd636+BKf236+POLibqM5km1lPkeTQH9xX+clJPfQ7XlCpmHNn');

t.test('2 of 2 on the golden cosigned note', async (t) => {
  t.equal(formatCosignedNote(vectors.signedNote, [w1.line, w2.line]), vectors.cosignedNote);
  const result = verifyCosignedCheckpoint(vectors.cosignedNote, logVerifiers, { witnesses, threshold: 2 });
  t.equal(result.checkpoint.size, 2);
  t.same(result.witnessedBy.map((w) => [w.name, w.timestamp]), [[w1.name, w1.timestamp], [w2.name, w2.timestamp]]);
});

t.test('k of n not met, unknown witnesses ignored, duplicates counted once', async (t) => {
  throwsCode(t, () => verifyCosignedCheckpoint(vectors.signedNote, logVerifiers, { witnesses, threshold: 1 }), 'WITNESS_THRESHOLD_NOT_MET', 'no cosignature at all');
  const oneTwice = formatCosignedNote(vectors.signedNote, [w1.line, w1.line]);
  throwsCode(t, () => verifyCosignedCheckpoint(oneTwice, logVerifiers, { witnesses, threshold: 2 }), 'WITNESS_THRESHOLD_NOT_MET', 'one witness twice is one');
  t.equal(verifyCosignedCheckpoint(oneTwice, logVerifiers, { witnesses, threshold: 1 }).witnessedBy.length, 1);
  // w2 is not trusted here: its line is ignored, like any unknown key.
  throwsCode(t, () => verifyCosignedCheckpoint(vectors.cosignedNote, logVerifiers, { witnesses: [witnesses[0]!, third], threshold: 2 }), 'WITNESS_THRESHOLD_NOT_MET');
  t.ok(verifyCosignedCheckpoint(vectors.cosignedNote, logVerifiers, { witnesses: [witnesses[0]!, third], threshold: 1 }));
});

t.test('a trusted witness line that does not verify rejects the note', async (t) => {
  for (const v of vectors.invalid.slice(0, 3)) {
    const note = formatCosignedNote(vectors.signedNote, [v.line, w2.line]);
    throwsCode(t, () => verifyCosignedCheckpoint(note, logVerifiers, { witnesses, threshold: 1 }), 'COSIGNATURE_INVALID', v.description);
  }
  const short = vectors.malformed.find((m) => m.description.startsWith('truncated'))!.line;
  throwsCode(t, () => verifyCosignedCheckpoint(formatCosignedNote(vectors.signedNote, [short]), logVerifiers, { witnesses, threshold: 1 }), 'COSIGNATURE_INVALID', 'wrong length');
  throwsCode(t, () => verifyCosignedCheckpoint(vectors.cosignedNote, logVerifiers, { witnesses, threshold: 2, now: w1.timestamp - 3600 }), 'COSIGNATURE_INVALID', 'dated in the future');
  t.ok(verifyCosignedCheckpoint(vectors.cosignedNote, logVerifiers, { witnesses, threshold: 2, now: w1.timestamp }), 'within the tolerance');
});

t.test('the log signature and the policy come first', async (t) => {
  const otherLog = [createNoteVerifier(parseVerifierKey('example.org/other+eacd5a17+AS3wQSXwAVr7R86FOu+HcglP+UmMFMsbnhKXPCkn2g+m'))];
  throwsCode(t, () => verifyCosignedCheckpoint(vectors.cosignedNote, otherLog, { witnesses, threshold: 1 }), 'NOTE_UNVERIFIED');
  const forged = vectors.cosignedNote.replace('\n2\n', '\n3\n');
  throwsCode(t, () => verifyCosignedCheckpoint(forged, logVerifiers, { witnesses, threshold: 1 }), 'NOTE_SIGNATURE_INVALID');
  throwsCode(t, () => verifyCosignedCheckpoint(vectors.cosignedNote, logVerifiers, { witnesses, threshold: 3 }), 'CONFIG_INVALID', 'k > n');
  throwsCode(t, () => verifyCosignedCheckpoint(vectors.cosignedNote, logVerifiers, { witnesses, threshold: 0 }), 'CONFIG_INVALID', 'k = 0');
  throwsCode(t, () => verifyCosignedCheckpoint(vectors.cosignedNote, logVerifiers, { witnesses: [witnesses[0]!, witnesses[0]!], threshold: 2 }), 'CONFIG_INVALID', 'n counts distinct keys');
});
