/**
 * A batch worker for test/platform/batch-worker-pool.test.ts: doubles numbers, and on request
 * dies mid-batch or holds its batch past the pool's timeout, so the pool's failure paths run
 * against a real worker thread.
 */
import { serveBatches } from '../../src/platform/batch-worker-pool.js';

export type TestJob = { readonly double: number } | { readonly die: true } | { readonly holdMs: number };
export interface TestResult {
  readonly doubled: number;
  /** How many jobs came in the same message. */
  readonly batchSize: number;
}

serveBatches<TestJob, TestResult>((jobs) =>
  jobs.map((job) => {
    if ('die' in job) process.exit(3); // ends this worker thread only
    if ('holdMs' in job) {
      const until = Date.now() + job.holdMs;
      while (Date.now() < until); // a stuck worker: it answers nothing meanwhile
      return { doubled: 0, batchSize: jobs.length };
    }
    return { doubled: job.double * 2, batchSize: jobs.length };
  }),
);
