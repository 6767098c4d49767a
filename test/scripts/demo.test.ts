/** `npm run demo` is part of the suite: every path, over real HTTP, ending in a passing verifier. */
import t from 'tap';
import { runDemo } from '../../scripts/demo.js';

t.test('the demo drives every path and the regulator verifies the result', async (t) => {
  const lines: string[] = [];
  const summary = await runDemo((line) => lines.push(line));
  t.ok(summary.prescriptions >= 20, `${summary.prescriptions} prescriptions`);
  t.ok(summary.verifier.ok, `verifier: ${JSON.stringify(summary.verifier.failure)}`);
  t.ok(summary.receiptVerified, 'a receipt verified offline');
  for (const state of ['delivered', 'collected', 'rejected', 'cancelled', 'superseded', 'refused']) t.ok((summary.finalStates[state] ?? 0) > 0, `some prescription ends ${state}`);
  for (const code of ['RX_HELD_BY_ANOTHER_PHARMACY', 'RX_CANCEL_PENDING', 'RX_ACCESS_CODE_SPENT', 'RX_TRACE_CODE_DUPLICATE', 'RX_FILL_WINDOW_NOT_OPEN', 'RX_QUANTITY_EXCEEDS_OWING']) {
    t.ok((summary.refusals[code] ?? 0) > 0, `the demo shows ${code}`);
  }
  const last = JSON.parse(lines[lines.length - 1]!) as { verified: boolean };
  t.equal(last.verified, true, 'the last line is the JSON summary');
});
