/**
 * C2SP tlog-checkpoint note text (https://c2sp.org/tlog-checkpoint):
 *
 *     <origin>\n<tree size in decimal, no leading zeros>\n<base64 root hash>\n[<extension line>\n]*
 *
 * The ledger writes no extension lines; parsing accepts and returns them, as the spec asks.
 */
import { decodeBase64, encodeBase64 } from './bytes.js';
import { RxError } from './errors.js';
import { HASH_SIZE } from './merkle-hash.js';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions: readonly string[];
}

function malformed(message: string): never {
  throw new RxError('CHECKPOINT_MALFORMED', message);
}

export function formatCheckpoint(cp: Checkpoint): string {
  if (cp.origin.length === 0 || cp.origin.includes('\n')) malformed('origin must be one non-empty line');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) malformed('size must be a non-negative integer');
  if (cp.rootHash.length !== HASH_SIZE) malformed('root hash must be 32 bytes');
  const ext = cp.extensions.map((line) => {
    if (line.length === 0 || line.includes('\n')) malformed('extension lines must be non-empty single lines');
    return `${line}\n`;
  });
  return `${cp.origin}\n${cp.size}\n${encodeBase64(cp.rootHash)}\n${ext.join('')}`;
}

/** Parses checkpoint note text (the signed part of the note, ending in a newline). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) malformed('checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) malformed('checkpoint needs origin, size and root lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0) malformed('origin line is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) malformed('size must be decimal without leading zeros');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) malformed('size is too large');
  let rootHash: Uint8Array;
  try {
    rootHash = decodeBase64(rootText);
  } catch {
    malformed('root hash is not canonical base64');
  }
  if (rootHash.length !== HASH_SIZE) malformed('root hash must be 32 bytes');
  if (extensions.some((line) => line.length === 0)) malformed('extension lines must be non-empty');
  return { origin, size, rootHash, extensions };
}
