/**
 * Group commit when another connection holds the database's write lock (src/ledger/group-commit.ts):
 * the batch is not waited for inside SQLite; it goes back to the head of the queue and is tried
 * again with what arrived meanwhile, in order, and after `lockRetryMs` the commit is told to wait.
 */
import t from 'tap';
import { COMMIT_LOCKED, GroupCommit } from '../../src/ledger/group-commit.js';

t.test('a batch that finds the lock taken is tried again later with the items that arrived meanwhile, in order', async (t) => {
  const calls: Array<{ inputs: number[]; mayWait: boolean }> = [];
  let lockedFor = 3;
  const committer = new GroupCommit<number, number>({
    maxBatch: 100,
    commit: (inputs, mayWait) => {
      calls.push({ inputs: [...inputs], mayWait });
      if (lockedFor > 0) {
        lockedFor -= 1;
        return COMMIT_LOCKED;
      }
      return inputs.map((n) => n * 10);
    },
  });
  const first = [1, 2, 3].map((n) => committer.submit(n));
  // Arrives while the first batch waits for the lock.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const later = [4, 5].map((n) => committer.submit(n));
  t.same(await Promise.all([...first, ...later]), [10, 20, 30, 40, 50], 'each item gets its own result');
  t.same(calls[0], { inputs: [1, 2, 3], mayWait: false }, 'the first try does not wait for the lock');
  t.same(calls[calls.length - 1]!.inputs, [1, 2, 3, 4, 5], 'retried at the head of the queue, with the newcomers behind');
  t.equal(calls.length, 4, 'three refusals, then the commit');
  t.ok(calls.every((c) => !c.mayWait), 'retried without waiting while within lockRetryMs');
  await committer.drain();
});

t.test('after lockRetryMs the commit is told to wait for the lock, so a busy neighbour cannot starve it', async (t) => {
  const calls: boolean[] = [];
  const committer = new GroupCommit<number, number>({
    maxBatch: 100,
    lockRetryMs: 20,
    commit: (inputs, mayWait) => {
      calls.push(mayWait);
      return mayWait ? inputs.map((n) => n + 1) : COMMIT_LOCKED;
    },
  });
  const started = performance.now();
  t.same(await committer.submit(1), 2);
  t.ok(performance.now() - started >= 20, 'it retried for the configured time first');
  t.equal(calls[0], false);
  t.equal(calls[calls.length - 1], true, 'then it waits');
  t.ok(calls.filter((c) => !c).length >= 2, 'several tries without waiting before that');
  // The next batch starts over: its first try does not wait.
  calls.length = 0;
  const next = new GroupCommit<number, number>({ maxBatch: 100, lockRetryMs: 0, commit: (inputs, mayWait) => (calls.push(mayWait), [...inputs]) });
  await next.submit(7);
  t.same(calls, [true], 'lockRetryMs 0: every commit waits, as before');
});

t.test('while a batch waits for the lock the queue is not idle, and a drain waits for it', async (t) => {
  let locked = true;
  const committer = new GroupCommit<number, number>({ maxBatch: 100, commit: (inputs) => (locked ? COMMIT_LOCKED : [...inputs]) });
  const item = committer.submit(1);
  let drained = false;
  const drain = committer.drain().then(() => (drained = true));
  await new Promise((resolve) => setTimeout(resolve, 10));
  t.equal(drained, false, 'not drained while the batch waits');
  t.equal(committer.pending, 1);
  locked = false;
  t.equal(await item, 1);
  await drain;
  t.equal(drained, true);
});
