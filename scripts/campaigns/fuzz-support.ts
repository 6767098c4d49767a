/**
 * What the fuzz campaign's generators share: the shape of a hostile request and its expected
 * refusal, a seeded random source, and signing (statements and RFC 9421 reads) over exactly the
 * bytes a generator chooses, valid or not.
 */
import { concatBytes, encodeBase64, utf8 } from '../../src/core/bytes.js';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import type { ErrorCode } from '../../src/core/errors.js';
import { formatSignatureParams, readSignatureBase, type ReadSignatureParams } from '../../src/core/http-signature.js';
import { STATEMENT_SIGNING_PREFIX, STATEMENT_VERSION } from '../../src/core/statement.js';
import type { BaseStatement, FuzzWorld, KeyHolder } from './fuzz-world.js';
import type { WireRequest, WireResponse } from './fuzz-wire.js';

/** The kinds of hostility, each with its own generator. */
export const CATEGORIES = [
  'wrong-type',
  'tampered',
  'huge-body',
  'deep-nesting',
  'duplicate-keys',
  'unicode',
  'signature',
  'replay',
  'timestamp',
  'content-type',
  'authorization',
  'paging',
  'path',
  'header',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * One hostile request: it breaks at least one rule the service enforces (a schema, the encoding,
 * authentication, freshness, replay protection, authorization, the media type, a size bound, the
 * route table), so a correct service refuses it with a typed 4xx — one of `expect` — and writes
 * nothing.
 */
export interface HostileRequest {
  readonly category: Category;
  /** What exactly is wrong, for the per-variant histogram. */
  readonly variant: string;
  readonly request: WireRequest;
  readonly expect: readonly ErrorCode[];
  /** Sent on a connection of its own, closed after (framing a server cannot safely reuse). */
  readonly isolated?: boolean;
  /** A signed read whose nonce the server records once it authenticates: replayed later. */
  readonly replayable?: boolean;
}

/** A generator: the next hostile request of its category, or undefined if this draw found none. */
export type Generator = (ctx: FuzzContext) => HostileRequest | undefined;

export interface FuzzContext {
  readonly w: FuzzWorld;
  readonly rng: Rng;
  /** The log's size, constant while the campaign runs (nothing hostile may grow it). */
  readonly size: number;
  /** Signed reads the server authenticated (and so remembers the nonce of), with when they were sent. */
  readonly readPool: Array<{ readonly request: WireRequest; readonly variant: string; readonly at: number }>;
  /** Generators' own state across calls (cursors, coverage). */
  readonly state: Map<string, unknown>;
}

export class Rng {
  constructor(private readonly next: () => number) {}
  float(): number {
    return this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
  hex(n: number): string {
    return Buffer.from(this.bytes(n)).toString('hex');
  }
}

export const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];

/** Bytes Ed25519 signs for a statement (any value in the canonical data model; throws otherwise). */
export function statementBytes(statement: unknown, prefix = STATEMENT_SIGNING_PREFIX): Uint8Array {
  return concatBytes(utf8(prefix), canonicalBytes(statement));
}

/** A fresh statement of `base` by `signer`: new nonce and idempotency key, the clock's time. */
export function freshStatement(ctx: FuzzContext, base: BaseStatement, signer: KeyHolder = ctx.w.keys[base.signer]): Record<string, unknown> {
  return {
    v: STATEMENT_VERSION,
    origin: ctx.w.origin,
    actor: signer.actorId,
    keyId: signer.keyId,
    action: base.action,
    payload: structuredClone(base.payload),
    timestamp: Date.now(),
    nonce: ctx.rng.hex(16),
    idempotencyKey: `fuzz-${ctx.rng.hex(10)}`,
  };
}

/** `{statement, signature}` with the signer's signature over the statement as it stands. */
export function signedBody(statement: Record<string, unknown>, signer: KeyHolder): { statement: Record<string, unknown>; signature: string } {
  return { statement, signature: encodeBase64(signer.sign(statementBytes(statement))) };
}

/** Re-signs `body.statement` in place when it is a statement in the data model; false if it cannot be signed. */
export function resign(body: unknown, signer: KeyHolder): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  try {
    b.signature = encodeBase64(signer.sign(statementBytes(b.statement)));
    return true;
  } catch {
    return false;
  }
}

export interface ReadSignatureOptions {
  readonly created?: number;
  readonly nonce?: string;
  /** Sign another request than the one sent. */
  readonly signFor?: { readonly method: string; readonly target: string };
}

/** The two RFC 9421 headers of a signed read of exactly `method` and `target` (path and raw query). */
export function readHeaders(ctx: FuzzContext, signer: KeyHolder, method: string, target: string, options: ReadSignatureOptions = {}): Array<[string, string]> {
  const params: ReadSignatureParams = { created: options.created ?? Math.floor(Date.now() / 1000), keyId: signer.keyId, nonce: options.nonce ?? ctx.rng.hex(16) };
  const signed = options.signFor ?? { method, target };
  const q = signed.target.indexOf('?');
  const base = readSignatureBase({ method: signed.method, path: q < 0 ? signed.target : signed.target.slice(0, q), query: q < 0 ? '?' : signed.target.slice(q) }, params);
  return [
    ['Signature-Input', `rx=${formatSignatureParams(params)}`],
    ['Signature', `rx=:${encodeBase64(signer.sign(base))}:`],
  ];
}

/** A JSON POST of `body` (a value, or exact text/bytes). */
export function postJson(target: string, body: unknown, headers: ReadonlyArray<readonly [string, string]> = [JSON_TYPE]): WireRequest {
  const bytes = body instanceof Uint8Array ? body : utf8(typeof body === 'string' ? body : JSON.stringify(body));
  return { method: 'POST', target, headers, body: bytes };
}

/** The JSON type of a value: null, boolean, number, string, array or object. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Every path to a value inside `root` (not the root itself), depth first. */
export function allPaths(root: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (Array.isArray(root)) {
    root.forEach((v, i) => {
      out.push([...prefix, i]);
      allPaths(v, [...prefix, i], out);
    });
  } else if (typeof root === 'object' && root !== null) {
    for (const [k, v] of Object.entries(root)) {
      out.push([...prefix, k]);
      allPaths(v, [...prefix, k], out);
    }
  }
  return out;
}

export function getAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = root;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

/** Sets (or, with `DELETE`, removes) the value at `path`. */
export const DELETE = Symbol('delete');
export function setAt(root: unknown, path: ReadonlyArray<string | number>, value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1] as string | number;
  if (value === DELETE) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else {
    parent[key] = value;
  }
}

/** What a response was, for the histograms: the error code, or the status when there is none. */
export function outcomeOf(response: WireResponse): string {
  if (response.kind === 'failure') return 'no-answer';
  try {
    const code = (JSON.parse(response.body.toString('utf8')) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : `status-${response.status}`;
  } catch {
    return `status-${response.status}`;
  }
}
