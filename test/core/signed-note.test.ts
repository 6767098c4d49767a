import t from 'tap';
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { decodeBase64 } from '../../src/core/bytes.js';
import { formatCheckpoint, parseCheckpoint } from '../../src/core/checkpoint.js';
import {
  createNoteSigner,
  createNoteVerifier,
  createSigningKey,
  ed25519KeyId,
  formatSignerKey,
  formatVerifierKey,
  parseSignerKey,
  parseVerifierKey,
} from '../../src/core/note-keys.js';
import { formatSignedNote, parseSignedNote, signNote, verifyNote } from '../../src/core/signed-note.js';
import { throwsCode } from '../support/assert-code.js';

// Golden vector: seed bytes 0x01..0x20, key name example.org/rx-test, the RFC 6962 8-leaf test
// tree root. Ed25519 is deterministic, so the note is fixed; it is also cross-checked below with
// node:crypto (OpenSSL), an implementation independent of @noble/ed25519.
const SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const NAME = 'example.org/rx-test';
const VERIFIER_KEY = 'example.org/rx-test+e6cf18c0+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk';
const SIGNER_KEY = 'PRIVATE+KEY+example.org/rx-test+e6cf18c0+AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g';
const ROOT_HEX = '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328';
const TEXT = 'example.org/rx-test\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n';
const NOTE = `${TEXT}\n— example.org/rx-test 5s8YwMXyyOuZnI1wEkcg0J7C3Wexe+jj35NWeu0B2ltCQac/n0wjAG8PhRT/XDi9IMsv9lo7zo9FsASS4ZLUR/MR0Ac=\n`;

const key = createSigningKey(NAME, SEED);
const verifier = createNoteVerifier(key);
const other = createSigningKey(NAME, new Uint8Array(32).fill(9));

t.test('golden vector: keys, checkpoint text and signed note', async (t) => {
  t.equal(formatVerifierKey(key), VERIFIER_KEY);
  t.equal(formatSignerKey(key), SIGNER_KEY);
  const text = formatCheckpoint({ origin: NAME, size: 8, rootHash: Buffer.from(ROOT_HEX, 'hex'), extensions: [] });
  t.equal(text, TEXT);
  t.equal(formatSignedNote(signNote(text, [createNoteSigner(key)])), NOTE);
});

t.test('golden vector agrees with independent implementations', async (t) => {
  // key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4]
  const digest = createHash('sha256').update(NAME).update(Buffer.from([0x0a, 0x01])).update(key.publicKey).digest();
  t.equal(digest.readUInt32BE(0), key.keyId);
  t.equal(ed25519KeyId(NAME, key.publicKey), 0xe6cf18c0);
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key.publicKey]);
  const sig = decodeBase64(NOTE.split(' ').pop()!.trim()).slice(4);
  t.ok(nodeVerify(null, Buffer.from(TEXT), createPublicKey({ key: spki, format: 'der', type: 'spki' }), sig), 'OpenSSL verifies the note signature');
});

t.test('verify: accepts the golden note, checks every rule of the spec', async (t) => {
  const { note, verifiedBy } = verifyNote(NOTE, [verifier]);
  t.equal(note.text, TEXT);
  t.equal(verifiedBy.length, 1);
  t.same(parseCheckpoint(note.text).size, 8);

  // Unknown keys are ignored, even sharing a name or an ID with a known one.
  const unknown = createSigningKey('someone.else/witness', new Uint8Array(32).fill(3));
  const withUnknown = formatSignedNote(signNote(TEXT, [createNoteSigner(unknown), createNoteSigner(key), createNoteSigner(other)]));
  t.equal(verifyNote(withUnknown, [verifier]).verifiedBy.length, 1, 'extra signatures from unknown keys are ignored');
  throwsCode(t, () => verifyNote(NOTE, [createNoteVerifier(other)]), 'NOTE_UNVERIFIED', 'same name, other key: unverified');

  // A known key's bad signature rejects the whole note, even if another known key verifies.
  const parsed = parseSignedNote(withUnknown);
  const forged = { ...parsed, signatures: parsed.signatures.map((s) => (s.keyId === key.keyId ? { ...s, signature: s.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) } : s)) };
  throwsCode(t, () => verifyNote(formatSignedNote(forged), [verifier, createNoteVerifier(other)]), 'NOTE_SIGNATURE_INVALID');
  throwsCode(t, () => verifyNote(NOTE.replace('\n8\n', '\n9\n'), [verifier]), 'NOTE_SIGNATURE_INVALID', 'altered text');

  // A signature line naming the known key with a wrong key ID is an unknown key: ignored → unverified.
  const wrongId = { ...parseSignedNote(NOTE), signatures: parseSignedNote(NOTE).signatures.map((s) => ({ ...s, keyId: s.keyId ^ 1 })) };
  throwsCode(t, () => verifyNote(formatSignedNote(wrongId), [verifier]), 'NOTE_UNVERIFIED', 'wrong key ID');
});

