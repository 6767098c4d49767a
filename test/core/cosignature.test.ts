/**
 * C2SP tlog-cosignature (Ed25519): src/core against the golden vectors of
 * test/vectors/cosignature.json, which test/support/cosignature-reference.ts (node:crypto, written
 * from the spec, no shared code) produced from fixed seeds.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  COSIGNATURE_SIGNATURE_TYPE,
  cosignedMessage,
  cosignerKeyId,
  createCosignerKey,
  formatCosignatureLine,
  formatCosignerSigningKey,
  formatCosignerVerifierKey,
  isValidCosignature,
  parseCosignatureLine,
  parseCosignerSigningKey,
  parseCosignerVerifierKey,
  signCosignature,
} from '../../src/core/cosignature.js';
import { decodeHex, bytesToHex } from '../../src/core/bytes.js';
import { parseVerifierKey } from '../../src/core/note-keys.js';
import { throwsCode } from '../support/assert-code.js';
import { buildCosignatureVectors } from '../support/generate-cosignature-vectors.js';
import { refVerifyLine } from '../support/cosignature-reference.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/cosignature.json', import.meta.url), 'utf8')) as ReturnType<typeof buildCosignatureVectors>;
const w1 = vectors.witnesses[0]!;

t.test('the reference still produces the pinned vectors', async (t) => {
  t.same(buildCosignatureVectors(), vectors);
});

t.test('keys, key IDs, messages and lines match the vectors byte for byte', async (t) => {
  t.equal(COSIGNATURE_SIGNATURE_TYPE, 0x04);
  for (const w of vectors.witnesses) {
    const key = createCosignerKey(w.name, decodeHex(w.seed));
    t.equal(bytesToHex(key.publicKey), w.publicKey);
    t.equal(key.keyId.toString(16).padStart(8, '0'), w.keyId);
    t.equal(cosignerKeyId(w.name, key.publicKey), key.keyId);
    t.equal(formatCosignerVerifierKey(key), w.verifierKey);
    t.equal(formatCosignerSigningKey(key), w.signingKey);
    t.same(parseCosignerSigningKey(`${w.signingKey}\n`), key);
    t.same(parseCosignerVerifierKey(w.verifierKey), { name: key.name, keyId: key.keyId, publicKey: key.publicKey });
    t.equal(new TextDecoder().decode(cosignedMessage(vectors.checkpointText, w.timestamp)), w.message);
    const cosignature = signCosignature(vectors.checkpointText, key, w.timestamp);
    t.equal(formatCosignatureLine(cosignature), w.line, `${w.name}: the line is the reference's`);
    t.same(parseCosignatureLine(w.line), cosignature);
    t.ok(isValidCosignature(vectors.checkpointText, parseCosignatureLine(w.line), key));
    t.ok(refVerifyLine(w.line, key.publicKey, vectors.checkpointText), 'node:crypto verifies our line');
  }
});

t.test('a cosigner key is not a checkpoint key: type byte 0x04, not 0x01', async (t) => {
  throwsCode(t, () => parseVerifierKey(w1.verifierKey), 'KEY_MALFORMED', 'a note verifier key parser refuses a cosigner vkey');
  throwsCode(t, () => parseCosignerVerifierKey(vectors.logKey), 'KEY_MALFORMED', 'a cosigner parser refuses a checkpoint vkey');
  const [name, id, material] = [w1.name, w1.keyId, w1.verifierKey.split('+').slice(2).join('+')];
  throwsCode(t, () => parseCosignerVerifierKey(`${name}+00000000+${material}`), 'KEY_MALFORMED', 'wrong key ID');
  throwsCode(t, () => parseCosignerVerifierKey(`${name}+${id.toUpperCase()}+${material}`), 'KEY_MALFORMED', 'uppercase key ID');
  throwsCode(t, () => parseCosignerVerifierKey(`bad name+${id}+${material}`), 'KEY_MALFORMED', 'space in name');
  throwsCode(t, () => parseCosignerVerifierKey(`${name}+${id}`), 'KEY_MALFORMED', 'missing material');
  throwsCode(t, () => parseCosignerSigningKey(w1.signingKey.replace('PRIVATE', 'PUBLIC')), 'KEY_MALFORMED');
  throwsCode(t, () => createCosignerKey(w1.name, new Uint8Array(31)), 'KEY_MALFORMED');
});

t.test('hostile lines: invalid ones parse and do not verify, malformed ones do not parse', async (t) => {
  const key = parseCosignerVerifierKey(w1.verifierKey);
  for (const v of vectors.invalid) {
    const parsed = parseCosignatureLine(v.line);
    t.notOk(isValidCosignature(vectors.checkpointText, parsed, key), v.description);
  }
  for (const v of vectors.malformed) throwsCode(t, () => parseCosignatureLine(v.line), 'COSIGNATURE_MALFORMED', v.description);
  const good = parseCosignatureLine(w1.line);
  t.notOk(isValidCosignature(`${vectors.checkpointText}ext\n`, good, key), 'an extension line is part of the signed text');
  t.notOk(isValidCosignature('not a checkpoint', good, key), 'bad text is false, not a throw');
  t.notOk(isValidCosignature(vectors.checkpointText, { ...good, name: 'other.example/w' }, key), 'name must match');
});

t.test('messages refuse what is not a checkpoint text or a valid time', async (t) => {
  throwsCode(t, () => cosignedMessage('a\n2\nroot', 1), 'COSIGNATURE_MALFORMED', 'no final newline');
  throwsCode(t, () => cosignedMessage(vectors.signedNote, 1), 'COSIGNATURE_MALFORMED', 'a signed note is not note text');
  throwsCode(t, () => cosignedMessage(vectors.checkpointText, -1), 'COSIGNATURE_MALFORMED');
  throwsCode(t, () => cosignedMessage(vectors.checkpointText, 1.5), 'COSIGNATURE_MALFORMED');
  t.equal(new TextDecoder().decode(cosignedMessage(vectors.checkpointText, 0)).split('\n')[1], 'time 0', 'no leading zeros, zero allowed');
});
