/**
 * `npm run campaign:fuzz`: sends thousands of malformed or hostile requests (wrong types, huge and
 * deeply nested bodies, duplicate JSON keys, Unicode edge cases, non-canonical and forged
 * signatures, replays, stale timestamps, wrong media types, out-of-range pages, path tricks,
 * header abuse) to the real service over HTTP and checks that each is refused with a typed 4xx
 * and writes nothing (scripts/campaigns/fuzz-campaign.ts, docs/RELIABILITY.md). Exits 1 on any
 * violation.
 *
 *   npm run campaign:fuzz -- --size 10000 --seed 1
 */
import { parseCampaignOptions, printCampaignReport, progress } from './campaigns/campaign-support.js';
import { runFuzzCampaign } from './campaigns/fuzz-campaign.js';

const options = parseCampaignOptions('campaign:fuzz', {
  size: { default: 10_000, help: 'hostile requests to send' },
  seed: { default: 1, help: 'seed of every random choice (categories, mutations, keys, nonces)' },
  'digest-every': { default: 250, help: 'requests between full table-by-table digests' },
});

printCampaignReport(await runFuzzCampaign({ size: options.size, seed: options.seed, digestEvery: options['digest-every'], progress }));
