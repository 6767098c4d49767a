/**
 * Turns a prescriber's identity record into what a prescription may carry: the patient's
 * pseudonym and a salted commitment (docs/PRESCRIPTIONS.md). The request is a signed statement
 * (`patient.identify`, payload `{ identity }`) authenticated exactly like a ledger write — key,
 * signature, standing, nonce, role — but it is never recorded in the ledger: it carries personal
 * data, which lives only in the erasable identity store.
 */
import { RxError } from '../core/errors.js';
import { zodIssuePaths } from '../core/issue-paths.js';
import { SignedStatementSchema, statementSigningBytes, type SignedStatement } from '../core/statement.js';
import { isAllowed } from '../domain/registry/authorization.js';
import { requestHash, verifyStatementSignature, verifyStatementStanding, type RegistryView, type SignatureCheck } from '../domain/registry/registry-rules.js';
import type { IdentityStore } from '../store/identity-store.js';
import { PatientIdentitySchema } from '../../schemas/prescription.js';
import { z } from 'zod';

export const PATIENT_IDENTIFY_ACTION = 'patient.identify';
/** The payload of `patient.identify`. */
export const IdentifyPayload = z.strictObject({ identity: PatientIdentitySchema });

export interface PatientServiceOptions {
  readonly registry: RegistryView;
  readonly identities: IdentityStore;
  readonly origin: string;
  readonly verifySignature: SignatureCheck;
  /** Used until the log records its own policy (`ledger.auth-policy`). */
  readonly timestampWindowMs: number;
  readonly clock?: () => number;
}

export interface IdentifyResult {
  readonly pseudonym: string;
  readonly identityCommitment: string;
  readonly replayed: boolean;
}

export interface PatientService {
  identify(body: unknown): IdentifyResult;
}

export function createPatientService(options: PatientServiceOptions): PatientService {
  const clock = options.clock ?? Date.now;
  return {
    identify(body) {
      const parsed = SignedStatementSchema.safeParse(body);
      if (!parsed.success) throw new RxError('REQUEST_INVALID', 'invalid body', { paths: zodIssuePaths(parsed.error.issues, ['body']) });
      const signed = parsed.data as SignedStatement;
      if (signed.statement.action !== PATIENT_IDENTIFY_ACTION) {
        throw new RxError('REQUEST_INVALID', `the action must be ${PATIENT_IDENTIFY_ACTION}`, { paths: ['body.statement.action'] });
      }
      const payload = IdentifyPayload.safeParse(signed.statement.payload);
      // Paths only: the values are personal data and never echo back.
      if (!payload.success) throw new RxError('REQUEST_INVALID', 'invalid identity record', { paths: zodIssuePaths(payload.error.issues, ['body', 'statement', 'payload']) });
      const ctx = { origin: options.origin, index: -1, time: clock(), timestampWindowMs: options.timestampWindowMs, verifySignature: options.verifySignature };
      // The order of a ledger write (docs/AUTH.md §2): signature, then an identical retry is
      // answered, then standing, role, and (in the store, atomically) nonce and idempotency.
      const signingBytes = statementSigningBytes(signed.statement);
      const key = verifyStatementSignature(options.registry, signed, ctx, signingBytes);
      const s = signed.statement;
      const request = { actorId: s.actor, nonce: s.nonce, idempotencyKey: s.idempotencyKey, requestHash: requestHash(signed, signingBytes) };
      const replay = options.identities.replayOf(request);
      if (replay !== undefined) return { pseudonym: replay.pseudonym, identityCommitment: replay.commitment, replayed: true };
      const actor = verifyStatementStanding(options.registry, signed, key, ctx);
      if (!isAllowed(actor.role, PATIENT_IDENTIFY_ACTION)) throw new RxError('AUTH_ROLE_FORBIDDEN', `a ${actor.role} may not ${PATIENT_IDENTIFY_ACTION}`, { paths: ['body.statement.action'] });
      const result = options.identities.putForRequest(payload.data.identity, request);
      return { pseudonym: result.pseudonym, identityCommitment: result.commitment, replayed: result.replayed };
    },
  };
}
