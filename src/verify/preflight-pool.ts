/**
 * Runs entry preflight (preflight.ts) on worker threads so that hashing, parsing, schema checks
 * and Ed25519 verification use every core while the replay, which must be sequential, runs on the
 * main thread. Chunks go to the worker with the least outstanding work; each worker is sent the
 * keys learnt since it was last sent any, before the chunk that may need them. Results come back
 * per chunk, as packed typed arrays transferred without copying.
 *
 * A chunk whose worker fails is run on the calling thread instead: the pool can make an audit
 * slower, never different.
 */
import { Worker } from 'node:worker_threads';
import { siblingWorkerUrl } from '../platform/worker-url.js';
import { preflightChunk, type PackedPreflight, type PreflightOptions } from './preflight.js';
import type { KeyDirectory } from './key-directory.js';

/** Pool → worker: `ends[i]` is where entry i ends in `data`. */
export interface PreflightRequest {
  readonly id: number;
  readonly data: Uint8Array;
  readonly ends: Uint32Array;
  readonly newKeys: ReadonlyArray<readonly [string, Uint8Array]>;
}

export interface PreflightResponse {
  readonly id: number;
  readonly packed: PackedPreflight;
}

export interface PreflightRunner {
  /** Preflight of consecutive entries, with the keys learnt so far (the caller scanned these entries first). */
  run(datas: readonly Uint8Array[], keys: KeyDirectory): Promise<PackedPreflight>;
  close(): Promise<void>;
}

/** Preflight on the calling thread: the verifier's default, and the fallback. */
export function inlinePreflight(options: PreflightOptions): PreflightRunner {
  return {
    run: async (datas, keys) => preflightChunk(datas, keys, options),
    close: async () => undefined,
  };
}

interface Slot {
  readonly worker: Worker;
  /** How many of the directory's learnt keys this worker has been sent. */
  keysSent: number;
  readonly pending: Map<number, { resolve(p: PackedPreflight): void; reject(e: Error): void }>;
  failed: boolean;
}

export async function createPreflightPool(workers: number, fallback: PreflightOptions): Promise<PreflightRunner> {
  const inline = inlinePreflight(fallback);
  const slots = await Promise.all(Array.from({ length: workers }, startWorker));
  let nextId = 0;
  return {
    async run(datas, keys) {
      const slot = slots.filter((s) => !s.failed).sort((a, b) => a.pending.size - b.pending.size)[0];
      if (slot === undefined) return inline.run(datas, keys);
      const total = datas.reduce((n, d) => n + d.length, 0);
      const data = new Uint8Array(total);
      const ends = new Uint32Array(datas.length);
      let offset = 0;
      datas.forEach((d, i) => {
        data.set(d, offset);
        offset += d.length;
        ends[i] = offset;
      });
      const newKeys = keys.learnt.slice(slot.keysSent);
      const id = nextId++;
      const result = new Promise<PackedPreflight>((resolve, reject) => slot.pending.set(id, { resolve, reject }));
      const request: PreflightRequest = { id, data, ends, newKeys };
      slot.worker.postMessage(request, [data.buffer, ends.buffer]);
      slot.keysSent = keys.learnt.length;
      // A worker that died takes its chunk with it: redo that chunk here.
      return result.catch(() => inline.run(datas, keys));
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

function startWorker(): Promise<Slot> {
  const worker = new Worker(siblingWorkerUrl(import.meta.url, 'preflight-worker'));
  const slot: Slot = { worker, keysSent: 0, pending: new Map(), failed: false };
  const failAll = (error: Error) => {
    slot.failed = true;
    for (const p of slot.pending.values()) p.reject(error);
    slot.pending.clear();
  };
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (first: unknown) => {
      if (first !== 'ready') return reject(new Error('preflight worker did not start'));
      worker.off('error', reject);
      worker.on('error', failAll);
      worker.on('exit', () => failAll(new Error('preflight worker exited')));
      worker.on('message', ({ id, packed }: PreflightResponse) => {
        const p = slot.pending.get(id);
        slot.pending.delete(id);
        p?.resolve(packed);
      });
      resolve(slot);
    });
  });
}
