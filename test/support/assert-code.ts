/** Asserts that `fn` throws an RxError with `code` (errors are asserted by code, never by message). */
import { RxError, type ErrorCode } from '../../src/core/errors.js';

interface Assertions {
  fail(message: string): unknown;
  pass(message: string): unknown;
}

export function throwsCode(t: Assertions, fn: () => unknown, code: ErrorCode, message = `throws ${code}`): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof RxError && err.code === code) t.pass(message);
    else t.fail(`${message}: got ${err instanceof RxError ? err.code : String(err)}`);
    return;
  }
  t.fail(`${message}: did not throw`);
}

export async function rejectsCode(t: Assertions, promise: Promise<unknown>, code: ErrorCode, message = `rejects with ${code}`): Promise<void> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RxError && err.code === code) t.pass(message);
    else t.fail(`${message}: got ${err instanceof RxError ? err.code : String(err)}`);
    return;
  }
  t.fail(`${message}: did not reject`);
}