t.test('parse: malformed notes are refused with NOTE_MALFORMED', async (t) => {
  const sigLine = NOTE.slice(TEXT.length + 1);
  const cases: Record<string, string> = {
    'no blank line': `${TEXT}${sigLine}`,
    'no signatures': `${TEXT}\n`,
    'hyphen instead of em dash': `${TEXT}\n${sigLine.replace('—', '-')}`,
    'en dash instead of em dash': `${TEXT}\n${sigLine.replace('—', '–')}`,
    'missing space after dash': `${TEXT}\n${sigLine.replace('— ', '—')}`,
    'bad base64': `${TEXT}\n${sigLine.replace(/=\n$/, '!\n')}`,
    'unpadded base64': `${TEXT}\n${sigLine.replace(/=\n$/, '\n')}`,
    'signature shorter than a key ID': `${TEXT}\n— ${NAME} AAAA\n`,
    'no final newline': NOTE.slice(0, -1),
    'carriage return': NOTE.replace('\n8\n', '\r\n8\n'),
    'tab in text': NOTE.replace('\n8\n', '\n8\t\n'),
    'empty key name': `${TEXT}\n—  ${sigLine.split(' ')[2]}`,
    'key name with a plus': `${TEXT}\n${sigLine.replace(NAME, `${NAME}+x`)}`,
    'trailing garbage line': `${NOTE}garbage\n`,
    'empty input': '',
  };
  for (const [what, note] of Object.entries(cases)) throwsCode(t, () => parseSignedNote(note), 'NOTE_MALFORMED', what);
  throwsCode(t, () => parseSignedNote(`${TEXT}\n${sigLine.repeat(101)}`), 'NOTE_MALFORMED', 'too many signatures');
  throwsCode(t, () => parseSignedNote(`${'a'.repeat(70_000)}\n\n${sigLine}`), 'NOTE_MALFORMED', 'too large');
  // Text may contain blank lines; the last blank line separates the signatures.
  const multi = formatSignedNote(signNote('line one\n\nline three\n', [createNoteSigner(key)]));
  t.equal(verifyNote(multi, [verifier]).note.text, 'line one\n\nline three\n');
});

t.test('keys: verifier and signer key strings', async (t) => {
  t.same(parseVerifierKey(VERIFIER_KEY).publicKey, key.publicKey, 'base64 containing "+" splits on the first two "+" only');
  t.same(parseSignerKey(SIGNER_KEY).seed, SEED);
  const bad: Record<string, string> = {
    'two fields': 'example.org/rx-test+e6cf18c0',
    'wrong key id': VERIFIER_KEY.replace('e6cf18c0', 'e6cf18c1'),
    'uppercase key id': VERIFIER_KEY.replace('e6cf18c0', 'E6CF18C0'),
    'short key id': VERIFIER_KEY.replace('e6cf18c0', 'e6cf18c'),
    'wrong name for the id': VERIFIER_KEY.replace('rx-test', 'rx-tesT'),
    'wrong signature type': 'example.org/rx-test+e6cf18c0+Anm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk',
    'truncated key': VERIFIER_KEY.slice(0, -4),
    'space in name': VERIFIER_KEY.replace('example.org', 'example org'),
  };
  for (const [what, k] of Object.entries(bad)) throwsCode(t, () => parseVerifierKey(k), 'KEY_MALFORMED', what);
  throwsCode(t, () => parseSignerKey(SIGNER_KEY.replace('PRIVATE', 'PUBLIC')), 'KEY_MALFORMED');
  throwsCode(t, () => parseSignerKey(SIGNER_KEY.replace('e6cf18c0', '00000000')), 'KEY_MALFORMED');
  throwsCode(t, () => createSigningKey('bad name', SEED), 'KEY_MALFORMED');
  throwsCode(t, () => createSigningKey(NAME, SEED.slice(1)), 'KEY_MALFORMED');
});

t.test('checkpoint text: format and parse', async (t) => {
  const cp = parseCheckpoint('example.org/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\n');
  t.equal(cp.size, 0);
  t.same(cp.extensions, ['ext one']);
  const cases: Record<string, string> = {
    'two lines': 'o\n1\n',
    'leading zero': TEXT.replace('\n8\n', '\n08\n'),
    'negative size': TEXT.replace('\n8\n', '\n-8\n'),
    'size with plus': TEXT.replace('\n8\n', '\n+8\n'),
    'size beyond 2^53': TEXT.replace('\n8\n', '\n9007199254740993\n'),
    'short root': TEXT.replace('Xcna', 'Xc'),
    'root of 33 bytes': 'o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n',
    'empty origin': TEXT.replace(NAME, ''),
    'empty extension line': `${TEXT}\n`,
    'no final newline': TEXT.slice(0, -1),
  };
  for (const [what, text] of Object.entries(cases)) throwsCode(t, () => parseCheckpoint(text), 'CHECKPOINT_MALFORMED', what);
  throwsCode(t, () => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: new Uint8Array(32), extensions: [] }), 'CHECKPOINT_MALFORMED');
  throwsCode(t, () => formatCheckpoint({ origin: 'a', size: -1, rootHash: new Uint8Array(32), extensions: [] }), 'CHECKPOINT_MALFORMED');
});
