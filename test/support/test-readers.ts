/**
 * Registered readers for HTTP tests that use createApp directly: a regulator (reads everything)
 * and a prescriber (reads what concerns them), in an in-memory registry, with the real read
 * authenticator and signer.
 */
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import { nodeVerifySignature } from './node-signatures.js';
import { actorKeyId } from '../../src/core/statement.js';
import { createReadSigner, type ReadSigner } from '../../src/client/read-signer.js';
import { MemoryRegistry } from '../../src/domain/registry/memory-registry.js';
import { createReadAuthenticator, type ReadAuthenticator } from '../../src/http/read-auth.js';

export interface TestReaders {
  readonly registry: MemoryRegistry;
  readonly readAuth: ReadAuthenticator;
  readonly regulator: ReadSigner;
  readonly prescriber: ReadSigner;
}

export function testReaders(): TestReaders {
  const registry = new MemoryRegistry();
  const actors = [
    { actorId: 'reg-auditor', role: 'regulator' as const, institutionId: 'reg-province', seed: new Uint8Array(32).fill(60) },
    { actorId: 'dr-test', role: 'prescriber' as const, institutionId: 'hosp-t', seed: new Uint8Array(32).fill(61) },
  ];
  for (const a of actors) {
    const publicKey = publicKeyFromSeed(a.seed);
    registry.apply([
      { kind: 'actor', record: { actorId: a.actorId, role: a.role, institutionId: a.institutionId, region: '370000', privileges: null, suspended: false } },
      { kind: 'key', record: { keyId: actorKeyId(publicKey), actorId: a.actorId, publicKey, notBefore: 0, notAfter: null, revokedAt: null } },
    ]);
  }
  return {
    registry,
    readAuth: createReadAuthenticator({ registry, verifySignature: nodeVerifySignature, windowMs: 300_000 }),
    regulator: createReadSigner({ seed: actors[0]!.seed }),
    prescriber: createReadSigner({ seed: actors[1]!.seed }),
  };
}
