/**
 * What a verification found wrong. The verifier either stops at the first failure (`first`: later
 * failures are usually its echoes, and a caller that only needs yes or no saves the time) or goes
 * on to the end (`each-kind`, the audit), keeping the first failure of each kind (error code) and
 * how many times each kind occurred, so a report names where every distinct problem starts.
 */
import { RxError, type ErrorCode } from '../core/errors.js';

export interface VerifyFailure {
  readonly code: ErrorCode;
  readonly message: string;
  /** The first log index where the problem shows, when it is about an entry. */
  readonly index?: number;
  /** Field paths at fault inside the entry, when known. */
  readonly paths?: readonly string[];
}

export interface FailureKind {
  /** The first occurrence, in log order. */
  readonly first: VerifyFailure;
  readonly count: number;
}

export type FailureMode = 'first' | 'each-kind';

export class FailureRecord {
  private readonly kinds = new Map<ErrorCode, { first: VerifyFailure; count: number }>();
  private firstFailure: VerifyFailure | undefined;

  constructor(readonly mode: FailureMode) {}

  /** Notes a failure; in `first` mode, ends the verification by throwing it. */
  add(failure: VerifyFailure): void {
    if (this.mode === 'first') throw new RxError(failure.code, failure.message, { ...(failure.index === undefined ? {} : { index: failure.index }), ...(failure.paths ? { paths: failure.paths } : {}) });
    this.firstFailure ??= failure;
    const kind = this.kinds.get(failure.code);
    if (kind === undefined) this.kinds.set(failure.code, { first: failure, count: 1 });
    else kind.count++;
  }

  /**
   * Runs `check`, noting what it throws at `index` (or the error's own index): an RxError is a
   * failure; anything else is a bug and propagates.
   */
  attempt(index: number | undefined, check: () => void): boolean {
    try {
      check();
      return true;
    } catch (err) {
      if (!(err instanceof RxError)) throw err;
      const at = index ?? err.index;
      this.add({ code: err.code, message: err.message, ...(at === undefined ? {} : { index: at }), ...(err.paths ? { paths: err.paths } : {}) });
      return false;
    }
  }

  get ok(): boolean {
    return this.firstFailure === undefined;
  }

  /** The earliest recorded failure. */
  get first(): VerifyFailure | undefined {
    return this.firstFailure;
  }

  /** Every kind, in the order its first occurrence was found. */
  summary(): FailureKind[] {
    return [...this.kinds.values()].map(({ first, count }) => ({ first, count }));
  }
}
