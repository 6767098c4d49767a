/**
 * The soak's HTTP side: one keep-alive `node:http` agent to the service, and signers that use
 * OpenSSL (`node:crypto`) so that signing as the load goes costs tens of microseconds, not the
 * pure-JS reference's 3 ms. Ed25519 is deterministic, so both give the same bytes; the first
 * signature of each read signer is checked against the SDK's (`signRead`), as
 * scripts/bench-http/fast-signer.ts does for statements.
 */
import { Agent, request } from 'node:http';
import { bytesToHex, encodeBase64 } from '../../src/core/bytes.js';
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import { formatSignatureParams, readSignatureBase, signRead } from '../../src/core/http-signature.js';
import { actorKeyId } from '../../src/core/statement.js';
import { opensslSignBytes } from '../bench-http/fast-signer.js';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export interface HttpTarget {
  /**
   * Sends one request and reads the whole answer; rejects only on a transport error. `from` is the
   * local address to connect from (any of 127.0.0.0/8 on Linux), so that each simulated client
   * is its own address to the service, as it would be in production (the service's rate limits
   * are per client address).
   */
  send(method: 'GET' | 'POST', path: string, headers?: Readonly<Record<string, string>>, body?: Buffer, from?: string): Promise<HttpAnswer>;
  close(): void;
}

/**
 * At most `maxSockets` keep-alive connections per local address; requests beyond wait in the
 * agent's queue (and that wait counts as latency).
 */
export function createHttpTarget(baseUrl: string, maxSockets: number): HttpTarget {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets, scheduling: 'fifo' });
  return {
    send(method, path, headers = {}, body, from) {
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: base.hostname,
            port: base.port,
            path,
            method,
            agent,
            ...(from === undefined ? {} : { localAddress: from }),
            headers: body === undefined ? headers : { 'content-type': 'application/json', 'content-length': body.length, ...headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Headers of a signed read (docs/AUTH.md §3) for `method` and `pathWithQuery`. */
export type FastReadSigner = (method: string, pathWithQuery: string) => Record<string, string>;

export function createFastReadSigner(seed: Uint8Array, random: (n: number) => Uint8Array, clock: () => number = Date.now): FastReadSigner {
  const keyId = actorKeyId(publicKeyFromSeed(seed));
  const signBytes = opensslSignBytes(seed);
  let checked = false;
  return (method, pathWithQuery) => {
    const q = pathWithQuery.indexOf('?');
    const target = { method, path: q < 0 ? pathWithQuery : pathWithQuery.slice(0, q), query: q < 0 ? '?' : pathWithQuery.slice(q) };
    const params = { created: Math.floor(clock() / 1000), keyId, nonce: bytesToHex(random(16)) };
    const headers = {
      'signature-input': `rx=${formatSignatureParams(params)}`,
      signature: `rx=:${encodeBase64(signBytes(readSignatureBase(target, params)))}:`,
    };
    if (!checked) {
      if (signRead(target, params, seed).signature !== headers.signature) throw new Error('node:crypto and the SDK disagree on a read signature');
      checked = true;
    }
    return headers;
  };
}
