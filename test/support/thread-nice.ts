/** Threads' nice values as the kernel reports them (Linux), for tests of thread priorities. */
import { readdirSync, readFileSync } from 'node:fs';

/** A thread of this process's nice value: the 19th field of its stat line, counted after the name in parentheses (which may hold spaces). */
export function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** Every thread of this process and its nice value. */
export function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task').map(Number)) {
    try {
      nices.set(tid, niceOf(tid));
    } catch {
      // the thread ended meanwhile
    }
  }
  return nices;
}
