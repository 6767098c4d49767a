/**
 * A 32-byte secret the service holds (the patient pseudonym key): `<DATA_DIR>/secrets/<name>.key`,
 * base64, mode 0600 in a 0700 folder, created durably on first use and never replaced. Losing it
 * breaks the link between a patient's past and future pseudonyms: back it up with the database.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBase64, encodeBase64 } from '../core/bytes.js';
import { RxError } from '../core/errors.js';
import { writeNewFileDurably } from './durable-file.js';

export function loadOrCreateSecret(dataDir: string, name: string, randomBytes: (n: number) => Uint8Array): Uint8Array {
  const path = join(dataDir, 'secrets', `${name}.key`);
  if (!existsSync(path)) writeNewFileDurably(path, `${encodeBase64(randomBytes(32))}\n`, 0o600);
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new RxError('KEY_FILE_INSECURE', `${path} is accessible by group or others (mode ${mode.toString(8)})`);
  let secret: Uint8Array;
  try {
    secret = decodeBase64(readFileSync(path, 'utf8').trim());
  } catch (cause) {
    throw new RxError('KEY_MALFORMED', `${path} does not hold a base64 secret`, { cause });
  }
  if (secret.length !== 32) throw new RxError('KEY_MALFORMED', `${path} must hold 32 bytes`);
  return secret;
}
