/**
 * The shared test-directory helper keeps the promise the suite relies on: whatever a test gives it
 * to stop is stopped while the directory is still there, latest first, and the directory is gone
 * once the test has ended. If tap ever changed the order of its teardowns, this fails first.
 */
import t from 'tap';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testdirWithStops } from './testdir.js';

t.test('stops run before the directory is removed, latest first', async (t) => {
  let dir = '';
  const seen: string[] = [];
  await t.test('a test that starts two things', async (tt) => {
    const made = testdirWithStops(tt);
    dir = made.dir;
    writeFileSync(join(dir, 'held'), 'x');
    made.stopBeforeRemoval(() => seen.push(`first, directory there: ${existsSync(join(dir, 'held'))}`));
    made.stopBeforeRemoval(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen.push(`second, directory there: ${existsSync(join(dir, 'held'))}`);
    });
    tt.equal(testdirWithStops(tt).dir, dir, 'a second call returns the same directory');
    tt.ok(existsSync(join(dir, 'held')), 'without emptying it');
  });
  t.same(seen, ['second, directory there: true', 'first, directory there: true']);
  t.notOk(existsSync(dir), 'the directory is removed after the stops');
});

t.test('a second call with content is refused', async (t) => {
  testdirWithStops(t);
  t.throws(() => testdirWithStops(t, { a: 'b' }), /made already/);
});

t.test('every stop runs even when one throws, and the first error fails the teardown', async (t) => {
  const teardowns: Array<() => unknown> = [];
  const fake = { teardown: (fn: () => unknown) => void teardowns.push(fn), testdir: () => '/nonexistent/fake-testdir' };
  const { stopBeforeRemoval } = testdirWithStops(fake as unknown as Parameters<typeof testdirWithStops>[0]);
  const ran: string[] = [];
  stopBeforeRemoval(() => ran.push('first'));
  stopBeforeRemoval(() => {
    ran.push('second');
    throw new Error('second failed');
  });
  stopBeforeRemoval(() => {
    ran.push('third');
    throw new Error('third failed');
  });
  t.equal(teardowns.length, 1, 'one teardown, registered before the directory was made');
  await t.rejects(Promise.resolve().then(teardowns[0]), /third failed/, 'the first error (latest stop first) is thrown');
  t.same(ran, ['third', 'second', 'first'], 'every stop ran');
});
