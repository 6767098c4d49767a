/**
 * Worker-thread side of the preflight pool (preflight-pool.ts): runs `preflightChunk` on the
 * chunks the pool posts, with the keys it has been told about so far, and hands the packed
 * results back without copying.
 */
import { parentPort } from 'node:worker_threads';
import { preflightChunk } from './preflight.js';
import { nodeMerkleHasher } from '../platform/node-merkle-hasher.js';
import { createNodeEd25519Verifier } from '../platform/node-ed25519.js';
import { nodeSha256 } from '../platform/node-sha256.js';
import type { PreflightRequest, PreflightResponse } from './preflight-pool.js';

const port = parentPort;
if (port === null) throw new Error('preflight-worker.ts runs only as a worker thread');
const keys = new Map<string, Uint8Array>();
const verifier = createNodeEd25519Verifier();
const options = { hasher: nodeMerkleHasher, verifySignature: (s: Uint8Array, m: Uint8Array, k: Uint8Array) => verifier.verify(s, m, k), sha256: nodeSha256 };

port.on('message', ({ id, data, ends, newKeys }: PreflightRequest) => {
  for (const [keyId, publicKey] of newKeys) keys.set(keyId, publicKey);
  const datas: Uint8Array[] = [];
  let start = 0;
  for (const end of ends) {
    datas.push(data.subarray(start, end));
    start = end;
  }
  const packed = preflightChunk(datas, keys, options);
  const response: PreflightResponse = { id, packed };
  port.postMessage(response, [packed.leafHashes.buffer, packed.flags.buffer, packed.requestHashes.buffer, packed.publicKeys.buffer, packed.signing.buffer, packed.signingEnds.buffer] as ArrayBuffer[]);
});
port.postMessage('ready');
