/**
 * Worker-thread side of the Ed25519 pool (ed25519-worker-pool.ts): runs the server's verifier,
 * with its exact accept set, on batches of signatures, one boolean per signature, in order.
 */
import { serveBatches } from './batch-worker-pool.js';
import { createNodeEd25519Verifier } from './node-ed25519.js';
import type { VerifyJob } from './ed25519-worker-pool.js';

const verifier = createNodeEd25519Verifier();
serveBatches<VerifyJob, boolean>((jobs) => jobs.map((job) => verifier.verify(job.signature, job.message, job.publicKey)));
