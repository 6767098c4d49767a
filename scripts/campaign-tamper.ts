/**
 * `npm run campaign:tamper`: applies seeded random alterations to copies of a realistic ledger
 * database (byte flips in entries, leaf hashes, signatures and tree nodes; deleted, swapped and
 * inserted rows; edited derived-state and registry tables; replaced, re-signed and rolled-back
 * checkpoints; a truncated WAL) and checks that the audit detects each one where it is — at the
 * first entry it affects, at the checkpoints it changed, or naming the record it changed — or the
 * ledger refuses to start on it; none silently accepted (scripts/campaigns/tamper-campaign.ts,
 * docs/RELIABILITY.md). Exits 1 on any violation.
 *
 *   npm run campaign:tamper -- --size 1000 --seed 1
 *   npm run campaign:tamper -- --seed 1 --only 417     (reproduce one alteration of that run)
 *   npm run campaign:tamper -- --seed 1 --from 400 --size 450   (alterations 400 to 449)
 */
import { parseCampaignOptions, printCampaignReport } from './campaigns/campaign-support.js';
import { runTamperCampaign } from './campaigns/tamper-campaign.js';

const options = parseCampaignOptions('campaign:tamper', {
  size: { default: 1000, help: 'alterations, each on a fresh copy' },
  seed: { default: 1, help: 'seed of every random choice (the original log, the kinds, what each alteration touches)' },
  entries: { default: 400, help: 'entries of the original ledger before its WAL session (the registered cast alone is about 250)' },
  'wal-prescriptions': { default: 12, help: 'prescriptions submitted in the session kept in the WAL' },
  only: { default: -1, help: 'run only this alteration number of the schedule (-1: all)' },
  from: { default: 0, help: 'start at this alteration number of the schedule' },
});

printCampaignReport(
  await runTamperCampaign({
    size: options.size,
    seed: options.seed,
    entries: options.entries,
    walPrescriptions: options['wal-prescriptions'],
    ...(options.only >= 0 ? { only: options.only } : {}),
    from: options.from,
    progressEvery: 50,
  }),
);
