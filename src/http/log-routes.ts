/**
 * Public read API of the log (none of it reveals more than the log's own bytes):
 *   GET /checkpoint                          the latest signed note, byte for byte
 *   GET /v1/log                              origin, verifier key(s), size
 *   GET /v1/log/proof/inclusion?index&size   RFC 9162 inclusion proof
 *   GET /v1/log/proof/consistency?from&to    RFC 9162 consistency proof
 *   GET /v1/log/entries?start&end            leaves [start, end), bounded page
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { encodeBase64 } from '../core/bytes.js';
import { parseEntry, type LedgerEntry } from '../core/entry.js';
import { RxError } from '../core/errors.js';
import type { Ledger } from '../ledger/ledger.js';
import { parseRequestPart } from './parse-request.js';
import { IndexParam } from './index-param.js';
import type { ReadAuthenticator } from './read-auth.js';
import { canReadEntry } from '../domain/registry/authorization.js';
import type { PrescriptionView } from '../domain/prescription/prescription-record.js';

export interface LogRoutesOptions {
  readonly ledger: Ledger;
  readonly entriesPageMax: number;
  /** Entry content is read with a signed request; checkpoint and proofs stay public. */
  readonly readAuth: ReadAuthenticator;
  /** Who is party to which prescription, for reads of lifecycle entries. */
  readonly prescriptions?: PrescriptionView;
}


/** FORMAT.md §8.2: unknown query parameters are refused, on every route of the read API. */
const NoQuery = z.strictObject({});
const InclusionQuery = z.strictObject({ index: IndexParam, size: IndexParam });
const ConsistencyQuery = z.strictObject({ from: IndexParam, to: IndexParam });
const EntriesQuery = z.strictObject({ start: IndexParam, end: IndexParam });

function decodeStoredEntry(data: Uint8Array): LedgerEntry | null {
  try {
    return parseEntry(data);
  } catch {
    return null;
  }
}

export const logRoutes: FastifyPluginAsync<LogRoutesOptions> = async (app, { ledger, entriesPageMax, readAuth, prescriptions }) => {
  app.get('/checkpoint', async (request, reply) => {
    parseRequestPart(NoQuery, request.query, 'query');
    const note = ledger.latestCheckpoint();
    if (note === null) throw new RxError('CHECKPOINT_MISSING', 'no checkpoint has been published yet');
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(note);
  });

  app.get('/v1/log', async (request) => {
    parseRequestPart(NoQuery, request.query, 'query');
    return { origin: ledger.origin, verifierKey: ledger.verifierKeys[0], verifierKeys: ledger.verifierKeys, size: ledger.size() };
  });

  app.get('/v1/log/proof/inclusion', async (request) => {
    const { index, size } = parseRequestPart(InclusionQuery, request.query, 'query');
    if (size > ledger.size()) throw new RxError('PROOF_RANGE_INVALID', 'size is beyond the log', { paths: ['query.size'] });
    if (index >= size) throw new RxError('PROOF_RANGE_INVALID', 'index must be smaller than size', { paths: ['query.index'] });
    return {
      index,
      size,
      leafHash: encodeBase64(ledger.leafHash(index)),
      hashes: ledger.inclusionProof(index, size).map(encodeBase64),
    };
  });

  app.get('/v1/log/proof/consistency', async (request) => {
    const { from, to } = parseRequestPart(ConsistencyQuery, request.query, 'query');
    if (to > ledger.size()) throw new RxError('PROOF_RANGE_INVALID', 'to is beyond the log', { paths: ['query.to'] });
    if (from > to) throw new RxError('PROOF_RANGE_INVALID', 'from must not exceed to', { paths: ['query.from'] });
    return { from, to, hashes: ledger.consistencyProof(from, to).map(encodeBase64) };
  });

  app.get('/v1/log/entries', async (request) => {
    const reader = readAuth.authenticate(request);
    const { start, end } = parseRequestPart(EntriesQuery, request.query, 'query');
    if (end <= start) throw new RxError('REQUEST_INVALID', 'end must be greater than start', { paths: ['query.end'] });
    const size = ledger.size();
    if (start >= size) throw new RxError('LOG_INDEX_NOT_FOUND', 'start is beyond the log', { paths: ['query.start'] });
    // Pages are bounded; a client continues from `next`.
    const stop = Math.min(end, size, start + entriesPageMax);
    const entries = ledger.entries(start, stop).map((e) => {
      // The raw bytes are what a verifier checks; the decoded view is a convenience and is null
      // when the stored bytes are not a valid entry (the verifier will say why).
      const entry = decodeStoredEntry(e.data);
      const visible = canReadEntry(reader, entry, prescriptions);
      const leafHash = encodeBase64(e.leafHash);
      // Content that does not concern the reader is withheld; its leaf hash, which reveals
      // nothing, is kept so that proofs stay checkable.
      return visible ? { index: e.index, leafHash, data: encodeBase64(e.data), entry } : { index: e.index, leafHash, data: null, entry: null, redacted: true };
    });
    return stop < Math.min(end, size) ? { entries, next: stop } : { entries };
  });
};
