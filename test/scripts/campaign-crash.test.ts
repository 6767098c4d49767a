/**
 * The crash campaign at CI size (`npm run campaign:crash` runs 200 kills): the real service in a
 * child process, killed with SIGKILL under six concurrent signing clients and once during its own
 * start-up, then restarted on the same data directory. After every kill the campaign verifies the
 * disk, finds every acknowledged write, looks for half-applied state and compares what the
 * restarted service serves with the replay of the log; it retries writes whose answer was lost.
 * The test asserts that nothing was violated and that each of those things actually happened.
 */
import t from 'tap';
import { runCrashCampaign } from '../../scripts/campaigns/crash-campaign.js';

interface Figures {
  kills: number;
  killsByKind: Record<string, number>;
  acknowledgedWrites: number;
  acknowledgedByAction: Record<string, number>;
  unknownOutcomes: number;
  retries: { unknownRetried: number; landedBeforeReplayed: number; landedOnRetry: number; acknowledgedRetried: number; acknowledgedSameReceipt: number };
  entriesAtEnd: number;
  entryTypes: Record<string, number>;
  verifications: number;
  servedComparisons: number;
}

t.test('SIGKILLs under signed load and during start-up lose nothing acknowledged and half-apply nothing', async (t) => {
  // One kill under load (once 60 writes are acknowledged, so even a slow machine reaches
  // dispensing), one while the service starts, then a last start and a graceful stop.
  const report = await runCrashCampaign({ size: 2, seed: 11, kinds: ['late', 'startup'], warmUpWrites: 60 });
  for (const line of report.lines) t.comment(line);
  t.same(report.violations, [], 'no promise was broken');
  const f = report.figures as unknown as Figures;

  t.equal(f.kills, 2, 'two SIGKILLs');
  t.equal(f.killsByKind.startup, 1, 'one during start-up');
  t.equal(f.verifications, 3, 'the disk was verified after each kill and after the final graceful stop');
  t.ok(f.servedComparisons > 5, `${f.servedComparisons} comparisons of what the restarted service served with the replay`);

  t.ok(f.acknowledgedWrites >= 60, `${f.acknowledgedWrites} writes acknowledged under load`);
  for (const action of ['rx.submit', 'rx.claim', 'rx.review', 'rx.dispense']) t.ok((f.acknowledgedByAction[action] ?? 0) > 0, `${action} acknowledged`);
  t.ok((f.entryTypes['rx.checked'] ?? 0) > 0, 'submissions were checked in the same commit');
  t.ok(f.entriesAtEnd > 60, `${f.entriesAtEnd} entries at the end`);

  t.ok(f.unknownOutcomes > 0, `${f.unknownOutcomes} writes were in flight at a kill`);
  t.ok(f.retries.unknownRetried > 0, `${f.retries.unknownRetried} of them retried with the same signed statement`);
  t.ok(f.retries.acknowledgedRetried > 0, `${f.retries.acknowledgedRetried} acknowledged writes retried`);
  t.equal(f.retries.acknowledgedSameReceipt, f.retries.acknowledgedRetried, 'each got its original receipt');

  const json = JSON.parse(JSON.stringify(report.figures)) as Figures;
  t.equal(json.kills, 2, 'the figures are JSON, as the entry script prints them');
});
