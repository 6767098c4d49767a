/**
 * Virtual time for the race campaign. The service runs on this clock (startWorld's injected
 * clock), which stands still while requests are in flight and jumps only when every script is
 * waiting for a later instant: so a claim can be fired at exactly the last millisecond of a
 * fill's window, or the first, and a statement's signed timestamp always equals the time the
 * ledger gives its entry.
 *
 * Scripts are async functions that call `at(instant)` to wait for the clock to reach `instant`.
 * When no script is running (all are waiting or done), the clock moves to the earliest instant
 * asked for and the scripts waiting for it resume together. Time MUST NOT go backwards: asking
 * for an instant already past is a campaign bug and throws.
 *
 * `parallel` bounds how many scripts work at once (a script holds a lane while it works at an
 * instant, and gives it back while it waits): the rest queue for a lane, and the clock does not
 * move while any of them is queued.
 */
export class Timeline {
  #now: number;
  #running = 0;
  #waiting: Array<{ at: number; resume: () => void }> = [];
  #lanesFree: number;
  #laneQueue: Array<() => void> = [];
  #instants = 0;

  constructor(start: number, parallel: number) {
    this.#now = start;
    this.#lanesFree = Math.max(1, parallel);
  }

  /** The injected clock. */
  readonly clock = (): number => this.#now;

  /** How many distinct instants the clock has stood at so far. */
  get instants(): number {
    return this.#instants;
  }

  /** Moves the clock forward while no script runs (set-up before `run`, or final reads after it). */
  advanceTo(instant: number): void {
    if (this.#running > 0) throw new Error('the clock moves only while no script runs');
    if (instant < this.#now) throw new Error(`time cannot go back from ${this.#now} to ${instant}`);
    if (instant > this.#now) this.#instants++;
    this.#now = instant;
  }

  /** Runs every script on the timeline; resolves when all have finished (a script's error is its own to report). */
  async run(scripts: ReadonlyArray<(at: (instant: number) => Promise<void>) => Promise<void>>): Promise<void> {
    await Promise.all(
      scripts.map(async (script) => {
        this.#running++;
        await this.#takeLane();
        try {
          await script((instant) => this.#at(instant));
        } finally {
          this.#giveLane();
          this.#running--;
          this.#advance();
        }
      }),
    );
  }

  async #at(instant: number): Promise<void> {
    if (instant < this.#now) throw new Error(`a script asked for ${instant}, before the clock (${this.#now})`);
    if (instant === this.#now) return;
    this.#giveLane();
    await new Promise<void>((resume) => {
      this.#waiting.push({ at: instant, resume });
      this.#running--;
      this.#advance();
    });
    await this.#takeLane();
  }

  #advance(): void {
    if (this.#running > 0 || this.#waiting.length === 0) return;
    const next = Math.min(...this.#waiting.map((w) => w.at));
    this.#now = next;
    this.#instants++;
    const due = this.#waiting.filter((w) => w.at === next);
    this.#waiting = this.#waiting.filter((w) => w.at !== next);
    this.#running += due.length;
    for (const w of due) w.resume();
  }

  #takeLane(): Promise<void> {
    if (this.#lanesFree > 0) {
      this.#lanesFree--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#laneQueue.push(resolve));
  }

  #giveLane(): void {
    const next = this.#laneQueue.shift();
    if (next !== undefined) next();
    else this.#lanesFree++;
  }
}
