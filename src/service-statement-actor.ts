/** Whose write budget a signed statement over the rate limit counts against (src/http/rate-limit.ts). */
import type { Config } from './config.js';
import { SignedStatementSchema, type SignedStatement } from './core/statement.js';
import { verifyKeyValidAt, verifyStatementSignature, type RegistryView, type SignatureCheck } from './domain/registry/registry-rules.js';

/**
 * Verifies a statement body's signature against the registry as it stands (origin, key known,
 * signature, key owned by the named actor, key unrevoked and valid now) and returns that actor.
 * Used only to decide whose rate limit a write over budget counts against; the ledger judges the
 * statement in full when it is sequenced.
 */
export function statementActorVerifier(registry: RegistryView, config: Config, verifySignature: SignatureCheck, clock: () => number): (body: unknown) => string | undefined {
  return (body) => {
    const parsed = SignedStatementSchema.safeParse(body);
    if (!parsed.success) return undefined;
    const time = clock();
    try {
      const key = verifyStatementSignature(registry, parsed.data as SignedStatement, { origin: config.logOrigin, index: -1, time, timestampWindowMs: config.authTimestampWindowMs, verifySignature });
      verifyKeyValidAt(key, time, 'body.statement.keyId');
      return key.actorId;
    } catch {
      return undefined;
    }
  };
}
