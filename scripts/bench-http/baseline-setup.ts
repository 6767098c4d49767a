/**
 * What the bare baseline server needs to verify the benchmark's pre-signed requests without doing
 * any of the service's work: each signer's public key by key id, and each request's signing bytes
 * by nonce (so it never canonicalises a statement). Written by the benchmark to a temp file, read
 * once by the baseline at start-up.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

interface SetupFile {
  /** keyId → raw 32-byte public key, base64. */
  readonly keys: Record<string, string>;
  /** [nonce, signing bytes base64] per request. */
  readonly messages: ReadonlyArray<readonly [string, string]>;
}

export interface BaselineSetup {
  /** Parsed once, as the service's verifier caches them. */
  readonly keys: ReadonlyMap<string, KeyObject>;
  readonly messages: ReadonlyMap<string, Buffer>;
}

export function writeBaselineSetup(path: string, keys: ReadonlyMap<string, Uint8Array>, messages: ReadonlyArray<{ nonce: string; signingBytes: Uint8Array }>): void {
  const file: SetupFile = {
    keys: Object.fromEntries([...keys].map(([id, key]) => [id, Buffer.from(key).toString('base64')])),
    messages: messages.map((m) => [m.nonce, Buffer.from(m.signingBytes).toString('base64')] as const),
  };
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
}

export function readBaselineSetup(path: string): BaselineSetup {
  const file = JSON.parse(readFileSync(path, 'utf8')) as SetupFile;
  const keys = new Map(
    Object.entries(file.keys).map(([id, b64]) => [id, createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(b64, 'base64')]), format: 'der', type: 'spki' })]),
  );
  return { keys, messages: new Map(file.messages.map(([nonce, b64]) => [nonce, Buffer.from(b64, 'base64')])) };
}
