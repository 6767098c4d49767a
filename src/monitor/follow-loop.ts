/**
 * The loop both followers run: one step now, then one every `intervalMs`, until a step reports a
 * conflict (the follower stops: its evidence is written and it must not go on as if nothing
 * happened), the signal aborts (a clean stop), or — with `once` — after the first step.
 * A step that throws (unreachable log, bad signature, quorum not met yet) is reported and retried
 * at the next interval; with `once` it ends the run. Sleeping is injected so tests never sleep.
 */
import { setTimeout as delay } from 'node:timers/promises';

export type LoopEnd = 'conflict' | 'stopped' | 'failed' | 'done';

export interface FollowLoopOptions<R extends { status: string }> {
  readonly step: () => Promise<R>;
  readonly intervalMs: number;
  readonly once: boolean;
  readonly signal?: AbortSignal;
  readonly onReport: (report: R) => void;
  readonly onError: (err: unknown) => void;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  try {
    await delay(ms, undefined, signal === undefined ? {} : { signal });
  } catch {
    // aborted: the loop checks the signal next
  }
};

export async function followLoop<R extends { status: string }>(options: FollowLoopOptions<R>): Promise<LoopEnd> {
  const sleep = options.sleep ?? defaultSleep;
  for (;;) {
    if (options.signal?.aborted) return 'stopped';
    try {
      const report = await options.step();
      options.onReport(report);
      if (report.status === 'conflict') return 'conflict';
      if (options.once) return 'done';
    } catch (err) {
      options.onError(err);
      if (options.once) return 'failed';
    }
    await sleep(options.intervalMs, options.signal);
  }
}
