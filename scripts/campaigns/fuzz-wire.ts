/**
 * The fuzz campaign's HTTP/1.1 client: it writes exactly the bytes it is given (request line,
 * headers in order and with duplicates, body with or without framing) on a raw TCP socket and
 * reads the answer with a minimal response parser. No HTTP library sits in between, so nothing
 * normalises a path, merges a header, re-encodes a body or refuses to send a malformed request.
 *
 * One connection is kept alive between requests while the server allows it; a request that asks
 * for a fresh connection (or follows one the server closed) opens a new one.
 */
import { connect, type Socket } from 'node:net';

export interface WireRequest {
  readonly method: string;
  /** The request-target exactly as sent (UTF-8 encoded); may hold anything but CR and LF. */
  readonly target: string;
  /** Header lines in order, duplicates allowed; values are sent as UTF-8. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array;
  /**
   * How the body is framed: `length` adds Content-Length (the default when there is a body),
   * `chunked` sends it with Transfer-Encoding: chunked, `none` adds nothing (the headers say it).
   */
  readonly framing?: 'length' | 'chunked' | 'none';
  /** The whole request head (request line and headers, without the blank line) as raw bytes, for requests no client would build. */
  readonly rawHead?: Uint8Array;
}

export type WireResponse =
  | { readonly kind: 'response'; readonly status: number; readonly headers: ReadonlyMap<string, string>; readonly body: Buffer }
  | { readonly kind: 'failure'; readonly reason: string };

const CRLF = Buffer.from('\r\n');

/** The bytes of a request, as they go on the wire. */
export function encodeRequest(request: WireRequest, host: string): Buffer {
  const parts: Buffer[] = [];
  const framing = request.framing ?? (request.body === undefined ? 'none' : 'length');
  if (request.rawHead !== undefined) {
    parts.push(Buffer.from(request.rawHead), CRLF);
  } else {
    parts.push(Buffer.from(`${request.method} ${request.target} HTTP/1.1\r\n`, 'utf8'));
    const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
    if (!names.has('host')) parts.push(Buffer.from(`Host: ${host}\r\n`));
    for (const [name, value] of request.headers) parts.push(Buffer.from(`${name}: ${value}\r\n`, 'utf8'));
    if (framing === 'length') parts.push(Buffer.from(`Content-Length: ${request.body?.length ?? 0}\r\n`));
    if (framing === 'chunked') parts.push(Buffer.from('Transfer-Encoding: chunked\r\n'));
  }
  parts.push(CRLF);
  if (request.body !== undefined) {
    if (framing === 'chunked') {
      const chunk = 64 * 1024;
      for (let i = 0; i < request.body.length; i += chunk) {
        const piece = request.body.subarray(i, i + chunk);
        parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), Buffer.from(piece), CRLF);
      }
      parts.push(Buffer.from('0\r\n\r\n'));
    } else {
      parts.push(Buffer.from(request.body));
    }
  }
  return Buffer.concat(parts);
}

interface Parsed {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: Buffer;
  /** Bytes consumed from the buffer. */
  readonly length: number;
}

/** Parses one complete response from `buf`, or returns undefined if more bytes are needed. `ended`: the server closed the connection. */
function parseResponse(buf: Buffer, ended: boolean, head: boolean): Parsed | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = /^HTTP\/1\.[01] ([0-9]{3})/.exec(lines[0] ?? '');
  if (statusLine === null) throw new Error(`not an HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const status = Number(statusLine[1]);
  const start = end + 4;
  if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) return { status, headers, body: Buffer.alloc(0), length: start };
  const length = headers.get('content-length');
  if (length !== undefined) {
    const n = Number(length);
    if (buf.length < start + n) return undefined;
    return { status, headers, body: Buffer.from(buf.subarray(start, start + n)), length: start + n };
  }
  if ((headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked')) {
    const chunks: Buffer[] = [];
    let at = start;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
      if (!Number.isFinite(size)) throw new Error('malformed chunk size');
      if (size === 0) {
        const trailerEnd = buf.indexOf('\r\n\r\n', lineEnd);
        if (trailerEnd < 0 && buf.indexOf('\r\n', lineEnd + 2) !== lineEnd + 2) return undefined;
        return { status, headers, body: Buffer.concat(chunks), length: trailerEnd < 0 ? lineEnd + 4 : trailerEnd + 4 };
      }
      if (buf.length < lineEnd + 2 + size + 2) return undefined;
      chunks.push(Buffer.from(buf.subarray(lineEnd + 2, lineEnd + 2 + size)));
      at = lineEnd + 2 + size + 2;
    }
  }
  // Neither length nor chunks: the body runs to the end of the connection.
  return ended ? { status, headers, body: Buffer.from(buf.subarray(start)), length: buf.length } : undefined;
}

export interface WireClient {
  /** Sends one request and waits for its answer (or the connection's failure). */
  send(request: WireRequest, options?: { fresh?: boolean }): Promise<WireResponse>;
  close(): void;
}

export function createWireClient(url: string): WireClient {
  const { hostname, port } = new URL(url);
  const hostHeader = `${hostname}:${port}`;
  let socket: Socket | undefined;
  let reusable = false;

  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect({ host: hostname, port: Number(port) });
      s.once('connect', () => {
        s.removeListener('error', reject);
        // An idle connection the server resets must not crash the campaign; the next send reconnects.
        s.on('error', () => undefined);
        s.setNoDelay(true);
        resolve(s);
      });
      s.once('error', reject);
    });

  return {
    async send(request, options = {}) {
      if (options.fresh || !reusable || socket === undefined || socket.destroyed) {
        socket?.destroy();
        try {
          socket = await open();
        } catch (err) {
          return { kind: 'failure', reason: `connect: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
        }
      }
      const s = socket;
      const bytes = encodeRequest(request, hostHeader);
      const head = request.method.toUpperCase() === 'HEAD';
      return new Promise<WireResponse>((resolve) => {
        let buf = Buffer.alloc(0);
        let ended = false;
        let settled = false;
        const finish = (result: WireResponse, keep: boolean) => {
          if (settled) return;
          settled = true;
          s.removeListener('data', onData);
          s.removeListener('end', onEnd);
          s.removeListener('close', onClose);
          s.removeListener('error', onError);
          reusable = keep;
          if (!keep) s.destroy();
          resolve(result);
        };
        const tryParse = () => {
          try {
            const parsed = parseResponse(buf, ended, head);
            if (parsed === undefined) {
              if (ended) finish({ kind: 'failure', reason: buf.length === 0 ? 'connection closed without an answer' : 'connection closed mid-answer' }, false);
              return;
            }
            const keep = !ended && (parsed.headers.get('connection') ?? '').toLowerCase() !== 'close' && parsed.length === buf.length;
            finish({ kind: 'response', status: parsed.status, headers: parsed.headers, body: parsed.body }, keep);
          } catch (err) {
            finish({ kind: 'failure', reason: (err as Error).message }, false);
          }
        };
        const onData = (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          tryParse();
        };
        const onEnd = () => {
          ended = true;
          tryParse();
        };
        const onClose = () => {
          ended = true;
          tryParse();
          finish({ kind: 'failure', reason: 'connection closed without an answer' }, false);
        };
        // A write error (the server answered early and closed) is not the end: the answer may
        // already be in the buffer, and 'close' decides.
        const onError = () => undefined;
        s.on('data', onData);
        s.on('end', onEnd);
        s.on('close', onClose);
        s.on('error', onError);
        s.write(bytes);
      });
    },
    close() {
      socket?.destroy();
      socket = undefined;
    },
  };
}
