/**
 * One error class for the whole project, carrying a stable code from a closed union.
 *
 * Codes are SCREAMING_SNAKE, area first, and once released are never renamed: clients and
 * regulators' tooling branch on them. The HTTP status for each code lives in one exhaustive table
 * (src/http/error-status.ts), so a code added here without a status does not compile.
 * Messages and paths MUST NOT carry personal data or payload content.
 */

/**
 * Signed notes (C2SP signed-note) and checkpoints (C2SP tlog-checkpoint), named as a group so that
 * tooling can tell a failure about a checkpoint from one about an entry (the tamper campaign does).
 */
export const CHECKPOINT_ERROR_CODES = [
  'NOTE_MALFORMED',
  'NOTE_SIGNATURE_INVALID',
  'NOTE_UNVERIFIED',
  'CHECKPOINT_MALFORMED',
  'CHECKPOINT_ORIGIN_MISMATCH',
  'CHECKPOINT_INCONSISTENT',
  'CHECKPOINT_CONFLICT',
  'CHECKPOINT_MISSING',
] as const;

export const ERROR_CODES = [
  // Canonical JSON (RFC 8785) and byte encodings
  'CANONICAL_JSON_INVALID',
  'ENCODING_MALFORMED',
  // Ledger entries
  'ENTRY_MALFORMED',
  'ENTRY_NOT_CANONICAL',
  'ENTRY_TYPE_UNKNOWN',
  'ENTRY_TYPE_RESERVED',
  'ENTRY_BODY_INVALID',
  'ENTRY_TOO_LARGE',
  'ENTRY_INDEX_MISMATCH',
  'ENTRY_CHAIN_BROKEN',
  'ENTRY_TIME_REGRESSED',
  'ENTRY_MISSING',
  'ENTRY_GENESIS_INVALID',
  // Merkle tree and proofs (RFC 9162)
  'TREE_NODE_MISMATCH',
  'TREE_ROOT_MISMATCH',
  'PROOF_MALFORMED',
  'PROOF_RANGE_INVALID',
  'PROOF_INVALID',
  ...CHECKPOINT_ERROR_CODES,
  // Witness cosignatures (C2SP tlog-cosignature) and k-of-n witness policies
  'COSIGNATURE_MALFORMED',
  'COSIGNATURE_INVALID',
  'COSIGNATURE_TIMESTAMP_INVALID',
  'COSIGNATURE_CHECKPOINT_UNKNOWN',
  'WITNESS_UNKNOWN',
  'WITNESS_THRESHOLD_NOT_MET',
  'EVIDENCE_MALFORMED',
  'EVIDENCE_UNFOUNDED',
  // Keys
  'KEY_MALFORMED',
  'KEY_FILE_INSECURE',
  // Service state
  'CONFIG_INVALID',
  'LEDGER_CLOSED',
  'LEDGER_ORIGIN_MISMATCH',
  'LEDGER_LOCKED',
  'LEDGER_INTEGRITY',
  'STORE_SCHEMA_UNSUPPORTED',
  // Authentication and authorization of signed statements
  'AUTH_REQUIRED',
  'AUTH_ORIGIN_MISMATCH',
  'AUTH_KEY_UNKNOWN',
  'AUTH_KEY_ACTOR_MISMATCH',
  'AUTH_KEY_REVOKED',
  'AUTH_KEY_NOT_VALID_NOW',
  'AUTH_SIGNATURE_INVALID',
  'AUTH_TIMESTAMP_OUT_OF_WINDOW',
  'AUTH_NONCE_REUSED',
  'AUTH_ACTOR_SUSPENDED',
  'AUTH_ROLE_FORBIDDEN',
  'IDEMPOTENCY_KEY_CONFLICT',
  'PATIENT_IDENTITY_ERASED',
  // Registry
  'REGISTRY_CONFLICT',
  'REGISTRY_REFERENCE_UNKNOWN',
  'REGISTRY_ROLE_INSTITUTION_MISMATCH',
  // Prescription lifecycle (docs/LIFECYCLE.md §3 names the rule behind each)
  'RX_NOT_FOUND',
  'RX_ID_TAKEN',
  'RX_PRESCRIBER_MISMATCH',
  'RX_DATE_MISMATCH',
  'RX_PARTY_MISMATCH',
  'RX_STATE_CONFLICT',
  'RX_PREVIOUS_MISMATCH',
  'RX_HELD_BY_ANOTHER_PHARMACY',
  'RX_ROUTED_ELSEWHERE',
  'RX_REGION_MISMATCH',
  'RX_ACCESS_CODE_INVALID',
  'RX_ACCESS_CODE_SPENT',
  'RX_EXPIRED',
  'RX_FILL_NOT_CURRENT',
  'RX_FILL_WINDOW_NOT_OPEN',
  'RX_FILL_WINDOW_CLOSED',
  'RX_CANCEL_PENDING',
  'RX_NOT_CANCELLABLE',
  'RX_NOT_REVISABLE',
  'RX_OVERRIDE_INCOMPLETE',
  'RX_LINE_UNKNOWN',
  'RX_QUANTITY_EXCEEDS_OWING',
  'RX_TRACE_CODE_DUPLICATE',
  'RX_PICKUP_CODE_INVALID',
  'RX_CHECK_MISMATCH',
  'RX_NO_RULE_SET',
  'RULE_SET_UNKNOWN',
  'KNOWLEDGE_INVALID',
  'RX_FLAG_UNFOUNDED',
  'RECEIPT_PENDING',
  // HTTP edge
  'REQUEST_INVALID',
  'REQUEST_TOO_LARGE',
  'REQUEST_HEADERS_TOO_LARGE',
  'REQUEST_MEDIA_TYPE_UNSUPPORTED',
  'ROUTE_NOT_FOUND',
  'RATE_LIMITED',
  'SERVICE_OVERLOADED',
  'REQUEST_TIMEOUT',
  'LOG_INDEX_NOT_FOUND',
  'SOURCE_UNAVAILABLE',
  // Verification of derived state and export bundles
  'REGISTRY_SNAPSHOT_MISMATCH',
  'STATE_SNAPSHOT_MISMATCH',
  'BUNDLE_MALFORMED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface RxErrorOptions {
  /** Field paths at fault, e.g. `["query", "index"]` rendered as `query.index`. */
  readonly paths?: readonly string[];
  /** The log index the error is about, when there is one (verifier reports). */
  readonly index?: number;
  readonly cause?: unknown;
}

export class RxError extends Error {
  override readonly name = 'RxError';
  readonly code: ErrorCode;
  readonly paths: readonly string[];
  readonly index: number | undefined;

  constructor(code: ErrorCode, message: string, options: RxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.paths = options.paths ?? [];
    this.index = options.index;
  }
}

export function isRxError(value: unknown, code?: ErrorCode): value is RxError {
  return value instanceof RxError && (code === undefined || value.code === code);
}

/** The code of a failure, for a log line that must not carry the error's message (it may quote data). */
export function errorCodeOf(err: unknown): unknown {
  return (err as { code?: unknown } | undefined)?.code ?? null;
}
