/**
 * The part of verifying an entry that needs nothing but its own bytes (and the public keys the
 * log registered before it), so it can run on any thread, ahead of the sequential replay:
 *
 *   - the leaf hash, SHA-256(0x00 || bytes);
 *   - the envelope: canonical RFC 8785 bytes, version 1 (parseEntry);
 *   - the body against its type's schema (verifyEntryBody);
 *   - for a body carrying a signed statement, the statement's digest (signing bytes and request
 *     hash) and the Ed25519 verification of its signature under the public key its key ID names.
 *
 * Nothing here decides admission. Whether that key was registered, valid, unrevoked and its actor
 * active at the entry's index is judged by the replay, in log order; the verification result only
 * spares the replay the arithmetic for exactly the signature, message and key proved valid here
 * (see `preverifiedCheck`). A statement whose key is not known yet, or that fails, is verified
 * again by the replay, so a wrong guess here can cost time but never change a verdict.
 *
 * Results are packed into a few typed arrays per chunk so a worker can hand them back without
 * copying (see preflight-pool.ts).
 */
import { decodeBase64, decodeUtf8, encodeBase64, equalBytes } from '../core/bytes.js';
import { RxError, type ErrorCode } from '../core/errors.js';
import { parseEntry } from '../core/entry.js';
import type { MerkleHasher } from '../core/merkle-hash.js';
import { statementSigningBytes, statementSigningBytesFromCanonical, type SignedStatement } from '../core/statement.js';
import { ENTRY_BODY_SCHEMAS, verifyEntryBody, type EntryBodySchemas } from '../domain/entry-types.js';
import type { SignatureCheck, StatementDigest } from '../domain/registry/registry-rules.js';

/** Public keys by key ID: a registered key ID never changes its key (it is a hash of it). */
export interface KeyLookup {
  get(keyId: string): Uint8Array | undefined;
}

export interface PreflightFailure {
  /** Position in the chunk. */
  readonly at: number;
  /** `envelope`: the bytes are not a v1 entry; `body`: the envelope is, its body does not match its type. */
  readonly stage: 'envelope' | 'body';
  readonly code: ErrorCode;
  readonly message: string;
  readonly paths?: readonly string[];
}

const ENVELOPE_OK = 1;
const BODY_OK = 2;
const HAS_DIGEST = 4;
const VERIFIED = 8;
const HASH = 32;

/** The preflight of a chunk of consecutive entries, packed. */
export interface PackedPreflight {
  readonly count: number;
  /** count × 32 bytes. */
  readonly leafHashes: Uint8Array;
  readonly flags: Uint8Array;
  /** count × 32 bytes: SHA-256 of the signing bytes, where HAS_DIGEST. */
  readonly requestHashes: Uint8Array;
  /** count × 32 bytes: the key the signature was proved valid against, where VERIFIED. */
  readonly publicKeys: Uint8Array;
  /** The signing bytes of every statement, one after another; entry i's end at signingEnds[i]. */
  readonly signing: Uint8Array;
  readonly signingEnds: Uint32Array;
  readonly failures: readonly PreflightFailure[];
}

export interface PreflightOptions {
  readonly hasher: MerkleHasher;
  readonly verifySignature: SignatureCheck;
  /** SHA-256 (the request hash); native on Node. */
  readonly sha256: (bytes: Uint8Array) => Uint8Array;
  readonly schemas?: EntryBodySchemas;
}

