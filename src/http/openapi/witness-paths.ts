/**
 * The witness paths in the OpenAPI document (src/http/witness-routes.ts, docs/WITNESS.md): the
 * cosignature submission, the cosigned checkpoint and the accepted witness keys. The examples'
 * cosignatures are real cosignature/v1 signatures, by witness keys derived from published labels,
 * over the example checkpoint (whose log signature stays a placeholder, like the rest of the document).
 */
import { z } from 'zod';
import { formatCheckpoint } from '../../core/checkpoint.js';
import { createCosignerKey, formatCosignatureLine, formatCosignerVerifierKey, signCosignature } from '../../core/cosignature.js';
import { publicKeyFromSeed } from '../../core/ed25519.js';
import { ed25519KeyId, formatKeyId } from '../../core/note-keys.js';
import { formatSignedNote } from '../../core/signed-note.js';
import { formatCosignedNote } from '../../core/witness-quorum.js';
import { CosignatureSubmissionSchema } from '../witness-routes.js';
import { EXAMPLE_TIME, exampleBytes } from './action-examples.js';
import { errors, ref } from './error-responses.js';
import { jsonSchemaOf, noCache } from './helpers.js';
import type { Json } from './types.js';

export function witnessPaths(origin: string): Record<string, Json> {
  // The same example checkpoint as GET /checkpoint's (openapi.ts builds it from the same labels).
  const logKey = { name: origin, publicKey: publicKeyFromSeed(exampleBytes('log key seed', 32)) };
  const text = formatCheckpoint({ origin, size: 1056, rootHash: exampleBytes('root', 32), extensions: [] });
  const note = formatSignedNote({ text, signatures: [{ name: logKey.name, keyId: ed25519KeyId(logKey.name, logKey.publicKey), signature: exampleBytes('checkpoint signature', 64) }] });
  const time = Math.floor(EXAMPLE_TIME / 1000);
  const witnesses = ['witness.nhc.example/w1', 'witness.sd-nmpa.example/w1'].map((name) => createCosignerKey(name, exampleBytes(`witness seed ${name}`, 32)));
  const lines = witnesses.map((w, i) => formatCosignatureLine(signCosignature(text, w, time + i)));
  const first = witnesses[0] as (typeof witnesses)[0];
  const result = (stored: boolean) => ({ size: 1056, witness: first.name, keyId: formatKeyId(first.keyId), timestamp: time, stored });
  const submission = { checkpoint: note, cosignature: lines[0] as string };
  return {
    '/v1/checkpoint/cosignatures': {
      post: {
        operationId: 'postCosignature',
        tags: ['witness'],
        summary: 'A witness submits its cosignature of a checkpoint this ledger published',
        description:
          'Public: the cosignature is the authentication. `cosignature` is one C2SP tlog-cosignature line (Ed25519, cosignature/v1) by a witness configured in WITNESS_KEYS; `checkpoint` is the checkpoint’s note text or any signed note of it, such as the body of GET /checkpoint. Checked in this order, and nothing is stored unless all pass: the line’s grammar (COSIGNATURE_MALFORMED), the note’s (NOTE_MALFORMED, CHECKPOINT_MALFORMED), this log’s origin (CHECKPOINT_ORIGIN_MISMATCH), a configured witness (WITNESS_UNKNOWN), the signature (COSIGNATURE_INVALID), a time at most 600 s ahead of the ledger’s clock (COSIGNATURE_TIMESTAMP_INVALID), a checkpoint this ledger published with exactly this text (COSIGNATURE_CHECKPOINT_UNKNOWN). docs/FORMAT.md §12.',
        requestBody: {
          required: true,
          description: 'The checkpoint and one cosignature line.',
          content: {
            'application/json': {
              schema: jsonSchemaOf(CosignatureSubmissionSchema),
              examples: {
                signedNote: { summary: 'The checkpoint as GET /checkpoint served it, and the line', value: submission },
                noteText: { summary: 'The bare note text, and the line without its final newline', value: { checkpoint: text, cosignature: (lines[0] as string).trimEnd() } },
              },
            },
          },
        },
        responses: {
          '201': { description: 'Stored: the witness’s first cosignature of this checkpoint, or a later one.', content: { 'application/json': { schema: ref('schemas', 'CosignatureResult'), example: result(true) } } },
          '200': { description: 'Valid, but the ledger already holds this witness’s cosignature of this checkpoint with the same or a later time; nothing changed.', content: { 'application/json': { schema: ref('schemas', 'CosignatureResult'), example: result(false) } } },
          ...errors(400, 401, 403, 413, 415, 422, 500, 503),
        },
      },
    },
    '/checkpoint/cosigned': {
      get: {
        operationId: 'getCosignedCheckpoint',
        tags: ['witness'],
        summary: 'The largest checkpoint cosigned by at least `min` witnesses, with their cosignatures',
        description:
          'Public. The signed note exactly as GET /checkpoint served it for that size, followed by one cosignature line per configured witness that cosigned it (ordered by witness key). It may be older than GET /checkpoint: witnesses cosign at their own pace. Verify it with the log’s keys and your own k of n witness keys (docs/FORMAT.md §12.3). 404 WITNESS_THRESHOLD_NOT_MET when no checkpoint has that many cosignatures yet; 400 REQUEST_INVALID when min exceeds the configured witnesses (GET /v1/witnesses).',
        parameters: [{ name: 'min', in: 'query', required: false, description: 'The least number of distinct configured witnesses; default 1.', schema: jsonSchemaOf(z.string().regex(/^[1-9][0-9]{0,15}$/)), example: '2' }],
        responses: {
          '200': { description: 'The cosigned checkpoint (log signature a placeholder, cosignatures real).', headers: noCache, content: { 'text/plain': { schema: { type: 'string' }, example: formatCosignedNote(note, lines) } } },
          ...errors(400, 404, 500, 503),
        },
      },
    },
    '/v1/witnesses': {
      get: {
        operationId: 'getWitnesses',
        tags: ['witness'],
        summary: 'The witness keys whose cosignatures this ledger accepts (WITNESS_KEYS)',
        description: 'Public. C2SP vkeys of type 0x04. For discovery only: a verifier takes the witness keys it trusts from the witnesses, out of band.',
        responses: { '200': { description: 'The keys.', content: { 'application/json': { schema: ref('schemas', 'WitnessList'), example: { witnesses: witnesses.map(formatCosignerVerifierKey) } } } }, ...errors(500, 503) },
      },
    },
  };
}
