/** The read nonces saved by one stop are taken back, once, by the next start; expired ones are dropped. */
import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.js';
import { createReadNonceStore } from '../../src/store/read-nonce-store.js';
import { testdirWithStops } from '../support/testdir.js';

t.test('save, reopen, take: the unexpired nonces in order of expiry, then none', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const path = join(dir, 'ledger.sqlite');
  const db = openDatabase(path);
  createReadNonceStore(db).save(
    [
      ['k1\nn-late', 3000],
      ['k1\nn-expired', 1000],
      ['k2\nn-early', 2000],
    ],
    1400,
  );
  db.close();
  const again = openDatabase(path);
  stopBeforeRemoval(() => again.close());
  const store = createReadNonceStore(again);
  t.same(store.take(1500), { handedOver: true, nonces: [['k2\nn-early', 2000], ['k1\nn-late', 3000]] }, 'unexpired at 1500, earliest first');
  t.same(store.take(0), { handedOver: false, nonces: [] }, 'a handover is taken once');
  store.save([['k3\nn', 10]], 5);
  store.save([['k4\nn', 20]], 6);
  t.same(store.take(0), { handedOver: true, nonces: [['k4\nn', 20]] }, 'a save replaces the previous one');
});

t.test('a stop with no nonces to save still hands over; a store never saved to did not', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const db = openDatabase(join(dir, 'ledger.sqlite'));
  stopBeforeRemoval(() => db.close());
  const store = createReadNonceStore(db);
  t.same(store.take(0), { handedOver: false, nonces: [] }, 'first start: nothing handed over');
  store.save([], 100);
  t.same(store.take(100), { handedOver: true, nonces: [] }, 'a graceful stop that remembered no read');
  t.equal((db.prepare('SELECT count(*) AS n FROM read_nonce_handover').get() as { n: number }).n, 0, 'the mark is taken with the nonces');
});

t.test('ahead reads: the latest created per key, never lowered, kept across reopening, stale ones dropped', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const path = join(dir, 'ledger.sqlite');
  const db = openDatabase(path);
  const store = createReadNonceStore(db);
  store.recordAhead('k1', 100);
  store.recordAhead('k1', 99); // a late arrival of an older read does not lower it
  store.recordAhead('k2', 50);
  store.recordAhead('k1', 101);
  db.close(); // as a crash leaves it: nothing else written
  const again = openDatabase(path);
  stopBeforeRemoval(() => again.close());
  const reopened = createReadNonceStore(again);
  t.same([...reopened.aheadHorizons(90_000, 10_000)].sort(), [['k1', 101]], 'at 90 s with a 10 s window, k2 (50 s) can no longer be answered and is dropped');
  t.same([...reopened.aheadHorizons(0, 10_000)], [['k1', 101]], 'and stays dropped');
  t.same(reopened.take(0), { handedOver: false, nonces: [] }, 'no handover: the records are what the start has');
});
