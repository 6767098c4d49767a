/**
 * Receipts in the C2SP tlog-proof form (https://c2sp.org/tlog-proof): an offline-verifiable proof
 * that an entry is in the log, made of the entry's index, its RFC 9162 inclusion proof and the
 * signed checkpoint the proof leads to:
 *
 *     c2sp.org/tlog-proof@v1
 *     index <decimal>
 *     <base64 hash>            (zero or more, leaf's sibling first)
 *     <empty line>
 *     <signed checkpoint, verbatim>
 *
 * rxledger writes no `extra` line; a parser accepts one and ignores it, as the spec says it is
 * unauthenticated. Verifying a receipt needs the entry's bytes (or its leaf hash) and the log's
 * verifier keys, nothing else.
 */
import { decodeBase64, encodeBase64 } from './bytes.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { RxError } from './errors.js';
import { HASH_SIZE } from './merkle-hash.js';
import { verifyInclusion } from './merkle-verify.js';
import type { NoteVerifier } from './note-keys.js';
import { verifyNote } from './signed-note.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  readonly index: number;
  readonly hashes: readonly Uint8Array[];
  /** The signed checkpoint note, byte for byte. */
  readonly checkpoint: string;
}

export function formatTlogProof(proof: TlogProof): string {
  return [TLOG_PROOF_HEADER, `index ${proof.index}`, ...proof.hashes.map(encodeBase64), '', proof.checkpoint].join('\n');
}

const malformed = (message: string): never => {
  throw new RxError('PROOF_MALFORMED', message);
};

export function parseTlogProof(text: string): TlogProof {
  const blank = text.indexOf('\n\n');
  if (blank < 0) malformed('no empty line before the checkpoint');
  const lines = text.slice(0, blank).split('\n');
  if (lines[0] !== TLOG_PROOF_HEADER) malformed(`the first line must be ${TLOG_PROOF_HEADER}`);
  let at = 1;
  if (lines[at]?.startsWith('extra ')) at++;
  const index = /^index (0|[1-9][0-9]{0,15})$/.exec(lines[at] ?? '');
  if (index === null || !Number.isSafeInteger(Number(index[1]))) return malformed('the index line is malformed');
  const hashes = lines.slice(at + 1).map((line) => {
    let hash: Uint8Array | undefined;
    try {
      hash = decodeBase64(line);
    } catch {
      hash = undefined;
    }
    if (hash?.length !== HASH_SIZE) malformed('a proof line is not a base64 SHA-256 hash');
    return hash!;
  });
  return { index: Number(index[1]), hashes, checkpoint: text.slice(blank + 2) };
}

/**
 * Checks a receipt for the entry whose leaf hash is `leafHash`: the checkpoint is signed by one of
 * `verifiers` (for `origin`, when given) and the inclusion proof leads from the leaf to its root.
 */
export function verifyTlogProof(text: string, leafHash: Uint8Array, verifiers: readonly NoteVerifier[], origin?: string): { proof: TlogProof; checkpoint: Checkpoint } {
  const proof = parseTlogProof(text);
  const checkpoint = parseCheckpoint(verifyNote(proof.checkpoint, verifiers).note.text);
  if (origin !== undefined && checkpoint.origin !== origin) throw new RxError('CHECKPOINT_ORIGIN_MISMATCH', 'the receipt is from another log');
  verifyInclusion(leafHash, proof.index, checkpoint.size, proof.hashes, checkpoint.rootHash);
  return { proof, checkpoint };
}
