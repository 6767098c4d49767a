/**
 * Worker-thread side of the Ed25519 pool (ed25519-worker-pool.ts): runs the server's verifier,
 * with its exact accept set, on batches of signatures posted by the pool, and answers each batch
 * with one boolean per signature, in order. It says `ready` once its modules are loaded.
 */
import { parentPort } from 'node:worker_threads';
import { createNodeEd25519Verifier } from './node-ed25519.js';
import type { VerifyBatch, VerifyBatchResult, WorkerReady } from './ed25519-worker-pool.js';

const port = parentPort;
if (port === null) throw new Error('ed25519-worker.ts runs only as a worker thread');
const verifier = createNodeEd25519Verifier();

port.on('message', ({ id, jobs }: VerifyBatch) => {
  const results = jobs.map((job) => verifier.verify(job.signature, job.message, job.publicKey));
  port.postMessage({ id, results } satisfies VerifyBatchResult);
});
// Everything is loaded: the pool may send work.
port.postMessage('ready' satisfies WorkerReady);
