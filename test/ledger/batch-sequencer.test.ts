/**
 * sequenceBatch on its own, on a real store: the head it returns and the one it was given, an
 * entry refused alone with its savepoint rolled back, a retry answered from earlier in the same
 * batch, and a refusal that leaves a record in the refused entry's place.
 */
import t from 'tap';
import { join } from 'node:path';
import { canonicalBody, encodePrev, GENESIS_PREV, parseEntry } from '../../src/core/entry.js';
import { RxError } from '../../src/core/errors.js';
import { nobleMerkleHasher } from '../../src/core/merkle-hash.js';
import { sequenceBatch, type AppendInput, type AppendResult, type SequencerContext } from '../../src/ledger/batch-sequencer.js';
import type { EntryStateMachine } from '../../src/ledger/entry-state-machine.js';
import { claimLogState, recoverHead } from '../../src/ledger/ledger-recovery.js';
import { silentLogger } from '../../src/ledger/logger.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { createLedgerStore, type LedgerStore } from '../../src/store/ledger-store.js';
import { TEST_ENTRY_SCHEMAS, TEST_ORIGIN } from '../support/test-ledger.js';

const T0 = 1_767_225_600_000;

function event(n: number): AppendInput {
  const body = { n };
  return { type: 'test.event', body, bodyJson: canonicalBody(body) };
}

function openStore(dir: string): LedgerStore {
  return openStoreAndDatabase(dir).store;
}

/** The store and its database handle, for state machines that write their own tables beside the log. */
function openStoreAndDatabase(dir: string): { store: LedgerStore; db: SqliteDatabase } {
  const db = openDatabase(join(dir, 'ledger.sqlite'));
  const store = createLedgerStore(db);
  claimLogState(store, TEST_ORIGIN);
  return { store, db };
}

function context(store: LedgerStore, stateMachine?: EntryStateMachine, clock = () => T0): SequencerContext {
  return { store, clock, logger: silentLogger, hasher: nobleMerkleHasher, schemas: TEST_ENTRY_SCHEMAS, stateMachine };
}

const results = (outcomes: ReadonlyArray<AppendResult | Error>): AppendResult[] => outcomes.filter((o): o is AppendResult => !(o instanceof Error));

/** A state machine that admits each test event by its number alone. */
const admittingBy = (decide: (n: number) => ReturnType<EntryStateMachine['admit']>): EntryStateMachine => ({
  admit: (entry) => decide((entry.body as { n: number }).n),
});

t.test('a batch is chained on the head it is given, which it leaves as it was', async (t) => {
  const store = openStore(t.testdir());
  const head = recoverHead(store, nobleMerkleHasher);
  const { outcomes, head: after } = store.transaction(() => sequenceBatch(context(store), head, [event(0), event(1), event(2)]));
  t.same(
    results(outcomes).map((r) => r.index),
    [0, 1, 2],
  );
  t.equal(head.range.size, 0, 'the head given is not advanced: the caller adopts the new one after the commit');
  t.equal(after.range.size, 3);
  t.same(after.lastLeaf, store.readNode(0, 2));
  t.equal(after.lastTime, T0);
  const entries = store.readEntries(0, 3).map((leaf) => parseEntry(leaf.data));
  t.equal(entries[0]!.prev, encodePrev(GENESIS_PREV));
  t.equal(entries[1]!.prev, encodePrev(store.readNode(0, 0)));
  t.same(recoverHead(store, nobleMerkleHasher).range.root(), after.range.root(), 'the head recovered from disk is the head returned');
  store.close();
});

t.test('time never goes back along the batch, even when the clock does', async (t) => {
  const store = openStore(t.testdir());
  const first = store.transaction(() => sequenceBatch(context(store), recoverHead(store, nobleMerkleHasher), [event(0)]));
  const second = store.transaction(() => sequenceBatch(context(store, undefined, () => T0 - 5_000), first.head, [event(1)]));
  t.equal(results(second.outcomes)[0]!.entry.time, T0);
  t.equal(second.head.lastTime, T0);
  store.close();
});

