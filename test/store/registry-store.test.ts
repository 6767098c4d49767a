/**
 * The SQLite registry with its read cache (read-cache.ts), on a real database: a change
 * is seen at once, inside its transaction and after it; a change rolled back (a savepoint refusing
 * one entry, or a whole transaction) is never seen; and what is read repeatedly comes from memory.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { ActorRecord, KeyRecord } from '../../src/domain/registry/registry-rules.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { createRegistryStore } from '../../src/store/registry-store.js';
import { testdirWithStops } from '../support/testdir.js';

const ACTOR: ActorRecord = { actorId: 'dr-a', role: 'prescriber', institutionId: 'hosp-a', region: null, privileges: null, suspended: false };
const KEY: KeyRecord = { keyId: 'key-a', actorId: 'dr-a', publicKey: new Uint8Array(32).fill(7), notBefore: 0, notAfter: null, revokedAt: null };

function open(t: Test) {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const db = openDatabase(join(dir, 'registry.sqlite'));
  stopBeforeRemoval(() => db.close());
  const registry = createRegistryStore(db);
  db.transaction(() =>
    registry.apply([
      { kind: 'institution', record: { institutionId: 'hosp-a', kind: 'hospital', region: '3701', delivers: false } },
      { kind: 'actor', record: ACTOR },
      { kind: 'key', record: KEY },
      { kind: 'auth-policy', timestampWindowMs: 300_000 },
    ]),
  )();
  return { db, registry };
}

/** Runs `fn` in a transaction that rolls back. */
function rolledBack(db: SqliteDatabase, fn: () => void): void {
  try {
    db.transaction(() => {
      fn();
      throw new Error('roll back');
    })();
  } catch {
    // rolled back, as intended
  }
}

t.test('a revocation is seen at once, in its transaction and after it', async (t) => {
  const { db, registry } = open(t);
  t.equal(registry.key('key-a')?.revokedAt, null);
  db.transaction(() => {
    registry.apply([{ kind: 'key-revoked', keyId: 'key-a', at: 1_000 }]);
    t.equal(registry.key('key-a')?.revokedAt, 1_000, 'inside the transaction');
  })();
  t.equal(registry.key('key-a')?.revokedAt, 1_000, 'after the commit');
  db.transaction(() => t.equal(registry.key('key-a')?.revokedAt, 1_000, 'in the next transaction'))();
});

t.test('a change rolled back is never seen: a savepoint inside a transaction, and a whole transaction', async (t) => {
  const { db, registry } = open(t);
  t.equal(registry.actor('dr-a')?.suspended, false);
  db.transaction(() => {
    rolledBack(db, () => {
      registry.apply([{ kind: 'actor-suspended', actorId: 'dr-a', suspended: true }, { kind: 'key-revoked', keyId: 'key-a', at: 5 }, { kind: 'auth-policy', timestampWindowMs: 1 }]);
      t.equal(registry.actor('dr-a')?.suspended, true, 'the savepoint sees its own write');
    });
    t.equal(registry.actor('dr-a')?.suspended, false, 'after the savepoint rolled back, in the same transaction');
    t.equal(registry.key('key-a')?.revokedAt, null);
    t.equal(registry.timestampWindowMs(), 300_000);
  })();
  rolledBack(db, () => registry.apply([{ kind: 'actor-suspended', actorId: 'dr-a', suspended: true }]));
  db.transaction(() => t.equal(registry.actor('dr-a')?.suspended, false, 'in the next transaction'))();
  t.equal(registry.actor('dr-a')?.suspended, false, 'outside any transaction');
  t.equal(registry.actor('dr-a')?.suspended, false);
});

t.test('a record unknown until it is registered, and records read again come from memory', async (t) => {
  const { db, registry } = open(t);
  t.equal(registry.key('key-b'), undefined);
  db.transaction(() => registry.apply([{ kind: 'key', record: { ...KEY, keyId: 'key-b' } }]))();
  t.equal(registry.key('key-b')?.keyId, 'key-b', 'registered: known at once');
  t.same(registry.institution('hosp-a'), { institutionId: 'hosp-a', kind: 'hospital', region: '3701', delivers: false });
  // Changing a row behind the store's back (never done outside tests: the store is the registry's
  // only writer) shows what is answered from memory.
  db.prepare("UPDATE registry_institutions SET region = '9999' WHERE institution_id = 'hosp-a'").run();
  db.prepare("UPDATE registry_keys SET not_before = 42 WHERE key_id = 'key-b'").run();
  t.equal(registry.institution('hosp-a')?.region, '3701', 'the institution from memory');
  t.equal(registry.key('key-b')?.notBefore, 0, 'the key from memory');
  t.equal(registry.nonceUsed('dr-a', 'n-1'), false, 'nonces are read from the table');
  registry.apply([{ kind: 'statement', actorId: 'dr-a', nonce: 'n-1', idempotencyKey: 'i-1', requestHash: 'h'.repeat(64), index: 1 }]);
  t.equal(registry.nonceUsed('dr-a', 'n-1'), true);
  t.same(registry.idempotency('dr-a', 'i-1'), { requestHash: 'h'.repeat(64), index: 1 });
});
