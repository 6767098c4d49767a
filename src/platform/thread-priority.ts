/**
 * Lowers the scheduling priority of the calling thread alone, for work that may wait while the
 * machine is busy (the oversight fold: a refold of a long log takes a core for as long as it runs).
 *
 * On Linux every thread is a task with its own nice value, set with setpriority(2) on its thread
 * id, which `os.setPriority` passes through; the id is read from `/proc/thread-self`. Raising the
 * value (lowering the priority) needs no privilege. Elsewhere, or if it fails, nothing changes:
 * the work then runs at the process's priority, as before.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The calling thread's kernel thread id, or undefined where there is no `/proc/thread-self`. */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the calling thread's nice value to `nice` if that lowers its priority; returns the nice value it runs at, or undefined if unknown. */
export function lowerThreadPriority(nice: number): number | undefined {
  const tid = currentThreadId();
  if (tid === undefined) return undefined;
  try {
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
