/**
 * The soak's HTTP side: one keep-alive `node:http` agent to the service. (Its signers are
 * scripts/bench-http/fast-signer.ts's: OpenSSL, so that signing as the load goes costs tens of
 * microseconds, not the pure-JS reference's 3 ms.)
 */
import { Agent, request } from 'node:http';

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
