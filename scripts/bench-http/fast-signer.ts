/**
 * Signs statements exactly as the client SDK does (`createStatementSigner` in
 * src/client/statement-signer.ts: same fields, same canonical signing bytes), but with OpenSSL
 * through `node:crypto` instead of the pure-JS reference, which signs only about 350 statements a
 * second here: too slow to pre-sign tens of thousands of requests before a run.
 *
 * Ed25519 signatures are deterministic (RFC 8032 §5.1.6), so both produce the same bytes; the
 * first statement each signer signs is also signed by the SDK's `signStatement` and compared, so a
 * divergence stops the benchmark instead of measuring refusals.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { bytesToHex, encodeBase64 } from '../../src/core/bytes.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import { actorKeyId, signStatement, statementSigningBytes, STATEMENT_VERSION, type SignedStatement, type Statement } from '../../src/core/statement.js';

/** DER prefix of an Ed25519 PKCS #8 private key (RFC 8410 §7); the 32-byte seed follows. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface FastSignerOptions {
  readonly origin: string;
  readonly actorId: string;
  readonly seed: Uint8Array;
  readonly clock?: () => number;
}

export interface SignedRequest {
  readonly signed: SignedStatement;
  /** `statementSigningBytes(signed.statement)`: what the signature covers. */
  readonly signingBytes: Uint8Array;
}

export interface FastSigner {
  readonly actorId: string;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  sign(action: string, payload: JsonObject): SignedRequest;
}

const randomHex = (n: number): string => bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(n)));

export function createFastSigner(options: FastSignerOptions): FastSigner {
  const publicKey = publicKeyFromSeed(options.seed);
  const keyId = actorKeyId(publicKey);
  const clock = options.clock ?? Date.now;
  const privateKey: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, options.seed]), format: 'der', type: 'pkcs8' });
  let checked = false;
  return {
    actorId: options.actorId,
    keyId,
    publicKey,
    sign(action, payload) {
      const statement: Statement = {
        v: STATEMENT_VERSION,
        origin: options.origin,
        actor: options.actorId,
        keyId,
        action,
        payload,
        timestamp: clock(),
        nonce: randomHex(16),
        idempotencyKey: `idem-${randomHex(12)}`,
      };
      const signingBytes = statementSigningBytes(statement);
      const signature = encodeBase64(sign(null, signingBytes, privateKey));
      if (!checked) {
        if (signStatement(statement, options.seed).signature !== signature) throw new Error('node:crypto and the SDK disagree on an Ed25519 signature');
        checked = true;
      }
      return { signed: { statement, signature }, signingBytes };
    },
  };
}
