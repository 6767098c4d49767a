/**
 * Signed reads at start-up: what this process may take over from the last one (the read nonces it
 * handed over at a graceful stop, the reads it recorded as signed ahead of its clock) and, after a
 * crash, the instant before which every read is refused, because the crashed process may have
 * answered it (docs/AUTH.md §3, docs/SECURITY.md, replay).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger as PinoLogger } from 'pino';
import type { Config } from './config.js';
import type { RegistryView, SignatureCheck } from './domain/registry/registry-rules.js';
import { createReadAuthenticator, type AheadReads, type ReadSignatureAuthenticator } from './http/read-auth.js';
import type { ReadNonceStore } from './store/read-nonce-store.js';

export interface ReadAuthenticationStart {
  readonly config: Pick<Config, 'authTimestampWindowMs'>;
  readonly registry: RegistryView;
  readonly verifySignature: SignatureCheck;
  readonly readNonces: ReadNonceStore;
  /** This start made the genesis operator: no key was registered before it. */
  readonly firstStart: boolean;
  readonly logger: PinoLogger;
  readonly clock?: () => number;
}

/** The read authenticator of a starting service; after a crash, resolves only once its first second has begun. */
export async function openReadAuthentication(start: ReadAuthenticationStart): Promise<ReadSignatureAuthenticator> {
  const { config, registry, verifySignature, readNonces } = start;
  const clock = start.clock ?? Date.now;
  // The read nonces the last process remembered when it stopped: a read captured just before the
  // restart is not new to this one (read-nonce-store.ts). A process that saved none (it crashed)
  // may have answered any read signed before this start, so none of them is taken. Not at the
  // first start: no key was registered before it.
  const startedAt = clock();
  const handover = readNonces.take(startedAt);
  const signedFrom = handover.handedOver || start.firstStart ? undefined : startedAt;
  if (signedFrom !== undefined) {
    start.logger.warn('the last process did not hand over its read nonces (it crashed, or predates the handover): reads signed before this start are refused');
    await untilNextSecond(signedFrom);
  }
  // Reads signed by clocks running ahead, recorded per key before they were answered: after a
  // crash, `signedFrom` does not cover those, so each key's are refused up to its record.
  const aheadReads: AheadReads = {
    recorded: readNonces.aheadHorizons(startedAt, config.authTimestampWindowMs),
    refuseRecorded: signedFrom !== undefined,
    record: (keyId, created) => readNonces.recordAhead(keyId, created),
  };
  return createReadAuthenticator({
    registry,
    verifySignature,
    windowMs: config.authTimestampWindowMs,
    remembered: handover.nonces,
    aheadReads,
    ...(signedFrom === undefined ? {} : { signedFrom }),
    ...(start.clock ? { clock: start.clock } : {}),
  });
}

/**
 * Waits out the rest of `instant`'s second. A signed read's `created` counts whole seconds, so one
 * created in the second of `signedFrom` could predate it and is refused (read-auth.ts): listening
 * from the next second on, the service takes every read signed once it answers.
 */
async function untilNextSecond(instant: number): Promise<void> {
  const rest = (1000 - (instant % 1000)) % 1000;
  if (rest > 0) await sleep(rest);
}
