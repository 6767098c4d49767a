/**
 * `npm run campaign:crash`: SIGKILLs the real service at random moments under concurrent signed
 * load and checks, after every kill, that nothing acknowledged was lost, nothing unacknowledged is
 * half-applied, the derived state is a replay of the ledger and the verifier passes
 * (scripts/campaigns/crash-campaign.ts, docs/RELIABILITY.md). Exits 1 on any violation.
 *
 *   npm run campaign:crash -- --size 200 --seed 7 --clients 6
 */
import { parseCampaignOptions, printCampaignReport, progress } from './campaigns/campaign-support.js';
import { runCrashCampaign } from './campaigns/crash-campaign.js';

const options = parseCampaignOptions('campaign:crash', {
  size: { default: 200, help: 'SIGKILLs of the service' },
  seed: { default: 1, help: 'seed of every random choice (kill moments, load, keys, nonces)' },
  clients: { default: 6, help: 'concurrent signing clients' },
  patients: { default: 12, help: 'patients the prescriptions are written for' },
});

printCampaignReport(await runCrashCampaign({ ...options, progress }));
