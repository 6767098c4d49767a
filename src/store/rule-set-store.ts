/**
 * Rule-set bundles by hash and the log's activations of them. The bundles are content, not
 * derived state: the service stores its knowledge base's bundle before the entry that activates
 * it, and `GET /v1/rulesets/{hash}` serves them. The activations are derived state, written in the
 * commit transaction of the `ledger.rule-set` entry like every other projection.
 *
 * The active rule set is kept in memory once read (read-cache.ts): a store's answers stay exact
 * only while activations are applied through that same store, as the ledger's are. A store on
 * another connection (the oversight worker's) reads bundles only.
 */
import type { RuleSetMutation, RuleSetView } from '../domain/checker/rule-set-activation.js';
import type { CheckPolicy } from '../domain/prescription/checker.js';
import type { SqliteDatabase } from './database.js';
import { createReadCache } from './read-cache.js';

export interface RuleSetStore extends RuleSetView {
  /** Stores a bundle's bytes under its hash (the caller computed the hash from the bytes). */
  putBundle(hash: string, bytes: Uint8Array): void;
  bundle(hash: string): Uint8Array | undefined;
  apply(mutation: RuleSetMutation): void;
}

export function createRuleSetStore(db: SqliteDatabase): RuleSetStore {
  const q = {
    put: db.prepare<[string, Uint8Array]>('INSERT INTO rule_set_bundles (hash, bytes) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING'),
    get: db.prepare<[string], { bytes: Buffer }>('SELECT bytes FROM rule_set_bundles WHERE hash = ?'),
    active: db.prepare<[], { hash: string; policy: string }>('SELECT hash, policy FROM rule_set_activations ORDER BY idx DESC LIMIT 1'),
    activate: db.prepare<[number, string, string]>('INSERT INTO rule_set_activations (idx, hash, policy) VALUES (?, ?, ?)'),
  };
  // Every check reads the active rule set; only an activation changes it (read-cache.ts).
  const cache = createReadCache<'active'>(db);
  const active = cache.reader('active', () => {
    const row = q.active.get();
    return row === undefined ? undefined : { hash: row.hash, policy: JSON.parse(row.policy) as CheckPolicy };
  });
  return {
    putBundle: (hash, bytes) => void q.put.run(hash, bytes),
    bundle: (hash) => {
      const row = q.get.get(hash);
      return row === undefined ? undefined : new Uint8Array(row.bytes);
    },
    activeRuleSet: () => active(''),
    apply: (m) => {
      cache.written('active', '');
      q.activate.run(m.index, m.hash, JSON.stringify(m.policy));
    },
  };
}
