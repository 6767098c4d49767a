/**
 * Signed statements: how an actor (prescriber, pharmacist, courier, regulator, operator) says
 * "I do this". A statement is a JSON object in the ledger's canonical data model; the actor signs
 *
 *     "rxledger/statement/v1\n" || RFC 8785 canonical bytes of the statement
 *
 * with Ed25519. The prefix separates these signatures from every other use of a key. The ledger
 * stores the statement and its signature, unchanged, as the body of the entry whose type is the
 * statement's action, so anyone can re-verify who signed what. See docs/AUTH.md.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { bytesToHex, concatBytes, decodeBase64, encodeBase64, utf8 } from './bytes.js';
import { canonicalBytes, type JsonObject } from './canonical-json.js';
import { ENTRY_TYPE_PATTERN } from './entry.js';
import { signEd25519 } from './ed25519.js';

export const STATEMENT_VERSION = 1;
export const STATEMENT_SIGNING_PREFIX = 'rxledger/statement/v1\n';
/** Domain prefix of key IDs: keyId = hex(SHA-256("rxledger/key/v1\n" || public key)[:8]). */
export const KEY_ID_PREFIX = 'rxledger/key/v1\n';

export const ActorIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lowercase letters, digits and hyphens, 3 to 64');
export const KeyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, '16 lowercase hex digits');
export const NonceSchema = z.string().regex(/^[0-9a-f]{32,64}$/, '16 to 32 random bytes in lowercase hex');
export const IdempotencyKeySchema = z.string().regex(/^[A-Za-z0-9._:-]{8,128}$/, '8 to 128 of A-Z a-z 0-9 . _ : -');
const Base64Signature = z.string().refine((s) => {
  try {
    return decodeBase64(s).length === 64;
  } catch {
    return false;
  }
}, 'must be the standard base64 of a 64-byte Ed25519 signature');

export const StatementSchema = z.strictObject({
  v: z.literal(STATEMENT_VERSION),
  /** The origin of the log the statement is meant for: a statement cannot be replayed elsewhere. */
  origin: z.string().min(1).max(256),
  actor: ActorIdSchema,
  keyId: KeyIdSchema,
  /** What the actor does; also the type of the ledger entry that records it. */
  action: z.string().max(64).regex(ENTRY_TYPE_PATTERN),
  payload: z.record(z.string(), z.unknown()),
  /** Milliseconds since the Unix epoch, by the signer's clock; must fall in the accepted window. */
  timestamp: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  nonce: NonceSchema,
  idempotencyKey: IdempotencyKeySchema,
});
export type Statement = Omit<z.infer<typeof StatementSchema>, 'payload'> & { payload: JsonObject };

export const SignedStatementSchema = z.strictObject({ statement: StatementSchema, signature: Base64Signature });
export interface SignedStatement {
  readonly statement: Statement;
  /** Standard base64 of the 64-byte Ed25519 signature over statementSigningBytes(statement). */
  readonly signature: string;
}

export function statementSigningBytes(statement: Statement): Uint8Array {
  return concatBytes(utf8(STATEMENT_SIGNING_PREFIX), canonicalBytes(statement));
}

/**
 * The signing bytes again, cut from `canonical`, which MUST be the RFC 8785 text of `signed`
 * itself (a ledger entry's body, canonicalised already): members are sorted, so the object is
 * `{"signature":…,"statement":…}` and the statement's canonical text is the rest of it. Saves a
 * second walk of the statement. Returns undefined when `canonical` does not have that shape.
 */
export function statementSigningBytesFromCanonical(signed: SignedStatement, canonical: string): Uint8Array | undefined {
  if (Object.keys(signed).length !== 2 || typeof signed.signature !== 'string') return undefined;
  const head = `{"signature":${JSON.stringify(signed.signature)},"statement":`;
  if (!canonical.startsWith(head) || !canonical.endsWith('}')) return undefined;
  return utf8(STATEMENT_SIGNING_PREFIX + canonical.slice(head.length, -1));
}

export function signStatement(statement: Statement, seed: Uint8Array): SignedStatement {
  return { statement, signature: encodeBase64(signEd25519(statementSigningBytes(statement), seed)) };
}

export function actorKeyId(publicKey: Uint8Array): string {
  return bytesToHex(sha256(concatBytes(utf8(KEY_ID_PREFIX), publicKey)).subarray(0, 8));
}
