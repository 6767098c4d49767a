/**
 * C2SP tlog-cosignature, Ed25519 type (https://c2sp.org/tlog-cosignature, "cosignature/v1"): a
 * witness's timestamped statement that, as of that time, the checkpoint is the largest consistent
 * tree head it has observed for the log named by the origin line.
 *
 * - Key ID: SHA-256(<name> || 0x0A || 0x04 || 32-byte public key)[:4]. The type byte 0x04 keeps a
 *   cosigner key from ever matching a checkpoint key (type 0x01) of the same name and key.
 * - Signed message: "cosignature/v1\n" || "time " || decimal timestamp || "\n" || the whole note
 *   text of the checkpoint (with any extension lines, without signature lines).
 * - Signature bytes on the note line: u64 big-endian timestamp || 64-byte Ed25519 signature.
 *
 * Everything a witness or the ledger receives is attacker-controlled: parsers turn every defect
 * into COSIGNATURE_MALFORMED (lines) or KEY_MALFORMED (keys); `isValidCosignature` returns false
 * and never throws for a signature that does not verify. Pure: runs in the browser.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, decodeBase64, encodeBase64, utf8 } from './bytes.js';
import { PUBLIC_KEY_SIZE, SEED_SIZE, SIGNATURE_SIZE, isValidEd25519, publicKeyFromSeed, signEd25519 } from './ed25519.js';
import { RxError } from './errors.js';
import { formatKeyId, isValidKeyName } from './note-keys.js';

/** Signature type byte of Ed25519 cosignatures (tlog-cosignature §Format). */
export const COSIGNATURE_SIGNATURE_TYPE = 0x04;
/** The header line of the signed message: the domain separation of cosignature/v1. */
export const COSIGNATURE_HEADER = 'cosignature/v1';
/** Bytes after the key ID on a cosignature line: 8-byte timestamp and 64-byte signature. */
export const COSIGNATURE_SIZE = 8 + SIGNATURE_SIZE;
/**
 * The spec allows timestamps up to 2^63−1; this implementation handles them as JavaScript safe
 * integers and refuses anything above 2^53−1 (year 285 million) as malformed.
 */
export const MAX_COSIGNATURE_TIMESTAMP = Number.MAX_SAFE_INTEGER;

const EM_DASH = '\u2014';

export interface CosignerKey {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
}

export interface CosignerSigningKey extends CosignerKey {
  readonly seed: Uint8Array;
}

/** One parsed cosignature line. `signature` is the 64-byte Ed25519 signature alone. */
export interface Cosignature {
  readonly name: string;
  readonly keyId: number;
  /** POSIX seconds at which the witness cosigned. */
  readonly timestamp: number;
  readonly signature: Uint8Array;
}

function malformedKey(message: string): never {
  throw new RxError('KEY_MALFORMED', message);
}

function malformed(message: string): never {
  throw new RxError('COSIGNATURE_MALFORMED', message);
}

/** key ID = SHA-256(name || 0x0A || 0x04 || public key)[:4], big-endian. */
export function cosignerKeyId(name: string, publicKey: Uint8Array): number {
  const digest = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, COSIGNATURE_SIGNATURE_TYPE), publicKey));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
}

export function createCosignerKey(name: string, seed: Uint8Array): CosignerSigningKey {
  if (!isValidKeyName(name)) malformedKey('invalid cosigner key name');
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_SIZE) malformedKey('Ed25519 seed must be 32 bytes');
  const publicKey = publicKeyFromSeed(seed);
  return { name, keyId: cosignerKeyId(name, publicKey), publicKey, seed };
}

/** Splits on the first `parts - 1` '+' only: base64 may itself contain '+'. */
function splitKey(text: string, parts: number): string[] {
  const fields: string[] = [];
  let rest = text;
  for (let i = 0; i < parts - 1; i++) {
    const plus = rest.indexOf('+');
    if (plus < 0) malformedKey(`a cosigner key has ${parts} '+'-separated fields`);
    fields.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  fields.push(rest);
  return fields;
}

function decodeKeyMaterial(text: string, size: number): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = decodeBase64(text);
  } catch {
    malformedKey('cosigner key material is not base64');
  }
  if (raw.length !== size + 1 || raw[0] !== COSIGNATURE_SIGNATURE_TYPE) malformedKey('cosigner key material must be 0x04 followed by 32 bytes');
  return raw.slice(1);
}

function parseKeyIdHex(text: string): number {
  if (!/^[0-9a-f]{8}$/.test(text)) malformedKey('key ID must be 8 lowercase hex digits');
  return Number.parseInt(text, 16);
}

/** The C2SP vkey of a cosigner: `<name>+<key ID hex>+base64(0x04 || public key)`. */
export function formatCosignerVerifierKey(key: CosignerKey): string {
  return `${key.name}+${formatKeyId(key.keyId)}+${encodeBase64(concatBytes(Uint8Array.of(COSIGNATURE_SIGNATURE_TYPE), key.publicKey))}`;
}

