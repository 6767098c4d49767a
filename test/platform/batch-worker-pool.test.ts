/**
 * The batch worker pool on real worker threads (test/support/batch-test-worker.ts): work waits for
 * no worker and is never lost silently — before a worker is ready, after the pool is closed, when
 * a worker dies or is stuck, each job still queued or held is rejected, so its caller does the work
 * itself; a worker that ran is replaced; jobs queued while the workers are busy go as one message.
 */
import t, { type Test } from 'tap';
import { createBatchWorkerPool } from '../../src/platform/batch-worker-pool.js';
import { siblingWorkerUrl } from '../../src/platform/worker-url.js';
import type { TestJob, TestResult } from '../support/batch-test-worker.js';

const ENTRY = siblingWorkerUrl(import.meta.url, '../support/batch-test-worker');

function testPool(t: Test, options: { size?: number; maxBatch?: number; batchTimeoutMs?: number } = {}) {
  const pool = createBatchWorkerPool<TestJob, TestResult>({ entry: ENTRY, name: 'test', size: options.size ?? 1, maxBatch: options.maxBatch ?? 64, batchTimeoutMs: options.batchTimeoutMs ?? 30_000 });
  t.teardown(() => pool.close());
  return pool;
}

t.test('work asked for before a worker is ready is refused at once; then answers come in order', async (t) => {
  const pool = testPool(t);
  await t.rejects(pool.run({ double: 1 }), { message: 'no test worker is ready' });
  await pool.ready();
  const answers = await Promise.all([1, 2, 3].map((n) => pool.run({ double: n })));
  t.same(answers.map((a) => a.doubled), [2, 4, 6]);
});

t.test('jobs queued in one turn go to a worker as one message, at most maxBatch at a time', async (t) => {
  const pool = testPool(t, { maxBatch: 4 });
  await pool.ready();
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.run({ double: i })));
  t.same(answers.map((a) => a.doubled), Array.from({ length: 10 }, (_, i) => 2 * i), 'each job its own answer, in order');
  t.same(answers.map((a) => a.batchSize), [4, 4, 4, 4, 4, 4, 4, 4, 2, 2]);
});

t.test('a worker that dies mid-batch: its jobs are rejected, a new worker takes the next ones', async (t) => {
  const pool = testPool(t);
  await pool.ready();
  const held = [pool.run({ double: 1 }), pool.run({ die: true }), pool.run({ double: 2 })];
  for (const p of held) await t.rejects(p, { message: 'test worker exited' }, 'every job of the batch it held');
  // The replacement loads its modules first: until then work is refused, never queued for nobody.
  let answer: TestResult | undefined;
  for (let tries = 0; answer === undefined && tries < 200; tries++) {
    answer = await pool.run({ double: 21 }).catch(async () => void (await new Promise((r) => setTimeout(r, 25))));
  }
  t.equal(answer?.doubled, 42, 'the replacement answers');
});

t.test('a batch held past the timeout: the worker is stopped, its jobs rejected, and replaced', async (t) => {
  const pool = testPool(t, { batchTimeoutMs: 200 });
  await pool.ready();
  await t.rejects(pool.run({ holdMs: 2_000 }), { message: 'test worker exited' });
  let answer: TestResult | undefined;
  for (let tries = 0; answer === undefined && tries < 200; tries++) {
    answer = await pool.run({ double: 5 }).catch(async () => void (await new Promise((r) => setTimeout(r, 25))));
  }
  t.equal(answer?.doubled, 10, 'the replacement answers');
});

t.test('closing rejects what is queued and refuses new work', async (t) => {
  const pool = testPool(t);
  await pool.ready();
  const queued = t.rejects(pool.run({ double: 1 }), { message: 'the test worker pool is closed' });
  await pool.close();
  await queued;
  await t.rejects(pool.run({ double: 2 }), { message: 'the test worker pool is closed' });
  await pool.close(); // twice changes nothing
});

t.test('a pool closed before any worker started says so; one whose workers cannot load says that', async (t) => {
  const closedEarly = testPool(t, { size: 2 });
  await closedEarly.close();
  await t.rejects(closedEarly.ready(), { message: 'the test worker pool was closed before a worker started' });

  const broken = createBatchWorkerPool<TestJob, TestResult>({
    entry: new URL(`data:text/javascript,${encodeURIComponent("throw new Error('this worker cannot load')")}`),
    name: 'test',
    size: 2,
    maxBatch: 64,
    batchTimeoutMs: 30_000,
  });
  t.teardown(() => broken.close());
  await t.rejects(broken.ready(), { message: 'no test worker could start' });
  await t.rejects(broken.run({ double: 1 }), { message: 'no test worker is ready' });
});
