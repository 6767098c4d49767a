/**
 * What the read API says of a prescription. The record keeps one overrideRequired entry per
 * finding (a rule can find twice, e.g. one interaction rule for two pairs of drugs); the detail a
 * client reads lists each rule once, since an override gives one reason per rule.
 */
import t from 'tap';
import { prescriptionDetail } from '../../../src/domain/prescription/prescription-summary.js';
import { createRxWorld } from './test-world.js';

t.test('the detail lists each rule that needs an override once, in the order found', async (t) => {
  const w = createRxWorld();
  const submitted = w.submit('dr-a', 'plain');
  const record = { ...w.rx(submitted.id), overrideRequired: ['kb.interaction', 'reg.days-outpatient', 'kb.interaction'] };
  t.same(prescriptionDetail(record, Date.now()).overrideRequired, ['kb.interaction', 'reg.days-outpatient']);
  t.same(record.overrideRequired, ['kb.interaction', 'reg.days-outpatient', 'kb.interaction'], 'the record itself is left as the replay derives it');
  t.same(prescriptionDetail(w.rx(submitted.id), Date.now()).overrideRequired, [], 'nothing to override: an empty list');
});
