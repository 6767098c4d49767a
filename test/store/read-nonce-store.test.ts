/** The read nonces saved by one stop are taken back, once, by the next start; expired ones are dropped. */
import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.js';
import { createReadNonceStore } from '../../src/store/read-nonce-store.js';

t.test('save, reopen, take: the unexpired nonces in order of expiry, then none', async (t) => {
  const path = join(t.testdir(), 'ledger.sqlite');
  const db = openDatabase(path);
  createReadNonceStore(db).save([
    ['k1\nn-late', 3000],
    ['k1\nn-expired', 1000],
    ['k2\nn-early', 2000],
  ]);
  db.close();
  const again = openDatabase(path);
  t.teardown(() => again.close());
  const store = createReadNonceStore(again);
  t.same(store.take(1500), [['k2\nn-early', 2000], ['k1\nn-late', 3000]], 'unexpired at 1500, earliest first');
  t.same(store.take(0), [], 'a nonce is taken back once');
  store.save([['k3\nn', 10]]);
  store.save([['k4\nn', 20]]);
  t.same(store.take(0), [['k4\nn', 20]], 'a save replaces the previous one');
});
