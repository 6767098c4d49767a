/**
 * A bounded cache for a rule set's lookups that depend on the knowledge base alone (what a drug
 * name denotes, what an allergy term names, what two ingredients do together), so a check pays
 * for each once per rule set instead of once per check.
 *
 * Callers MUST only store a value that is a function of the key (given the rule set), and MUST
 * treat stored values as immutable, since every later check shares them: then a hit and a miss
 * give the same findings, and the engine stays a pure function of its input. The bound keeps
 * memory flat however many distinct keys unusual or hostile inputs bring; past it the oldest
 * entry is dropped (insertion order), which costs a recomputation, never a different result.
 */
export interface BoundedCache<K, V extends object> {
  get(key: K): V | undefined;
  /** Stores and returns `value`. */
  set(key: K, value: V): V;
  readonly size: number;
}

export function boundedCache<K, V extends object>(limit: number): BoundedCache<K, V> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`cache limit must be a positive integer, got ${limit}`);
  const entries = new Map<K, V>();
  return {
    get: (key) => entries.get(key),
    set(key, value) {
      if (entries.size >= limit && !entries.has(key)) entries.delete(entries.keys().next().value as K);
      entries.set(key, value);
      return value;
    },
    get size() {
      return entries.size;
    },
  };
}
