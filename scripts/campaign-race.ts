/**
 * `npm run campaign:race`: many clients at once claiming, returning, dispensing, cancelling and
 * filling repeats of the same prescriptions, over real HTTP (scripts/campaigns/race-campaign.ts).
 * Prints the report; exits non-zero on any violation.
 */
import { parseCampaignOptions, printCampaignReport, progress } from './campaigns/campaign-support.js';
import { runRaceCampaign } from './campaigns/race-campaign.js';

const options = parseCampaignOptions('campaign:race', {
  size: { default: 160, help: 'prescriptions contested (half of them long, with up to 11 repeats)' },
  clients: { default: 4, help: 'clients racing in each contest (at least 2)' },
  seed: { default: 7, help: 'seed of every choice the campaign makes' },
  parallel: { default: 24, help: 'prescriptions contested at the same time' },
  'max-repeats': { default: 11, help: 'most repeats of a long prescription (2, 3, 5 or 11)' },
});

const report = await runRaceCampaign({
  size: options.size,
  clients: Math.max(2, options.clients),
  seed: options.seed,
  parallel: options.parallel,
  maxRepeats: options['max-repeats'],
  progress,
});
printCampaignReport(report);
