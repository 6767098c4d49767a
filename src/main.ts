/**
 * `npm start`: reads the configuration, starts the service, and shuts down gracefully on SIGTERM or
 * SIGINT (a second signal, or the shutdown timeout, exits at once).
 */
import { loadConfig } from './config.js';
import { RxError } from './core/errors.js';
import { startService } from './service.js';
import { createServiceLogger } from './service-logger.js';

export async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    process.stderr.write(`rxledger: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const logger = createServiceLogger(config.logLevel);
  let service;
  try {
    service = await startService(config, { logger });
  } catch (err) {
    logger.fatal({ code: err instanceof RxError ? err.code : 'INTERNAL', message: (err as Error).message }, 'start-up failed');
    // A setting found invalid only once the service has what it is checked against (the
    // knowledge set's drug classes) is a configuration error like any other: exit 2.
    process.exit(err instanceof RxError && err.code === 'CONFIG_INVALID' ? 2 : 1);
  }
  logger.info(
    { url: service.url, dataDir: config.dataDir, origin: service.ledger.origin, verifierKey: service.ledger.verifierKeys[0], size: service.ledger.size() },
    'rxledger listening',
  );
  // The edge limits in force (docs/SECURITY.md), so an operator sees what a deployment runs with.
  logger.info({ rateLimits: config.rateLimits, writesInFlightMax: config.writesInFlightMax, timeouts: config.serverTimeouts, trustProxy: config.trustProxy ?? false, hstsMaxAgeSeconds: config.hstsMaxAgeSeconds }, 'http limits');

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    service.stop().then(
      () => {
        logger.info({ size: service.ledger.size() }, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ code: err instanceof RxError ? err.code : 'INTERNAL' }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
