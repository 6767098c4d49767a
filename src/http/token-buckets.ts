/**
 * Token buckets by key (an actor id, a client address), in bounded memory. A bucket holds up to
 * `burst` tokens and refills at `perSecond`; a request may go ahead while its key holds a whole
 * token, and is charged one when its outcome is known.
 *
 * Charging after the fact means that requests admitted together (all in flight before any was
 * charged) can take a bucket below zero. The debt is repaid by waiting, so the long-run rate still
 * holds; it is floored at `-burst` so that one pathological spike cannot lock a key out for long.
 *
 * Memory: a bucket that has refilled to `burst` says nothing a missing one would not, so it is
 * dropped. The map is kept in least-recently-charged order; each charge drops full buckets from
 * the old end, and past `maxKeys` the oldest are dropped whatever their level (which hands those
 * keys a fresh burst: the bound on memory wins over the bound on rate, see docs/SECURITY.md).
 *
 * Time is an injected monotonic clock in milliseconds.
 */

export interface TokenBucketPolicy {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Most tokens a bucket holds: the requests a quiet key may send at once. */
  readonly burst: number;
}

export interface TokenBuckets {
  /** Seconds until `key` holds a whole token; 0 when a request may go ahead now. */
  waitSeconds(key: string): number;
  /** Charges `key` one token (possibly into debt, see above). */
  take(key: string): void;
  /** Buckets held: keys that have spent tokens they have not yet regained. */
  readonly size: number;
}

export interface TokenBucketOptions {
  /** Most buckets held at once. */
  readonly maxKeys: number;
  /** Monotonic milliseconds. */
  readonly clock: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Full buckets dropped from the old end per charge: enough to keep pace with one new key per charge. */
const SWEEP_PER_TAKE = 2;

export function createTokenBuckets(policy: TokenBucketPolicy, options: TokenBucketOptions): TokenBuckets {
  if (!(policy.perSecond > 0) || !Number.isFinite(policy.perSecond)) throw new RangeError('perSecond must be a positive number');
  if (!Number.isSafeInteger(policy.burst) || policy.burst < 1) throw new RangeError('burst must be a positive integer');
  if (!Number.isSafeInteger(options.maxKeys) || options.maxKeys < 1) throw new RangeError('maxKeys must be a positive integer');
  const { burst, perSecond } = policy;
  const perMs = perSecond / 1000;
  const buckets = new Map<string, Bucket>();
  const level = (b: Bucket | undefined, now: number): number => (b === undefined ? burst : Math.min(burst, b.tokens + Math.max(0, now - b.at) * perMs));

  return {
    waitSeconds(key) {
      const tokens = level(buckets.get(key), options.clock());
      return tokens >= 1 ? 0 : (1 - tokens) / perSecond;
    },
    take(key) {
      const now = options.clock();
      const b = buckets.get(key);
      const tokens = Math.max(-burst, level(b, now) - 1);
      // Re-inserted, so the map stays in least-recently-charged order.
      buckets.delete(key);
      buckets.set(key, { tokens, at: now });
      let swept = 0;
      for (const [oldKey, old] of buckets) {
        if (swept >= SWEEP_PER_TAKE || oldKey === key || level(old, now) < burst) break;
        buckets.delete(oldKey);
        swept++;
      }
      while (buckets.size > options.maxKeys) {
        const oldest = buckets.keys().next().value as string;
        buckets.delete(oldest);
      }
    },
    get size() {
      return buckets.size;
    },
  };
}
