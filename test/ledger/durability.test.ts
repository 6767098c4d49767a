/**
 * Power loss, simulated: batches commit with synchronous=NORMAL and are acknowledged once their
 * WAL has been flushed off the event loop (src/platform/wal-sync.ts). A SIGKILL cannot test that
 * (the OS keeps what the process wrote; crash.test.ts covers process death), so here the flusher's
 * fdatasync is wrapped: what is on disk after a power loss at any instant is the database file
 * (not checkpointed during the test) plus the WAL file as it was when the last completed
 * fdatasync was called. At every acknowledgement that image is opened as SQLite would after a
 * reboot, and the acknowledged entry MUST be in it with the leaf hash the caller was given.
 *
 * The same image, fed by a flusher that acknowledges without syncing, loses acknowledged entries:
 * the simulation can tell a durable ledger from one that is not.
 */
import t from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLedger, type Ledger } from '../../src/ledger/ledger.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { createLedgerStore, type WalFlusher } from '../../src/store/ledger-store.js';
import { createWalSync, nodeWalSyncFs } from '../../src/platform/wal-sync.js';
import { rejectsCode } from '../support/assert-code.js';
import { TEST_ENTRY_SCHEMAS, TEST_ORIGIN, manualClock, testKey } from '../support/test-ledger.js';
import { testdirWithStops } from '../support/testdir.js';

interface Disk {
  /** The WAL as the last completed fdatasync left it on disk (empty: only the database file counts). */
  durableWal: Buffer;
  /** Which flush call left it. */
  durableSeq: number;
  /** Flushes called and not yet completed. */
  inFlight: number;
  /** When set, completions wait until `releaseAll()`. */
  hold: boolean;
  held: Array<() => void>;
  releaseAll(): void;
}

function openSimulated(dir: string, options: { lying?: boolean; failFlush?: number } = {}) {
  const path = join(dir, 'ledger.sqlite');
  const walPath = `${path}-wal`;
  const db: SqliteDatabase = openDatabase(path);
  const disk: Disk = {
    durableWal: Buffer.alloc(0),
    durableSeq: 0,
    inFlight: 0,
    hold: false,
    held: [],
    releaseAll() {
      const held = this.held;
      this.held = [];
      for (const h of held) h();
    },
  };
  let flushes = 0;
  const real = createWalSync(path, {
    fdatasync(fd, callback) {
      const called = ++flushes;
      const failing = called === options.failFlush;
      // What this fdatasync makes durable: at least every byte in the file when it was called.
      const snapshot = readFileSync(walPath);
      disk.inFlight += 1;
      nodeWalSyncFs.fdatasync(fd, (err) => {
        const complete = () => {
          disk.inFlight -= 1;
          if (err || failing) return callback(err ?? Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
          // Flushes may complete out of order; the latest one called covers the earlier ones.
          if (called > disk.durableSeq) {
            disk.durableSeq = called;
            disk.durableWal = snapshot;
          }
          callback(null);
        };
        if (disk.hold) disk.held.push(complete);
        else complete();
      });
    },
    fdatasyncSync: nodeWalSyncFs.fdatasyncSync,
  });
  const lying: WalFlusher = { flush: () => Promise.resolve(), close: () => real.close() };
  const store = createLedgerStore(db, { walFlusher: options.lying ? lying : real });
  // The database file changes only by checkpoint; with none during the test, it is as on disk.
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('wal_checkpoint(TRUNCATE)');
  const ledger = openLedger({ store, origin: TEST_ORIGIN, signingKeys: [testKey()], clock: manualClock(), entryBodySchemas: TEST_ENTRY_SCHEMAS });
  return { ledger, db, disk, path };
}

let imageSeq = 0;
/** Opens what a reboot would find; returns the leaf hash stored at each index. */
function afterPowerLoss(dir: string, path: string, disk: Disk): Map<number, Buffer> {
  const image = join(dir, `image-${++imageSeq}.sqlite`);
  copyFileSync(path, image);
  writeFileSync(`${image}-wal`, disk.durableWal);
  const db = new Database(image);
  try {
    const rows = db.prepare<[], { idx: number; leaf_hash: Buffer }>('SELECT idx, leaf_hash FROM entries').all();
    return new Map(rows.map((r) => [r.idx, r.leaf_hash]));
  } finally {
    db.close();
  }
}

async function appendConcurrently(ledger: Ledger, from: number, count: number, onAck: (index: number, leafHash: Uint8Array) => void): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const r = await ledger.append('test.event', { n: from + i, note: 'x'.repeat(200) });
      onAck(r.index, r.leafHash);
    }),
  );
}

