/**
 * What the regulator page verifies, as pure functions over what it fetched or was given: the
 * latest checkpoint's signature (C2SP signed-note, docs/FORMAT.md §7.6), an RFC 9162 inclusion
 * proof against that checkpoint's root (§5.2), and a pasted receipt (C2SP tlog-proof). They run in
 * the browser on the project's own core (src/core), unchanged; nothing here trusts the service.
 *
 * Everything passed in came from the network or from a paste and is attacker-controlled: each
 * function parses it with the core's strict parsers and turns every failure into a result with
 * the core's stable error code, never a thrown exception the page would have to guess about.
 */
import { decodeBase64, encodeBase64 } from '../core/bytes.js';
import { parseCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { RxError, type ErrorCode } from '../core/errors.js';
import { hashLeaf } from '../core/merkle-hash.js';
import { verifyInclusion } from '../core/merkle-verify.js';
import { createNoteVerifier, formatKeyId, parseVerifierKey, type NoteVerifier } from '../core/note-keys.js';
import { verifyNote } from '../core/signed-note.js';
import { verifyTlogProof } from '../core/tlog-proof.js';

/** Which key a verified checkpoint or receipt was verified under. */
export type Trust = 'pinned' | 'served';

export interface CheckFailure {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface CheckpointVerified {
  readonly ok: true;
  readonly checkpoint: Checkpoint;
  /** `pinned`: a key the regulator pinned signed it; `served`: only a key the service itself announced did. */
  readonly trust: Trust;
  /** `name+keyid` of every key whose signature verified. */
  readonly verifiedBy: readonly string[];
  /** Set when a key is pinned but it did not sign this checkpoint (rotation, or another log). */
  readonly pinnedKeyAbsent: boolean;
}

export type CheckpointCheck = CheckpointVerified | CheckFailure;

export interface KeySet {
  /** The verifier key the regulator pinned (C2SP verifier key string), if any. */
  readonly pinned?: string | undefined;
  /** The keys GET /v1/log announced. */
  readonly served: readonly string[];
}

export function failure(err: unknown): CheckFailure {
  if (err instanceof RxError) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

const describe = (v: NoteVerifier): string => `${v.name}+${formatKeyId(v.keyId)}`;

/** Parses a verifier key string; throws KEY_MALFORMED. */
export function parseKey(text: string): NoteVerifier {
  return createNoteVerifier(parseVerifierKey(text.trim()));
}

/**
 * Verifies a signed checkpoint note. With a pinned key it is tried first and alone: the note is
 * `pinned` only if that key signed it. Otherwise (or if the pinned key did not sign) the served
 * keys are tried, and the result is `served`, which proves only that the service signed what it
 * serves. A signature by a known key that fails rejects the note whatever else verifies
 * (C2SP signed-note), and the origin must be the one the service names.
 */
export function checkCheckpoint(note: string, keys: KeySet, expectedOrigin?: string): CheckpointCheck {
  try {
    const pinned = parsePinned(keys.pinned);
    const known = pinned === undefined ? keys.served.map(parseKey) : [pinned, ...keys.served.map(parseKey)];
    // One pass over every known key, pinned first: a known key's signature that fails rejects
    // the note, whichever key it is.
    const { note: parsed, verifiedBy } = verifyNote(note, known);
    const pinnedSigned = pinned !== undefined && verifiedBy.includes(pinned);
    const checkpoint = parseCheckpoint(parsed.text);
    if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
      throw new RxError('CHECKPOINT_ORIGIN_MISMATCH', `the checkpoint is for ${checkpoint.origin}, not ${expectedOrigin}`);
    }
    return {
      ok: true,
      checkpoint,
      trust: pinnedSigned ? 'pinned' : 'served',
      verifiedBy: [...new Set(verifiedBy.map(describe))],
      pinnedKeyAbsent: pinned !== undefined && !pinnedSigned,
    };
  } catch (err) {
    return failure(err);
  }
}

function parsePinned(text: string | undefined): NoteVerifier | undefined {
  return text === undefined || text.trim() === '' ? undefined : parseKey(text);
}

/** An inclusion proof as GET /v1/log/proof/inclusion answers it (docs/FORMAT.md §8.1). */
export interface InclusionAnswer {
  readonly index: number;
  readonly size: number;
  readonly leafHash: string;
  readonly hashes: readonly string[];
}

export interface InclusionVerified {
  readonly ok: true;
  readonly index: number;
  readonly size: number;
  readonly leafHash: string;
  readonly proofLength: number;
  /** Set when the entry's bytes were read and hashed here: true if they hash to the proven leaf. */
  readonly entryBytesMatch?: boolean;
}

export type InclusionCheck = InclusionVerified | CheckFailure;

/**
 * Checks an inclusion proof the service served for `index` against a checkpoint this page
 * verified. The proof must be for exactly that index and the checkpoint's size; when the entry's
 * own bytes are at hand (a regulator's signed read), its leaf hash is recomputed from them rather
 * than taken from the answer.
 */
export function checkInclusion(answer: unknown, index: number, checkpoint: Checkpoint, entryBytes?: Uint8Array): InclusionCheck {
  try {
    const proof = parseInclusionAnswer(answer);
    if (proof.index !== index || proof.size !== checkpoint.size) {
      throw new RxError('PROOF_RANGE_INVALID', `the service answered for index ${proof.index} of ${proof.size}, not ${index} of ${checkpoint.size}`);
    }
    const leafHash = entryBytes === undefined ? decodeBase64(proof.leafHash) : hashLeaf(entryBytes);
    verifyInclusion(leafHash, index, checkpoint.size, proof.hashes.map(decodeBase64), checkpoint.rootHash);
    return {
      ok: true,
      index,
      size: checkpoint.size,
      leafHash: encodeBase64(leafHash),
      proofLength: proof.hashes.length,
      ...(entryBytes === undefined ? {} : { entryBytesMatch: encodeBase64(leafHash) === proof.leafHash }),
    };
  } catch (err) {
    return failure(err);
  }
}

function parseInclusionAnswer(value: unknown): InclusionAnswer {
  const v = value as Partial<InclusionAnswer> | null;
  const isIndex = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (typeof v !== 'object' || v === null || !isIndex(v.index) || !isIndex(v.size) || typeof v.leafHash !== 'string' || !Array.isArray(v.hashes) || !v.hashes.every((h) => typeof h === 'string')) {
    throw new RxError('PROOF_MALFORMED', 'the inclusion proof answer does not have the documented shape');
  }
  return v as InclusionAnswer;
}

export interface ReceiptVerified {
  readonly ok: true;
  readonly index: number;
  readonly checkpoint: Checkpoint;
  readonly trust: Trust;
}

export type ReceiptCheck = ReceiptVerified | CheckFailure;

/**
 * A receipt as pasted: either the JSON of GET /v1/receipts/{index} (its `proof` and `leafHash`
 * are used) or the C2SP tlog-proof text alone, with the leaf hash given separately.
 */
export function parseReceiptInput(text: string, leafHashInput: string): { proof: string; leafHash: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new RxError('PROOF_MALFORMED', 'the receipt is neither JSON nor a tlog-proof');
    }
    const r = parsed as { proof?: unknown; leafHash?: unknown };
    if (typeof r.proof !== 'string' || typeof r.leafHash !== 'string') throw new RxError('PROOF_MALFORMED', 'a JSON receipt needs "proof" and "leafHash"');
    if (leafHashInput.trim() !== '' && leafHashInput.trim() !== r.leafHash) throw new RxError('PROOF_INVALID', 'the leaf hash given differs from the receipt’s');
    return { proof: r.proof, leafHash: r.leafHash };
  }
  if (leafHashInput.trim() === '') throw new RxError('PROOF_MALFORMED', 'a tlog-proof needs the entry’s leaf hash (from the write’s answer)');
  // A pasted text may have lost its final newline; the note inside it needs one.
  return { proof: text.replace(/\r\n/g, '\n').replace(/\n*$/, '\n'), leafHash: leafHashInput.trim() };
}

/**
 * Verifies a receipt: its checkpoint under the known keys (pinned first, as for the checkpoint)
 * and its inclusion proof from the leaf to that checkpoint's root.
 */
export function checkReceipt(text: string, leafHashInput: string, keys: KeySet, expectedOrigin?: string): ReceiptCheck {
  try {
    const { proof, leafHash } = parseReceiptInput(text, leafHashInput);
    const pinned = parsePinned(keys.pinned);
    const known = pinned === undefined ? keys.served.map(parseKey) : [pinned, ...keys.served.map(parseKey)];
    const result = verifyTlogProof(proof, decodeBase64(leafHash), known, expectedOrigin);
    const pinnedSigned = pinned !== undefined && verifyNote(result.proof.checkpoint, known).verifiedBy.includes(pinned);
    return { ok: true, index: result.proof.index, checkpoint: result.checkpoint, trust: pinnedSigned ? 'pinned' : 'served' };
  } catch (err) {
    return failure(err);
  }
}
