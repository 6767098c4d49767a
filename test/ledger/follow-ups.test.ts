/**
 * Follow-up records (src/ledger/batch-sequencer.ts, EntryStateMachine): the ledger appends them
 * right after their entry, in the same savepoint, whether the state machine makes the writes one
 * by one (`apply`, then each record's `apply`) or together (`applyWithFollowUps`, which the
 * service's state machine uses to write a submission's prescription row once). Same log either
 * way; a failure part-way leaves nothing of the entry or its records.
 */
import t from 'tap';
import { join } from 'node:path';
import type { EntryStateMachine } from '../../src/ledger/ledger.js';
import { rejectsCode } from '../support/assert-code.js';
import { manualClock, openTestLedger } from '../support/test-ledger.js';
import { RxError } from '../../src/core/errors.js';

/** Every event n ≥ 0 is followed by a record { n: -n - 1 }; event 13 fails once its own writes are made. */
function machine(together: boolean, writes: string[]): EntryStateMachine {
  return {
    admit: (entry) => {
      const n = entry.body.n as number;
      if (n < 0) return { kind: 'append', apply: () => void writes.push(`record ${n}`) };
      const apply = () => void writes.push(`event ${n}`);
      const followUps = () => {
        if (n === 13) throw new RxError('INTERNAL', 'the follow-up could not be computed');
        return [{ type: 'test.event', body: { n: -n - 1 }, apply: () => void writes.push(`record ${-n - 1}`) }];
      };
      if (!together) return { kind: 'append', apply, followUps };
      return {
        kind: 'append',
        apply,
        followUps,
        applyWithFollowUps: () => {
          writes.push(`together ${n}`);
          return followUps().map((r) => ({ ...r, apply: () => void writes.push(`must not be called ${r.body.n}`) }));
        },
      };
    },
  };
}

t.test('one by one or together: the same log, records right after their entry', async (t) => {
  const dirs = t.testdir({ apart: {}, together: {} });
  const logs: string[][] = [];
  const writes: Record<string, string[]> = { apart: [], together: [] };
  for (const mode of ['apart', 'together'] as const) {
    const { ledger } = openTestLedger(join(dirs, mode), { clock: manualClock(), stateMachine: machine(mode === 'together', writes[mode]!) });
    const results = await Promise.all([1, 2, 3].map((n) => ledger.append('test.event', { n })));
    t.same(results.map((r) => [r.index, r.records?.map((x) => x.index)]), [[0, [1]], [2, [3]], [4, [5]]], `${mode}: each record follows its entry`);
    await rejectsCode(t, ledger.append('test.event', { n: 13 }), 'INTERNAL', `${mode}: a follow-up that fails refuses its entry`);
    const after = await ledger.append('test.event', { n: 4 });
    t.equal(after.index, 6, `${mode}: nothing of the refused entry was sequenced`);
    logs.push(ledger.entries(0, 10).map((e) => Buffer.from(e.data).toString('utf8')));
    await ledger.close();
  }
  t.same(logs[0], logs[1], 'identical entries, byte for byte');
  t.same(writes.apart, ['event 1', 'record -2', 'event 2', 'record -3', 'event 3', 'record -4', 'event 13', 'event 4', 'record -5']);
  t.same(writes.together, ['together 1', 'together 2', 'together 3', 'together 13', 'together 4'], 'together: the records’ own apply is never called');
});
