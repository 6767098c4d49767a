import t from 'tap';
import { createProgress } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream, written };
}

t.test('draws a bar on a terminal and ends the line', async (t) => {
  let now = 0;
  const { stream, written } = fakeStream(true);
  const p = createProgress(stream, 'verifying', () => now);
  now = 2000;
  p.update(50, 200);
  p.finish();
  t.match(written[0], /^\rverifying \[#{8}\.{22}\] 25% 50\/200 \(25\/s\)$/);
  t.equal(written[1], '\n');
});

t.test('is silent when not a terminal (CI, pipes)', async (t) => {
  const { stream, written } = fakeStream(false);
  const p = createProgress(stream, 'verifying');
  p.update(1, 2);
  p.finish();
  t.same(written, []);
});
