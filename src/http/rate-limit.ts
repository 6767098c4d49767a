/**
 * Rate limits (docs/SECURITY.md §"Rate limits"): token buckets per verified actor — one for
 * writes (signed statements, patient identification), one for signed reads (including dry-run
 * checks and CDS Hooks calls, which authenticate like reads) — and one per client address for
 * everything that is not a verified actor's: unauthenticated requests and requests whose
 * authentication failed.
 *
 * The rule that makes the limits safe to key by actor: **an actor's bucket is charged only for
 * requests whose signature verified** under a key of that actor, and only when authentication
 * passed entirely (not revoked, inside its window, fresh, nonce unspent). A forger can name any
 * actor but cannot spend that actor's budget: forged, stale, replayed and revoked-key requests are
 * charged to the sender's address instead, and an address that has spent its budget is refused
 * before anything of its requests is parsed or verified.
 *
 *   - Every request: refused `429 RATE_LIMITED` at once if its address has no token (never from
 *     an exempt gateway, `exemptAddresses`, which the address limit neither refuses nor charges).
 *   - Signed reads: the read authenticator is wrapped (`guardReads`). After it verifies the
 *     request, the actor's read bucket is checked and charged; a refusal then is charged to the
 *     address too. Any authentication failure is charged to the address.
 *   - Signed writes are authenticated by the ledger when the entry is sequenced, so they are
 *     charged by outcome when answered: a new entry (201) and a refusal that only an
 *     authenticated statement can reach (`RX_*`, `REGISTRY_*`, `AUTH_ROLE_FORBIDDEN`,
 *     `IDEMPOTENCY_KEY_CONFLICT`: docs/AUTH.md §2 judges them after authentication) to the actor;
 *     an identical retry (200, which anyone holding a copy can send), a malformed or
 *     unauthenticated statement to the address; a server failure (5xx) to nobody. Before the
 *     write runs, if the actor it names has no token, its signature is verified here
 *     (`verifyStatementActor`): only if it is that actor's is the write refused as the actor's;
 *     a forgery goes on to be refused (and charged) as any forgery is.
 *   - Everything else (public reads, unknown routes, URLs the router cannot decode) is charged to
 *     the address.
 *
 * Charging on the answer, not on arrival, lets requests in flight together all pass before any is
 * charged; the bucket then goes into debt and later requests wait it off (src/http/token-buckets.ts).
 * A policy with `perSecond` 0 is off.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BlockList, isIPv4 } from 'node:net';
import { RxError, type ErrorCode } from '../core/errors.js';
import { clientAddressKey } from './client-address.js';
import { toErrorBody } from './error-handler.js';
import type { ReadAuthenticator } from './read-auth.js';
import { createTokenBuckets, type TokenBucketPolicy, type TokenBuckets } from './token-buckets.js';

export interface RateLimitSettings {
  /** Per actor: signed statements and patient identifications. */
  readonly writes: TokenBucketPolicy;
  /** Per actor: signed reads, dry-run checks and CDS Hooks calls. */
  readonly reads: TokenBucketPolicy;
  /** Per client address (IPv6: per /64): unauthenticated requests and failed authentications. */
  readonly addresses: TokenBucketPolicy;
  /** Most buckets each of the three keeps (memory bound). */
  readonly maxTrackedKeys: number;
  /**
   * Client addresses and CIDR blocks the per-address limit never refuses or charges: gateways that
   * many institutions' systems share (a hospital's NAT), where one broken client would otherwise
   * cut the others off. Their actors' own limits still apply. Default: none.
   */
  readonly exemptAddresses?: readonly string[];
}

export interface RateLimitOptions {
  readonly settings: RateLimitSettings;
  /** Monotonic milliseconds; default performance.now. Never the ledger's clock: limits are about wall time. */
  readonly clock?: () => number;
  /**
   * The actor whose registered, unrevoked key signed this statement body, or undefined (not a
   * statement, unknown key, bad signature). Consulted only for a write whose named actor has no
   * token; without it such writes are let through and charged after the fact.
   */
  readonly verifyStatementActor?: (body: unknown) => string | undefined;
}

export interface RateLimits {
  /** The read authenticator with the read limits applied: use it for every signed route. */
  guardReads(inner: ReadAuthenticator): ReadAuthenticator;
  /**
   * For a request answered without the request hooks (the router's refusal of a URL it cannot
   * decode, Fastify's `frameworkErrors`): charges its address and returns 0, or returns the
   * seconds to wait if the address has no token (answer it with `answerRateLimited`).
   */
  chargeUnrouted(request: FastifyRequest): number;
}

/** Routes whose body is a signed statement, judged by outcome (see above). */
export const WRITE_ROUTES: ReadonlySet<string> = new Set(['POST /v1/statements', 'POST /v1/patients']);

/** Refusals that only a statement which passed authentication can get (docs/AUTH.md §2, steps 2, 5, 6). */
export function isPostAuthenticationRefusal(code: ErrorCode | undefined): boolean {
  return code !== undefined && (code.startsWith('RX_') || code.startsWith('REGISTRY_') || code === 'AUTH_ROLE_FORBIDDEN' || code === 'IDEMPOTENCY_KEY_CONFLICT');
}

