/**
 * Group commit: appends that arrive while the event loop is busy are sequenced together and
 * written in one SQLite transaction, so one flush to disk acknowledges many appends. A caller's
 * promise settles only after its batch is durable (or failed as a whole).
 *
 * A batch that finds the database's write lock held by another connection (the oversight fold's,
 * src/ledger/oversight-worker.ts) is not waited for inside SQLite, which would hold the event loop
 * for the whole wait: it goes back to the head of the queue and is tried again a millisecond later,
 * with whatever arrived meanwhile behind it; only after `lockRetryMs` does the commit wait.
 *
 * A commit either returns once its batch is on disk (synchronous=FULL), or returns once SQLite has
 * committed it together with a promise that resolves when it is on disk (the WAL flushed off the
 * event loop, src/platform/wal-sync.ts). In the second case:
 *   - the batch's promises MUST NOT settle before that promise resolves, and batches settle in
 *     commit order;
 *   - at most `maxInFlight` committed batches wait for their flush at once: the next batch is
 *     sequenced (on top of the committed ones) only below that depth;
 *   - a failed flush is fatal: that batch and every later one are rejected with its error, since
 *     what they were committed on top of may not be on disk, and so is everything submitted after.
 */
export interface PendingItem<T, R> {
  readonly input: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/** A batch SQLite has committed, and the promise of it being on disk. */
export interface DeferredCommit<R> {
  readonly outcomes: Array<R | Error>;
  readonly durable: Promise<void>;
}

/**
 * What `commit` returns when it could not start because another connection holds the database's
 * write lock, and it was allowed not to wait (`mayWait` false): nothing was done, try again later.
 */
export const COMMIT_LOCKED = Symbol('commit-locked');

export interface GroupCommitOptions<T, R> {
  /** Most items written in one transaction. */
  readonly maxBatch: number;
  /** Most committed batches waiting for their flush to disk at once (default 1). */
  readonly maxInFlight?: number;
  /**
   * Sequences, writes and commits a batch. Returns one outcome per item: a result, or an Error
   * for an item refused on its own (directly if the batch is durable on return, or with the
   * promise of its durability); throws if the whole batch failed to commit. With `mayWait` false
   * it may instead return COMMIT_LOCKED, having done nothing, rather than wait for a lock.
   */
  readonly commit: (inputs: readonly T[], mayWait: boolean) => Array<R | Error> | DeferredCommit<R> | typeof COMMIT_LOCKED;
  /**
   * How long a batch that found the write lock taken is retried without waiting (every
   * millisecond, the event loop free in between) before `commit` is told to wait for it
   * (default 250 ms; 0: always wait).
   */
  readonly lockRetryMs?: number;
}

const LOCK_RETRY_INTERVAL_MS = 1;

export class GroupCommit<T, R> {
  readonly #options: GroupCommitOptions<T, R>;
  readonly #maxInFlight: number;
  #queue: PendingItem<T, R>[] = [];
  #scheduled = false;
  #inFlight = 0;
  /** Settles once every committed batch so far has settled its items. */
  #tail: Promise<void> = Promise.resolve();
  #failure: { readonly error: unknown } | undefined;
  #idleWaiters: Array<() => void> = [];
  /** When the batch at the head of the queue first found the write lock taken (undefined: it has not). */
  #lockedSince: number | undefined;

  constructor(options: GroupCommitOptions<T, R>) {
    this.#options = options;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** The error of a failed flush, after which nothing is committed any more. */
  get failure(): unknown {
    return this.#failure?.error;
  }

  submit(input: T): Promise<R> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once every item submitted so far has settled. */
  drain(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #idle(): boolean {
    return this.#queue.length === 0 && !this.#scheduled && this.#inFlight === 0;
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight) return;
    this.#scheduled = true;
    // setImmediate lets every request already in the event loop's queue join this batch.
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue.splice(0, this.#options.maxBatch);
    if (batch.length > 0) {
      let committed: Array<R | Error> | DeferredCommit<R> | typeof COMMIT_LOCKED | undefined;
      const retryMs = this.#options.lockRetryMs ?? 250;
      const mayWait = retryMs <= 0 || (this.#lockedSince !== undefined && performance.now() - this.#lockedSince >= retryMs);
      try {
        committed = this.#options.commit(batch.map((p) => p.input), mayWait);
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
      if (committed === COMMIT_LOCKED) {
        // Another connection (the oversight fold) is writing. Waiting for it inside SQLite would
        // hold the event loop; instead the batch goes back to the head of the queue, in order, and
        // is tried again shortly with whatever arrived meanwhile, the event loop free in between.
        this.#lockedSince ??= performance.now();
        this.#queue.unshift(...batch);
        this.#scheduled = true;
        setTimeout(() => this.#flush(), LOCK_RETRY_INTERVAL_MS);
        return;
      }
      this.#lockedSince = undefined;
      if (committed !== undefined) {
        // A batch durable on return still settles after any committed before it.
        if (!Array.isArray(committed)) this.#await(batch, committed);
        else if (this.#inFlight > 0) this.#await(batch, { outcomes: committed, durable: Promise.resolve() });
        else this.#settle(batch, committed);
      }
    }
    this.#next();
  }

  #await(batch: readonly PendingItem<T, R>[], { outcomes, durable }: DeferredCommit<R>): void {
    this.#inFlight += 1;
    const flushed = durable.then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    // In commit order: a batch settles after the ones committed before it, and not at all if the
    // flush of one of them (or its own) failed.
    this.#tail = Promise.all([this.#tail, flushed]).then(([, failed]) => {
      this.#inFlight -= 1;
      this.#failure ??= failed;
      if (this.#failure === undefined) this.#settle(batch, outcomes);
      else for (const p of batch) p.reject(this.#failure.error);
      this.#next();
    });
  }

  #settle(batch: readonly PendingItem<T, R>[], outcomes: ReadonlyArray<R | Error>): void {
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome instanceof Error) p.reject(outcome);
      else p.resolve(outcome as R);
    });
  }

  #next(): void {
    if (this.#failure !== undefined) {
      const queued = this.#queue;
      this.#queue = [];
      for (const p of queued) p.reject(this.#failure.error);
    }
    if (this.#queue.length > 0) this.#schedule();
    if (this.#idle()) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
