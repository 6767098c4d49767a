/**
 * A test's directory for tests that start something which keeps writing into it, or holds files
 * open there, until it is stopped: a service, a ledger, a worker thread, a served log, a database.
 *
 * Why the order matters: tap removes a test's directory when the test ends, and if the test called
 * t.testdir() before its first t.teardown(), the removal runs BEFORE the test's teardowns (tap 21
 * chains the removal and the teardowns onto the end of the test in the order the test first used
 * each). So in
 *
 *     const service = await startService(...join(t.testdir(), 'data')...);
 *     t.teardown(() => service.stop());
 *
 * the directory is removed while the service still writes there: the removal fails now and then
 * (ENOTEMPTY), the service is then never stopped, and the test file times out.
 *
 * Here the teardown is registered first and the directory made after it, so what is given to
 * `stopBeforeRemoval` is stopped before the directory is removed: the latest first (as tap runs
 * teardowns), each awaited, and every one even if an earlier one throws (the first error is then
 * thrown, failing the test). Use it instead of t.testdir(), before anything else in the test calls
 * t.testdir().
 *
 * One directory per test: called again in the same test, it returns the same directory and stop
 * list, without emptying the directory as a second t.testdir() would (under whatever is open there).
 */
import type { Test } from 'tap';

type Stop = () => unknown;

export interface TestdirWithStops {
  /** The test's directory (t.testdir()), removed once the stops below have run. */
  readonly dir: string;
  /** Runs `stop` when the test ends, before its directory is removed. */
  stopBeforeRemoval(stop: Stop): void;
}

const made = new WeakMap<object, TestdirWithStops>();

export function testdirWithStops(t: Pick<Test, 'testdir' | 'teardown'>, content?: Parameters<Test['testdir']>[0]): TestdirWithStops {
  const existing = made.get(t);
  if (existing !== undefined) {
    if (content !== undefined) throw new Error("testdirWithStops: this test's directory is made already; give its content at the first call");
    return existing;
  }
  const stops: Stop[] = [];
  // Registered before t.testdir() is called: see above.
  t.teardown(async () => {
    let failure: { error: unknown } | undefined;
    for (let stop = stops.pop(); stop !== undefined; stop = stops.pop()) {
      try {
        await stop();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  });
  const testdir: TestdirWithStops = { dir: t.testdir(content), stopBeforeRemoval: (stop) => void stops.push(stop) };
  made.set(t, testdir);
  return testdir;
}
