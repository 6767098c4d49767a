/** Error responses: one per HTTP status, an example per error code, rendered by the real error handler. */

import { MAX_ENTRY_BYTES } from '../../core/entry.js';
import { ERROR_CODES, RxError, type ErrorCode } from '../../core/errors.js';
import { toErrorBody } from '../error-handler.js';
import { HTTP_STATUS } from '../error-status.js';
import { type Reference, type ResponseObject } from './types.js';

// ---------------------------------------------------------------------------------------------
// Error responses: one per status, an example per code, rendered by the real error handler.

export type ErrorStatus = (typeof HTTP_STATUS)[ErrorCode];

export const STATUS_DESCRIPTIONS: Readonly<Record<ErrorStatus, string>> = {
  400: 'The request is malformed or breaks a schema. `paths` names the offending fields (`query.index`, `body.statement.payload.…`).',
  401: 'Authentication failed: the signed statement (writes) or the RFC 9421 signature (signed reads) is missing, stale, replayed or does not verify (docs/AUTH.md §2–3).',
  403: 'Authenticated, but the actor may not do this (suspended, wrong role, not a party).',
  404: 'No such route, entry or prescription. Prescriptions the reader may not see are reported as absent.',
  408: 'The request’s headers, or the whole request, did not arrive within the server’s timeout (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS); the connection is closed. Any route can answer it.',
  409: 'The request conflicts with the ledger’s current state; re-read and sign a new statement.',
  410: 'The identity record of an identical earlier request has been erased; nothing is returned for it.',
  413: 'The body, or the entry it would become, is too large.',
  415: 'The body’s media type is not supported: send `application/json`.',
  422: 'The statement refers to something unknown, or to something that does not fit.',
  429: 'Too many requests: by this actor (verified signatures only; RATE_LIMIT_WRITES_*, RATE_LIMIT_READS_*), or unauthenticated and failed ones from this client address (RATE_LIMIT_ADDRESS_*). `Retry-After` says in how many seconds to retry. Any route can answer it (docs/SECURITY.md).',
  431: 'The request line or headers exceed the server’s bound (Node’s --max-http-header-size, 16 KiB by default); the connection is closed. Any route can answer it.',
  500: 'The service failed. The message is always generic; the code says which check failed. Many of these codes are raised by the verifier and at start-up rather than by a request.',
  502: 'Not sent by the service: the client SDK and the verifier raise SOURCE_UNAVAILABLE when the service cannot be reached or answers unexpectedly.',
  503: 'The service cannot answer yet or any more, or (writes) has too many in progress: `SERVICE_OVERLOADED` comes with `Retry-After`. While it shuts down Fastify itself answers 503 with its own body (`{error, message, statusCode}`), not this shape.',
};

export interface ErrorExample {
  readonly summary: string;
  /** The message as thrown; for statuses ≥ 500 the handler replaces it with a generic one. */
  readonly message: string;
  readonly paths?: readonly string[];
}

export const P = 'body.statement.payload';
export const GENERIC_REFUSAL = 'the request was refused';

