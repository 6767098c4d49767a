/**
 * Client SDK: builds, canonicalises and signs statements for an actor. Pure apart from the
 * injected clock and randomness, so it runs in Node, in browsers and in tests alike.
 *
 *   const signer = createStatementSigner({ origin, actorId, seed });
 *   const signed = signer.sign('registry.institution-register', { ... });
 *   // POST it as JSON; a retry MUST resend the identical object (same nonce and idempotency key).
 */
import { bytesToHex, encodeBase64 } from '../core/bytes.js';
import { assertJsonValue, type JsonObject } from '../core/canonical-json.js';
import { publicKeyFromSeed } from '../core/ed25519.js';
import { actorKeyId, signStatement, statementSigningBytes, STATEMENT_VERSION, type SignedStatement, type Statement } from '../core/statement.js';

export interface StatementSignerOptions {
  /** The origin of the target log (GET /v1/log). */
  readonly origin: string;
  readonly actorId: string;
  /** The actor's 32-byte Ed25519 seed (private key). */
  readonly seed: Uint8Array;
  readonly clock?: () => number;
  /** Fills a buffer with cryptographically secure random bytes. */
  readonly randomBytes?: (n: number) => Uint8Array;
  /**
   * Ed25519 signing of the statement's signing bytes with the seed; defaults to the pure reference.
   * Ed25519 is deterministic, so a native implementation (OpenSSL) yields the same signature faster.
   */
  readonly signBytes?: (message: Uint8Array, seed: Uint8Array) => Uint8Array;
}

export interface SignOptions {
  /** Reuse to make a retry idempotent; a fresh key otherwise (time-ordered: timeOrderedHex). */
  readonly idempotencyKey?: string;
}

export interface StatementSigner {
  readonly actorId: string;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  sign(action: string, payload: JsonObject, options?: SignOptions): SignedStatement;
}

const defaultRandom = (n: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(n));

/**
 * A nonce or idempotency key that sorts by time: the statement's timestamp as 12 hex digits, then
 * random bytes, on which its uniqueness rests (80 bits for a nonce, per actor and millisecond).
 * The ledger keeps every spent nonce and idempotency key in indexes ordered by actor and then by
 * the key; random keys put each statement's rows on a page of their own in both, and those pages
 * were most of what every commit wrote to disk (docs/BENCHMARKS.md). An actor's time-ordered keys
 * go where its previous ones went. The ledger accepts any unique nonce (docs/AUTH.md §1).
 */
export function timeOrderedHex(timestamp: number, random: Uint8Array): string {
  return Math.max(0, Math.trunc(timestamp)).toString(16).padStart(12, '0').slice(-12) + bytesToHex(random);
}

export function createStatementSigner(options: StatementSignerOptions): StatementSigner {
  const publicKey = publicKeyFromSeed(options.seed);
  const keyId = actorKeyId(publicKey);
  const clock = options.clock ?? Date.now;
  const random = options.randomBytes ?? defaultRandom;
  return {
    actorId: options.actorId,
    keyId,
    publicKey,
    sign(action, payload, signOptions = {}) {
      assertJsonValue(payload, ['payload']);
      const timestamp = clock();
      const statement: Statement = {
        v: STATEMENT_VERSION,
        origin: options.origin,
        actor: options.actorId,
        keyId,
        action,
        payload,
        timestamp,
        nonce: timeOrderedHex(timestamp, random(10)),
        idempotencyKey: signOptions.idempotencyKey ?? `idem-${timeOrderedHex(timestamp, random(8))}`,
      };
      if (options.signBytes === undefined) return signStatement(statement, options.seed);
      return { statement, signature: encodeBase64(options.signBytes(statementSigningBytes(statement), options.seed)) };
    },
  };
}
