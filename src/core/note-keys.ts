/**
 * C2SP signed-note Ed25519 keys (https://c2sp.org/signed-note): key names, key IDs, the verifier
 * key string `<name>+<hex key id>+<base64(0x01 || public key)>` and the matching private key
 * string `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>` (the format of Go's
 * golang.org/x/mod/sumdb/note, so operators can use existing tooling).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, decodeBase64, encodeBase64, utf8 } from './bytes.js';
import { PUBLIC_KEY_SIZE, SEED_SIZE, isValidEd25519, publicKeyFromSeed, signEd25519 } from './ed25519.js';
import { RxError } from './errors.js';

/** Signature type byte for Ed25519 in C2SP signed-note. */
export const ED25519_SIGNATURE_TYPE = 0x01;

export interface NoteVerifier {
  readonly name: string;
  /** 4-byte key ID, as an unsigned 32-bit integer. */
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(message: Uint8Array): Uint8Array;
}

export interface Ed25519NoteKey {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
}

/** Key names are non-empty and contain no Unicode whitespace and no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !/[\u0000-\u001f]/.test(name);
}

/** key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4], big-endian. */
export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  const digest = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, ED25519_SIGNATURE_TYPE), publicKey));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
}

export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/** Splits on the first `parts - 1` '+' only: the trailing base64 field may itself contain '+'. */
function splitKeyString(text: string, parts: number, what: string): string[] {
  const fields: string[] = [];
  let rest = text;
  for (let i = 0; i < parts - 1; i++) {
    const plus = rest.indexOf('+');
    if (plus < 0) throw new RxError('KEY_MALFORMED', `${what} must have ${parts} '+'-separated fields`);
    fields.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  fields.push(rest);
  return fields;
}

function parseKeyIdHex(text: string): number {
  if (!/^[0-9a-f]{8}$/.test(text)) throw new RxError('KEY_MALFORMED', 'key ID must be 8 lowercase hex digits');
  return Number.parseInt(text, 16);
}

function decodeTypedKey(text: string, size: number): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = decodeBase64(text);
  } catch (cause) {
    throw new RxError('KEY_MALFORMED', 'key material is not base64', { cause });
  }
  if (raw.length !== size + 1 || raw[0] !== ED25519_SIGNATURE_TYPE) {
    throw new RxError('KEY_MALFORMED', 'key material must be 0x01 followed by a 32-byte Ed25519 key');
  }
  return raw.slice(1);
}

export function formatVerifierKey(key: Ed25519NoteKey): string {
  const material = concatBytes(Uint8Array.of(ED25519_SIGNATURE_TYPE), key.publicKey);
  return `${key.name}+${formatKeyId(key.keyId)}+${encodeBase64(material)}`;
}

/** Parses an attacker-supplied verifier key string; the key ID must match the name and key. */
export function parseVerifierKey(text: string): Ed25519NoteKey {
  const [name, idHex, material] = splitKeyString(text, 3, 'verifier key') as [string, string, string];
  if (!isValidKeyName(name)) throw new RxError('KEY_MALFORMED', 'invalid key name');
  const keyId = parseKeyIdHex(idHex);
  const publicKey = decodeTypedKey(material, PUBLIC_KEY_SIZE);
  if (ed25519KeyId(name, publicKey) !== keyId) throw new RxError('KEY_MALFORMED', 'key ID does not match name and key');
  return { name, keyId, publicKey };
}

export function createNoteVerifier(key: Ed25519NoteKey): NoteVerifier {
  return {
    name: key.name,
    keyId: key.keyId,
    verify: (message, signature) => isValidEd25519(signature, message, key.publicKey),
  };
}

export interface Ed25519NoteSigningKey extends Ed25519NoteKey {
  readonly seed: Uint8Array;
}

export function createSigningKey(name: string, seed: Uint8Array): Ed25519NoteSigningKey {
  if (!isValidKeyName(name)) throw new RxError('KEY_MALFORMED', 'invalid key name');
  if (seed.length !== SEED_SIZE) throw new RxError('KEY_MALFORMED', 'Ed25519 seed must be 32 bytes');
  const publicKey = publicKeyFromSeed(seed);
  return { name, keyId: ed25519KeyId(name, publicKey), publicKey, seed };
}

export function createNoteSigner(key: Ed25519NoteSigningKey): NoteSigner {
  return { name: key.name, keyId: key.keyId, sign: (message) => signEd25519(message, key.seed) };
}

export function formatSignerKey(key: Ed25519NoteSigningKey): string {
  const material = concatBytes(Uint8Array.of(ED25519_SIGNATURE_TYPE), key.seed);
  return `PRIVATE+KEY+${key.name}+${formatKeyId(key.keyId)}+${encodeBase64(material)}`;
}

export function parseSignerKey(text: string): Ed25519NoteSigningKey {
  const [p, k, name, idHex, material] = splitKeyString(text.trim(), 5, 'signer key') as [string, string, string, string, string];
  if (p !== 'PRIVATE' || k !== 'KEY') throw new RxError('KEY_MALFORMED', 'signer key must start with PRIVATE+KEY+');
  const key = createSigningKey(name, decodeTypedKey(material, SEED_SIZE));
  if (key.keyId !== parseKeyIdHex(idHex)) throw new RxError('KEY_MALFORMED', 'key ID does not match name and key');
  return key;
}
