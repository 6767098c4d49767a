/** Lowering one thread's priority: the thread's own nice value changes, no other thread's. */
import t from 'tap';
import { Worker } from 'node:worker_threads';
import { currentThreadId, lowerThreadPriority } from '../../src/platform/thread-priority.js';
import { niceOf } from '../support/thread-nice.js';

const LINUX = process.platform === 'linux';

// The test process may itself run at a lower priority (a CI runner under `nice`): asked for a value
// above its own, so that the change shows.
const BASE = LINUX ? niceOf(process.pid) : 0;
const ASKED = Math.min(19, BASE + 7);

t.test('a worker lowers its own priority; the main thread keeps its own', { skip: !LINUX ? 'threads have nice values of their own on Linux only' : BASE >= 19 ? 'the test process already runs at the lowest priority' : false }, async (t) => {
  const main = currentThreadId();
  t.equal(main, process.pid, "the main thread's id is the process id");
  const source = `
    const { parentPort } = require('node:worker_threads');
    parentPort.once('message', async ({ tsx, url, nice }) => {
      (await import(tsx)).register(); // worker threads do not inherit the test's TypeScript loader
      const { currentThreadId, lowerThreadPriority } = await import(url);
      const first = lowerThreadPriority(nice);
      const again = lowerThreadPriority(nice - 3);
      parentPort.postMessage({ tid: currentThreadId(), first, again });
      parentPort.once('message', () => process.exit(0));
    });`;
  const worker = new Worker(source, { eval: true });
  const reply = new Promise<{ tid: number; first: number; again: number }>((resolve) => worker.once('message', resolve));
  worker.postMessage({ tsx: import.meta.resolve('tsx/esm/api'), url: new URL('../../src/platform/thread-priority.ts', import.meta.url).href, nice: ASKED });
  const { tid, first, again } = await reply;
  t.not(tid, main, 'the worker is a thread of its own');
  t.same([first, again], [ASKED, ASKED], 'lowered, and never raised back by a smaller value');
  t.equal(niceOf(tid), ASKED, 'the kernel says so');
  t.equal(niceOf(process.pid), BASE, 'the main thread is untouched');
  worker.postMessage('done');
  await new Promise((resolve) => worker.once('exit', resolve));
  t.equal(lowerThreadPriority(BASE - 1), BASE, 'asking for a higher priority changes nothing');
});
