/**
 * The service under test of `npm run bench:http`, run as a child process: the production service
 * (`startService`, through `startWorld` in scripts/lib/rx-world.ts) on 127.0.0.1 with a fresh data
 * directory, with the demo cast registered through signed statements. It reports its URL, its log
 * origin and the prescribers' keys to the benchmark, which identifies patients and pre-signs the
 * submissions itself; then it only serves.
 *
 * Production settings throughout (WAL, synchronous=FULL, the default group commit, the default
 * checkpoint interval of 1 s), except two the benchmark passes:
 *   --log-level L      pino level of the service's logger, which writes to stdout (/dev/null here)
 *   --window-ms N      AUTH_TIMESTAMP_WINDOW_MS, so requests signed before the run stay fresh
 */
import { parseArgs } from 'node:util';
import { createServiceLogger } from '../../src/service-logger.js';
import { DEMO_ACTORS, DEMO_INSTITUTIONS, registerCast, startWorld } from '../lib/rx-world.js';
import { serveParent } from './child-channel.js';

export interface RxServiceInfo {
  readonly url: string;
  readonly origin: string;
  readonly dataDir: string;
  readonly prescribers: ReadonlyArray<{ readonly id: string; readonly institutionId: string; readonly seedHex: string }>;
  readonly pharmacyId: string;
}

const { values: args } = parseArgs({
  options: { 'log-level': { type: 'string', default: 'info' }, 'window-ms': { type: 'string', default: '300000' } },
  strict: true,
});

const CHECKPOINT_INTERVAL_MS = 1000; // the production default (src/config.ts)

// The service's own logger (src/service-logger.ts): its redaction and its asynchronous stdout.
const logger = createServiceLogger(args['log-level']!);
// One prescriber signs every submission, far above a real doctor's rate: its write budget is off.
const world = await startWorld({
  logger,
  checkpointIntervalMs: CHECKPOINT_INTERVAL_MS,
  env: { AUTH_TIMESTAMP_WINDOW_MS: args['window-ms'], RATE_LIMIT_WRITES_PER_SECOND: '0', RATE_LIMIT_READS_PER_SECOND: '0' },
});
const cast = await registerCast(world, DEMO_INSTITUTIONS, DEMO_ACTORS);
const info: RxServiceInfo = {
  url: world.url,
  origin: world.origin,
  dataDir: world.dataDir,
  prescribers: DEMO_ACTORS.filter((a) => a.role === 'prescriber').map((a) => ({ id: a.id, institutionId: a.institutionId, seedHex: Buffer.from(cast[a.id]!.seed).toString('hex') })),
  pharmacyId: 'pharm-quancheng',
};

serveParent({
  info,
  counters: () => ({ ledgerSize: world.service.ledger.size() }),
  stop: () => world.close(),
});
