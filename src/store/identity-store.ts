/**
 * The identity store: patients' direct identifiers and delivery addresses, kept apart from the
 * ledger in their own SQLite file (`<DATA_DIR>/identity.sqlite`) so they can be erased. The ledger
 * refers to a record only by its salted commitment (src/domain/patient/patient-privacy.ts).
 * Erasure removes the identifiers and the salt and keeps a tombstone (commitment, time), so
 * the commitment can never be opened again and a later lookup says "erased", not "unknown".
 */
import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { RxError } from '../core/errors.js';
import { zodIssuePaths } from '../core/issue-paths.js';
import { PatientIdentitySchema, type PatientIdentity } from '../../schemas/prescription.js';
import { COMMITMENT_SALT_SIZE, identityCommitment, patientPseudonym } from '../domain/patient/patient-privacy.js';

export type IdentityLookup = { readonly status: 'present'; readonly identity: PatientIdentity; readonly pseudonym: string } | { readonly status: 'erased'; readonly erasedAt: number } | { readonly status: 'unknown' };

export interface IdentityRequest {
  /** The authenticated actor who asked, with the nonce and idempotency key of the request. */
  readonly actorId: string;
  readonly nonce: string;
  readonly idempotencyKey: string;
  /** SHA-256 of the request's signing bytes: an identical retry returns the original result. */
  readonly requestHash: string;
}

export interface IdentityStore {
  /** Stores an identity record; returns the pseudonym and the commitment the ledger will hold. */
  put(identity: PatientIdentity): { pseudonym: string; commitment: string };
  /**
   * Stores an identity record for an authenticated request, once: an identical retry (same actor,
   * idempotency key and request) returns the original result; a spent nonce or a reused
   * idempotency key with another request is refused. One transaction.
   */
  putForRequest(identity: PatientIdentity, request: IdentityRequest): { pseudonym: string; commitment: string; replayed: boolean };
  /**
   * The original result of an earlier request with this idempotency key: `undefined` if there is
   * none; IDEMPOTENCY_KEY_CONFLICT if it was another request; PATIENT_IDENTITY_ERASED if its record
   * has since been erased.
   */
  replayOf(request: IdentityRequest): { pseudonym: string; commitment: string; replayed: true } | undefined;
  get(commitment: string): IdentityLookup;
  /** Erases the identifiers and salt of a record; returns false if there was nothing to erase. */
  erase(commitment: string, nowMs: number): boolean;
  /**
   * The ledger size below which every erasure the ledger records has been applied to this file
   * (0 for a new file): src/patients/recorded-erasures.ts. Kept here, not in the ledger, so that
   * an identity file restored from a backup brings back its own, older position with the
   * identities it brings back.
   */
  erasuresAppliedBelow(): number;
  /** Records that position. Not synced at once: a position lost with the power is an older one, from which erasures are applied again. */
  saveErasuresAppliedBelow(size: number): void;
  /** Whether any record still holds identifiers (one not erased): with none, no erasure has anything to erase. */
  holdsIdentities(): boolean;
  close(): void;
}

export interface IdentityStoreOptions {
  readonly path: string;
  readonly pseudonymKey: Uint8Array;
  readonly randomBytes: (n: number) => Uint8Array;
}

