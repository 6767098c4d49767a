/**
 * The service's own Ed25519 verifier (node:crypto, src/platform/node-ed25519.ts) as a
 * SignatureCheck, for tests that verify many signatures without testing the verifier itself: the
 * pure-JS reference (src/core/ed25519.ts, isValidEd25519) takes about 2 ms per signature.
 */
import type { SignatureCheck } from '../../src/domain/registry/registry-rules.js';
import { createNodeEd25519Verifier } from '../../src/platform/node-ed25519.js';

const verifier = createNodeEd25519Verifier();

export const nodeVerifySignature: SignatureCheck = (signature, message, publicKey) => verifier.verify(signature, message, publicKey);
