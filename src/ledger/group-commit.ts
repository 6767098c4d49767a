/**
 * Group commit: appends that arrive while the event loop is busy are sequenced together and
 * written in one SQLite transaction, so one fsync acknowledges many appends. A caller's promise
 * settles only after its batch has committed (or failed as a whole).
 */
export interface PendingItem<T, R> {
  readonly input: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions<T, R> {
  /** Most items written in one transaction. */
  readonly maxBatch: number;
  /**
   * Sequences, writes and commits a batch. Returns one outcome per item: a result, or an Error
   * for an item refused on its own; throws if the whole batch failed to commit.
   */
  readonly commit: (inputs: readonly T[]) => Array<R | Error>;
}

export class GroupCommit<T, R> {
  readonly #options: GroupCommitOptions<T, R>;
  #queue: PendingItem<T, R>[] = [];
  #scheduled = false;
  #idleWaiters: Array<() => void> = [];

  constructor(options: GroupCommitOptions<T, R>) {
    this.#options = options;
  }

  get pending(): number {
    return this.#queue.length;
  }

  submit(input: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once every item submitted so far has settled. */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && !this.#scheduled) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate lets every request already in the event loop's queue join this batch.
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue.splice(0, this.#options.maxBatch);
    if (batch.length > 0) {
      let outcomes: Array<R | Error> | undefined;
      let failure: unknown;
      try {
        outcomes = this.#options.commit(batch.map((p) => p.input));
      } catch (err) {
        failure = err;
      }
      batch.forEach((p, i) => {
        const outcome = outcomes?.[i];
        if (outcomes === undefined) p.reject(failure);
        else if (outcome instanceof Error) p.reject(outcome);
        else p.resolve(outcome as R);
      });
    }
    if (this.#queue.length > 0) {
      this.#schedule();
    } else {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
