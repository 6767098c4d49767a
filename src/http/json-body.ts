/**
 * The one JSON body parser of every route that takes a body, in place of Fastify's default.
 * Request bodies are attacker-controlled, and a signed statement is verified over canonical bytes
 * re-derived from the parsed value: the bytes on the wire must therefore have exactly one
 * reading, or a second reader (a proxy, an auditor's tool, another JSON library) could see a
 * different statement from the one the ledger judged. So, beyond JSON syntax:
 *
 *   - the text is UTF-8 (RFC 8259 §8.1): invalid UTF-8 is ENCODING_MALFORMED, never replaced by
 *     U+FFFD; a byte-order mark is refused (FORMAT.md §1: text has none); a `charset` parameter
 *     other than one utf-8, or a Content-Encoding other than identity, is
 *     REQUEST_MEDIA_TYPE_UNSUPPORTED, since the body would not be what it claims;
 *   - member names are unique (RFC 8259 §4 leaves duplicates to the parser; JSON.parse keeps the
 *     last): a duplicate is REQUEST_INVALID naming its path;
 *   - `__proto__` members, and `prototype` inside `constructor`, are refused, as Fastify's own
 *     parser does (prototype poisoning).
 *
 * Only `application/json` is parsed; any other media type is 415 REQUEST_MEDIA_TYPE_UNSUPPORTED.
 * The body limit is the server's (413 REQUEST_TOO_LARGE). Values are never echoed: errors carry
 * paths only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeUtf8 } from '../core/bytes.js';
import { RxError } from '../core/errors.js';

/**
 * The path of the first member whose name repeats an earlier one in the same object, as the
 * names and array indices leading to it, or undefined if every object's names are unique. Also
 * refuses the prototype-poisoning names (see above), by the same path. `text` MUST already be
 * valid JSON (JSON.parse accepted it): only structure is tracked, without re-checking syntax.
 */
export function forbiddenMemberPath(text: string): (string | number)[] | undefined {
  // One frame per open container: whether it is an object, the names it has seen (allocated
  // only once it has a second member: most objects are small) and its current name or index.
  // The current entries of the frames below the top are the path to the top.
  const isObject: boolean[] = [];
  const seen: Array<Set<string> | undefined> = [];
  const current: Array<string | number> = [];
  let expectName = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: its closing quote is the first one after an even run of backslashes.
      let j = text.indexOf('"', i + 1);
      for (;;) {
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((j - 1 - k) % 2 === 0 || j < 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (j < 0) return undefined; // not JSON: the caller parsed it first, so never
      const top = isObject.length - 1;
      if (expectName && isObject[top] === true) {
        // Names are compared unescaped: "a" and "\u0061" are one name.
        const raw = text.slice(i + 1, j);
        const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        const previous = current[top] as string | undefined;
        const parent = top > 0 ? current[top - 1] : undefined;
        let duplicate: boolean;
        if (previous === undefined) {
          duplicate = false;
        } else {
          let names = seen[top];
          if (names === undefined) {
            names = new Set([previous]);
            seen[top] = names;
          }
          duplicate = names.has(name);
          names.add(name);
        }
        if (duplicate || name === '__proto__' || (name === 'prototype' && parent === 'constructor')) {
          return [...current.slice(0, top), name];
        }
        current[top] = name;
        expectName = false;
      }
      i = j;
    } else if (c === 0x7b) {
      isObject.push(true);
      seen.push(undefined);
      current.push(undefined as unknown as string);
      expectName = true;
    } else if (c === 0x5b) {
      isObject.push(false);
      seen.push(undefined);
      current.push(0);
    } else if (c === 0x7d || c === 0x5d) {
      isObject.pop();
      seen.pop();
      current.pop();
    } else if (c === 0x2c) {
      const top = isObject.length - 1;
      if (isObject[top] === true) expectName = true;
      else current[top] = (current[top] as number) + 1;
    }
  }
  return undefined;
}

/**
 * Whether a Content-Type's parameters allow UTF-8 JSON: no `charset`, or exactly one naming
 * utf-8 (case-insensitive, quoted or not). Two charsets are refused whatever they say.
 */
function isUtf8Charset(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const charsets = contentType
    .split(';')
    .slice(1)
    .map((param) => param.split('='))
    .filter(([name]) => name?.trim().toLowerCase() === 'charset')
    .map(([, value = '']) => value.trim().replace(/^"(.*)"$/, '$1').toLowerCase());
  return charsets.length === 0 || (charsets.length === 1 && charsets[0] === 'utf-8');
}

/** The request headers the parser reads. */
export interface JsonBodyHeaders {
  readonly 'content-type'?: string | undefined;
  readonly 'content-encoding'?: string | string[] | undefined;
}

/** The parser's checks of the headers, first of all its checks; throws the typed refusal. */
export function checkJsonBodyHeaders(headers: JsonBodyHeaders): void {
  if (!isUtf8Charset(headers['content-type'])) {
    throw new RxError('REQUEST_MEDIA_TYPE_UNSUPPORTED', 'JSON bodies are UTF-8', { paths: ['headers.content-type'] });
  }
  // The bytes are read as they are: a content coding would give them another reading.
  const coding = headers['content-encoding'];
  if (coding !== undefined && !(typeof coding === 'string' && coding.trim().toLowerCase() === 'identity')) {
    throw new RxError('REQUEST_MEDIA_TYPE_UNSUPPORTED', 'request bodies are not content-coded', { paths: ['headers.content-encoding'] });
  }
}

/** Parses a request body as above; throws the typed refusal. */
export function parseJsonBody(bytes: Uint8Array, headers: JsonBodyHeaders): unknown {
  checkJsonBodyHeaders(headers);
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new RxError('REQUEST_INVALID', 'the body must not start with a byte-order mark', { paths: ['body'] });
  }
  let text: string;
  try {
    text = decodeUtf8(bytes);
  } catch (cause) {
    throw new RxError('ENCODING_MALFORMED', 'the body is not valid UTF-8', { paths: ['body'], cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RxError('REQUEST_INVALID', 'the body is not JSON', { paths: ['body'] });
  }
  const forbidden = forbiddenMemberPath(text);
  if (forbidden !== undefined) {
    throw new RxError('REQUEST_INVALID', 'duplicate or forbidden member name', { paths: [['body', ...forbidden].join('.')] });
  }
  return value;
}

/**
 * Another thread's reading of a body whose headers passed: a value that parseJsonBody, and
 * whatever the route does next, would have produced from the same bytes, or undefined to have
 * the bytes parsed here (and refused here, with the refusal parseJsonBody gives).
 */
export type OffloadedJsonBody = (bytes: Uint8Array) => Promise<unknown>;

/**
 * Makes `parseJsonBody` the only body parser of the routes registered in `app`'s context (and of
 * its children). Call it at the start of a route plugin, before its routes. With `offload`, a
 * body is first offered to it (statement-intake.ts: parsed and validated on a worker thread).
 */
export function useStrictJsonBodies(app: FastifyInstance, offload?: OffloadedJsonBody): void {
  app.removeAllContentTypeParsers();
  if (offload !== undefined) {
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer | string) => {
      checkJsonBodyHeaders(request.headers);
      return (await offload(body as Buffer)) ?? parseJsonBody(body as Buffer, request.headers);
    });
    return;
  }
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer | string, done: (err: Error | null, value?: unknown) => void) => {
    try {
      done(null, parseJsonBody(body as Buffer, request.headers));
    } catch (err) {
      done(err as Error);
    }
  });
}