/** Parses an attacker-supplied cosigner vkey; the key ID must match the name and key. */
export function parseCosignerVerifierKey(text: string): CosignerKey {
  if (typeof text !== 'string') malformedKey('a cosigner key is text');
  const [name, idHex, material] = splitKey(text, 3) as [string, string, string];
  if (!isValidKeyName(name)) malformedKey('invalid cosigner key name');
  const keyId = parseKeyIdHex(idHex);
  const publicKey = decodeKeyMaterial(material, PUBLIC_KEY_SIZE);
  if (cosignerKeyId(name, publicKey) !== keyId) malformedKey('key ID does not match name and key');
  return { name, keyId, publicKey };
}

/**
 * The witness's private key file content: `PRIVATE+KEY+<name>+<key ID hex>+base64(0x04 || seed)`,
 * the Go note private-key layout with the cosignature type byte (docs/FORMAT.md §12.4).
 */
export function formatCosignerSigningKey(key: CosignerSigningKey): string {
  return `PRIVATE+KEY+${key.name}+${formatKeyId(key.keyId)}+${encodeBase64(concatBytes(Uint8Array.of(COSIGNATURE_SIGNATURE_TYPE), key.seed))}`;
}

export function parseCosignerSigningKey(text: string): CosignerSigningKey {
  const [p, k, name, idHex, material] = splitKey(text.trim(), 5) as [string, string, string, string, string];
  if (p !== 'PRIVATE' || k !== 'KEY') malformedKey('a cosigner signing key starts with PRIVATE+KEY+');
  const key = createCosignerKey(name, decodeKeyMaterial(material, SEED_SIZE));
  if (key.keyId !== parseKeyIdHex(idHex)) malformedKey('key ID does not match name and key');
  return key;
}

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) malformed('timestamp must be a non-negative integer of at most 2^53-1 seconds');
}

function assertCheckpointText(text: string): void {
  // The note text of a checkpoint: non-empty, newline-terminated, no signature block.
  if (typeof text !== 'string' || text.length === 0 || !text.endsWith('\n') || text.includes('\n\n')) {
    malformed('the cosigned text must be a checkpoint note text ending in one newline');
  }
}

/** The exact bytes an Ed25519 cosignature signs (tlog-cosignature §"Ed25519 signed message"). */
export function cosignedMessage(checkpointText: string, timestamp: number): Uint8Array {
  assertCheckpointText(checkpointText);
  assertTimestamp(timestamp);
  return utf8(`${COSIGNATURE_HEADER}\ntime ${timestamp}\n${checkpointText}`);
}

export function signCosignature(checkpointText: string, key: CosignerSigningKey, timestamp: number): Cosignature {
  return { name: key.name, keyId: key.keyId, timestamp, signature: signEd25519(cosignedMessage(checkpointText, timestamp), key.seed) };
}

/** Whether `cosignature` is `key`'s valid cosignature of `checkpointText`. Never throws. */
export function isValidCosignature(checkpointText: string, cosignature: Cosignature, key: CosignerKey): boolean {
  if (cosignature.name !== key.name || cosignature.keyId !== key.keyId) return false;
  let message: Uint8Array;
  try {
    message = cosignedMessage(checkpointText, cosignature.timestamp);
  } catch {
    return false;
  }
  return isValidEd25519(cosignature.signature, message, key.publicKey);
}

/** Encodes the 76 bytes after the name: key ID, timestamp, signature. */
function cosignatureBytes(c: Cosignature): Uint8Array {
  assertTimestamp(c.timestamp);
  if (c.signature.length !== SIGNATURE_SIZE) malformed('an Ed25519 signature is 64 bytes');
  const head = new Uint8Array(12);
  const view = new DataView(head.buffer);
  view.setUint32(0, c.keyId, false);
  view.setBigUint64(4, BigInt(c.timestamp), false);
  return concatBytes(head, c.signature);
}

/** A note signature line: `— <name> base64(key ID || timestamp || signature)\n`. */
export function formatCosignatureLine(c: Cosignature): string {
  return `${EM_DASH} ${c.name} ${encodeBase64(cosignatureBytes(c))}\n`;
}

/**
 * Parses one cosignature line, with or without its final newline. The grammar is that of a
 * signed-note signature line (docs/FORMAT.md §7.2); the payload must be exactly 4 + 8 + 64 bytes.
 */
export function parseCosignatureLine(line: string): Cosignature {
  if (typeof line !== 'string') malformed('a cosignature line is text');
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  if (/[\u0000-\u001f]/.test(body)) malformed('a cosignature line is one line without control characters');
  if (!body.startsWith(`${EM_DASH} `)) malformed('a cosignature line starts with an em dash and a space');
  const rest = body.slice(2);
  const space = rest.indexOf(' ');
  if (space < 0) malformed('a cosignature line has a key name and a signature');
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) malformed('invalid key name in the cosignature line');
  let raw: Uint8Array;
  try {
    raw = decodeBase64(rest.slice(space + 1));
  } catch {
    malformed('the cosignature is not canonical base64');
  }
  if (raw.length !== 4 + COSIGNATURE_SIZE) malformed(`an Ed25519 cosignature is ${4 + COSIGNATURE_SIZE} bytes after base64 decoding`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const timestamp = view.getBigUint64(4, false);
  if (timestamp > BigInt(MAX_COSIGNATURE_TIMESTAMP)) malformed('the timestamp is beyond 2^53-1 seconds');
  return { name, keyId: view.getUint32(0, false), timestamp: Number(timestamp), signature: raw.slice(12) };
}
