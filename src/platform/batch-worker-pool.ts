/**
 * Work on worker threads in batches, so the event loop can go on reading and sequencing requests
 * while another core does the per-request work that needs nothing but the request (signature
 * arithmetic, parsing and validating bodies). Jobs queue while every worker is busy and go to the
 * next free one as one message, dispatched once per turn of the event loop: a busy server pays
 * one message round trip per batch, not per job (a message costs the event loop about as much as
 * one job saves it).
 *
 * `run` never waits for a worker to start: until one has loaded its modules it rejects at once, as
 * it does for the jobs a dying or stuck worker held, so callers do the work themselves instead (a
 * pool can make a request slower, never different). A worker that dies after starting is
 * replaced. Idle workers do not keep the process alive.
 *
 * The worker side is `serveBatches` in its own module: it says `ready` once loaded, then answers
 * each `{ id, jobs }` with `{ id, results }`, one result per job, in order.
 */
import { parentPort, Worker } from 'node:worker_threads';

/** Pool → worker. */
export interface JobBatch<Job> {
  readonly id: number;
  readonly jobs: readonly Job[];
}

/** Worker → pool: one result per job, in order. */
export interface JobBatchResult<Result> {
  readonly id: number;
  readonly results: readonly Result[];
}

/** Worker → pool, first: its modules are loaded. */
export type WorkerReady = 'ready';

export interface BatchWorkerPoolOptions {
  /** The worker module (siblingWorkerUrl). */
  readonly entry: URL;
  readonly size: number;
  /** Names the pool in its errors, e.g. "Ed25519". */
  readonly name: string;
  /** Most jobs in one message. */
  readonly maxBatch: number;
  /** A batch taking longer means a stuck worker: it is stopped and replaced, its jobs rejected. */
  readonly batchTimeoutMs: number;
}

export interface BatchWorkerPool<Job, Result> {
  /** Resolves once a worker can take work; rejects if none could start, or the pool was closed first. */
  ready(): Promise<void>;
  /** Resolves to the worker's result; rejects if no worker is ready yet, the worker holding it died, or the pool is closed. */
  run(job: Job): Promise<Result>;
  /** Rejects what is queued or in flight and stops the workers. */
  close(): Promise<void>;
}

interface Pending<Job, Result> {
  readonly job: Job;
  resolve(result: Result): void;
  reject(error: Error): void;
}

interface Slot<Job, Result> {
  readonly worker: Worker;
  ready: boolean;
  /** The batch the worker is working on, if any: a worker holds at most one. */
  batch: { readonly id: number; readonly jobs: readonly Pending<Job, Result>[]; readonly timer: NodeJS.Timeout } | undefined;
}

export function createBatchWorkerPool<Job, Result>(options: BatchWorkerPoolOptions): BatchWorkerPool<Job, Result> {
  const { entry, size, name, maxBatch, batchTimeoutMs } = options;
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`an ${name} worker pool needs at least one worker`);
  const queue: Pending<Job, Result>[] = [];
  const slots: Slot<Job, Result>[] = [];
  let nextId = 0;
  let closed = false;

  // A worker keeps the process alive while it starts (someone may wait for `ready`), holds a
  // batch, or is being stopped; an idle one does not.
  const updateRef = (slot: Slot<Job, Result>): void => {
    if (closed || !slot.ready || slot.batch !== undefined) slot.worker.ref();
    else slot.worker.unref();
  };

  const dispatch = (slot: Slot<Job, Result>): void => {
    if (!slot.ready || slot.batch !== undefined || queue.length === 0) return;
    const jobs = queue.splice(0, maxBatch);
    const id = nextId++;
    const timer = setTimeout(() => {
      if (slot.batch?.id === id) void slot.worker.terminate();
    }, batchTimeoutMs);
    timer.unref();
    slot.batch = { id, jobs, timer };
    updateRef(slot);
    slot.worker.postMessage({ id, jobs: jobs.map((p) => p.job) } satisfies JobBatch<Job>);
  };

  const settle = (slot: Slot<Job, Result>): Pending<Job, Result>[] => {
    const jobs = slot.batch?.jobs ?? [];
    if (slot.batch !== undefined) clearTimeout(slot.batch.timer);
    slot.batch = undefined;
    updateRef(slot);
    return [...jobs];
  };

  let dispatchScheduled = false;
  const dispatchToIdle = (): void => {
    dispatchScheduled = false;
    for (const slot of slots) dispatch(slot);
  };

  let markReady!: () => void;
  let markFailed!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  ready.catch(() => undefined); // observed through ready(); never an unhandled rejection
  const spawn = (): Slot<Job, Result> => {
    const slot: Slot<Job, Result> = { worker: new Worker(entry), ready: false, batch: undefined };
    slot.worker.on('message', (message: JobBatchResult<Result> | WorkerReady) => {
      if (message === 'ready') {
        slot.ready = true;
        updateRef(slot);
        markReady();
      } else if (slot.batch?.id === message.id) {
        settle(slot).forEach((p, i) => p.resolve(message.results[i]!));
      }
      dispatch(slot);
    });
    slot.worker.on('error', (err) => {
      for (const p of settle(slot)) p.reject(err);
    });
    slot.worker.on('exit', () => {
      for (const p of settle(slot)) p.reject(new Error(`${name} worker exited`));
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      // A worker that never started would fail again: only a worker that ran is replaced. A pool
      // closed before any started says so, not that none could start (nothing failed).
      if (slots.length === 0 && !slot.ready) markFailed(new Error(closed ? `the ${name} worker pool was closed before a worker started` : `no ${name} worker could start`));
      if (!closed && slot.ready) {
        const replacement = spawn();
        slots.push(replacement);
        dispatch(replacement);
      }
    });
    return slot;
  };
  for (let i = 0; i < size; i++) slots.push(spawn());

  return {
    ready: () => ready,
    run(job) {
      if (closed) return Promise.reject(new Error(`the ${name} worker pool is closed`));
      if (!slots.some((s) => s.ready)) return Promise.reject(new Error(`no ${name} worker is ready`));
      return new Promise<Result>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        if (!dispatchScheduled) {
          dispatchScheduled = true;
          setImmediate(dispatchToIdle);
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = new Error(`the ${name} worker pool is closed`);
      for (const p of queue.splice(0)) p.reject(error);
      await Promise.all(
        slots.map((s) => {
          updateRef(s);
          return s.worker.terminate();
        }),
      );
    },
  };
}

/** The worker side: answers each batch the pool posts with `handle`'s results, after saying it is ready. */
export function serveBatches<Job, Result>(handle: (jobs: readonly Job[]) => Result[]): void {
  const port = parentPort;
  if (port === null) throw new Error('a batch worker runs only as a worker thread');
  port.on('message', ({ id, jobs }: JobBatch<Job>) => {
    port.postMessage({ id, results: handle(jobs) } satisfies JobBatchResult<Result>);
  });
  // Everything is loaded: the pool may send work.
  port.postMessage('ready' satisfies WorkerReady);
}
