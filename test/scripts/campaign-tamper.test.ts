/**
 * The tamper campaign at CI size (`npm run campaign:tamper` runs 1,000 alterations): every kind of
 * alteration once, on copies of a realistic ledger whose last commits are still in its WAL. Each
 * must be detected by the audit at the entry, checkpoint or record it changed (or refused by the
 * ledger's start-up); the test asserts that none was violated and that every kind was really
 * applied. The judging itself is checked first on hand-made reports, so that a campaign which
 * could not fail would be noticed.
 */
import t from 'tap';
import { ALTERATION_KINDS } from '../../scripts/campaigns/tamper-alterations.js';
import { judge, runTamperCampaign, type KindFigures } from '../../scripts/campaigns/tamper-campaign.js';
import type { Locus } from '../../scripts/campaigns/tamper-snapshot.js';
import type { VerifyFailure } from '../../src/verify/failure-record.js';

const failing = (...firsts: VerifyFailure[]) => ({ ok: false, failures: firsts.map((first) => ({ first, count: 1 })) });

t.test('the judging tells the right place from a wrong one, a miss and a false alarm', async (t) => {
  const entry: Locus = { kind: 'entry', index: 40 };
  t.equal(judge(entry, failing({ code: 'TREE_NODE_MISMATCH', message: 'x', index: 40 }, { code: 'ENTRY_CHAIN_BROKEN', message: 'y', index: 41 }), false).outcome, 'detected');
  t.equal(judge(entry, failing({ code: 'ENTRY_CHAIN_BROKEN', message: 'y', index: 41 }), false).outcome, 'wrong-index', 'one index late');
  t.equal(judge(entry, failing({ code: 'ENTRY_CHAIN_BROKEN', message: 'y', index: 41 }), true).outcome, 'detected', 'one late is allowed only for a well-formed forged insert');
  t.equal(judge(entry, failing({ code: 'TREE_NODE_MISMATCH', message: 'x', index: 39 }), false).outcome, 'wrong-index', 'one index early');
  t.equal(judge(entry, failing({ code: 'CHECKPOINT_INCONSISTENT', message: 'rollback' }), false).outcome, 'wrong-index', 'no entry named');
  t.equal(judge(entry, { ok: true, failures: [] }, false).outcome, 'missed');

  const checkpoint: Locus = { kind: 'checkpoint', sizes: [100] };
  t.equal(judge(checkpoint, failing({ code: 'NOTE_SIGNATURE_INVALID', message: 'x' }, { code: 'TREE_ROOT_MISMATCH', message: 'y', index: 99 }), false).outcome, 'detected');
  t.equal(judge(checkpoint, failing({ code: 'TREE_ROOT_MISMATCH', message: 'y', index: 49 }), false).outcome, 'wrong-index', 'another checkpoint blamed');
  t.equal(judge(checkpoint, failing({ code: 'ENTRY_CHAIN_BROKEN', message: 'y', index: 99 }), false).outcome, 'wrong-index', 'an entry blamed');

  const records: Locus = { kind: 'records', records: [{ table: 'rx_prescriptions', key: '["rx-1"]', names: ['prescription rx-1'] }] };
  t.equal(judge(records, failing({ code: 'STATE_SNAPSHOT_MISMATCH', message: 'the state tables: rx_prescriptions and the log disagree on prescription rx-1 [state]' }), false).outcome, 'detected');
  t.equal(judge(records, failing({ code: 'STATE_SNAPSHOT_MISMATCH', message: 'the state tables: rx_prescriptions and the log disagree on prescription rx-2 [state]' }), false).outcome, 'wrong-index', 'another record named');
  t.equal(judge(records, failing({ code: 'STATE_SNAPSHOT_MISMATCH', message: 'prescription rx-1', index: 3 }), false).outcome, 'wrong-index', 'an entry blamed for a table edit');

  t.equal(judge({ kind: 'none' }, { ok: true, failures: [] }, false).outcome, 'no-op');
  t.equal(judge({ kind: 'none' }, failing({ code: 'ENTRY_CHAIN_BROKEN', message: 'y', index: 3 }), false).outcome, 'false-alarm');
});

t.test('every kind of alteration is detected where it is, or refused at start-up', async (t) => {
  const report = await runTamperCampaign({ size: ALTERATION_KINDS.length, seed: 3, entries: 300, walPrescriptions: 6, evenly: true });
  for (const line of report.lines) t.comment(line);
  t.same(report.violations, [], 'nothing missed, misplaced or falsely alarmed');
  const f = report.figures as { alterations: number; walEntries: number; checkpoints: number; kinds: Record<string, KindFigures> };
  t.equal(f.alterations, ALTERATION_KINDS.length);
  t.ok(f.walEntries > 0, `${f.walEntries} entries were only in the WAL`);
  t.ok(f.checkpoints > 2, `${f.checkpoints} checkpoints stored`);
  for (const kind of ALTERATION_KINDS) {
    const k = f.kinds[kind.name];
    t.equal(k?.applied, 1, `${kind.name} applied`);
    // A kind that happened to change nothing would prove nothing: each one here changed the copy.
    t.equal((k?.detected ?? 0) + (k?.refusedAtStartUp ?? 0), 1, `${kind.name} detected`);
  }
});
