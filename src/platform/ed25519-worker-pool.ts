/**
 * Ed25519 verification on worker threads, so the event loop can parse and sequence requests while
 * signatures are checked on another core. Each worker runs the server's verifier
 * (node-ed25519.ts): a result is exactly what `createNodeEd25519Verifier().verify` returns for the
 * same arguments. Requests queue while every worker is busy and go to the next free one as one
 * message, so a busy server pays one message round trip per batch, not per signature.
 *
 * `verify` never waits for a worker to start: until one has loaded its modules it rejects at once,
 * as it does for the verifications a dying worker held (callers then verify synchronously). A
 * worker that dies after starting is replaced. Idle workers do not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import { siblingWorkerUrl } from './worker-url.js';

export interface VerifyJob {
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Pool → worker. */
export interface VerifyBatch {
  readonly id: number;
  readonly jobs: readonly VerifyJob[];
}

/** Worker → pool: one result per job, in order. */
export interface VerifyBatchResult {
  readonly id: number;
  readonly results: readonly boolean[];
}

/** Worker → pool, first: its modules are loaded. */
export type WorkerReady = 'ready';

export interface Ed25519WorkerPool {
  /** Resolves once a worker can take work; rejects if none could start. */
  ready(): Promise<void>;
  /** Resolves to the verifier's answer; rejects if no worker is ready yet, the worker holding it died, or the pool is closed. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
  /** Rejects what is queued or in flight and stops the workers. */
  close(): Promise<void>;
}

interface Pending extends VerifyJob {
  resolve(valid: boolean): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  /** The batch the worker is verifying, if any: a worker holds at most one. */
  batch: { readonly id: number; readonly jobs: readonly Pending[]; readonly timer: NodeJS.Timeout } | undefined;
}

/** Most signatures in one message to a worker. */
const MAX_BATCH = 256;
/**
 * A batch of 256 verifies in a few milliseconds; one that takes this long means a stuck worker.
 * It is stopped: its jobs are rejected (their callers verify on the event loop) and a fresh worker
 * takes its place, so one hung thread can never hold the ledger's append queue.
 */
const BATCH_TIMEOUT_MS = 5_000;


export function createEd25519WorkerPool(size: number): Ed25519WorkerPool {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('an Ed25519 worker pool needs at least one worker');
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;

  // A worker keeps the process alive while it starts (someone may wait for `ready`), holds a
  // batch, or is being stopped; an idle one does not.
  const updateRef = (slot: Slot): void => {
    if (closed || !slot.ready || slot.batch !== undefined) slot.worker.ref();
    else slot.worker.unref();
  };

  const dispatch = (slot: Slot): void => {
    if (!slot.ready || slot.batch !== undefined || queue.length === 0) return;
    const jobs = queue.splice(0, MAX_BATCH);
    const id = nextId++;
    const timer = setTimeout(() => {
      if (slot.batch?.id === id) void slot.worker.terminate();
    }, BATCH_TIMEOUT_MS);
    timer.unref();
    slot.batch = { id, jobs, timer };
    updateRef(slot);
    slot.worker.postMessage({ id: slot.batch.id, jobs: jobs.map(({ signature, message, publicKey }) => ({ signature, message, publicKey })) } satisfies VerifyBatch);
  };

  const settle = (slot: Slot): Pending[] => {
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
  const entry = siblingWorkerUrl(import.meta.url, 'ed25519-worker');
  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(entry), ready: false, batch: undefined };
    slot.worker.on('message', (message: VerifyBatchResult | WorkerReady) => {
      if (message === 'ready') {
        slot.ready = true;
        updateRef(slot);
        markReady();
      } else if (slot.batch?.id === message.id) {
        settle(slot).forEach((job, i) => job.resolve(message.results[i] === true));
      }
      dispatch(slot);
    });
    slot.worker.on('error', (err) => {
      for (const job of settle(slot)) job.reject(err);
    });
    slot.worker.on('exit', () => {
      for (const job of settle(slot)) job.reject(new Error('Ed25519 worker exited'));
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      // A worker that never started would fail again: only a worker that ran is replaced.
      if (slots.length === 0 && !slot.ready) markFailed(new Error('no Ed25519 worker could start'));
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
    verify(signature, message, publicKey) {
      if (closed) return Promise.reject(new Error('the Ed25519 worker pool is closed'));
      if (!slots.some((s) => s.ready)) return Promise.reject(new Error('no Ed25519 worker is ready'));
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ signature, message, publicKey, resolve, reject });
        // Dispatched once per turn of the event loop, not per call: the requests read in one turn
        // go to a worker as one message (a message costs the event loop about as much as a
        // verification saves it, so one per signature spent much of the gain on a busy server).
        if (!dispatchScheduled) {
          dispatchScheduled = true;
          setImmediate(dispatchToIdle);
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = new Error('the Ed25519 worker pool is closed');
      for (const job of queue.splice(0)) job.reject(error);
      await Promise.all(
        slots.map((s) => {
          updateRef(s);
          return s.worker.terminate();
        }),
      );
    },
  };
}
