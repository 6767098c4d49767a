/**
 * `npm run campaign:soak`: the production service at a steady offered load for 30 minutes
 * (configurable), sampled over time and charted; holds when nothing grows without bound and every
 * answer was the expected one. See scripts/campaigns/soak-campaign.ts and docs/RELIABILITY.md.
 *
 *   npm run campaign:soak -- --minutes 2 --rate 100 --sample-seconds 5 --chart /tmp/soak.svg
 *   npm run campaign:soak -- --redraw docs/soak-samples.json     # only redraw docs/soak.svg
 */
import { parseCampaignOptions, printCampaignReport } from './campaigns/campaign-support.js';
import { redrawSoakChart, runSoakCampaign } from './campaigns/soak-campaign.js';

const options = parseCampaignOptions('campaign:soak', {
  minutes: { default: 30, help: 'minutes of steady load' },
  rate: { default: 100, help: 'offered requests per second (open loop, mixed writes and reads)' },
  'sample-seconds': { default: 10, help: 'seconds between samples' },
  seed: { default: 1, help: "seeds the request mix and the actors' keys" },
  chart: { default: 'docs/soak.svg', help: 'the SVG chart to write (samples go beside it as <name>-samples.json)' },
  flows: { default: 64, help: 'prescriptions in progress at once' },
  'node-flags': { default: '', help: 'node flags for the service, space-separated (e.g. --node-flags=--heapsnapshot-signal=SIGUSR2)' },
  redraw: { default: '', help: 'only redraw --chart from this samples file of an earlier run (no load)' },
});

if (options.redraw !== '') {
  redrawSoakChart(options.redraw, options.chart);
  process.stdout.write(`redrew ${options.chart} from ${options.redraw}\n`);
  process.exit(0);
}

const report = await runSoakCampaign({
  minutes: options.minutes,
  rate: options.rate,
  sampleSeconds: options['sample-seconds'],
  seed: options.seed,
  chart: options.chart,
  targetFlows: options.flows,
  serverNodeFlags: options['node-flags'].split(' ').filter((f) => f !== ''),
});
printCampaignReport(report);
