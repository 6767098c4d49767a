/**
 * Authenticates reads of entry content (RFC 9421 profile, src/core/http-signature.ts): the key
 * must be registered, valid now and unrevoked, its actor active, the signature fresh (created
 * within the window) and its nonce unseen within that window. Read nonces are kept in memory for
 * two windows; the service saves those still remembered when it stops and hands them back when it
 * starts (src/store/read-nonce-store.ts), so a graceful restart does not open a read captured
 * shortly before it to one more replay. After a stop that saved nothing (a crash), the start does
 * not know which reads were answered before it, so it refuses every read signed before it
 * (`signedFrom`): their signers sign again, and a captured one cannot be replayed. A read signed
 * by a clock running ahead of ours carries a `created` the start may not have reached yet: before
 * answering one, the authenticator has its key's latest such `created` written down
 * (`aheadReads`), and after a crash it refuses a key's reads up to what was written for it.
 */
import type { FastifyRequest } from 'fastify';
import { RxError } from '../core/errors.js';
import { parseReadSignature, readSignatureBase } from '../core/http-signature.js';
import { activeActor, verifyKeyValidAt, type ActorRecord, type RegistryView, type SignatureCheck } from '../domain/registry/registry-rules.js';

export interface ReadAuthenticator {
  authenticate(request: FastifyRequest): ActorRecord;
}

export interface ReadSignatureAuthenticator extends ReadAuthenticator {
  /** How many read nonces are remembered now (the last two windows' worth). */
  rememberedNonces(): number;
  /** The nonces remembered now (`keyId\nnonce`) and until when, earliest first: what a restart must keep. */
  spentNonces(): Array<readonly [nonceKey: string, until: number]>;
}

export interface ReadAuthOptions {
  readonly registry: RegistryView;
  readonly verifySignature: SignatureCheck;
  readonly windowMs: number;
  readonly clock?: () => number;
  /** Nonces a previous process remembered (`spentNonces`), still refused until their time. */
  readonly remembered?: Iterable<readonly [nonceKey: string, until: number]>;
  /**
   * Reads whose `created` (whole seconds) is before this instant (ms) are refused as not fresh:
   * the service's start, when the last process handed over no nonces. A read it answered was
   * signed before it stopped, hence before this start, unless its signer's clock ran ahead.
   */
  readonly signedFrom?: number;
  /** Reads signed ahead of this clock: what was recorded of them, and where to record more. */
  readonly aheadReads?: AheadReads;
}

/**
 * A read whose `created` is after the moment it arrives was signed by a clock running ahead, and a
 * crash that followed would not cover it with `signedFrom`. Its key's latest such `created`
 * (whole seconds) is recorded, durably, before the read is answered; after a crash the start
 * refuses each recorded key's reads up to that second.
 */
export interface AheadReads {
  /** By key id, the latest `created` recorded, still within the window (read-nonce-store.ts). */
  readonly recorded: ReadonlyMap<string, number>;
  /** After a crash: refuse every read of a recorded key whose `created` is not after its record. */
  readonly refuseRecorded: boolean;
  /** Records `created` for `keyId` (never lowering what is recorded); throws if it cannot. */
  record(keyId: string, created: number): void;
}

export function createReadAuthenticator(options: ReadAuthOptions): ReadSignatureAuthenticator {
  const clock = options.clock ?? Date.now;
  // nonce -> when it may be forgotten. Every nonce is (re)inserted with the same lifetime, so the
  // map's insertion order is the order of forgetting: expired nonces are dropped from the front on
  // every read, and the map holds only the nonces of the last two windows. (It once pruned only
  // past 100,000 entries: memory rose for an hour at a steady load, as the soak campaign saw.)
  const seen = new Map<string, number>();
  for (const [nonceKey, until] of [...(options.remembered ?? [])].sort((a, b) => a[1] - b[1])) seen.set(nonceKey, until);
  const ahead = options.aheadReads;
  // Per key, the latest `created` recorded ahead of this clock: only a later one is written again.
  const aheadRecorded = new Map(ahead?.recorded ?? []);
  const refusedUpTo = ahead?.refuseRecorded === true ? new Map(ahead.recorded) : undefined;
  const forgetExpired = (now: number) => {
    for (const [nonce, until] of seen) {
      if (until >= now) return;
      seen.delete(nonce);
    }
  };
  const header = (request: FastifyRequest, name: string): string | undefined => {
    const v = request.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  return {
    authenticate(request) {
      const { params, signature } = parseReadSignature(header(request, 'signature-input'), header(request, 'signature'));
      const now = clock();
      if (Math.abs(now - params.created * 1000) > options.windowMs) {
        throw new RxError('AUTH_TIMESTAMP_OUT_OF_WINDOW', 'the signature is not fresh', { paths: ['headers.signature-input'] });
      }
      // A read the crashed process may have answered: signed before this start, or recorded ahead.
      if ((options.signedFrom !== undefined && params.created * 1000 < options.signedFrom) || params.created <= (refusedUpTo?.get(params.keyId) ?? -Infinity)) {
        throw new RxError('AUTH_TIMESTAMP_OUT_OF_WINDOW', 'signed before the service restarted: sign the read again', { paths: ['headers.signature-input'] });
      }
      const key = options.registry.key(params.keyId);
      if (key === undefined) throw new RxError('AUTH_KEY_UNKNOWN', 'no such key', { paths: ['headers.signature-input'] });
      const q = request.url.indexOf('?');
      const target = { method: request.method, path: q < 0 ? request.url : request.url.slice(0, q), query: q < 0 ? '?' : request.url.slice(q) };
      if (!options.verifySignature(signature, readSignatureBase(target, params), key.publicKey)) {
        throw new RxError('AUTH_SIGNATURE_INVALID', 'the signature does not verify over this request', { paths: ['headers.signature'] });
      }
      // The same standing rules as a signed write (src/domain/registry/registry-rules.ts).
      verifyKeyValidAt(key, now, 'headers.signature-input');
      const actor = activeActor(options.registry, key.actorId, 'headers.signature-input');
      forgetExpired(now);
      const nonceKey = `${key.keyId}\n${params.nonce}`;
      if ((seen.get(nonceKey) ?? -1) >= now) throw new RxError('AUTH_NONCE_REUSED', 'this nonce was already used', { paths: ['headers.signature-input'] });
      if (ahead !== undefined && params.created * 1000 > now && params.created > (aheadRecorded.get(key.keyId) ?? -Infinity)) {
        // Written down before the read is answered (or refused, if it cannot be): a crash from
        // here on leaves the next start knowing this read may have been answered.
        ahead.record(key.keyId, params.created);
        aheadRecorded.set(key.keyId, params.created);
      }
      seen.delete(nonceKey); // re-inserted at the end, keeping the order of forgetting
      seen.set(nonceKey, now + 2 * options.windowMs);
      return actor;
    },
    rememberedNonces: () => seen.size,
    spentNonces() {
      forgetExpired(clock());
      return [...seen];
    },
  };
}
