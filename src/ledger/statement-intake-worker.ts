/** Worker-thread side of the statement intake (statement-intake.ts): one intake per body, in order. */
import { serveBatches } from '../platform/batch-worker-pool.js';
import { takeStatement, type TakenStatement } from './statement-intake.js';

serveBatches<Uint8Array, TakenStatement | null>((bodies) => bodies.map((bytes) => takeStatement(bytes) ?? null));