t.test('every acknowledged entry survives a power loss at the moment it is acknowledged', async (t) => {
  const dir = t.testdir();
  const { ledger, disk, path } = openSimulated(dir);
  await ledger.recordCheckpointKeys();
  let checked = 0;
  let lost = 0;
  for (let round = 0; round < 6; round++) {
    await appendConcurrently(ledger, round * 50, 50, (index, leafHash) => {
      // Checked at the acknowledgement itself, before anything else runs.
      const found = afterPowerLoss(dir, path, disk).get(index);
      checked += 1;
      if (found === undefined || !Buffer.from(leafHash).equals(found)) lost += 1;
    });
  }
  t.equal(checked, 300);
  t.equal(lost, 0, 'no acknowledged entry missing after a simulated power loss');
  t.equal(afterPowerLoss(dir, path, disk).size, ledger.size(), 'once idle, the disk holds the whole log');
  await ledger.close();
});

t.test('the simulation catches a ledger that acknowledges before the flush', async (t) => {
  const dir = t.testdir();
  const { ledger, disk, path } = openSimulated(dir, { lying: true });
  await ledger.recordCheckpointKeys();
  let lost = 0;
  await appendConcurrently(ledger, 0, 50, (index) => {
    if (!afterPowerLoss(dir, path, disk).has(index)) lost += 1;
  });
  t.equal(lost, 50, 'acknowledged without a flush: every entry would be lost');
  await ledger.close();
});

t.test('until its flush completes, a batch is neither acknowledged, nor served, nor checkpointed', async (t) => {
  const dir = t.testdir();
  const { ledger, disk } = openSimulated(dir);
  await ledger.recordCheckpointKeys();
  ledger.publishCheckpoint();
  t.equal(ledger.size(), 1);

  disk.hold = true;
  let acknowledged = 0;
  const appends = Array.from({ length: 10 }, (_, n) => ledger.append('test.event', { n }).then((r) => (acknowledged++, r)));
  while (disk.inFlight === 0) await new Promise((r) => setImmediate(r));
  // Committed in SQLite, not yet on disk.
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  t.equal(acknowledged, 0, 'no append acknowledged');
  t.equal(ledger.size(), 1, 'the served log does not include the batch');
  t.same(ledger.entries(0, 100).length, 1, 'nor do its entries');
  t.equal(ledger.publishCheckpoint(), null, 'no checkpoint covers it');
  // A second batch waits: one batch in flight at a time by default.
  const more = ledger.append('test.event', { n: 99 });
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  t.equal(disk.inFlight, 1, 'the next batch is not committed while the previous one is flushed');

  disk.hold = false;
  disk.releaseAll();
  const results = await Promise.all(appends);
  t.same(results.map((r) => r.index), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'acknowledged in order once on disk');
  t.equal((await more).index, 11);
  t.equal(ledger.size(), 12);
  t.not(ledger.publishCheckpoint(), null, 'now a checkpoint covers them');
  await ledger.close();
});

t.test('a failed flush rejects its batch and stops the ledger', async (t) => {
  const dir = t.testdir();
  // Flush 1 is the genesis entry's; flush 2 fails.
  const { ledger } = openSimulated(dir, { failFlush: 2 });
  await ledger.recordCheckpointKeys();
  const batch = Array.from({ length: 5 }, (_, n) => ledger.append('test.event', { n }));
  for (const p of batch) await t.rejects(p, { code: 'EIO' }, 'the batch whose flush failed is rejected');
  await rejectsCode(t, ledger.append('test.event', { n: 5 }), 'LEDGER_CLOSED', 'later appends are refused');
  t.equal(ledger.size(), 1, 'the served log stays at what is known to be on disk');
  await ledger.close();
});

t.test("another connection's write lock does not hold the event loop: the batch is tried again once it is free", async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { ledger, path, db } = openSimulated(dir);
  stopBeforeRemoval(() => ledger.close());
  await ledger.append('test.event', { n: 0 });
  // A neighbour (as the oversight fold's connection) holds the write lock, and releases it from a
  // timer on this same thread: were the ledger to wait for the lock inside SQLite, the timer could
  // never run, and the append would fail once the busy timeout ran out.
  const neighbour = new Database(path);
  stopBeforeRemoval(() => neighbour.close());
  neighbour.exec('BEGIN IMMEDIATE');
  neighbour.exec("CREATE TABLE neighbour (n INTEGER)");
  t.equal(db.pragma('busy_timeout', { simple: true }), 5000, 'the ledger connection would wait 5 s');
  let released = false;
  setTimeout(() => {
    neighbour.exec('COMMIT');
    released = true;
  }, 30);
  const started = performance.now();
  const result = await ledger.append('test.event', { n: 1 });
  t.equal(released, true, 'the append completed after the neighbour let go');
  t.equal(result.index, 1);
  t.ok(performance.now() - started < 4_000, 'without running into the busy timeout');
  t.equal(db.pragma('busy_timeout', { simple: true }), 5000, 'the connection waits as before for every other statement');
  t.equal(await ledger.append('test.event', { n: 2 }).then((r) => r.index), 2);
});
