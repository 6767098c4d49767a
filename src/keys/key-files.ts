/**
 * Checkpoint signing keys on disk: `<dataDir>/keys/*.key`, one C2SP/Go-note private key string per
 * file, directory mode 0700 and file mode 0600. A key file readable by group or others is refused,
 * as ssh refuses a world-readable identity. Every key in the folder signs every checkpoint, which
 * is how rotation works: add the new key, let verifiers learn it, then remove the old file.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeNewFileDurably } from './durable-file.js';
import { join } from 'node:path';
import { RxError } from '../core/errors.js';
import { createSigningKey, formatKeyId, formatSignerKey, parseSignerKey, type Ed25519NoteSigningKey } from '../core/note-keys.js';
import { randomSeed } from '../core/ed25519.js';

export interface LoadedSigningKeys {
  readonly keys: Ed25519NoteSigningKey[];
  /** Path of a key created by this call, if the folder had none. */
  readonly createdPath?: string;
}

export function keysDirectory(dataDir: string): string {
  return join(dataDir, 'keys');
}

function assertPrivate(path: string): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new RxError('KEY_FILE_INSECURE', `${path} is accessible by group or others (mode ${mode.toString(8)}); chmod go-rwx it`);
  }
}

/** Writes a new signing key file (mode 0600, never overwriting) and returns its path. */
export function writeSigningKey(dataDir: string, key: Ed25519NoteSigningKey): string {
  const dir = keysDirectory(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `checkpoint-${formatKeyId(key.keyId)}.key`);
  writeNewFileDurably(path, `${formatSignerKey(key)}\n`, 0o600);
  chmodSync(path, 0o600); // the umask may have narrowed the mode further; never widen beyond 0600
  return path;
}

/** Loads every key in `<dataDir>/keys`, creating one named `name` if there is none. */
export function loadOrCreateSigningKeys(dataDir: string, name: string): LoadedSigningKeys {
  const dir = keysDirectory(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  assertPrivate(dir);
  const files = readdirSync(dir).filter((f) => f.endsWith('.key')).sort();
  if (files.length === 0) {
    const key = createSigningKey(name, randomSeed());
    return { keys: [key], createdPath: writeSigningKey(dataDir, key) };
  }
  const keys = files.map((file) => {
    const path = join(dir, file);
    assertPrivate(path);
    try {
      return parseSignerKey(readFileSync(path, 'utf8'));
    } catch (cause) {
      throw new RxError('KEY_MALFORMED', `key file ${path} does not hold a signer key`, { cause });
    }
  });
  return { keys };
}
