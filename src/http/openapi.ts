/**
 * The service's OpenAPI 3.1 document, generated from the zod schemas the routes and the ledger
 * parse with (zod 4's `z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 * `GET /openapi.json` serves it; it is built once, at start-up, and is a pure function of its
 * options, so two instances of one deployment serve identical bytes.
 *
 * What a reader finds where:
 *   paths                              every route, with parameters, bodies and responses
 *   components/schemas/payload.<a>     the payload of every statement action `a`, and the
 *                                      `x-rxledger-actions` map on POST /v1/statements naming
 *                                      each action's payload, signing roles and examples
 *   components/schemas/entry.<t>       bodies of the records the ledger writes itself
 *   components/responses/Error<nnn>    one per HTTP status of src/http/error-status.ts, with an
 *                                      example for every error code that maps to it
 *   x-rxledger-error-codes             code → status, for clients that branch on codes
 *
 * Cross-field rules written as zod refinements (`delivers` only for pharmacies, access codes only
 * for open routing, …) have no JSON Schema form: the schemas here are necessary, not sufficient,
 * and the descriptions point to docs/AUTH.md and docs/PRESCRIPTIONS.md. Every example is checked
 * against the zod schemas themselves by test/http/openapi.test.ts.
 *
 * Examples carry placeholder signatures, key IDs and nonces (deterministic bytes derived from a
 * label, never a real signature): they show shapes, not verifiable requests. docs/AUTH.md has
 * worked, verifiable examples.
 *
 * This module assembles the document and the log's, statements' and patients' paths; the other
 * parts live in src/http/openapi/: the object types, the shared builders, the component schemas,
 * the response-body schemas, the actions with their examples, the error responses, and the
 * prescription and checker paths.
 */

import { z } from 'zod';
import { encodeBase64 } from '../core/bytes.js';
import { formatCheckpoint } from '../core/checkpoint.js';
import { publicKeyFromSeed } from '../core/ed25519.js';
import { ERROR_CODES } from '../core/errors.js';
import { ed25519KeyId, formatVerifierKey } from '../core/note-keys.js';
import { formatSignedNote } from '../core/signed-note.js';
import { formatTlogProof } from '../core/tlog-proof.js';
import { CHECK_RESULT_TYPE } from '../domain/prescription/lifecycle-records.js';
import { ACTION_ROLES } from '../domain/registry/authorization.js';
import { GENESIS_OPERATOR_TYPE } from '../domain/registry/registry-entry-types.js';
import { HTTP_STATUS } from './error-status.js';
import { IndexParam } from './index-param.js';
import { type ActionDoc, PATIENT_IDENTIFY_ACTION, RECORD_BODIES, type StatementAction, actionDocs, exampleBytes, exampleHash, exampleHex256, exampleStatement, signerRole } from './openapi/action-examples.js';
import { type ActionEntry, type ExampleObject, OPENAPI_VERSION, type OpenApiDocument, type OpenApiOptions, type OperationObject } from './openapi/types.js';
import { errorResponseName, errorResponses, errors, ref } from './openapi/error-responses.js';
import { componentSchemas } from './openapi/components.js';
import { json, noCache, param, SIGNED_READ, SIGNED_WRITE_NOTE } from './openapi/helpers.js';
import { checkerPaths } from './openapi/checker-paths.js';
import { prescriptionPaths } from './openapi/prescription-paths.js';
import { regulatorPagePaths } from './openapi/regulator-page-paths.js';
import { witnessPaths } from './openapi/witness-paths.js';
import { oversightPaths } from './openapi/oversight-paths.js';

export { ErrorBodySchema, RESPONSE_SCHEMAS } from './openapi/response-schemas.js';
export type { ExampleObject, MediaTypeObject, OpenApiDocument, OpenApiOptions, OperationObject, Reference, ResponseObject } from './openapi/types.js';

// ---------------------------------------------------------------------------------------------
// The document.