export function openIdentityStore(options: IdentityStoreOptions): IdentityStore {
  // Personal data: the file (and the -wal/-shm files SQLite gives the same mode) is 0600.
  closeSync(openSync(options.path, 'a', 0o600));
  chmodSync(options.path, 0o600);
  const db = new Database(options.path);
  db.pragma('foreign_keys = ON');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // Erased bytes must not linger in free pages of the file.
  db.pragma('secure_delete = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS identities (
    commitment TEXT PRIMARY KEY,
    pseudonym  TEXT NOT NULL,
    salt       BLOB,
    identity   TEXT,
    erased_at  INTEGER,
    CHECK ((erased_at IS NULL) = (salt IS NOT NULL AND identity IS NOT NULL))
  ) WITHOUT ROWID`);
  db.exec(`CREATE TABLE IF NOT EXISTS identity_requests (
    actor_id        TEXT NOT NULL,
    nonce           TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    commitment      TEXT NOT NULL REFERENCES identities (commitment),
    PRIMARY KEY (actor_id, nonce)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX IF NOT EXISTS identity_requests_idempotency ON identity_requests (actor_id, idempotency_key);`);
  db.exec(`CREATE TABLE IF NOT EXISTS erasure_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    applied_below INTEGER NOT NULL
  )`);
  const insert = db.prepare<[string, string, Uint8Array, string]>('INSERT INTO identities (commitment, pseudonym, salt, identity) VALUES (?, ?, ?, ?)');
  const select = db.prepare<[string], { pseudonym: string; identity: string | null; erased_at: number | null }>('SELECT pseudonym, identity, erased_at FROM identities WHERE commitment = ?');
  const eraseRecord = db.prepare<[number, string]>('UPDATE identities SET salt = NULL, identity = NULL, erased_at = ? WHERE commitment = ? AND erased_at IS NULL');
  // A request hash covers the signed identity record; left behind, it would let anyone test guesses.
  const eraseRequestHashes = db.prepare<[string]>("UPDATE identity_requests SET request_hash = 'erased' WHERE commitment = ?");
  const erase = db.transaction((nowMs: number, commitment: string): boolean => {
    if (eraseRecord.run(nowMs, commitment).changes !== 1) return false;
    eraseRequestHashes.run(commitment);
    return true;
  });
  const byIdempotency = db.prepare<[string, string], { request_hash: string; commitment: string }>(
    'SELECT request_hash, commitment FROM identity_requests WHERE actor_id = ? AND idempotency_key = ?',
  );
  const byNonce = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM identity_requests WHERE actor_id = ? AND nonce = ?');
  const recordRequest = db.prepare<[string, string, string, string, string]>('INSERT INTO identity_requests VALUES (?, ?, ?, ?, ?)');
  const pseudonymOf = db.prepare<[string], { pseudonym: string }>('SELECT pseudonym FROM identities WHERE commitment = ?');
  const erasedAt = db.prepare<[string], { erased_at: number | null }>('SELECT erased_at FROM identities WHERE commitment = ?');
  const cursor = db.prepare<[], { applied_below: number }>('SELECT applied_below FROM erasure_cursor WHERE id = 1');
  const saveCursor = db.prepare<[number]>('INSERT OR REPLACE INTO erasure_cursor (id, applied_below) VALUES (1, ?)');
  const anyPresent = db.prepare<[], { one: number }>('SELECT 1 AS one FROM identities WHERE erased_at IS NULL LIMIT 1');
  const syncNormal = db.prepare('PRAGMA synchronous = NORMAL');
  const syncFull = db.prepare('PRAGMA synchronous = FULL');
  const store: IdentityStore = {
    replayOf(request) {
      const previous = byIdempotency.get(request.actorId, request.idempotencyKey);
      if (previous === undefined) return undefined;
      if ((erasedAt.get(previous.commitment)?.erased_at ?? null) !== null) {
        throw new RxError('PATIENT_IDENTITY_ERASED', 'the identity record of that request has been erased', { paths: ['body.statement.idempotencyKey'] });
      }
      if (previous.request_hash !== request.requestHash) {
        throw new RxError('IDEMPOTENCY_KEY_CONFLICT', 'this idempotency key was used for a different request', { paths: ['body.statement.idempotencyKey'] });
      }
      const pseudonym = pseudonymOf.get(previous.commitment)?.pseudonym;
      if (pseudonym === undefined) throw new RxError('LEDGER_INTEGRITY', 'an identity request refers to a missing record');
      return { pseudonym, commitment: previous.commitment, replayed: true };
    },
    putForRequest(identity, request) {
      return db.transaction(() => {
        const replay = store.replayOf(request);
        if (replay !== undefined) return replay;
        if (byNonce.get(request.actorId, request.nonce) !== undefined) {
          throw new RxError('AUTH_NONCE_REUSED', 'this nonce was already used', { paths: ['body.statement.nonce'] });
        }
        const result = store.put(identity);
        recordRequest.run(request.actorId, request.nonce, request.idempotencyKey, request.requestHash, result.commitment);
        return { ...result, replayed: false };
      }).immediate();
    },
    put(identity) {
      const parsed = PatientIdentitySchema.safeParse(identity);
      if (!parsed.success) {
        throw new RxError('REQUEST_INVALID', 'invalid identity record', { paths: zodIssuePaths(parsed.error.issues, ['identity']) });
      }
      const salt = options.randomBytes(COMMITMENT_SALT_SIZE);
      const commitment = identityCommitment(salt, parsed.data);
      const pseudonym = patientPseudonym(options.pseudonymKey, parsed.data.nationalId);
      insert.run(commitment, pseudonym, salt, JSON.stringify(parsed.data));
      return { pseudonym, commitment };
    },
    get(commitment) {
      const row = select.get(commitment);
      if (row === undefined) return { status: 'unknown' };
      if (row.erased_at !== null || row.identity === null) return { status: 'erased', erasedAt: row.erased_at ?? 0 };
      return { status: 'present', identity: PatientIdentitySchema.parse(JSON.parse(row.identity)), pseudonym: row.pseudonym };
    },
    erase(commitment, nowMs) {
      return erase.immediate(nowMs, commitment);
    },
    erasuresAppliedBelow() {
      return cursor.get()?.applied_below ?? 0;
    },
    saveErasuresAppliedBelow(size) {
      // Saved every second or so while the service runs: a commit that waited for the disk each
      // time would hold the event loop for nothing (the next put or erase syncs it anyway).
      syncNormal.run();
      try {
        saveCursor.run(size);
      } finally {
        syncFull.run();
      }
    },
    holdsIdentities() {
      return anyPresent.get() !== undefined;
    },
    close() {
      db.close();
    },
  };
  return store;
}
