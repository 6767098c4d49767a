/**
 * C2SP signed notes (https://c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank
 * line, then one or more lines `— <key name> <base64(4-byte key ID || signature)>`.
 *
 * Notes arrive from outside and are attacker-controlled: `parseSignedNote` checks the whole
 * grammar and throws NOTE_MALFORMED; `verifyNote` follows the spec's rules exactly — signatures
 * from unknown keys are ignored, a known key's signature that fails rejects the whole note, and
 * at least one known key must have signed.
 */
import { concatBytes, decodeBase64, encodeBase64, utf8 } from './bytes.js';
import { RxError } from './errors.js';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note-keys.js';

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the 4-byte key ID. */
  readonly signature: Uint8Array;
}

export interface SignedNote {
  /** The signed text, including its final newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** Upper bound on the size of a note we are willing to parse. */
export const MAX_NOTE_BYTES = 64 * 1024;
/** Upper bound on signature lines; the spec requires accepting at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

const EM_DASH = '\u2014';
// Control characters other than newline are forbidden anywhere in a note.
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;

function malformed(message: string): never {
  throw new RxError('NOTE_MALFORMED', message);
}

function formatSignatureLine(sig: NoteSignature): string {
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, sig.keyId, false);
  return `${EM_DASH} ${sig.name} ${encodeBase64(concatBytes(id, sig.signature))}\n`;
}

export function formatSignedNote(note: SignedNote): string {
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

function assertNoteText(text: string): void {
  if (text.length === 0 || !text.endsWith('\n')) malformed('note text must be non-empty and end with a newline');
  if (FORBIDDEN_CONTROL.test(text)) malformed('note text contains a control character');
}

/** Signs `text` with every signer, in order. */
export function signNote(text: string, signers: readonly NoteSigner[]): SignedNote {
  assertNoteText(text);
  if (signers.length === 0) malformed('a signed note needs at least one signer');
  const message = utf8(text);
  return { text, signatures: signers.map((s) => ({ name: s.name, keyId: s.keyId, signature: s.sign(message) })) };
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(`${EM_DASH} `)) malformed('signature line must start with an em dash and a space');
  const rest = line.slice(2);
  const space = rest.indexOf(' ');
  if (space < 0) malformed('signature line must have a key name and a signature');
  const name = rest.slice(0, space);
  const encoded = rest.slice(space + 1);
  if (!isValidKeyName(name)) malformed('invalid key name in signature line');
  let raw: Uint8Array;
  try {
    raw = decodeBase64(encoded);
  } catch {
    malformed('signature is not canonical base64');
  }
  if (raw.length < 5) malformed('signature is shorter than a key ID and one byte');
  const keyId = new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0, false);
  return { name, keyId, signature: raw.slice(4) };
}

/** Parses the grammar of a signed note; does not verify any signature. */
export function parseSignedNote(note: string): SignedNote {
  if (typeof note !== 'string') malformed('note must be text');
  if (utf8(note).length > MAX_NOTE_BYTES) malformed('note is too large');
  if (FORBIDDEN_CONTROL.test(note)) malformed('note contains a control character');
  if (!note.endsWith('\n')) malformed('note must end with a newline');
  // The text is separated from the signatures by the *last* blank line.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) malformed('note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0) malformed('note has no signature lines');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) malformed('note has too many signatures');
  return { text, signatures: lines.map(parseSignatureLine) };
}

/**
 * Verifies a signed note against trusted keys. Returns the parsed note and the verifiers whose
 * signatures were checked; throws NOTE_SIGNATURE_INVALID if a known key's signature fails and
 * NOTE_UNVERIFIED if no known key signed.
 */
export function verifyNote(note: string | SignedNote, verifiers: readonly NoteVerifier[]): { note: SignedNote; verifiedBy: NoteVerifier[] } {
  const parsed = typeof note === 'string' ? parseSignedNote(note) : note;
  const message = utf8(parsed.text);
  const verifiedBy: NoteVerifier[] = [];
  for (const sig of parsed.signatures) {
    const verifier = verifiers.find((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (verifier === undefined) continue; // unknown keys MUST be ignored
    if (!verifier.verify(message, sig.signature)) {
      throw new RxError('NOTE_SIGNATURE_INVALID', `signature by ${sig.name} does not verify`);
    }
    if (!verifiedBy.includes(verifier)) verifiedBy.push(verifier);
  }
  if (verifiedBy.length === 0) throw new RxError('NOTE_UNVERIFIED', 'no trusted key signed the note');
  return { note: parsed, verifiedBy };
}
