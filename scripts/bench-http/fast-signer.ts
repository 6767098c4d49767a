/**
 * The client SDK's statement signer (`createStatementSigner`) with OpenSSL through `node:crypto`
 * as its `signBytes`, instead of the pure-JS reference, which signs only about 350 statements a
 * second here: too slow to pre-sign tens of thousands of requests before a run.
 *
 * Ed25519 signatures are deterministic (RFC 8032 §5.1.6), so both produce the same bytes; the
 * first statement each signer signs is also signed by the SDK's `signStatement` and compared, so a
 * divergence stops the benchmark instead of measuring refusals.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { signStatement, statementSigningBytes, type SignedStatement } from '../../src/core/statement.js';
import { createStatementSigner } from '../../src/client/statement-signer.js';
import { createReadSigner, type ReadSigner } from '../../src/client/read-signer.js';
import { equalBytes } from '../../src/core/bytes.js';
import { signEd25519 } from '../../src/core/ed25519.js';

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

/**
 * OpenSSL's Ed25519 over a raw 32-byte seed, in the SDK's `signBytes` shape: the one native signer
 * the benchmarks and campaigns share (deterministic, so the same bytes as the SDK's pure-JS one).
 */
export function opensslSignBytes(seed: Uint8Array): (message: Uint8Array) => Uint8Array {
  const privateKey: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return (message) => sign(null, message, privateKey);
}

export function createFastSigner(options: FastSignerOptions): FastSigner {
  const signer = createStatementSigner({ ...options, signBytes: opensslSignBytes(options.seed) });
  let checked = false;
  return {
    actorId: signer.actorId,
    keyId: signer.keyId,
    publicKey: signer.publicKey,
    sign(action, payload) {
      const signed = signer.sign(action, payload);
      if (!checked) {
        if (signStatement(signed.statement, options.seed).signature !== signed.signature) throw new Error('node:crypto and the SDK disagree on an Ed25519 signature');
        checked = true;
      }
      return { signed, signingBytes: statementSigningBytes(signed.statement) };
    },
  };
}

/**
 * The SDK's read signer (`createReadSigner`) with OpenSSL's Ed25519: the same headers, byte for
 * byte. Its first signature is compared with the pure-JS reference's over the same bytes, so a
 * divergence stops the run instead of measuring refusals.
 */
export function createFastReadSigner(seed: Uint8Array, randomBytes: (n: number) => Uint8Array, clock: () => number = Date.now): ReadSigner {
  const openssl = opensslSignBytes(seed);
  let checked = false;
  const signBytes = (message: Uint8Array): Uint8Array => {
    const signature = openssl(message);
    if (!checked) {
      if (!equalBytes(signature, signEd25519(message, seed))) throw new Error('node:crypto and the SDK disagree on a read signature');
      checked = true;
    }
    return signature;
  };
  return createReadSigner({ seed, clock, randomBytes, signBytes });
}
