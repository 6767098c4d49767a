/** The soak chart's SVG writer (scripts/campaigns/svg-chart.ts): ticks, scaling, gaps, escaping, well-formed output. */
import t from 'tap';
import { escapeXml, formatTick, logTicks, niceTicks, renderLineChart } from '../../scripts/campaigns/svg-chart.js';

/** Every tag opened is closed, in order (a cheap well-formedness check; the output has no comments or CDATA). */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0;
}

t.test('niceTicks covers the range with round steps', async (t) => {
  t.same(niceTicks(0, 10, 6), [0, 2, 4, 6, 8, 10]);
  t.same(niceTicks(0, 30, 10), [0, 5, 10, 15, 20, 25, 30]);
  t.same(niceTicks(0, 0.3, 4), [0, 0.1, 0.2, 0.3], 'no floating-point dust');
  const ticks = niceTicks(137, 912, 5);
  t.ok(ticks[0]! <= 137 && ticks[ticks.length - 1]! >= 912, `${ticks} covers 137–912`);
  const step = ticks[1]! - ticks[0]!;
  t.ok([1, 2, 5].includes(step / 10 ** Math.floor(Math.log10(step))), `step ${step} is 1, 2 or 5 × 10^k`);
  t.same(niceTicks(5, 5, 5).length > 1, true, 'a flat range is widened');
  t.same(niceTicks(10, 0, 6), [0, 2, 4, 6, 8, 10], 'reversed bounds');
  t.throws(() => niceTicks(0, Number.NaN));
});

t.test('formatTick prints the decimals the step needs', async (t) => {
  t.equal(formatTick(1500, 500), '1,500');
  t.equal(formatTick(0.25, 0.05), '0.25');
  t.equal(formatTick(2, 0.5), '2.0');
});

t.test('escapeXml', async (t) => {
  t.equal(escapeXml(`a<b & "c" 'd'>`), 'a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
});

t.test('a chart of two panels', async (t) => {
  const svg = renderLineChart({
    title: 'soak <test> & co',
    subtitle: ['line one'],
    xLabel: 'minutes',
    xMin: 0,
    panels: [
      { title: 'RSS', unit: 'MiB', series: [{ name: 'rss', points: [[0, 100], [1, 120], [2, Number.NaN], [3, 130], [4, 125]] }, { name: 'cap', points: [[0, 200], [4, 200]], dashed: true }] },
      { title: 'Empty', series: [] },
    ],
  });
  t.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), 'a standalone SVG document');
  t.ok(balanced(svg), 'every element is closed');
  t.match(svg, /soak &lt;test&gt; &amp; co/, 'text is escaped');
  t.equal((svg.match(/<g class="panel"/g) ?? []).length, 2, 'one group per panel');
  const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' ').map((p) => p.split(',').map(Number)));
  t.equal(lines.length, 3, 'the NaN splits the first series in two; the cap is the third');
  t.equal(lines[0]!.length, 2);
  t.equal(lines[1]!.length, 2);
  // Larger values are drawn higher (smaller y) and later samples further right, inside the plot.
  const [[x0, y0], [x1, y1]] = lines[0] as [[number, number], [number, number]];
  t.ok(x1 > x0 && y1 < y0, 'x grows to the right, y upwards');
  for (const line of lines) for (const [x, y] of line) t.ok(x! >= 0 && x! <= 960 && y! >= 0, 'inside the canvas');
  t.match(svg, /stroke-dasharray/, 'dashed series');
  t.match(svg, />RSS <tspan[^>]*>\(MiB\)<\/tspan>/, 'panel title with unit');
  t.match(svg, />minutes</, 'x label');
});

t.test('a single point is drawn as a dot; constant series get a usable axis', async (t) => {
  const svg = renderLineChart({ title: 'x', xLabel: 'x', panels: [{ title: 'one', series: [{ name: 'a', points: [[1, 5]] }] }, { title: 'flat', series: [{ name: 'b', points: [[0, 0], [1, 0]] }] }] });
  t.ok(balanced(svg));
  t.match(svg, /<circle /);
  t.notMatch(svg, /NaN|Infinity/, 'no degenerate coordinates');
});

t.test('logTicks covers the range with 1-2-5 steps, or decades over a wide range', async (t) => {
  t.same(logTicks(3.5, 2500), [2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]);
  t.same(logTicks(0.3, 4), [0.2, 0.5, 1, 2, 5]);
  t.same(logTicks(0.01, 10_000), [0.01, 0.1, 1, 10, 100, 1000, 10_000], 'six decades: powers of ten only');
  t.same(logTicks(10, 10), [10]);
  t.throws(() => logTicks(0, 10), RangeError);
});

t.test('a log-scale panel spaces decades evenly and leaves gaps for values ≤ 0', async (t) => {
  const svg = renderLineChart({ title: 'x', xLabel: 'x', panels: [{ title: 'latency', unit: 'ms', yScale: 'log', series: [{ name: 'p99', points: [[0, 1], [1, 10], [2, 100], [3, 0], [4, 100]] }] }] });
  t.ok(balanced(svg));
  t.match(svg, /\(ms, log scale\)/);
  const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' ').map((p) => p.split(',').map(Number)));
  t.equal(lines.length, 1, 'the zero leaves a gap: one line of three points');
  t.equal((svg.match(/<circle /g) ?? []).length, 1, 'and a dot for the lone point after it');
  const ys = lines[0]!.map(([, y]) => y!);
  t.ok(Math.abs(ys[0]! - ys[1]! - (ys[1]! - ys[2]!)) < 0.2, `1 → 10 and 10 → 100 are the same height (${ys})`);
});