export const ERROR_EXAMPLES: { readonly [C in ErrorCode]: ErrorExample } = {
  CANONICAL_JSON_INVALID: { summary: 'A value outside the ledger’s JSON data model: a float, an unsafe integer, negative zero, a lone surrogate.', message: 'numbers must be safe integers; use a decimal string', paths: [`${P}.prescription.patient.weightKg`] },
  ENCODING_MALFORMED: { summary: 'Bytes that are not valid UTF-8 (or another byte encoding refused by a strict decoder).', message: 'bytes are not valid UTF-8' },
  ENTRY_MALFORMED: { summary: 'An entry envelope that is not version 1 (verifier, store).', message: 'entry envelope does not match version 1' },
  ENTRY_NOT_CANONICAL: { summary: 'Entry JSON that is not in RFC 8785 canonical form (verifier).', message: 'JSON is not in RFC 8785 canonical form' },
  ENTRY_TYPE_UNKNOWN: { summary: 'The statement’s action is not an entry type of the ledger.', message: 'entry type is not in the union', paths: ['body.statement.action'] },
  ENTRY_TYPE_RESERVED: { summary: 'The action is written only by the ledger itself (its own records, the genesis operator, check results).', message: 'this entry type is written by the ledger itself', paths: ['body.statement.action'] },
  ENTRY_BODY_INVALID: { summary: 'The payload does not match its action’s schema (components/schemas/payload.<action>).', message: 'body does not match registry.institution-register', paths: [`${P}.delivers`] },
  ENTRY_TOO_LARGE: { summary: `The entry the statement would become exceeds ${MAX_ENTRY_BYTES} bytes.`, message: `entry exceeds ${MAX_ENTRY_BYTES} bytes` },
  ENTRY_INDEX_MISMATCH: { summary: 'A stored entry names another index than its position (integrity failure).', message: 'entry at position 17 says it is 18' },
  ENTRY_CHAIN_BROKEN: { summary: 'A stored entry’s prev does not match the previous leaf hash (integrity failure).', message: 'prev does not match the previous leaf hash' },
  ENTRY_TIME_REGRESSED: { summary: 'A stored entry’s time is earlier than its predecessor’s (integrity failure).', message: 'time is earlier than the previous entry' },
  ENTRY_MISSING: { summary: 'An entry is missing from the store (integrity failure).', message: 'entry 17 is missing' },
  ENTRY_GENESIS_INVALID: { summary: 'The log does not start with its checkpoint-keys record (integrity failure).', message: 'checkpoint-keys entry names another origin' },
  TREE_NODE_MISMATCH: { summary: 'A stored Merkle tree node differs from the recomputed one (integrity failure).', message: 'stored tree node (0, 17) differs' },
  TREE_ROOT_MISMATCH: { summary: 'A recomputed root differs from a checkpoint’s (integrity failure).', message: 'recomputed root differs from the checkpoint' },
  PROOF_MALFORMED: { summary: 'A proof that cannot be parsed (verifier, client SDK).', message: 'hashes must be 32-byte hashes' },
  PROOF_RANGE_INVALID: { summary: 'A proof asked for outside the log: index ≥ size, size or to beyond the log, from > to.', message: 'index must be smaller than size', paths: ['query.index'] },
  PROOF_INVALID: { summary: 'A proof that does not lead to the expected root (verifier, client SDK).', message: 'consistency proof does not lead to the new root' },
  NOTE_MALFORMED: { summary: 'A signed note that breaks the C2SP signed-note grammar (verifier, client SDK).', message: 'note text must be non-empty and end with a newline' },
  NOTE_SIGNATURE_INVALID: { summary: 'A note signature by a trusted key that does not verify (verifier, client SDK).', message: 'signature by rxledger.localhost/ledger does not verify' },
  NOTE_UNVERIFIED: { summary: 'No trusted key signed the note (verifier, client SDK).', message: 'no trusted key signed the note' },
  CHECKPOINT_MALFORMED: { summary: 'Checkpoint note text that breaks C2SP tlog-checkpoint (verifier, client SDK).', message: 'checkpoint needs origin, size and root lines' },
  CHECKPOINT_ORIGIN_MISMATCH: { summary: 'A checkpoint or receipt from another log (verifier, client SDK).', message: 'the receipt is from another log' },
  CHECKPOINT_INCONSISTENT: { summary: 'A new checkpoint would not be consistent with the last one; publishing halts.', message: 'checkpoint publishing is halted' },
  CHECKPOINT_CONFLICT: { summary: 'Another writer replaced the latest checkpoint.', message: 'another writer replaced the latest checkpoint' },
  CHECKPOINT_MISSING: { summary: 'No checkpoint has been published yet (GET /checkpoint right after the first start).', message: 'no checkpoint has been published yet' },
  COSIGNATURE_MALFORMED: { summary: 'A cosignature line that breaks the C2SP signed-note grammar or is not 4 + 8 + 64 bytes (POST /v1/checkpoint/cosignatures).', message: 'an Ed25519 cosignature is 76 bytes after base64 decoding', paths: ['body.cosignature'] },
  COSIGNATURE_INVALID: { summary: 'A configured witness’s cosignature that does not verify over the checkpoint (POST /v1/checkpoint/cosignatures, verifier).', message: 'the cosignature does not verify over this checkpoint', paths: ['body.cosignature'] },
  COSIGNATURE_TIMESTAMP_INVALID: { summary: 'A cosignature dated further in the future than the ledger tolerates.', message: 'the cosignature is dated in the future', paths: ['body.cosignature'] },
  COSIGNATURE_CHECKPOINT_UNKNOWN: { summary: 'The cosigned checkpoint is not one this ledger published (another size, root or origin).', message: 'this ledger published no such checkpoint', paths: ['body.checkpoint'] },
  WITNESS_UNKNOWN: { summary: 'The cosignature’s key (name and key ID) is not among the ledger’s WITNESS_KEYS.', message: 'no configured witness has this key', paths: ['body.cosignature'] },
  WITNESS_THRESHOLD_NOT_MET: { summary: 'No checkpoint carries cosignatures by that many configured witnesses (GET /checkpoint/cosigned), or fewer than k trusted witnesses cosigned (verifier, monitor).', message: 'no checkpoint has cosignatures by 2 witnesses yet', paths: ['query.min'] },
  EVIDENCE_MALFORMED: { summary: 'A checkpoint evidence file that does not follow docs/FORMAT.md §12.5 (rxledger monitor --check-evidence).', message: 'evidence must be an rxledger-checkpoint-evidence/v1 JSON object' },
  EVIDENCE_UNFOUNDED: { summary: 'A checkpoint evidence file whose two checkpoints do not conflict (rxledger monitor --check-evidence).', message: 'the consistency proof in the evidence verifies: no conflict' },
  KEY_MALFORMED: { summary: 'A key or key file that cannot be parsed (start-up, CLI, client SDK).', message: 'Ed25519 seed must be 32 bytes' },
  KEY_FILE_INSECURE: { summary: 'A key file readable by group or others (start-up).', message: 'the key file is accessible by group or others' },
  CONFIG_INVALID: { summary: 'Invalid configuration (start-up).', message: 'invalid configuration: PORT: too big' },
  LEDGER_CLOSED: { summary: 'The ledger is closing and takes no more writes.', message: 'the ledger is closing' },
  LEDGER_ORIGIN_MISMATCH: { summary: 'The data directory belongs to another log (start-up).', message: "data directory belongs to log 'a', not 'b'" },
  LEDGER_LOCKED: { summary: 'Another process holds the data directory (start-up).', message: 'the data directory is in use by another rxledger process' },
  LEDGER_INTEGRITY: { summary: 'The store contradicts itself (integrity failure).', message: 'an identity request refers to a missing record' },
  STORE_SCHEMA_UNSUPPORTED: { summary: 'The database was written by a newer build (start-up).', message: 'database schema 9 is newer than this build (8)' },
  AUTH_REQUIRED: { summary: 'A signed read without its Signature-Input and Signature headers.', message: 'this resource needs a signed request (Signature-Input and Signature headers)', paths: ['headers.signature'] },
  AUTH_ORIGIN_MISMATCH: { summary: 'The statement names another log’s origin.', message: 'the statement is meant for another log', paths: ['body.statement.origin'] },
  AUTH_KEY_UNKNOWN: { summary: 'No such key, or its actor is unknown.', message: 'no such key', paths: ['body.statement.keyId'] },
  AUTH_KEY_ACTOR_MISMATCH: { summary: 'The key belongs to another actor than `statement.actor`.', message: 'the key belongs to another actor', paths: ['body.statement.keyId'] },
  AUTH_KEY_REVOKED: { summary: 'The key has been revoked.', message: 'the key has been revoked', paths: ['body.statement.keyId'] },
  AUTH_KEY_NOT_VALID_NOW: { summary: 'The key is outside its validity window.', message: 'the key is outside its validity window', paths: ['body.statement.keyId'] },
  AUTH_SIGNATURE_INVALID: { summary: 'The signature does not verify over the statement’s canonical bytes (or over the request, for a signed read).', message: 'the signature does not verify over this statement', paths: ['body.signature'] },
  AUTH_TIMESTAMP_OUT_OF_WINDOW: { summary: 'The statement’s timestamp (or a read signature’s `created`) is outside the accepted window.', message: 'the statement timestamp is outside the accepted window', paths: ['body.statement.timestamp'] },
  AUTH_NONCE_REUSED: { summary: 'The nonce was used before by this actor (or this key, for reads).', message: 'this nonce was already used', paths: ['body.statement.nonce'] },
  AUTH_ACTOR_SUSPENDED: { summary: 'The actor is suspended.', message: 'the actor is suspended', paths: ['body.statement.actor'] },
  AUTH_ROLE_FORBIDDEN: { summary: 'The actor’s role may not perform the action (docs/AUTH.md §5), or read this resource.', message: 'a pharmacist may not rx.submit', paths: ['body.statement.action'] },
  IDEMPOTENCY_KEY_CONFLICT: { summary: 'The idempotency key was used for a different statement.', message: 'this idempotency key was used for a different request', paths: ['body.statement.idempotencyKey'] },
  PATIENT_IDENTITY_ERASED: { summary: 'A retry of a patient identification whose record has since been erased.', message: 'the identity record of that request has been erased', paths: ['body.statement.idempotencyKey'] },
  REGISTRY_CONFLICT: { summary: 'Already registered, already revoked, already in that state.', message: 'institution already registered', paths: [`${P}.institutionId`] },
  REGISTRY_REFERENCE_UNKNOWN: { summary: 'Refers to an unknown institution, actor, key, pharmacy or courier.', message: 'no such institution', paths: [`${P}.institutionId`] },
  REGISTRY_ROLE_INSTITUTION_MISMATCH: { summary: 'That role cannot belong to that kind of institution.', message: 'a pharmacist cannot belong to a hospital', paths: [`${P}.institutionId`] },
  RX_NOT_FOUND: { summary: 'No such prescription, or not one the reader may see.', message: 'no such prescription, or not one this actor may read', paths: ['params.id'] },
  RX_ID_TAKEN: { summary: 'The prescription id is already in the ledger.', message: 'this prescription id is already in the ledger', paths: [`${P}.prescription.prescriptionId`] },
  RX_PRESCRIBER_MISMATCH: { summary: 'The prescription names another prescriber or institution than the signer’s.', message: 'the prescription names another prescriber than the signer', paths: [`${P}.prescription.prescriberId`] },
  RX_DATE_MISMATCH: { summary: 'A prescription is signed on its day of issue (China Standard Time).', message: 'a prescription is signed on its day of issue (China Standard Time)', paths: [`${P}.prescription.encounter.date`] },
  RX_PARTY_MISMATCH: { summary: 'The signer is not the party this step belongs to (another institution, pharmacy or courier).', message: 'a pharmacist claims for their own pharmacy', paths: [`${P}.pharmacyId`] },
  RX_STATE_CONFLICT: { summary: 'The action is not allowed in the prescription’s current state.', message: 'rx.dispense is not allowed while the prescription is claimed', paths: [`${P}.prescriptionId`] },
  RX_PREVIOUS_MISMATCH: { summary: '`previous` is not the prescription’s latest entry: someone acted first; re-read and re-sign.', message: 'the prescription’s latest entry is 1051', paths: [`${P}.previous`] },
  RX_HELD_BY_ANOTHER_PHARMACY: { summary: 'Another pharmacy holds the prescription, or none does.', message: 'another pharmacy holds this prescription', paths: [`${P}.prescriptionId`] },
  RX_ROUTED_ELSEWHERE: { summary: 'The prescription is nominated or directed to another pharmacy.', message: 'the prescription is nominated to another pharmacy', paths: [`${P}.pharmacyId`] },
  RX_REGION_MISMATCH: { summary: 'Open prescriptions are claimed only by pharmacies in the prescribing city.', message: 'open prescriptions are claimed by pharmacies in the prescribing city', paths: [`${P}.pharmacyId`] },
  RX_ACCESS_CODE_INVALID: { summary: 'The access code is missing, not the patient’s, or given for a routed prescription.', message: 'the access code does not match', paths: [`${P}.accessCode`] },
  RX_ACCESS_CODE_SPENT: { summary: 'The access code has already been used for a claim.', message: 'the access code has been used for a claim already', paths: [`${P}.accessCode`] },
  RX_EXPIRED: { summary: 'The prescription’s last claim window has passed.', message: 'the prescription has expired', paths: [`${P}.prescriptionId`] },
  RX_FILL_NOT_CURRENT: { summary: '`fill` is not the fill in progress.', message: 'the current fill is 0', paths: [`${P}.fill`] },
  RX_FILL_WINDOW_NOT_OPEN: { summary: 'The fill’s claim window has not opened yet.', message: 'this fill cannot be claimed yet', paths: [`${P}.fill`] },
  RX_FILL_WINDOW_CLOSED: { summary: 'The fill’s claim window has passed.', message: 'this fill’s window has passed', paths: [`${P}.fill`] },
  RX_CANCEL_PENDING: { summary: 'The prescriber has cancelled the prescription; the pharmacy may only return it.', message: 'the prescriber has cancelled this prescription', paths: [`${P}.prescriptionId`] },
  RX_NOT_CANCELLABLE: { summary: 'The prescription is past the point where it can be cancelled.', message: 'a prescription that is delivered cannot be cancelled', paths: [`${P}.prescriptionId`] },
  RX_NOT_REVISABLE: { summary: 'The prescription named in `revises` cannot be revised (another patient, or already dispensed).', message: 'a prescription that is dispensed cannot be revised', paths: [`${P}.revises`] },
  RX_OVERRIDE_INCOMPLETE: { summary: 'An override misses a reason for a finding that needs one, or names a rule that needs none.', message: 'reasons are missing for: reg.days-outpatient', paths: [`${P}.reasons`] },
  RX_LINE_UNKNOWN: { summary: 'A dispensed line is not in the fill.', message: 'no such line in this fill', paths: [`${P}.lines.0.line`] },
  RX_QUANTITY_EXCEEDS_OWING: { summary: 'More is dispensed than the line still owes.', message: 'more than is owed on the line', paths: [`${P}.lines.0.quantity`] },
  RX_TRACE_CODE_DUPLICATE: { summary: 'A traceability code appears twice in one dispensing (a code dispensed before is recorded as an `rx.flag` instead).', message: 'a traceability code appears twice in this dispensing', paths: [`${P}.lines`] },
  RX_PICKUP_CODE_INVALID: { summary: 'The pickup code does not match the delivery’s.', message: 'the pickup code does not match', paths: [`${P}.pickupCode`] },
  RX_CHECK_MISMATCH: { summary: 'A recorded check result differs from re-running the checker (verifier).', message: 're-running the check gives a different result' },
  RX_NO_RULE_SET: { summary: 'No rule set is active in this log yet (the service activates its knowledge base at start), so nothing can be checked.', message: 'no rule set has been activated in this log' },
  RULE_SET_UNKNOWN: { summary: 'No rule-set bundle with this hash is held.', message: 'no bundle with this hash is held', paths: ['params.hash'] },
  KNOWLEDGE_INVALID: { summary: 'A stored rule-set bundle does not parse or hash to its key (never expected; the service refuses to start on an invalid knowledge base).', message: 'knowledge base invalid' },
  RX_FLAG_UNFOUNDED: { summary: 'A recorded traceability flag is not borne out by the log (verifier).', message: 'a flagged code was not dispensed where the flag says' },
  RECEIPT_PENDING: { summary: 'No signed checkpoint covers the entry yet; retry after the next checkpoint.', message: 'no signed checkpoint covers this entry yet; retry after the next checkpoint', paths: ['params.index'] },
  REQUEST_INVALID: { summary: 'The query, path or body does not match the route’s schema, or the JSON does not parse.', message: 'invalid query', paths: ['query.index'] },
  REQUEST_TOO_LARGE: { summary: 'The body exceeds BODY_LIMIT_BYTES.', message: GENERIC_REFUSAL },
  REQUEST_MEDIA_TYPE_UNSUPPORTED: { summary: 'The body is not `application/json`.', message: GENERIC_REFUSAL },
  ROUTE_NOT_FOUND: { summary: 'No such route.', message: 'no such route' },
  REQUEST_HEADERS_TOO_LARGE: { summary: 'The request line or headers exceed the server’s bound; answered by the HTTP parser before any route.', message: 'the request was refused' },
  SERVICE_OVERLOADED: { summary: 'Too many writes in progress at once (WRITES_IN_FLIGHT_MAX): refused as it arrived, nothing read or written; send it again after `Retry-After` seconds (an identical statement lands once).', message: 'too many writes in progress; retry after the time in Retry-After' },
  RATE_LIMITED: { summary: 'Too many requests from this actor, or too many unauthenticated or failed ones from this client address; retry after `Retry-After` seconds.', message: 'too many requests; retry after the time in Retry-After' },
  REQUEST_TIMEOUT: { summary: 'The request’s headers or body did not arrive in time (a slow or stalled client); the connection is closed.', message: 'the request did not arrive in time' },
  LOG_INDEX_NOT_FOUND: { summary: 'The index is beyond the log.', message: 'no entry at this index', paths: ['params.index'] },
  SOURCE_UNAVAILABLE: { summary: 'The client SDK or verifier could not reach the service, or it answered unexpectedly.', message: 'cannot reach http://127.0.0.1:8080' },
  STATE_SNAPSHOT_MISMATCH: { summary: 'Not sent by the service: the verifier found a derived-state table (prescriptions, traceability codes, rule-set activations, the log-state row) that differs from the replay of the log.', message: 'the state tables: rx_prescriptions and the log disagree on prescription rx-hosp-jinan-1-20260105-000125 [state] (last written by entry 7)' },
  REGISTRY_SNAPSHOT_MISMATCH: { summary: 'Not sent by the service: the verifier found registry tables or a bundle’s registry record that differ from the replay of the log.', message: 'the registry tables and the log disagree on actor dr-li' },
  BUNDLE_MALFORMED: { summary: 'Not sent by the service: an export bundle is not in the rxledger-export/v1 format, or is truncated.', message: 'the bundle ends before its end record' },
  INTERNAL: { summary: 'An unexpected failure.', message: 'the service could not complete the request' },
};

