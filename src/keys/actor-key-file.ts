/**
 * Actor private keys on disk, for operators and tools (the service itself holds only the genesis
 * operator's key, and only until an operator moves it away). One line:
 *
 *     RXLEDGER-ACTOR-KEY+<actorId>+<keyId>+<base64 32-byte Ed25519 seed>
 *
 * written with mode 0600 in a 0700 folder, never overwriting.
 */
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { writeNewFileDurably } from './durable-file.js';
import { decodeBase64, encodeBase64 } from '../core/bytes.js';
import { publicKeyFromSeed } from '../core/ed25519.js';
import { RxError } from '../core/errors.js';
import { ActorIdSchema, actorKeyId } from '../core/statement.js';

export interface ActorKey {
  readonly actorId: string;
  readonly keyId: string;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function actorKeyFromSeed(actorId: string, seed: Uint8Array): ActorKey {
  const publicKey = publicKeyFromSeed(seed);
  return { actorId, keyId: actorKeyId(publicKey), seed, publicKey };
}

export function formatActorKey(key: ActorKey): string {
  return `RXLEDGER-ACTOR-KEY+${key.actorId}+${key.keyId}+${encodeBase64(key.seed)}\n`;
}

export function parseActorKey(text: string): ActorKey {
  const fields = text.trim().split('+');
  // The base64 field may itself contain '+': re-join everything after the third separator.
  const [tag, actorId, keyId, ...rest] = fields;
  if (tag !== 'RXLEDGER-ACTOR-KEY' || actorId === undefined || keyId === undefined || rest.length === 0) {
    throw new RxError('KEY_MALFORMED', 'not an rxledger actor key');
  }
  if (!ActorIdSchema.safeParse(actorId).success) throw new RxError('KEY_MALFORMED', 'invalid actor id in key file');
  let seed: Uint8Array;
  try {
    seed = decodeBase64(rest.join('+'));
  } catch (cause) {
    throw new RxError('KEY_MALFORMED', 'key material is not base64', { cause });
  }
  if (seed.length !== 32) throw new RxError('KEY_MALFORMED', 'Ed25519 seed must be 32 bytes');
  const key = actorKeyFromSeed(actorId, seed);
  if (key.keyId !== keyId) throw new RxError('KEY_MALFORMED', 'key ID does not match the key');
  return key;
}

export function writeActorKey(path: string, key: ActorKey): void {
  writeNewFileDurably(path, formatActorKey(key), 0o600);
  chmodSync(path, 0o600); // the umask may have narrowed the mode further; never widen beyond 0600
}

export function readActorKey(path: string): ActorKey {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new RxError('KEY_FILE_INSECURE', `${path} is accessible by group or others (mode ${mode.toString(8)})`);
  return parseActorKey(readFileSync(path, 'utf8'));
}
