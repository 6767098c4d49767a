/**
 * Ed25519 (RFC 8032) through @noble/ed25519, the project's reference implementation.
 * Verification is strict RFC 8032 (`zip215: false`): non-canonical encodings of R, S or the public
 * key are refused, so the server, the verifier and clients accept exactly the same signatures.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

ed.hashes.sha512 = sha512;

export const SEED_SIZE = 32;
export const PUBLIC_KEY_SIZE = 32;
export const SIGNATURE_SIZE = 64;

export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return ed.getPublicKey(seed);
}

export function signEd25519(message: Uint8Array, seed: Uint8Array): Uint8Array {
  return ed.sign(message, seed);
}

/** Returns false for any signature that RFC 8032 §5.1.7 rejects; never throws on bad input. */
export function isValidEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_SIZE || publicKey.length !== PUBLIC_KEY_SIZE) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Whether a public key may be registered: a canonical encoding (y < p) of a point that is not of
 * small order and has no small-order component (torsion-free). Such keys make every verifier —
 * cofactored or not, noble or OpenSSL — agree on every signature an honest signer can produce,
 * and keep a key from validating signatures it never made.
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_SIZE) return false;
  const text = String.fromCharCode(...publicKey); // this module also runs in the regulator page's browser
  let acceptable = acceptableKeys.get(text);
  if (acceptable === undefined) {
    acceptable = decidePublicKey(publicKey);
    if (acceptableKeys.size >= ACCEPTABLE_KEYS_REMEMBERED) acceptableKeys.clear();
    acceptableKeys.set(text, acceptable);
  }
  return acceptable;
}

/**
 * Answers of `isAcceptablePublicKey`, by key bytes. The torsion check is a scalar multiplication in
 * pure JavaScript, about 2.5 ms, and a registered key is judged twice wherever a body is checked
 * against its schema and then admitted (the audit's preflight and replay, a statement's intake and
 * its sequencing in one thread). The answer depends on the bytes alone; bounded, and emptied when
 * full, so many distinct keys cost memory only up to the bound.
 */
const ACCEPTABLE_KEYS_REMEMBERED = 4096;
const acceptableKeys = new Map<string, boolean>();

function decidePublicKey(publicKey: Uint8Array): boolean {
  try {
    const point = ed.Point.fromBytes(publicKey, false);
    return !point.isSmallOrder() && point.isTorsionFree();
  } catch {
    return false;
  }
}

/** Whether a public key decodes under strict rules and is not of small order (noble's strict verify rejects the others). */
export function isStrictlyDecodablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_SIZE) return false;
  try {
    return !ed.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}

export function randomSeed(): Uint8Array {
  return ed.utils.randomSecretKey();
}
