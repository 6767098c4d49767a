/**
 * What the benchmark scripts (and seeded test inputs) share: a seeded PRNG, so the same seed gives
 * the same inputs on every machine, and the explicit GC the memory figures need.
 */

/** mulberry32: a small, fast 32-bit seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `globalThis.gc`, or a function that says how to get it when the script was not started with it. */
export function requireGc(script: string): () => void {
  const gc = globalThis.gc;
  if (typeof gc === 'function') return gc as () => void;
  return () => {
    throw new Error(`run with node --expose-gc (npm run ${script} does)`);
  };
}