t.test('an entry whose writes throw part-way is refused alone, and none of its writes remain', async (t) => {
  const { store, db } = openStoreAndDatabase(t.testdir());
  db.exec('CREATE TABLE projection (n INTEGER NOT NULL)');
  const write = db.prepare<[number]>('INSERT INTO projection VALUES (?)');
  const machine = admittingBy((n) => ({
    kind: 'append',
    apply() {
      write.run(n);
      if (n === 1) throw new RxError('RX_STATE_CONFLICT', 'the second entry fails after its first write');
    },
  }));
  const { outcomes, head } = store.transaction(() => sequenceBatch(context(store, machine), recoverHead(store, nobleMerkleHasher), [event(0), event(1), event(2)]));
  t.equal(outcomes.length, 3);
  t.ok(outcomes[1] instanceof RxError && outcomes[1].code === 'RX_STATE_CONFLICT');
  t.same(
    results(outcomes).map((r) => [r.index, (r.entry.body as { n: number }).n]),
    [
      [0, 0],
      [1, 2],
    ],
    'the refused entry takes no index: the next one follows directly',
  );
  t.equal(head.range.size, 2);
  t.equal(store.size(), 2);
  t.same(
    db.prepare<[], { n: number }>('SELECT n FROM projection ORDER BY rowid').all().map((row) => row.n),
    [0, 2],
    'the failed entry\'s write was rolled back with its savepoint',
  );
  store.close();
});

t.test('a retry of an entry earlier in the same batch answers the original, writing nothing', async (t) => {
  const store = openStore(t.testdir());
  const machine = admittingBy((n) => (n === 100 ? { kind: 'replay', index: 0 } : { kind: 'append', apply() {} }));
  const { outcomes, head } = store.transaction(() => sequenceBatch(context(store, machine), recoverHead(store, nobleMerkleHasher), [event(0), event(100)]));
  const [original, retry] = outcomes as AppendResult[];
  t.equal(retry!.replayed, true);
  t.equal(retry!.index, original!.index);
  t.same(retry!.leafHash, original!.leafHash);
  t.equal(head.range.size, 1, 'the retry sequenced nothing');
  store.close();
});

t.test('a refusal with a record: the record takes the refused entry\'s place, and the error is its outcome', async (t) => {
  const store = openStore(t.testdir());
  let recordWrites = 0;
  const machine = admittingBy((n) =>
    n !== 7
      ? { kind: 'append', apply() {} }
      : {
          kind: 'refuse',
          error: new RxError('RX_TRACE_CODE_DUPLICATE', 'refused, with evidence of the attempt'),
          record: { type: 'test.event', body: { n: 700, note: 'flag' }, apply: () => void recordWrites++ },
        },
  );
  const { outcomes } = store.transaction(() => sequenceBatch(context(store, machine), recoverHead(store, nobleMerkleHasher), [event(7), event(8)]));
  t.ok(outcomes[0] instanceof RxError && outcomes[0].code === 'RX_TRACE_CODE_DUPLICATE');
  t.equal(recordWrites, 1);
  const stored = store.readEntries(0, 2).map((leaf) => parseEntry(leaf.data).body);
  t.same(stored, [{ n: 700, note: 'flag' }, { n: 8 }]);
  store.close();
});

t.test('follow-up records are chained right after their entry, in one savepoint with it', async (t) => {
  const store = openStore(t.testdir());
  const machine = admittingBy((n) => ({
    kind: 'append',
    apply() {},
    followUps: () => (n === 0 ? [{ type: 'test.event', body: { n: 1000 }, apply() {} }, { type: 'test.event', body: { n: 1001 }, apply() {} }] : []),
  }));
  const { outcomes } = store.transaction(() => sequenceBatch(context(store, machine), recoverHead(store, nobleMerkleHasher), [event(0), event(1)]));
  const [first, second] = outcomes as AppendResult[];
  t.same(
    first!.records!.map((r) => [r.index, (r.entry.body as { n: number }).n]),
    [
      [1, 1000],
      [2, 1001],
    ],
  );
  t.equal(second!.index, 3);
  t.equal(parseEntry(store.readEntries(2, 3)[0]!.data).prev, encodePrev(store.readNode(0, 1)));
  store.close();
});