export function preflightChunk(datas: readonly Uint8Array[], keys: KeyLookup, options: PreflightOptions): PackedPreflight {
  const count = datas.length;
  const leafHashes = new Uint8Array(count * HASH);
  const flags = new Uint8Array(count);
  const requestHashes = new Uint8Array(count * HASH);
  const publicKeys = new Uint8Array(count * HASH);
  const signingParts: Uint8Array[] = [];
  const signingEnds = new Uint32Array(count);
  const failures: PreflightFailure[] = [];
  const schemas = options.schemas ?? ENTRY_BODY_SCHEMAS;
  let signingLength = 0;
  for (let at = 0; at < count; at++) {
    const data = datas[at]!;
    leafHashes.set(options.hasher.hashLeaf(data), at * HASH);
    signingEnds[at] = signingLength;
    let entry;
    try {
      entry = parseEntry(data);
    } catch (err) {
      failures.push({ at, stage: 'envelope', ...describe(err) });
      continue;
    }
    flags[at] = ENVELOPE_OK;
    try {
      verifyEntryBody(entry.type, entry.body, schemas);
    } catch (err) {
      failures.push({ at, stage: 'body', ...describe(err) });
      continue;
    }
    flags[at]! |= BODY_OK;
    const signed = asSignedStatement(entry.body);
    if (signed === undefined) continue;
    // Canonical leaf bytes are `{"body":<body>,"index":…`: the body's canonical text is a slice.
    const text = decodeUtf8(data);
    const bodyJson = text.slice('{"body":'.length, text.lastIndexOf(',"index":'));
    const signingBytes = statementSigningBytesFromCanonical(signed, bodyJson) ?? statementSigningBytes(signed.statement);
    flags[at]! |= HAS_DIGEST;
    requestHashes.set(options.sha256(signingBytes), at * HASH);
    signingParts.push(signingBytes);
    signingLength += signingBytes.length;
    signingEnds[at] = signingLength;
    const publicKey = keys.get(signed.statement.keyId);
    if (publicKey !== undefined && verifies(options.verifySignature, signed.signature, signingBytes, publicKey)) {
      flags[at]! |= VERIFIED;
      publicKeys.set(publicKey, at * HASH);
    }
  }
  const signing = new Uint8Array(signingLength);
  let offset = 0;
  for (const part of signingParts) {
    signing.set(part, offset);
    offset += part.length;
  }
  return { count, leafHashes, flags, requestHashes, publicKeys, signing, signingEnds, failures };
}

function asSignedStatement(body: Record<string, unknown>): SignedStatement | undefined {
  const { statement, signature } = body as Partial<SignedStatement>;
  if (typeof signature !== 'string' || typeof statement !== 'object' || statement === null || typeof statement.keyId !== 'string') return undefined;
  return Object.keys(body).length === 2 ? (body as unknown as SignedStatement) : undefined;
}

function verifies(check: SignatureCheck, signature: string, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return check(decodeBase64(signature), message, publicKey);
  } catch {
    return false;
  }
}

function describe(err: unknown): { code: ErrorCode; message: string; paths?: readonly string[] } {
  if (err instanceof RxError) return { code: err.code, message: err.message, ...(err.paths === undefined ? {} : { paths: err.paths }) };
  return { code: 'INTERNAL', message: (err as Error).message };
}

/** Reads one entry's results out of a packed chunk. */
export class PreflightView {
  private readonly failureAt = new Map<number, PreflightFailure>();

  constructor(readonly packed: PackedPreflight) {
    for (const f of packed.failures) this.failureAt.set(f.at, f);
  }

  leafHash(at: number): Uint8Array {
    return this.packed.leafHashes.subarray(at * HASH, at * HASH + HASH);
  }

  failure(at: number): PreflightFailure | undefined {
    return this.failureAt.get(at);
  }

  /** The statement's digest, when the body carries one. */
  digest(at: number): StatementDigest | undefined {
    if ((this.packed.flags[at]! & HAS_DIGEST) === 0) return undefined;
    const start = at === 0 ? 0 : this.packed.signingEnds[at - 1]!;
    return {
      signingBytes: this.packed.signing.subarray(start, this.packed.signingEnds[at]!),
      requestHash: Buffer.from(this.packed.requestHashes.buffer, this.packed.requestHashes.byteOffset + at * HASH, HASH).toString('hex'),
    };
  }

  /** The key the statement's signature was proved valid against over its digest, if it was. */
  verifiedKey(at: number): Uint8Array | undefined {
    if ((this.packed.flags[at]! & VERIFIED) === 0) return undefined;
    return this.packed.publicKeys.subarray(at * HASH, at * HASH + HASH);
  }
}

/**
 * The signature check for replaying one entry: true at once for exactly the signature, message
 * and key proved valid in preflight (Ed25519 verification is a pure function of the three), the
 * full check for anything else.
 */
export function preverifiedCheck(check: SignatureCheck, digest: StatementDigest | undefined, verifiedKey: Uint8Array | undefined, signature: string | undefined): SignatureCheck {
  if (digest === undefined || verifiedKey === undefined || signature === undefined) return check;
  return (sig, msg, publicKey) =>
    (equalBytes(publicKey, verifiedKey) && equalBytes(msg, digest.signingBytes) && encodeBase64(sig) === signature) || check(sig, msg, publicKey);
}