export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const { origin, entriesPageMax, queuePageMax } = options;
  const servesPatients = options.patients ?? true;
  const servesPrescriptions = options.prescriptions ?? true;
  const servesChecker = options.checker ?? true;
  const servesWitnesses = options.witnesses ?? true;
  const servesOversight = options.oversight ?? true;

  // Examples of the log's own formats, with a placeholder signature by a key from a published seed.
  const logKey = { name: origin, publicKey: publicKeyFromSeed(exampleBytes('log key seed', 32)) };
  const verifierKey = formatVerifierKey({ ...logKey, keyId: ed25519KeyId(logKey.name, logKey.publicKey) });
  const size = 1056;
  const checkpointNote = formatSignedNote({
    text: formatCheckpoint({ origin, size, rootHash: exampleBytes('root', 32), extensions: [] }),
    signatures: [{ name: logKey.name, keyId: ed25519KeyId(logKey.name, logKey.publicKey), signature: exampleBytes('checkpoint signature', 64) }],
  });
  const receiptIndex = 1040;
  const receiptHashes = Array.from({ length: 11 }, (_, i) => exampleBytes(`receipt path ${i}`, 32));
  const tlogProof = formatTlogProof({ index: receiptIndex, hashes: receiptHashes, checkpoint: checkpointNote });

  // Statement examples: every action, signed (placeholder) by a role the authorization table allows.
  const docs = actionDocs();
  const actions = Object.keys(docs) as StatementAction[];
  let n = 0;
  const statementExamples: Record<string, ExampleObject> = {};
  const actionEntries: Record<string, ActionEntry> = {};
  for (const action of actions) {
    const doc: ActionDoc<unknown> = docs[action];
    const role = signerRole(action);
    const keys = doc.examples.map((example) => {
      const key = example.variant === undefined ? action : `${action}:${example.variant}`;
      statementExamples[key] = { summary: `${action}: ${example.summary}`, description: `Signed by a ${role}.`, value: exampleStatement(origin, n++, role, action, example.payload, example.variant) };
      return key;
    });
    actionEntries[action] = { payload: ref('schemas', `payload.${action}`), roles: ACTION_ROLES[action] ?? [], examples: keys };
  }
  const identifyExample: ExampleObject = {
    summary: 'Identify a patient before prescribing',
    description: 'Signed by a prescriber. The identity goes to the erasable identity store, never to the ledger.',
    value: exampleStatement(origin, n++, 'prescriber', PATIENT_IDENTIFY_ACTION, {
      identity: { name: '张三', nationalId: '370102196103140012', phone: '+8613800000000', address: { region: '370102', line: '历下区泉城路 1 号 2 单元 301 室' } },
    }),
  };

  const descriptions = new Map<string, string>([
    ['SignedStatement', 'A statement and its Ed25519 signature over "rxledger/statement/v1\\n" || RFC 8785 canonical bytes of `statement` (docs/AUTH.md §2). `payload` depends on `action`: see StatementRequest.'],
    ['LedgerEntry', 'A decoded entry. `body` is, for an action, the SignedStatement that recorded it (payload: components/schemas/payload.<type>), and for the ledger’s own records components/schemas/entry.<type>.'],
    ['ErrorBody', 'Every error. `code` is stable and is what clients branch on; `message` is for humans and never carries personal data; `paths` names the offending fields.'],
    [`payload.${GENESIS_OPERATOR_TYPE}`, 'Written only by the ledger on first start, self-signed by the key it registers; it appears in GET /v1/log/entries and is refused on POST /v1/statements (ENTRY_TYPE_RESERVED).'],
    [`payload.${PATIENT_IDENTIFY_ACTION}`, 'POST /v1/patients only: never recorded in the ledger.'],
    ...Object.keys(RECORD_BODIES).map((type): [string, string] => [`entry.${type}`, `Body of \`${type}\`, a record the ledger writes itself (docs/FORMAT.md §6).`]),
    ...actions.map((action): [string, string] => [`payload.${action}`, `${docs[action].summary} Signed by: ${(ACTION_ROLES[action] ?? []).join(', ')}.`]),
  ]);
  const schemas = componentSchemas(descriptions);
  schemas.StatementRequest = {
    description: 'The body of POST /v1/statements: a SignedStatement whose `statement.action` selects the payload schema.',
    allOf: [
      ref('schemas', 'SignedStatement'),
      {
        type: 'object',
        properties: {
          statement: {
            oneOf: actions.map((action) => ({ type: 'object', properties: { action: { const: action }, payload: ref('schemas', `payload.${action}`) }, required: ['action', 'payload'] })),
          },
        },
      },
    ],
  };
  schemas.PatientIdentifyRequest = {
    description: 'The body of POST /v1/patients: a SignedStatement with action `patient.identify`.',
    allOf: [
      ref('schemas', 'SignedStatement'),
      { type: 'object', properties: { statement: { type: 'object', properties: { action: { const: PATIENT_IDENTIFY_ACTION }, payload: ref('schemas', `payload.${PATIENT_IDENTIFY_ACTION}`) } } } },
    ],
  };

  const statementResult = (replayed: boolean) => ({
    index: 1040,
    leafHash: exampleHash('leaf 1040'),
    type: 'rx.submit',
    replayed,
    records: [{ index: 1041, leafHash: exampleHash('leaf 1041'), type: CHECK_RESULT_TYPE }],
    lastIndex: 1041,
    check: { outcome: 'active', ruleSet: exampleHex256('rule set'), inputHash: exampleHex256('check input'), findings: [] },
    receipt: '/v1/receipts/1040',
  });
  const identifyResult = (replayed: boolean) => ({ pseudonym: exampleHex256('patient pseudonym'), identityCommitment: exampleHex256('identity commitment'), replayed });

  const paths: Record<string, Partial<Record<'get' | 'post', OperationObject>>> = {
    '/healthz': {
      get: {
        operationId: 'getHealth',
        tags: ['service'],
        summary: 'Liveness, and the log’s size',
        description: 'Public.',
        responses: { '200': { description: 'The service is up.', content: json('Health', { example: { status: 'ok', size } }) }, ...errors(500, 503) },
      },
    },
    '/checkpoint': {
      get: {
        operationId: 'getCheckpoint',
        tags: ['log'],
        summary: 'The latest signed checkpoint, byte for byte',
        description: 'Public. A C2SP tlog-checkpoint in a C2SP signed note, signed by the log’s checkpoint keys (docs/FORMAT.md §7). Verify it with keys obtained out of band, or those of GET /v1/log.',
        responses: {
          '200': { description: 'The signed note (the example’s signature is a placeholder).', headers: noCache, content: { 'text/plain': { schema: { type: 'string' }, example: checkpointNote } } },
          ...errors(500, 503),
        },
      },
    },
    '/v1/log': {
      get: {
        operationId: 'getLogInfo',
        tags: ['log'],
        summary: 'Origin, checkpoint verifier keys and size',
        description: 'Public.',
        responses: { '200': { description: 'The log.', content: json('LogInfo', { example: { origin, verifierKey, verifierKeys: [verifierKey], size } }) }, ...errors(500, 503) },
      },
    },
    '/v1/log/proof/inclusion': {
      get: {
        operationId: 'getInclusionProof',
        tags: ['log'],
        summary: 'RFC 9162 inclusion proof of one entry in the tree of a given size',
        description: 'Public: proofs reveal only hashes.',
        parameters: [param('index', 'query', IndexParam, 'The entry, smaller than `size`.', '1040'), param('size', 'query', IndexParam, 'The tree size, at most the log’s (usually a checkpoint’s).', String(size))],
        responses: {
          '200': { description: 'The leaf hash and the audit path, leaf to root.', content: json('InclusionProof', { example: { index: 1040, size, leafHash: exampleHash('leaf 1040'), hashes: receiptHashes.map(encodeBase64) } }) },
          ...errors(400, 500, 503),
        },
      },
    },
    '/v1/log/proof/consistency': {
      get: {
        operationId: 'getConsistencyProof',
        tags: ['log'],
        summary: 'RFC 9162 consistency proof between two tree sizes',
        description: 'Public.',
        parameters: [param('from', 'query', IndexParam, 'The older size, at most `to`.', '1000'), param('to', 'query', IndexParam, 'The newer size, at most the log’s.', String(size))],
        responses: {
          '200': { description: 'The proof.', content: json('ConsistencyProof', { example: { from: 1000, to: size, hashes: [exampleHash('consistency 0'), exampleHash('consistency 1')] } }) },
          ...errors(400, 500, 503),
        },
      },
    },
    '/v1/log/entries': {
      get: {
        operationId: 'getEntries',
        tags: ['log'],
        summary: 'Entries [start, end), a bounded page',
        description: `Signed read (docs/AUTH.md §3). At most ${entriesPageMax} entries per page; continue from \`next\`. Regulators and operators read every entry; other actors read the ledger’s own records and entries that concern them, and see the rest as \`{index, leafHash, data: null, entry: null, redacted: true}\`. \`data\` is the exact hashed bytes (base64); \`entry\` their decoded form, null when they do not decode.`,
        security: SIGNED_READ,
        parameters: [param('start', 'query', IndexParam, 'The first index, inside the log.', '1040'), param('end', 'query', IndexParam, 'One past the last index wanted, greater than `start`; clamped to the log.', '1042')],
        responses: { '200': { description: 'A page of entries.', content: json('EntryPage') }, ...errors(400, 401, 403, 404, 500, 503) },
      },
    },
    '/v1/statements': {
      post: {
        operationId: 'postStatement',
        tags: ['statements'],
        summary: 'Record a signed statement: the one write endpoint',
        description: `${SIGNED_WRITE_NOTE} \`statement.action\` is the type of the entry that records it and selects the payload schema: components/schemas/payload.<action>, listed with the roles that may sign each in \`x-rxledger-actions\`. Authentication, authorization and the action’s preconditions are judged when the entry is sequenced; the answer comes after the entry is committed to disk. An identical retry (same statement and signature) answers 200 with the original entry and writes nothing. Cross-field rules the JSON Schema cannot express are in the payload descriptions and docs/AUTH.md, docs/PRESCRIPTIONS.md.`,
        requestBody: { required: true, description: 'A signed statement. The examples’ key IDs, nonces and signatures are placeholders.', content: { 'application/json': { schema: ref('schemas', 'StatementRequest'), examples: statementExamples } } },
        responses: {
          '201': { description: 'Recorded now. `records` are entries the ledger wrote right after it (a submission’s check result, repeated under `check`); `lastIndex` is what the next statement about the prescription names as `previous`; `receipt` is where its inclusion proof can be fetched once a checkpoint covers it.', content: json('StatementResult', { example: statementResult(false) }) },
          '200': { description: 'An identical retry: the original entry; nothing was written.', content: json('StatementResult', { example: statementResult(true) }) },
          ...errors(400, 401, 403, 404, 409, 413, 415, 422, 500, 503),
        },
        'x-rxledger-actions': actionEntries,
      },
    },
    '/v1/receipts/{index}': {
      get: {
        operationId: 'getReceipt',
        tags: ['log'],
        summary: 'Offline proof that an entry is in the log',
        description: 'Public. The leaf hash, the inclusion proof and the signed checkpoint it leads to, as JSON and in the C2SP tlog-proof form; `?format=tlog-proof` answers the text alone. Until a checkpoint covers the entry the answer is 409 RECEIPT_PENDING.',
        parameters: [
          param('index', 'path', IndexParam, 'The entry’s index (`index` of POST /v1/statements).', String(receiptIndex)),
          param('format', 'query', z.enum(['json', 'tlog-proof']), '`json` (the default) or `tlog-proof` (text/plain).', 'json', false),
        ],
        responses: {
          '200': {
            description: 'The receipt.',
            content: {
              'application/json': { schema: ref('schemas', 'Receipt'), example: { index: receiptIndex, size, leafHash: exampleHash('leaf 1040'), hashes: receiptHashes.map(encodeBase64), checkpoint: checkpointNote, proof: tlogProof } },
              'text/plain': { schema: { type: 'string' }, example: tlogProof },
            },
          },
          ...errors(400, 404, 409, 500, 503),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        tags: ['service'],
        summary: 'This document',
        description: 'Public. Generated at start-up from the zod schemas.',
        responses: { '200': { description: 'The OpenAPI document.', headers: noCache, content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(500, 503) },
      },
    },
  };
  if (servesPatients) {
    paths['/v1/patients'] = {
      post: {
        operationId: 'postPatient',
        tags: ['patients'],
        summary: 'Identify a patient: the pseudonym and identity commitment a prescription carries',
        description: `${SIGNED_WRITE_NOTE} A prescriber’s \`patient.identify\` statement with the patient’s identity record. Nothing is written to the ledger: the identity goes to the erasable identity store. Retries are answered like ledger writes (200, replayed).`,
        requestBody: { required: true, description: 'A signed `patient.identify` statement (placeholder signature).', content: { 'application/json': { schema: ref('schemas', 'PatientIdentifyRequest'), examples: { [PATIENT_IDENTIFY_ACTION]: identifyExample } } } },
        responses: {
          '201': { description: 'Identified now.', headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } }, content: json('PatientIdentifyResult', { example: identifyResult(false) }) },
          '200': { description: 'An identical retry.', headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } }, content: json('PatientIdentifyResult', { example: identifyResult(true) }) },
          ...errors(400, 401, 403, 409, 410, 413, 415, 500, 503),
        },
      },
    };
  }
  if (servesPrescriptions) Object.assign(paths, prescriptionPaths(queuePageMax));
  if (servesChecker) Object.assign(paths, checkerPaths());
  Object.assign(paths, regulatorPagePaths());
  if (servesWitnesses) Object.assign(paths, witnessPaths(origin));
  if (servesOversight) Object.assign(paths, oversightPaths());

  const readSchemeNote = 'Signed reads (RFC 9421 profile `rxledger-read`, docs/AUTH.md §3) need both headers, signed by a registered, valid, unrevoked key of an active actor:';
  return {
    openapi: OPENAPI_VERSION,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'rxledger',
      version: 'v1',
      summary: 'Prescription circulation ledger: signed, hash-chained, Merkle-proven, regulator-verifiable.',
      description: [
        `The API of the log \`${origin}\`.`,
        'Writes are signed statements in the request body (docs/AUTH.md §2); reads of entry content and of prescriptions are signed requests (RFC 9421, docs/AUTH.md §3); checkpoints and proofs are public.',
        'Every error is `{ error: { code, message, paths } }`; the codes, by status, are under components/responses and in `x-rxledger-error-codes`.',
        'Examples use placeholder key IDs, nonces and signatures (they show shapes and do not verify); docs/AUTH.md has worked examples.',
      ].join('\n\n'),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      { name: 'log', description: 'The transparency log: checkpoints, proofs, entries, receipts.' },
      { name: 'statements', description: 'Signed writes.' },
      ...(servesPatients ? [{ name: 'patients', description: 'Patient identification (never in the ledger).' }] : []),
      ...(servesPrescriptions ? [{ name: 'prescriptions', description: 'Reads of the prescription lifecycle.' }] : []),
      ...(servesChecker ? [{ name: 'checker', description: 'The rational-drug-use checker: rule sets, dry runs, CDS Hooks.' }] : []),
      ...(servesOversight ? [{ name: 'oversight', description: 'Statistics for prescription review (处方点评) and alerts, for regulators.' }] : []),
      ...(servesWitnesses ? [{ name: 'witness', description: 'Witness cosignatures (C2SP tlog-cosignature) and the cosigned checkpoint.' }] : []),
      { name: 'regulator page', description: 'The regulator web page and the modules it verifies with (docs/REGULATOR-PAGE.md).' },
      { name: 'service', description: 'Health and this document.' },
    ],
    paths,
    components: {
      schemas,
      responses: errorResponses(),
      securitySchemes: {
        rxReadSignatureInput: {
          type: 'apiKey',
          in: 'header',
          name: 'Signature-Input',
          description: `${readSchemeNote} \`Signature-Input: rx=("@method" "@path" "@query");created=<unix seconds>;keyid="<keyId>";alg="ed25519";nonce="<32–64 hex>";tag="rxledger-read"\`.`,
        },
        rxReadSignature: { type: 'apiKey', in: 'header', name: 'Signature', description: `${readSchemeNote} \`Signature: rx=:<base64 Ed25519 signature over the RFC 9421 signature base>:\`.` },
      },
    },
    'x-rxledger-error-codes': Object.fromEntries(ERROR_CODES.map((code) => [code, { status: HTTP_STATUS[code], response: ref('responses', errorResponseName(HTTP_STATUS[code])).$ref }])),
  };
}
