/**
 * The rule-set store on a real database: bundles by hash, and the active rule set, which is read
 * through the read cache (read-cache.ts): an activation is seen at once, one rolled back never.
 */
import t from 'tap';
import { join } from 'node:path';
import { DEFAULT_CHECK_POLICY } from '../../src/domain/prescription/checker.js';
import { openDatabase } from '../../src/store/database.js';
import { createRuleSetStore } from '../../src/store/rule-set-store.js';
import { testdirWithStops } from '../support/testdir.js';

const STRICT = { ...DEFAULT_CHECK_POLICY, major: 'block' } as const;

t.test('bundles are stored once by hash and read back byte for byte', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const db = openDatabase(join(dir, 'rules.sqlite'));
  stopBeforeRemoval(() => db.close());
  const store = createRuleSetStore(db);
  t.equal(store.bundle('a'.repeat(64)), undefined);
  store.putBundle('a'.repeat(64), new Uint8Array([1, 2, 3]));
  store.putBundle('a'.repeat(64), new Uint8Array([9]));
  t.same(store.bundle('a'.repeat(64)), new Uint8Array([1, 2, 3]), 'the first bytes stored under a hash stay');
});

t.test('the active rule set: none, then each activation at once, and never one rolled back', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const db = openDatabase(join(dir, 'rules.sqlite'));
  stopBeforeRemoval(() => db.close());
  const store = createRuleSetStore(db);
  t.equal(store.activeRuleSet(), undefined, 'no activation yet');
  db.transaction(() => {
    store.apply({ kind: 'rule-set', index: 3, hash: 'a'.repeat(64), policy: DEFAULT_CHECK_POLICY });
    t.equal(store.activeRuleSet()?.hash, 'a'.repeat(64), 'inside its transaction');
  })();
  t.same(store.activeRuleSet(), { hash: 'a'.repeat(64), policy: DEFAULT_CHECK_POLICY }, 'after the commit');
  t.throws(() =>
    db.transaction(() => {
      store.apply({ kind: 'rule-set', index: 9, hash: 'b'.repeat(64), policy: STRICT });
      t.same(store.activeRuleSet(), { hash: 'b'.repeat(64), policy: STRICT });
      throw new Error('roll back');
    })(),
  );
  db.transaction(() => t.equal(store.activeRuleSet()?.hash, 'a'.repeat(64), 'rolled back: the earlier one, in the next transaction'))();
  t.equal(store.activeRuleSet()?.hash, 'a'.repeat(64), 'and outside any');
  store.apply({ kind: 'rule-set', index: 12, hash: 'c'.repeat(64), policy: STRICT });
  t.equal(store.activeRuleSet()?.hash, 'c'.repeat(64), 'an activation outside a transaction, at once');
});
