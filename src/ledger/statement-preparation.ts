/**
 * The work on a signed statement that can be done before it is sequenced, outside the commit
 * transaction: its digest (signing bytes and request hash, computed once) and the verification of
 * its signature against the key the registry holds for it now, on a worker pool off the event loop
 * (by the statement intake already, when it was given that key: PreverifiedDigest).
 *
 * Nothing here decides admission. When the entry is judged in the commit transaction, its key is
 * looked up again and every standing check (revocation, validity, timestamp, actor, nonce) runs
 * against the state at that index; the pre-verification only spares the Ed25519 arithmetic when
 * the exact signature, message and key it proved valid come up again. Any other question, and
 * any statement that could not be prepared, goes to the synchronous verifier as before.
 */
import { decodeBase64, equalBytes } from '../core/bytes.js';
import type { JsonObject } from '../core/canonical-json.js';
import { statementSigningBytes, statementSigningBytesFromCanonical, type SignedStatement } from '../core/statement.js';
import type { RegistryView, SignatureCheck, StatementDigest } from '../domain/registry/registry-rules.js';
import type { PreverifiedDigest } from './statement-intake.js';

/** Ed25519 verification with the accept set of the synchronous SignatureCheck, done elsewhere. */
export type AsyncSignatureCheck = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => Promise<boolean>;

export interface PreparedStatement {
  readonly digest: StatementDigest;
  /** The signature and key found valid over `digest.signingBytes`, if they were. */
  readonly verified?: { readonly signature: Uint8Array; readonly publicKey: Uint8Array };
}

export interface StatementPreparationOptions {
  readonly registry: Pick<RegistryView, 'key'>;
  readonly verifyAsync: AsyncSignatureCheck;
  /** SHA-256 in lowercase hex (the request hash); the native one on the server. */
  readonly sha256Hex: (bytes: Uint8Array) => string;
}

/**
 * An entry about to be queued: its body matched its entry schema and `bodyJson` is its canonical
 * text; `digest`, when the statement intake computed it from the same text (statement-intake.ts).
 */
export interface PreparableEntry {
  readonly body: JsonObject;
  readonly bodyJson: string;
  readonly digest?: unknown;
}

const isDigest = (d: unknown): d is StatementDigest =>
  typeof d === 'object' && d !== null && (d as StatementDigest).signingBytes instanceof Uint8Array && typeof (d as StatementDigest).requestHash === 'string';

/**
 * Prepares an entry whose body carries a signed statement; resolves to undefined for any other
 * body, and for one whose preparation failed (the commit judges it in full). Never rejects.
 */
export function createStatementPreparation(options: StatementPreparationOptions): (entry: PreparableEntry) => Promise<PreparedStatement | undefined> {
  const { registry, verifyAsync, sha256Hex } = options;
  // The service's registry keeps keys in memory (src/store/read-cache.ts): no second cache here.
  const publicKeyOf = (keyId: string): Uint8Array | undefined => registry.key(keyId)?.publicKey;
  return async ({ body, bodyJson, digest: computed }) => {
    const signed = body as Partial<SignedStatement>;
    const { statement, signature } = signed;
    if (typeof statement !== 'object' || statement === null || typeof signature !== 'string') return undefined;
    try {
      let digest: StatementDigest;
      if (isDigest(computed)) {
        digest = computed;
      } else {
        const signingBytes = statementSigningBytesFromCanonical(signed as SignedStatement, bodyJson) ?? statementSigningBytes(statement);
        digest = { signingBytes, requestHash: sha256Hex(signingBytes) };
      }
      const { signingBytes } = digest;
      const publicKey = publicKeyOf(statement.keyId);
      if (publicKey === undefined) return { digest };
      const signatureBytes = decodeBase64(signature);
      // The intake checked this signature over this digest already, against the key it guessed
      // from the body: the verification, if that is the key the registry holds for this key id.
      const checkedKey = (computed as PreverifiedDigest | undefined)?.verifiedKey;
      if (isDigest(computed) && checkedKey instanceof Uint8Array && equalBytes(checkedKey, publicKey)) return { digest, verified: { signature: signatureBytes, publicKey } };
      const valid = await verifyAsync(signatureBytes, signingBytes, publicKey).catch(() => false);
      return valid ? { digest, verified: { signature: signatureBytes, publicKey } } : { digest };
    } catch {
      return undefined;
    }
  };
}

/**
 * The signature check for judging one prepared entry: true at once for exactly the signature,
 * message and key found valid beforehand (Ed25519 verification is a pure function of the three),
 * the synchronous check for anything else.
 */
export function preverifiedSignatureCheck(check: SignatureCheck, prepared: PreparedStatement | undefined): SignatureCheck {
  const verified = prepared?.verified;
  if (verified === undefined) return check;
  const message = prepared!.digest.signingBytes;
  return (signature, msg, publicKey) =>
    (equalBytes(signature, verified.signature) && equalBytes(publicKey, verified.publicKey) && equalBytes(msg, message)) || check(signature, msg, publicKey);
}
