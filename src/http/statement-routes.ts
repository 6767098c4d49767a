/**
 * POST /v1/statements: the one write endpoint. The body is a signed statement (docs/AUTH.md); its
 * action is the type of the entry that records it. Authentication, authorization and the action's
 * preconditions are judged when the entry is sequenced, against the state at that index, so
 * concurrent requests cannot both pass a check that only one may pass. The response is sent only
 * after the entry is committed to disk.
 *
 *   201 { index, leafHash, type, replayed: false }   recorded now
 *   200 { index, leafHash, type, replayed: true }    identical retry of a recorded statement
 */
import type { FastifyPluginAsync } from 'fastify';
import { encodeBase64 } from '../core/bytes.js';
import { SignedStatementSchema } from '../core/statement.js';
import type { Ledger } from '../ledger/ledger.js';
import { parseRequestPart } from './parse-request.js';

export interface StatementRoutesOptions {
  readonly ledger: Ledger;
}

export const statementRoutes: FastifyPluginAsync<StatementRoutesOptions> = async (app, { ledger }) => {
  app.post('/v1/statements', async (request, reply) => {
    const signed = parseRequestPart(SignedStatementSchema, request.body, 'body');
    const result = await ledger.append(signed.statement.action, signed);
    const replayed = result.replayed === true;
    return reply.status(replayed ? 200 : 201).send({ index: result.index, leafHash: encodeBase64(result.leafHash), type: result.entry.type, replayed });
  });
};
