/**
 * The service's logger: pino, JSON lines on stdout, with the level from LOG_LEVEL.
 *
 * Log lines are a constant message plus structured ids and codes; nothing logs a request body, a
 * statement's payload or a header (docs/DESIGN.md, docs/SECURITY.md), and
 * test/scripts/demo-logs.test.ts runs the demo and finds none of its patients' identifiers in the
 * log. As a second line of defence, members named like the identity record's fields, and the
 * request parts that could carry them, are censored wherever they appear up to two levels down,
 * so a future log call that passes a whole object by mistake still writes no identifier.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACTED = '[redacted]';

const PERSONAL_KEYS = ['identity', 'nationalId', 'phone', 'address', 'recipient', 'recipientPhone'];
const REQUEST_PARTS = ['body', 'payload', 'headers'];

/** The censored paths: each key at the top level, one level down and two levels down. */
export const REDACTED_LOG_PATHS: readonly string[] = [...PERSONAL_KEYS, ...REQUEST_PARTS].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export function createServiceLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'rxledger' }, redact: { paths: [...REDACTED_LOG_PATHS], censor: REDACTED } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
