/**
 * Byte helpers shared by every byte format. Pure: usable in Node and in the browser.
 * Decoders are strict: they refuse anything a second, lenient decoder might read differently.
 */
import { base64 } from '@scure/base';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { RxError } from './errors.js';

export { bytesToHex, concatBytes };

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Decodes UTF-8, refusing invalid sequences (never substitutes U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new RxError('ENCODING_MALFORMED', 'bytes are not valid UTF-8', { cause });
  }
}

/** Standard base64 (RFC 4648 §4) with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return base64.encode(bytes);
}

/** Strict standard base64: padding required, no whitespace, no URL alphabet, canonical trailing bits. */
export function decodeBase64(text: string): Uint8Array {
  try {
    return base64.decode(text);
  } catch (cause) {
    throw new RxError('ENCODING_MALFORMED', 'not canonical standard base64', { cause });
  }
}

export function decodeHex(text: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(text)) {
    throw new RxError('ENCODING_MALFORMED', 'not lowercase hex of whole bytes');
  }
  return hexToBytes(text);
}

/** Compares two byte strings in time that depends only on their lengths. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
