/** Worker-thread side of the statement intake (statement-intake.ts): one intake per body, in order. */
import { serveBatches } from '../platform/batch-worker-pool.js';
import { takeStatement, toMessage, type TakenStatementMessage } from './statement-intake.js';

serveBatches<Uint8Array, TakenStatementMessage | null>((bodies) =>
  bodies.map((bytes) => {
    const taken = takeStatement(bytes);
    return taken === undefined ? null : toMessage(taken);
  }),
);
