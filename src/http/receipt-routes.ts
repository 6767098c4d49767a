/**
 * GET /v1/receipts/:index — offline proof that an entry is in the log: its leaf hash, the RFC 9162
 * inclusion proof and the signed checkpoint it leads to, as JSON and in the C2SP tlog-proof form
 * (`?format=tlog-proof` answers the text alone). Public, like every proof: it reveals only hashes.
 * Until a checkpoint covers the entry the answer is 409 RECEIPT_PENDING; checkpoints are published
 * every CHECKPOINT_INTERVAL_MS.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { encodeBase64 } from '../core/bytes.js';
import { parseCheckpoint } from '../core/checkpoint.js';
import { RxError } from '../core/errors.js';
import { parseSignedNote } from '../core/signed-note.js';
import { formatTlogProof } from '../core/tlog-proof.js';
import type { Ledger } from '../ledger/ledger.js';
import { IndexParam } from './index-param.js';
import { parseRequestPart } from './parse-request.js';

const Params = z.strictObject({ index: IndexParam });
const Query = z.strictObject({ format: z.enum(['json', 'tlog-proof']).optional() });

export const receiptRoutes: FastifyPluginAsync<{ ledger: Ledger }> = async (app, { ledger }) => {
  app.get('/v1/receipts/:index', async (request, reply) => {
    const { index } = parseRequestPart(Params, request.params, 'params');
    const { format } = parseRequestPart(Query, request.query, 'query');
    if (index >= ledger.size()) throw new RxError('LOG_INDEX_NOT_FOUND', 'no entry at this index', { paths: ['params.index'] });
    const note = ledger.latestCheckpoint();
    const size = note === null ? 0 : parseCheckpoint(parseSignedNote(note).text).size;
    if (note === null || index >= size) throw new RxError('RECEIPT_PENDING', 'no signed checkpoint covers this entry yet; retry after the next checkpoint', { paths: ['params.index'] });
    const hashes = ledger.inclusionProof(index, size);
    const proof = formatTlogProof({ index, hashes, checkpoint: note });
    if (format === 'tlog-proof') return reply.type('text/plain; charset=utf-8').send(proof);
    return { index, size, leafHash: encodeBase64(ledger.leafHash(index)), hashes: hashes.map(encodeBase64), checkpoint: note, proof };
  });
};
