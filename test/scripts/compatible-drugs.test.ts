/**
 * scripts/lib/rx-builders.ts gives a patient's successive prescriptions drugs from COMPATIBLE_DRUGS,
 * so demos, benchmarks and tests can write many prescriptions for one patient without the checker
 * holding them for an override. That only holds if no two of them interact or duplicate each
 * other above `minor` in the starter knowledge base, nor raise anything alone.
 */
import t from 'tap';
import { runCheck } from '../../src/domain/prescription/checker.js';
import { COMPATIBLE_DRUGS, item, prescription } from '../../scripts/lib/rx-builders.js';
import { starterRuleSet } from '../domain/checker/starter-rule-set.js';

const patient = { pseudonym: 'a'.repeat(64), identityCommitment: 'b'.repeat(64) };
const NOW = Date.UTC(2026, 2, 2, 1, 0); // 2026-03-02 09:00 CST

t.test('every pair of compatible drugs raises nothing above minor', async (t) => {
  const ruleSet = starterRuleSet();
  const serious: string[] = [];
  COMPATIBLE_DRUGS.forEach((a, i) => {
    COMPATIBLE_DRUGS.slice(i).forEach((b, j) => {
      const items = j === 0 ? [item(1, a)] : [item(1, a), item(2, b)];
      const p = prescription(`rx-compatible-${i}-${i + j}`, { id: 'dr-a', institutionId: 'hosp-a' }, patient, { now: NOW, items });
      const findings = runCheck(ruleSet, { prescription: p, others: [], instant: NOW }).findings.filter((f) => f.tier !== 'minor');
      for (const f of findings) serious.push(`${a.genericName} + ${b.genericName}: ${f.ruleId}`);
    });
  });
  t.same(serious, []);
  t.ok(COMPATIBLE_DRUGS.length >= 8, 'enough for a patient with many prescriptions');
});
