/**
 * The ledger entry envelope, version 1. The canonical (RFC 8785) UTF-8 bytes of the envelope are
 * the Merkle leaf: leaf hash = SHA-256(0x00 || bytes). Each envelope names its own position
 * (`index`) and the leaf hash of the entry before it (`prev`), so the log is also a hash chain
 * that a reader can check link by link without the tree. See docs/FORMAT.md.
 */
import { z } from 'zod';
import { canonicalJson, parseCanonicalJson, type JsonObject } from './canonical-json.js';
import { decodeBase64, encodeBase64, utf8 } from './bytes.js';
import { RxError } from './errors.js';
import { HASH_SIZE } from './merkle-hash.js';
import { zodIssuePaths } from './issue-paths.js';

export const ENTRY_FORMAT_VERSION = 1;
/** Largest accepted leaf, in bytes. Entries hold statements and hashes, never documents. */
export const MAX_ENTRY_BYTES = 64 * 1024;
/** `prev` of the first entry: 32 zero bytes. */
export const GENESIS_PREV: Uint8Array = new Uint8Array(HASH_SIZE);

export const ENTRY_TYPE_PATTERN = /^[a-z][a-z0-9]*(?:\.[a-z][a-z0-9-]*)+$/;

const Base64HashSchema = z.string().refine((s) => {
  try {
    return decodeBase64(s).length === HASH_SIZE;
  } catch {
    return false;
  }
}, 'must be the standard base64 of a 32-byte hash');

export const LedgerEntrySchema = z.strictObject({
  v: z.literal(ENTRY_FORMAT_VERSION),
  index: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  prev: Base64HashSchema,
  time: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  type: z.string().max(64).regex(ENTRY_TYPE_PATTERN),
  body: z.record(z.string(), z.unknown()),
});

export interface LedgerEntry {
  readonly v: typeof ENTRY_FORMAT_VERSION;
  /** Position in the log, from 0. */
  readonly index: number;
  /** Standard base64 of the previous entry's leaf hash (GENESIS_PREV for index 0). */
  readonly prev: string;
  /** Sequencing time: milliseconds since the Unix epoch, never decreasing along the log. */
  readonly time: number;
  /** The entry type, from the closed union in src/domain/entry-types.ts. */
  readonly type: string;
  readonly body: JsonObject;
}

export type EntryHeader = Omit<LedgerEntry, 'body'>;

/** Canonical text of an entry body, validated against the data model at the body's depth. */
export function canonicalBody(body: unknown): string {
  return canonicalJson(body, ['body'], 1);
}

/**
 * The leaf bytes of an envelope whose body is already canonical text. RFC 8785 orders the
 * envelope's members body, index, prev, time, type, v; the header fields are checked here because
 * they are written without the general serialiser.
 */
export function encodeEnvelope(header: EntryHeader, bodyJson: string): Uint8Array {
  const safe = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (header.v !== ENTRY_FORMAT_VERSION || !safe(header.index) || !safe(header.time) || !ENTRY_TYPE_PATTERN.test(header.type)) {
    throw new RxError('ENTRY_MALFORMED', 'invalid entry header');
  }
  if (!/^[A-Za-z0-9+/]{43}=$/.test(header.prev)) throw new RxError('ENTRY_MALFORMED', 'prev must be the base64 of a 32-byte hash');
  const text = `{"body":${bodyJson},"index":${header.index},"prev":"${header.prev}","time":${header.time},"type":"${header.type}","v":${header.v}}`;
  const bytes = utf8(text);
  if (bytes.length > MAX_ENTRY_BYTES) throw new RxError('ENTRY_TOO_LARGE', `entry exceeds ${MAX_ENTRY_BYTES} bytes`);
  return bytes;
}

export function encodeEntry(entry: LedgerEntry): Uint8Array {
  const { body, ...header } = entry;
  return encodeEnvelope(header, canonicalBody(body));
}

/** Parses leaf bytes that came from storage or the network (attacker-controlled). */
export function parseEntry(bytes: Uint8Array): LedgerEntry {
  if (bytes.length > MAX_ENTRY_BYTES) throw new RxError('ENTRY_TOO_LARGE', `entry exceeds ${MAX_ENTRY_BYTES} bytes`);
  const value = parseCanonicalJson(bytes);
  const parsed = LedgerEntrySchema.safeParse(value);
  if (!parsed.success) {
    throw new RxError('ENTRY_MALFORMED', 'entry envelope does not match version 1', {
      paths: zodIssuePaths(parsed.error.issues),
    });
  }
  return parsed.data as LedgerEntry;
}

export function encodePrev(leafHash: Uint8Array): string {
  return encodeBase64(leafHash);
}
