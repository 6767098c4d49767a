/** Migration 6 and the cosignature store, on a real SQLite file next to a real ledger. */
import t from 'tap';
import { openDatabase, schemaVersion } from '../../src/store/database.js';
import { createCosignatureStore } from '../../src/store/cosignature-store.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { appendEvents, buildTestLedger } from '../support/test-ledger.js';
import { witnessVkey } from '../support/witness-fixtures.js';
import { testdirWithStops } from '../support/testdir.js';

t.test('migration 6 creates checkpoint_cosignatures', async (t) => {
  t.ok(MIGRATIONS.some((m) => m.version === 6 && m.description.startsWith('witness cosignatures')));
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { ledger, dbPath } = await buildTestLedger(dir, 2);
  stopBeforeRemoval(() => ledger.close());
  const db = openDatabase(dbPath);
  stopBeforeRemoval(() => db.close());
  t.ok(schemaVersion(db) >= 6);
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('checkpoint_cosignatures')").all().map((c) => c.name);
  t.same(columns, ['size', 'witness', 'timestamp', 'line', 'received_ms']);
});

t.test('put keeps the newest per (size, witness); newestCosigned counts configured witnesses', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { ledger, dbPath } = await buildTestLedger(dir, 2);
  stopBeforeRemoval(() => ledger.close());
  const db = openDatabase(dbPath);
  stopBeforeRemoval(() => db.close());
  const store = createCosignatureStore(db);
  const first = ledger.latestCheckpoint() as string;
  const size1 = ledger.size();
  t.equal(store.publishedCheckpoint(size1), first);
  t.equal(store.publishedCheckpoint(size1 + 1), undefined);
  await appendEvents(ledger, 2, 3);
  const second = ledger.publishCheckpoint() as string;
  const size2 = ledger.size();

  const row = (size: number, w: number, timestamp: number) => ({ size, witness: witnessVkey(w), timestamp, line: `— w${w} line-${size}-${timestamp}\n`, receivedMs: 1 });
  t.equal(store.put(row(size1, 0, 100)), true, 'first');
  t.equal(store.put(row(size1, 0, 100)), false, 'same timestamp: unchanged');
  t.equal(store.put(row(size1, 0, 99)), false, 'older: unchanged');
  t.equal(store.put(row(size1, 0, 101)), true, 'newer: replaced');
  t.throws(() => store.put(row(size2 + 7, 0, 1)), 'a size the ledger never published is refused by the foreign key');

  const all = [witnessVkey(0), witnessVkey(1), witnessVkey(2)];
  t.same(store.newestCosigned(all, 1), { note: first, size: size1, lines: [`— w0 line-${size1}-101\n`] });
  t.equal(store.newestCosigned(all, 2), undefined);
  store.put(row(size2, 1, 200));
  t.equal(store.newestCosigned(all, 1)?.note, second, 'the larger checkpoint wins at min 1');
  t.equal(store.newestCosigned(all, 2), undefined);
  store.put(row(size1, 2, 150));
  t.same(store.newestCosigned(all, 2)?.lines, [`— w0 line-${size1}-101\n`, `— w2 line-${size1}-150\n`].sort(), 'min 2: the older checkpoint two cosigned');
  t.equal(store.newestCosigned([witnessVkey(0), witnessVkey(1)], 2), undefined, 'a witness no longer configured does not count');
  t.same(store.newestCosigned([witnessVkey(0)], 1)?.lines, [`— w0 line-${size1}-101\n`], 'and its lines are not served');
});
