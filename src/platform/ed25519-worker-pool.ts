/**
 * Ed25519 verification on worker threads (batch-worker-pool.ts), so the event loop can parse and
 * sequence requests while signatures are checked on another core. Each worker runs the server's
 * verifier (node-ed25519.ts): a result is exactly what `createNodeEd25519Verifier().verify`
 * returns for the same arguments. Until a worker is ready, and for the verifications a dying or
 * stuck worker held, `verify` rejects (callers then verify synchronously).
 */
import { createBatchWorkerPool } from './batch-worker-pool.js';
import { siblingWorkerUrl } from './worker-url.js';

export interface VerifyJob {
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
}

export interface Ed25519WorkerPool {
  /** Resolves once a worker can take work; rejects if none could start. */
  ready(): Promise<void>;
  /** Resolves to the verifier's answer; rejects if no worker is ready yet, the worker holding it died, or the pool is closed. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
  /** Rejects what is queued or in flight and stops the workers. */
  close(): Promise<void>;
}

export function createEd25519WorkerPool(size: number): Ed25519WorkerPool {
  const pool = createBatchWorkerPool<VerifyJob, boolean>({
    entry: siblingWorkerUrl(import.meta.url, 'ed25519-worker'),
    size,
    name: 'Ed25519',
    maxBatch: 256,
    // 256 signatures verify in a few milliseconds: a batch taking this long means a stuck worker,
    // which must never hold the ledger's append queue.
    batchTimeoutMs: 5_000,
  });
  return {
    ready: () => pool.ready(),
    verify: (signature, message, publicKey) => pool.run({ signature, message, publicKey }).then((valid) => valid === true),
    close: () => pool.close(),
  };
}
