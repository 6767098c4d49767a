/** The running service's follow of identity erasures the log records (src/patients/recorded-erasures.ts). */
import type { Logger as PinoLogger } from 'pino';
import { errorCodeOf } from './core/errors.js';
import type { ErasureFollower } from './patients/recorded-erasures.js';

/**
 * How often the running service searches the new entries for identity erasures it has not applied
 * (recorded-erasures.ts), and the most entries one search reads: about 2 µs of the event loop an
 * entry, so a second of entries at 2,000/s holds it for about 4 ms, and a backlog is read in
 * steps of at most about 10 ms.
 */
export const ERASURE_FOLLOW_INTERVAL_MS = 1000;
const ERASURE_FOLLOW_MAX_ENTRIES = 5000;

export function followErasures(erasures: Pick<ErasureFollower, 'catchUp'>, logger: PinoLogger): void {
  try {
    const { found, erased, to } = erasures.catchUp(ERASURE_FOLLOW_MAX_ENTRIES);
    // The write route erases as it records: one found unapplied here failed there.
    if (erased > 0) logger.warn({ found, erased, to }, 'applied identity erasures the write route had not');
  } catch (err) {
    logger.error({ code: errorCodeOf(err) }, 'could not apply the identity erasures the log records: retrying');
  }
}
