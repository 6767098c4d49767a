/** Token buckets: burst, refill, debt, and memory that stays bounded whatever the keys. */
import t from 'tap';
import { createTokenBuckets } from '../../src/http/token-buckets.js';
import { manualClock } from '../support/test-ledger.js';

t.test('a quiet key may send its burst, then one request per refill interval', async (t) => {
  const clock = manualClock(0);
  const b = createTokenBuckets({ perSecond: 2, burst: 3 }, { maxKeys: 10, clock });
  for (let i = 0; i < 3; i++) {
    t.equal(b.waitSeconds('a'), 0, `request ${i + 1} may go`);
    b.take('a');
  }
  t.equal(b.waitSeconds('a'), 0.5, 'empty: half a second to the next token at 2/s');
  t.equal(b.waitSeconds('b'), 0, 'another key is untouched');
  clock.advance(250);
  t.equal(b.waitSeconds('a'), 0.25);
  clock.advance(250);
  t.equal(b.waitSeconds('a'), 0, 'a token is back');
  b.take('a');
  clock.advance(60_000);
  t.equal(b.waitSeconds('a'), 0, 'refilled');
  for (let i = 0; i < 3; i++) b.take('a');
  t.equal(b.waitSeconds('a'), 0.5, 'never more than the burst, however long it waited');
});

t.test('charges taken together go into debt, repaid by waiting, floored at -burst', async (t) => {
  const clock = manualClock(0);
  const b = createTokenBuckets({ perSecond: 1, burst: 2 }, { maxKeys: 10, clock });
  for (let i = 0; i < 3; i++) b.take('a');
  t.equal(b.waitSeconds('a'), 2, 'one over: two seconds to a whole token');
  for (let i = 0; i < 100; i++) b.take('a');
  t.equal(b.waitSeconds('a'), 3, 'the debt stops at -burst');
});

t.test('memory: full buckets are dropped, and never more than maxKeys are held', async (t) => {
  const clock = manualClock(0);
  const b = createTokenBuckets({ perSecond: 1, burst: 2 }, { maxKeys: 50, clock });
  for (let i = 0; i < 10; i++) b.take(`k${i}`);
  t.equal(b.size, 10);
  clock.advance(10_000);
  for (let i = 0; i < 10; i++) b.take(`fresh${i}`);
  t.equal(b.size, 10, 'the refilled buckets were swept as new ones came');
  for (let i = 0; i < 100_000; i++) b.take(`flood-${i}`);
  t.ok(b.size <= 50, `a flood of distinct keys holds at most maxKeys (${b.size})`);
  t.equal(b.waitSeconds('flood-99999'), 0, 'the newest keys are kept…');
  b.take('flood-99999');
  t.ok(b.waitSeconds('flood-99999') > 0, '…with their charges');
});

t.test('policies are checked', async (t) => {
  const clock = manualClock(0);
  t.throws(() => createTokenBuckets({ perSecond: 0, burst: 1 }, { maxKeys: 1, clock }), RangeError);
  t.throws(() => createTokenBuckets({ perSecond: 1, burst: 0 }, { maxKeys: 1, clock }), RangeError);
  t.throws(() => createTokenBuckets({ perSecond: 1, burst: 1 }, { maxKeys: 0, clock }), RangeError);
  t.throws(() => createTokenBuckets({ perSecond: Number.POSITIVE_INFINITY, burst: 1 }, { maxKeys: 1, clock }), RangeError);
});
