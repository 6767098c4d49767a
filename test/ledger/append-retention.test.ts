/**
 * What a state machine's `prepare` found is handed to `admit` and then dropped: the append queue
 * must not keep it. (It once did: each append's queued promise resolved to an array holding the
 * previous one, a chain back to start-up that the soak campaign saw as ever-rising RSS.)
 */
import t from 'tap';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openTestLedger } from '../support/test-ledger.js';
import { testdirWithStops } from '../support/testdir.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

t.test('prepared values are collectable once their entries are committed', async (t) => {
  const collected = { count: 0 };
  const registry = new FinalizationRegistry(() => collected.count++);
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { ledger } = openTestLedger(dir, {
    stateMachine: {
      // Each prepared value is a megabyte, so a retained chain would be unmistakable.
      prepare: async () => {
        const prepared = { payload: new Uint8Array(1 << 20) };
        registry.register(prepared, undefined);
        return prepared;
      },
      admit: () => ({ kind: 'append', apply: () => undefined }),
    },
  });
  stopBeforeRemoval(() => ledger.close());
  const appends = 200;
  for (let batch = 0; batch < appends / 20; batch++) {
    await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.append('test.event', { n: batch * 20 + i })));
  }
  t.equal(ledger.size(), appends, 'every entry committed');
  for (let round = 0; round < 10 && collected.count < appends - 1; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  // The last append's value may still be referenced by the queue's final link.
  t.ok(collected.count >= appends - 1, `${collected.count} of ${appends} prepared values collected`);
});
