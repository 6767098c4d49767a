/**
 * The write path's worker threads: one pool (batch-worker-pool.ts), one worker per spare core,
 * doing both kinds of a statement's work that needs nothing but the request — its body's intake
 * (statement-intake.ts: strict parse, entry schema, canonical text, digest) and its Ed25519 check
 * (node-ed25519.ts, the server's verifier and exact accept set), in one job when the event loop
 * could tell the signer's key from the raw body (keyIdHint), in a job each otherwise.
 *
 * One pool for both, not one per kind: the two kinds come from the same requests a few
 * milliseconds apart, so a pool each would mean two busy threads per spare core, and every worker
 * is a V8 isolate with its own heap (tens of MiB once warm) and, when running from source, a
 * TypeScript loader to boot. Jobs of both kinds share the queue and go out in the same batches.
 *
 * Neither view ever waits for a worker: until one is up, and for jobs a dying or stuck worker
 * held, the intake answers undefined and `verify` rejects, and the caller does the work itself.
 */
import { createBatchWorkerPool } from '../platform/batch-worker-pool.js';
import { createNodeEd25519Verifier } from '../platform/node-ed25519.js';
import { siblingWorkerUrl } from '../platform/worker-url.js';
import { decodeBase64 } from '../core/bytes.js';
import type { SignedStatement } from '../core/statement.js';
import { fromMessage, takeStatement, toMessage, type SignerKey, type StatementIntake, type TakenStatement, type TakenStatementMessage } from './statement-intake.js';

export interface VerifyJob {
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * Pool → worker: a body to take in (and, given the key its statement most likely names, its
 * signature checked in the same job: one round trip instead of two), or a signature to check.
 */
export type StatementJob = { readonly intake: Uint8Array; readonly signer?: SignerKey } | { readonly verify: VerifyJob };
/** Worker → pool: the taken statement (null: left to the event loop), or the verifier's answer. */
export type StatementJobResult = TakenStatementMessage | null | boolean;

export interface StatementWorkers {
  /** Resolves once a worker takes jobs; rejects if none could start (all the work then stays on the event loop). */
  ready(): Promise<void>;
  readonly intake: StatementIntake;
  /** Resolves to the server verifier's answer; rejects if no worker is ready yet, the worker holding it died, or the pool is closed. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
  /** Rejects what is queued or in flight and stops the workers. */
  close(): Promise<void>;
}

/** The pool on `size` worker threads (statement-worker.ts). */
export function createStatementWorkers(size: number): StatementWorkers {
  const pool = createBatchWorkerPool<StatementJob, StatementJobResult>({
    entry: siblingWorkerUrl(import.meta.url, 'statement-worker'),
    size,
    name: 'statement',
    maxBatch: 256,
    // 256 signatures verify in a few milliseconds and 256 bodies are taken in a few tens: a batch
    // taking this long means a stuck worker, which must never hold the ledger's append queue.
    batchTimeoutMs: 5_000,
  });
  const ready = () => pool.ready();
  const close = () => pool.close();
  return {
    ready,
    intake: {
      ready,
      take: (bytes, signer) =>
        pool.run(signer === undefined ? { intake: bytes } : { intake: bytes, signer }).then(
          (taken) => (taken === null || typeof taken === 'boolean' ? undefined : fromMessage(taken)),
          () => undefined,
        ),
      close,
    },
    verify: (signature, message, publicKey) => pool.run({ verify: { signature, message, publicKey } }).then((valid) => valid === true),
    close,
  };
}

/** The worker side's answers to one batch, in order (statement-worker.ts runs it). */
export function createStatementJobHandler(): (jobs: readonly StatementJob[]) => StatementJobResult[] {
  const verifier = createNodeEd25519Verifier();
  return (jobs) =>
    jobs.map((job) => {
      if ('verify' in job) return verifier.verify(job.verify.signature, job.verify.message, job.verify.publicKey);
      const taken = takeStatement(job.intake);
      if (taken === undefined) return null;
      const message = toMessage(taken);
      return job.signer !== undefined && signedBy(taken, job.signer, verifier) ? { ...message, digest: { ...message.digest, verifiedKey: job.signer.publicKey } } : message;
    });
}

/** Whether the taken statement names `signer`'s key id and its signature is valid under that key. */
function signedBy(taken: TakenStatement, signer: SignerKey, verifier: { verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean }): boolean {
  const { statement, signature } = taken.body as unknown as SignedStatement;
  if (statement.keyId !== signer.keyId) return false;
  try {
    return verifier.verify(decodeBase64(signature), taken.digest.signingBytes, signer.publicKey);
  } catch {
    return false;
  }
}
