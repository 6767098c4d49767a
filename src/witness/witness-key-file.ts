/**
 * The witness's own Ed25519 cosigner key: `<state dir>/witness.key`, one line
 * `PRIVATE+KEY+<name>+<key ID>+base64(0x04 || seed)` (docs/FORMAT.md §12.4), mode 0600 in a 0700
 * folder, created durably and never overwritten. A key file group or others can read is refused,
 * like the ledger's checkpoint keys (src/keys/key-files.ts).
 */
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createCosignerKey, formatCosignerSigningKey, parseCosignerSigningKey, type CosignerSigningKey } from '../core/cosignature.js';
import { RxError } from '../core/errors.js';
import { writeNewFileDurably } from '../keys/durable-file.js';

export const WITNESS_KEY_FILE = 'witness.key';

export function witnessKeyPath(stateDir: string): string {
  return join(stateDir, WITNESS_KEY_FILE);
}

/** Creates the witness key from `seed` (32 random bytes); refuses to replace an existing key file. */
export function createWitnessKeyFile(stateDir: string, name: string, seed: Uint8Array): { key: CosignerSigningKey; path: string } {
  const key = createCosignerKey(name, seed);
  const path = witnessKeyPath(stateDir);
  try {
    writeNewFileDurably(path, `${formatCosignerSigningKey(key)}\n`, 0o600);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') throw new RxError('KEY_MALFORMED', `${path} exists already; a witness key is never replaced`, { cause });
    throw cause;
  }
  chmodSync(path, 0o600);
  return { key, path };
}

export function readWitnessKey(stateDir: string): CosignerSigningKey {
  const path = witnessKeyPath(stateDir);
  for (const p of [stateDir, path]) {
    const mode = statSync(p).mode & 0o777;
    if ((mode & 0o077) !== 0) throw new RxError('KEY_FILE_INSECURE', `${p} is accessible by group or others (mode ${mode.toString(8)}); chmod go-rwx it`);
  }
  try {
    return parseCosignerSigningKey(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new RxError('KEY_MALFORMED', `${path} does not hold a cosigner key`, { cause });
  }
}
