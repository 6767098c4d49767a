/**
 * The rxledger package's public face (`import { … } from 'rxledger'`): the formats and proof
 * checks a regulator or client needs, the independent verifier, and the client SDK.
 */
export { RxError, ERROR_CODES, type ErrorCode } from './core/errors.js';
export { canonicalJson, canonicalBytes, parseCanonicalJson, type JsonValue, type JsonObject } from './core/canonical-json.js';
export { encodeEntry, parseEntry, type LedgerEntry } from './core/entry.js';
export { hashLeaf, hashChildren, EMPTY_TREE_ROOT } from './core/merkle-hash.js';
export { verifyInclusion, verifyConsistency, rootFromInclusionProof } from './core/merkle-verify.js';
export { parseCheckpoint, formatCheckpoint, type Checkpoint } from './core/checkpoint.js';
export { parseSignedNote, verifyNote, type SignedNote } from './core/signed-note.js';
export { parseVerifierKey, formatVerifierKey, createNoteVerifier } from './core/note-keys.js';
export { isValidEd25519, isAcceptablePublicKey } from './core/ed25519.js';
export { statementSigningBytes, actorKeyId, type Statement, type SignedStatement } from './core/statement.js';
export { verifyLog, type VerifyOptions, type VerifyReport, type VerifyFailure } from './verify/log-verifier.js';
export { openDbLogSource } from './verify/db-log-source.js';
export { createHttpLogSource } from './verify/http-log-source.js';
export type { LogSource, SourceEntry } from './verify/log-source.js';
export {
  createStatementSigner,
  createReadSigner,
  createLedgerClient,
  type StatementSigner,
  type ReadSigner,
  type LedgerClient,
  type LogInfo,
  type SubmitResult,
} from './client/index.js';