export const errorResponseName = (status: number): string => `Error${status}`;
export const ref = (kind: 'schemas' | 'responses', name: string): Reference => ({ $ref: `#/components/${kind}/${name}` });

/** The header every 429 carries. */
const RETRY_AFTER = { 'Retry-After': { description: 'Whole seconds until a retry can succeed.', schema: { type: 'integer', minimum: 1 } } };

export function errorResponses(): Record<string, ResponseObject> {
  const byStatus = new Map<ErrorStatus, ErrorCode[]>();
  for (const code of ERROR_CODES) byStatus.set(HTTP_STATUS[code], [...(byStatus.get(HTTP_STATUS[code]) ?? []), code]);
  const statuses = [...byStatus.keys()].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const codes = byStatus.get(status) ?? [];
      const examples = Object.fromEntries(
        codes.map((code) => {
          const { summary, message, paths } = ERROR_EXAMPLES[code];
          // The body a client receives: the real handler renders it (generic messages for 5xx).
          const rendered = toErrorBody(new RxError(code, message, paths === undefined ? {} : { paths }));
          return [code, { summary, value: rendered.body }];
        }),
      );
      const schema = { allOf: [ref('schemas', 'ErrorBody'), { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } }] };
      const headers = status === 429 ? { headers: RETRY_AFTER } : {};
      return [errorResponseName(status), { description: STATUS_DESCRIPTIONS[status], ...headers, content: { 'application/json': { schema, examples } } }];
    }),
  );
}

/**
 * Statuses every operation can answer, whatever its route: the server's timeouts (408) cut a slow
 * request before it is routed, and the per-address rate limit (429) applies to every route.
 */
export const EVERY_OPERATION_STATUSES: readonly ErrorStatus[] = [408, 429, 431];

export const errors = (...statuses: ErrorStatus[]): Record<string, Reference> =>
  Object.fromEntries([...new Set([...statuses, ...EVERY_OPERATION_STATUSES])].sort((a, b) => a - b).map((s) => [String(s), ref('responses', errorResponseName(s))]));
