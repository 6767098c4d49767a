/**
 * Witnessing (C2SP tlog-cosignature), docs/WITNESS.md:
 *   POST /v1/checkpoint/cosignatures   a configured witness submits its cosignature of a checkpoint
 *   GET  /checkpoint/cosigned?min=k     the largest checkpoint cosigned by ≥ k witnesses, with their lines
 *   GET  /v1/witnesses                  the witness keys this ledger accepts
 * Public: the cosignature itself is the witness's authentication. GET /checkpoint is unchanged.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { MAX_NOTE_BYTES } from '../core/signed-note.js';
import type { CosignatureCollector } from '../witness/cosignature-collector.js';
import { IndexParam } from './index-param.js';
import { parseRequestPart } from './parse-request.js';
import { useStrictJsonBodies } from './json-body.js';

export const CosignatureSubmissionSchema = z.strictObject({
  /** The checkpoint's note text, or a signed note of it (such as GET /checkpoint's body). */
  checkpoint: z.string().min(1).max(MAX_NOTE_BYTES),
  /** One signature line `— <witness name> <base64>`, with or without its final newline. */
  cosignature: z.string().min(1).max(1024),
});
export type CosignatureSubmission = z.infer<typeof CosignatureSubmissionSchema>;

/** The answer to a submission: which checkpoint and witness, and whether it changed what is stored. */
export const CosignatureResultSchema = z.strictObject({
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  witness: z.string().min(1),
  keyId: z.string().regex(/^[0-9a-f]{8}$/),
  timestamp: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  stored: z.boolean(),
});
export const WitnessListSchema = z.strictObject({ witnesses: z.array(z.string()) });

export const CosignedQuerySchema = z.strictObject({ min: IndexParam.pipe(z.number().int().min(1)).optional() });

export const witnessRoutes: FastifyPluginAsync<{ collector: CosignatureCollector }> = async (app, { collector }) => {
  useStrictJsonBodies(app);
  app.post('/v1/checkpoint/cosignatures', async (request, reply) => {
    const body = parseRequestPart(CosignatureSubmissionSchema, request.body, 'body');
    const result = collector.submit(body.checkpoint, body.cosignature);
    return reply.status(result.stored ? 201 : 200).send(result);
  });

  app.get('/checkpoint/cosigned', async (request, reply) => {
    const { min } = parseRequestPart(CosignedQuerySchema, request.query, 'query');
    const { note } = collector.cosigned(min ?? 1);
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(note);
  });

  app.get('/v1/witnesses', async () => ({ witnesses: collector.witnessKeys }));
};
