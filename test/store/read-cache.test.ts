/**
 * The registry read cache on its own, against a stand-in for the connection's transaction state:
 * answers are kept, a record written inside a transaction is read from the source until the
 * connection is seen outside any transaction, and the cache cannot grow without bound.
 */
import t from 'tap';
import { createReadCache } from '../../src/store/read-cache.js';

function setUp() {
  const db = { inTransaction: false };
  const table = new Map<string, string>([['k1', 'v1'], ['k2', 'v2']]);
  const reads: string[] = [];
  const cache = createReadCache<'key' | 'actor'>(db);
  const key = cache.reader('key', (id) => {
    reads.push(id);
    return table.get(id);
  });
  return { db, table, reads, cache, key };
}

t.test('an answer, found or not, is read from the source once', async (t) => {
  const { reads, key } = setUp();
  t.equal(key('k1'), 'v1');
  t.equal(key('k1'), 'v1');
  t.equal(key('nobody'), undefined);
  t.equal(key('nobody'), undefined);
  t.same(reads, ['k1', 'nobody']);
});

t.test('a record written outside a transaction is read again at once, and then kept', async (t) => {
  const { table, reads, cache, key } = setUp();
  key('k1');
  table.set('k1', 'v1-revoked');
  cache.written('key', 'k1');
  t.equal(key('k1'), 'v1-revoked');
  t.equal(key('k1'), 'v1-revoked');
  t.same(reads, ['k1', 'k1']);
});

t.test('a record written in a transaction is read from the source, and not kept, until the transaction has ended', async (t) => {
  const { db, table, reads, cache, key } = setUp();
  key('k1');
  key('k2');
  db.inTransaction = true;
  table.set('k1', 'uncommitted');
  cache.written('key', 'k1');
  t.equal(key('k1'), 'uncommitted', 'the transaction sees its own write');
  t.equal(key('k1'), 'uncommitted');
  t.equal(key('k2'), 'v2', 'a record not written is still answered from memory');
  // The transaction rolls back: the source holds the old value again.
  table.set('k1', 'v1');
  t.equal(key('k1'), 'v1', 'still in a transaction (the next batch): read from the source');
  db.inTransaction = false;
  t.equal(key('k1'), 'v1', 'outside any transaction: fetched once more');
  t.equal(key('k1'), 'v1');
  t.same(reads, ['k1', 'k2', 'k1', 'k1', 'k1', 'k1'], 'kept again only after the connection was seen outside a transaction');
});

t.test('a write of one kind leaves the other kinds and ids alone', async (t) => {
  const { db, cache, reads, key } = setUp();
  const actorReads: string[] = [];
  const actor = cache.reader('actor', (id) => (actorReads.push(id), `actor ${id}`));
  key('k1');
  actor('k1');
  db.inTransaction = true;
  cache.written('actor', 'k1');
  key('k1');
  actor('k1');
  t.same(reads, ['k1']);
  t.same(actorReads, ['k1', 'k1']);
});

t.test('a stream of unknown ids does not grow the cache without bound', async (t) => {
  const { reads, key } = setUp();
  key('k1');
  for (let n = 0; n < 50_000; n++) key(`unknown-${n}`);
  key('k1');
  t.equal(reads.filter((id) => id === 'k1').length, 2, 'the kind was emptied when full');
});