interface GateState {
  readonly address: string;
  /** The per-address buckets this request answers to: none (OFF) from an exempt address. */
  readonly addresses: TokenBuckets;
  /** Answered by the gate itself, or already charged: charge nothing more. */
  settled: boolean;
  /** Seconds a 429 thrown later should advertise. */
  retryAfter?: number;
  /** The RxError code the request failed with, if any. */
  errorCode?: ErrorCode;
}

const OFF: TokenBuckets = { waitSeconds: () => 0, take: () => undefined, size: 0 };

const retryAfterHeader = (seconds: number): string => String(Math.max(1, Math.ceil(seconds)));

function rateLimited(): RxError {
  return new RxError('RATE_LIMITED', 'too many requests; retry after the time in Retry-After');
}

/** Answers `429 RATE_LIMITED` with `Retry-After`. */
export function answerRateLimited(reply: FastifyReply, seconds: number): FastifyReply {
  const { status, body } = toErrorBody(rateLimited());
  return reply.status(status).header('retry-after', retryAfterHeader(seconds)).send(body);
}

/** Whether a client address is in `exempt` (addresses and CIDR blocks, validated by the configuration). */
export function addressExemption(exempt: readonly string[]): (ip: string) => boolean {
  if (exempt.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of exempt) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  // BlockList matches the IPv4-mapped form of an IPv4 client (a dual-stack socket) against IPv4
  // rules, and an IPv4 client against IPv4-mapped rules.
  return (ip) => {
    try {
      return list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
    } catch {
      return false; // not an address (a misconfigured proxy header): never exempt
    }
  };
}

/** The actor a body names as `statement.actor`, unverified: only ever used to pick whose token to look at. */
function namedActor(body: unknown): string | undefined {
  const actor = (body as { statement?: { actor?: unknown } } | null | undefined)?.statement?.actor;
  return typeof actor === 'string' ? actor : undefined;
}

export function installRateLimits(app: FastifyInstance, options: RateLimitOptions): RateLimits {
  const clock = options.clock ?? (() => performance.now());
  const { settings } = options;
  const buckets = (policy: TokenBucketPolicy): TokenBuckets => (policy.perSecond > 0 ? createTokenBuckets(policy, { maxKeys: settings.maxTrackedKeys, clock }) : OFF);
  const writes = buckets(settings.writes);
  const reads = buckets(settings.reads);
  const limited = buckets(settings.addresses);
  const isExempt = addressExemption(settings.exemptAddresses ?? []);
  const addressBuckets = (ip: string): TokenBuckets => (isExempt(ip) ? OFF : limited);
  const states = new WeakMap<FastifyRequest, GateState>();

  const routeOf = (request: FastifyRequest): string => `${request.method} ${request.routeOptions.url ?? ''}`;

  app.addHook('onRequest', (request, reply, done) => {
    const state: GateState = { address: clientAddressKey(request.ip), addresses: addressBuckets(request.ip), settled: false };
    states.set(request, state);
    const wait = state.addresses.waitSeconds(state.address);
    if (wait > 0) {
      state.settled = true;
      answerRateLimited(reply, wait);
      return;
    }
    done();
  });

  app.addHook('preHandler', (request, reply, done) => {
    const state = states.get(request);
    if (state === undefined || !WRITE_ROUTES.has(routeOf(request))) return done();
    const actor = namedActor(request.body);
    if (actor === undefined) return done();
    const wait = writes.waitSeconds(actor);
    if (wait > 0 && options.verifyStatementActor?.(request.body) === actor) {
      // That actor's own write, over its budget. The verification it cost is the address's.
      state.settled = true;
      state.addresses.take(state.address);
      answerRateLimited(reply, wait);
      return;
    }
    done();
  });

  app.addHook('onError', (request, _reply, err, done) => {
    const state = states.get(request);
    if (state !== undefined && err instanceof RxError) state.errorCode = err.code;
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const state = states.get(request);
    if (state === undefined) return done(null, payload);
    if (reply.statusCode === 429 && state.retryAfter !== undefined) reply.header('retry-after', retryAfterHeader(state.retryAfter));
    if (state.settled) return done(null, payload);
    state.settled = true;
    const status = reply.statusCode;
    if (status >= 500) return done(null, payload);
    if (WRITE_ROUTES.has(routeOf(request))) {
      const actor = namedActor(request.body);
      if (actor !== undefined && (status === 201 || (status >= 400 && isPostAuthenticationRefusal(state.errorCode)))) writes.take(actor);
      else state.addresses.take(state.address);
    } else {
      state.addresses.take(state.address);
    }
    done(null, payload);
  });

  return {
    chargeUnrouted(request) {
      const address = clientAddressKey(request.ip);
      const addresses = addressBuckets(request.ip);
      const wait = addresses.waitSeconds(address);
      if (wait === 0) addresses.take(address);
      return wait;
    },
    guardReads(inner) {
      return {
        authenticate(request) {
          const state = states.get(request);
          let actor;
          try {
            actor = inner.authenticate(request);
          } catch (err) {
            if (state !== undefined && !state.settled) {
              state.settled = true;
              state.addresses.take(state.address);
            }
            throw err;
          }
          if (state === undefined || state.settled) return actor;
          state.settled = true;
          const wait = reads.waitSeconds(actor.actorId);
          if (wait > 0) {
            state.addresses.take(state.address);
            state.retryAfter = wait;
            throw rateLimited();
          }
          reads.take(actor.actorId);
          return actor;
        },
      };
    },
  };
}
