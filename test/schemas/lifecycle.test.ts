/** The lifecycle payloads' own limits, beyond what the rules judge against the prescription. */
import t from 'tap';
import { DispensePayload } from '../../schemas/lifecycle.js';

const DISPENSE = { prescriptionId: 'rx-20260101-hosp-a-000001', previous: 12, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: ['81234567890123456789'] }] };

t.test('a dispensing lists the traceability code of at least one pack on every line', async (t) => {
  t.ok(DispensePayload.safeParse(DISPENSE).success, 'one pack, one code');
  const none = DispensePayload.safeParse({ ...DISPENSE, lines: [{ ...DISPENSE.lines[0]!, traceabilityCodes: [] }] });
  t.notOk(none.success, 'no code: the reused-code check would have nothing to judge');
  if (!none.success) t.same(none.error.issues.map((i) => i.path.join('.')), ['lines.0.traceabilityCodes']);
  const second = DispensePayload.safeParse({ ...DISPENSE, lines: [DISPENSE.lines[0]!, { line: 2, quantity: '1', traceabilityCodes: [] }] });
  t.notOk(second.success, 'on any line');
  if (!second.success) t.same(second.error.issues.map((i) => i.path.join('.')), ['lines.1.traceabilityCodes']);
});
