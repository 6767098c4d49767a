/**
 * A child-process server for crash tests: the real service (data directory, keys, SQLite, ledger,
 * read API) plus one test-only write route, since authenticated writes arrive with a later
 * capability. Prints `READY <url>` once listening. Run with `node --import tsx`.
 */
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { openServiceLedger } from '../../src/service.js';
import { TEST_ENTRY_SCHEMAS } from './test-ledger.js';

const config = loadConfig(process.env);
const logger = pino({ level: 'silent' });
const { ledger, readAuth } = await openServiceLedger(config, { logger, entryBodySchemas: TEST_ENTRY_SCHEMAS });
ledger.startCheckpointing(config.checkpointIntervalMs);
const app = await createApp({ ledger, entriesPageMax: config.entriesPageMax, bodyLimitBytes: config.bodyLimitBytes, readAuth, logger: false });
app.post('/test/append', async (request) => {
  const result = await ledger.append('test.event', request.body);
  return { index: result.index, leafHash: Buffer.from(result.leafHash).toString('base64') };
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`READY ${url}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => ledger.close()).then(() => process.exit(0));
});
