/**
 * The registry's rules, as pure functions over a read-only view of the registry. The same code
 * runs when the ledger sequences a statement (the view is SQLite, inside the commit transaction)
 * and when a verifier replays the log (the view is in memory), so both reach the same verdict on
 * every entry.
 *
 * `admitStatement` answers "may this signed statement become the next entry?": authentication
 * (origin, key, validity window, revocation, signature, timestamp window, nonce), idempotency,
 * authorization (role × action), then the action's own preconditions. It returns the mutations
 * that recording the entry makes to the registry, or throws an RxError with a stable code.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { z } from 'zod';
import { bytesToHex, decodeBase64 } from '../../core/bytes.js';
import { RxError } from '../../core/errors.js';
import { actorKeyId, statementSigningBytes, type SignedStatement } from '../../core/statement.js';
import {
  ActorRegisterPayload,
  ActorStatusPayload,
  GenesisOperatorPayload,
  InstitutionRegisterPayload,
  KeyAddPayload,
  KeyRevokePayload,
  ROLE_INSTITUTIONS,
  type InstitutionKind,
  type Privileges,
  type Role,
} from './registry-model.js';
import { isAllowed } from './authorization.js';
import { zodIssuePaths } from '../../core/issue-paths.js';

export interface InstitutionRecord {
  readonly institutionId: string;
  readonly kind: InstitutionKind;
  readonly region: string;
  readonly delivers: boolean;
}

export interface ActorRecord {
  readonly actorId: string;
  readonly role: Role;
  readonly institutionId: string | null;
  readonly region: string | null;
  readonly privileges: Privileges | null;
  readonly suspended: boolean;
}

export interface KeyRecord {
  readonly keyId: string;
  readonly actorId: string;
  readonly publicKey: Uint8Array;
  readonly notBefore: number;
  readonly notAfter: number | null;
  /** Log time of the revocation entry, if revoked. */
  readonly revokedAt: number | null;
}

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly index: number;
}

/** What the rules may read. Implementations: SQLite (ledger), memory (verifier, tests). */
export interface RegistryView {
  hasGenesis(): boolean;
  institution(id: string): InstitutionRecord | undefined;
  actor(id: string): ActorRecord | undefined;
  key(keyId: string): KeyRecord | undefined;
  nonceUsed(actorId: string, nonce: string): boolean;
  /** The timestamp window the log last recorded (`ledger.auth-policy`), if any. */
  timestampWindowMs(): number | undefined;
  idempotency(actorId: string, idempotencyKey: string): IdempotencyRecord | undefined;
}

export type RegistryMutation =
  | { readonly kind: 'institution'; readonly record: InstitutionRecord }
  | { readonly kind: 'actor'; readonly record: ActorRecord }
  | { readonly kind: 'actor-suspended'; readonly actorId: string; readonly suspended: boolean }
  | { readonly kind: 'key'; readonly record: KeyRecord }
  | { readonly kind: 'key-revoked'; readonly keyId: string; readonly at: number }
  | { readonly kind: 'auth-policy'; readonly timestampWindowMs: number }
  | { readonly kind: 'statement'; readonly actorId: string; readonly nonce: string; readonly idempotencyKey: string; readonly requestHash: string; readonly index: number };

/** Verifies an Ed25519 signature; injected so the server can use its fast path. */
export type SignatureCheck = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

export interface AdmitContext {
  readonly origin: string;
  /** Index and time the entry would get. */
  readonly index: number;
  readonly time: number;
  /**
   * Largest accepted |time - statement.timestamp|, in milliseconds, for a log that has not recorded
   * its own policy yet (`ledger.auth-policy` overrides it).
   */
  readonly timestampWindowMs: number;
  readonly verifySignature: SignatureCheck;
}

export type Admission =
  | { readonly kind: 'append'; readonly mutations: RegistryMutation[] }
  /** An idempotent retry: the original entry stands and nothing is written. */
  | { readonly kind: 'replay'; readonly index: number };

const fail = (code: ConstructorParameters<typeof RxError>[0], message: string, paths: string[] = []): never => {
  throw new RxError(code, message, { paths });
};

/** Payloads were checked by the entry union already; this keeps a bypass from becoming a crash. */
function parsePayload<S extends z.ZodType>(schema: S, payload: unknown): z.infer<S> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new RxError('ENTRY_BODY_INVALID', 'payload does not match the action', {
      paths: zodIssuePaths(parsed.error.issues, ['body', 'statement', 'payload']),
    });
  }
  return parsed.data;
}

/** SHA-256 of the statement's signing bytes; pass them when already computed (they are the costly part). */
export function requestHash(signed: SignedStatement, signingBytes: Uint8Array = statementSigningBytes(signed.statement)): string {
  return bytesToHex(sha256(signingBytes));
}

/**
 * What authenticating a statement computes from its canonical bytes. A caller that computed them
 * already (the ledger does, before sequencing, with native SHA-256) passes them in, so they are
 * computed once per statement; they MUST equal `statementDigest` of the same statement.
 */
export interface StatementDigest {
  readonly signingBytes: Uint8Array;
  /** `requestHash` of the statement. */
  readonly requestHash: string;
}

export function statementDigest(signed: SignedStatement): StatementDigest {
  const signingBytes = statementSigningBytes(signed.statement);
  return { signingBytes, requestHash: requestHash(signed, signingBytes) };
}

/**
 * Proof that the statement was signed by the key it names, for the actor it names: origin, key
 * known, signature valid, key owned by the actor. Nothing about the statement is disclosed to a
 * caller who cannot pass this (no idempotency or ownership oracle).
 */
export function verifyStatementSignature(view: RegistryView, signed: SignedStatement, ctx: AdmitContext, signingBytes: Uint8Array = statementSigningBytes(signed.statement)): KeyRecord {
  const s = signed.statement;
  if (s.origin !== ctx.origin) fail('AUTH_ORIGIN_MISMATCH', 'the statement is meant for another log', ['body.statement.origin']);
  const key = view.key(s.keyId);
  if (key === undefined) fail('AUTH_KEY_UNKNOWN', 'no such key', ['body.statement.keyId']);
  if (!ctx.verifySignature(decodeBase64(signed.signature), signingBytes, key!.publicKey)) {
    fail('AUTH_SIGNATURE_INVALID', 'the signature does not verify over this statement', ['body.signature']);
  }
  if (key!.actorId !== s.actor) fail('AUTH_KEY_ACTOR_MISMATCH', 'the key belongs to another actor', ['body.statement.keyId']);
  return key!;
}

/** The key is unrevoked and `time` falls inside its validity window. Shared by writes and signed reads. */
export function verifyKeyValidAt(key: KeyRecord, time: number, path: string): void {
  if (key.revokedAt !== null) fail('AUTH_KEY_REVOKED', 'the key has been revoked', [path]);
  if (time < key.notBefore || (key.notAfter !== null && time >= key.notAfter)) {
    fail('AUTH_KEY_NOT_VALID_NOW', 'the key is outside its validity window', [path]);
  }
}

/** The actor exists and is not suspended. Shared by writes and signed reads. */
export function activeActor(view: RegistryView, actorId: string, path: string): ActorRecord {
  const actor = view.actor(actorId);
  if (actor === undefined) fail('AUTH_KEY_UNKNOWN', 'no such actor', [path]);
  if (actor!.suspended) fail('AUTH_ACTOR_SUSPENDED', 'the actor is suspended', [path]);
  return actor!;
}

/** Whether the key and its actor may act now: revocation, validity window, timestamp, suspension. */
export function verifyStatementStanding(view: RegistryView, signed: SignedStatement, key: KeyRecord, ctx: AdmitContext): ActorRecord {
  const s = signed.statement;
  verifyKeyValidAt(key, ctx.time, 'body.statement.keyId');
  if (Math.abs(ctx.time - s.timestamp) > (view.timestampWindowMs() ?? ctx.timestampWindowMs)) {
    fail('AUTH_TIMESTAMP_OUT_OF_WINDOW', 'the statement timestamp is outside the accepted window', ['body.statement.timestamp']);
  }
  return activeActor(view, s.actor, 'body.statement.actor');
}

/**
 * Decides whether a signed statement may be recorded next, and what it changes. The checks run
 * in this order, the first failure deciding the code (docs/AUTH.md §2):
 *   signature (origin, key, signature, key owner) → idempotent retry → standing (revocation,
 *   validity window, timestamp window, actor) → nonce → role → the action's preconditions.
 * An identical retry is answered after the signature check and before the standing checks: it
 * asks for nothing new, so a key revoked since, or a nonce now spent, does not turn it into an
 * error.
 */
export function admitStatement(view: RegistryView, signed: SignedStatement, ctx: AdmitContext): Admission {
  const auth = authenticateStatement(view, signed, ctx);
  if (auth.kind === 'replay') return auth;
  return { kind: 'append', mutations: [...registryMutations(view, signed.statement.action, signed.statement.payload, ctx), auth.spend] };
}

export type Authentication =
  | { readonly kind: 'replay'; readonly index: number }
  /** A new statement by an active actor whose role may take the action; `spend` records its nonce and idempotency key. */
  | { readonly kind: 'fresh'; readonly actor: ActorRecord; readonly spend: RegistryMutation };

/**
 * Everything about a statement except the action's own preconditions, in the order of docs/AUTH.md
 * §2: signature → idempotent retry → standing → nonce → role. Shared by every kind of action.
 */
export function authenticateStatement(view: RegistryView, signed: SignedStatement, ctx: AdmitContext, digest: StatementDigest = statementDigest(signed)): Authentication {
  const s = signed.statement;
  const key = verifyStatementSignature(view, signed, ctx, digest.signingBytes);
  const hash = digest.requestHash;
  const previous = view.idempotency(s.actor, s.idempotencyKey);
  if (previous !== undefined) {
    if (previous.requestHash === hash) return { kind: 'replay', index: previous.index };
    fail('IDEMPOTENCY_KEY_CONFLICT', 'this idempotency key was used for a different statement', ['body.statement.idempotencyKey']);
  }
  const actor = verifyStatementStanding(view, signed, key, ctx);
  if (view.nonceUsed(s.actor, s.nonce)) fail('AUTH_NONCE_REUSED', 'this nonce was already used', ['body.statement.nonce']);
  if (!isAllowed(actor.role, s.action)) fail('AUTH_ROLE_FORBIDDEN', `a ${actor.role} may not ${s.action}`, ['body.statement.action']);
  return { kind: 'fresh', actor, spend: { kind: 'statement', actorId: s.actor, nonce: s.nonce, idempotencyKey: s.idempotencyKey, requestHash: hash, index: ctx.index } };
}

/**
 * The genesis operator: the first registry entry, written by the ledger itself on first start and
 * self-signed by the new key (proof of possession). It is the registry's root of trust, covered
 * like every entry by the signed checkpoints.
 */
export function admitGenesisOperator(view: RegistryView, signed: SignedStatement, ctx: AdmitContext): Admission {
  if (view.hasGenesis()) fail('REGISTRY_CONFLICT', 'the registry already has its genesis operator');
  const s = signed.statement;
  const p = parsePayload(GenesisOperatorPayload, s.payload);
  const publicKey = decodeBase64(p.publicKey);
  if (s.origin !== ctx.origin) fail('AUTH_ORIGIN_MISMATCH', 'the statement is meant for another log', ['body.statement.origin']);
  if (s.actor !== p.actorId || s.keyId !== actorKeyId(publicKey)) fail('AUTH_KEY_ACTOR_MISMATCH', 'the genesis statement must be signed by the key it registers');
  if (!ctx.verifySignature(decodeBase64(signed.signature), statementSigningBytes(s), publicKey)) fail('AUTH_SIGNATURE_INVALID', 'the genesis signature does not verify');
  return {
    kind: 'append',
    mutations: [
      { kind: 'actor', record: { actorId: p.actorId, role: 'operator', institutionId: null, region: null, privileges: null, suspended: false } },
      { kind: 'key', record: { keyId: s.keyId, actorId: p.actorId, publicKey, notBefore: p.notBefore, notAfter: null, revokedAt: null } },
      { kind: 'statement', actorId: s.actor, nonce: s.nonce, idempotencyKey: s.idempotencyKey, requestHash: requestHash(signed), index: ctx.index },
    ],
  };
}

export function registryMutations(view: RegistryView, action: string, payload: unknown, ctx: AdmitContext): RegistryMutation[] {
  switch (action) {
    case 'registry.institution-register': {
      const p = parsePayload(InstitutionRegisterPayload, payload);
      if (view.institution(p.institutionId) !== undefined) fail('REGISTRY_CONFLICT', 'institution already registered', ['body.statement.payload.institutionId']);
      // Actor and institution ids share one namespace: a prescription's parties list holds
      // pharmacies' institution ids and couriers' actor ids side by side (authorization.ts).
      if (view.actor(p.institutionId) !== undefined) fail('REGISTRY_CONFLICT', 'an actor already has this id', ['body.statement.payload.institutionId']);
      return [{ kind: 'institution', record: { institutionId: p.institutionId, kind: p.kind, region: p.region, delivers: p.delivers ?? false } }];
    }
    case 'registry.actor-register': {
      const p = parsePayload(ActorRegisterPayload, payload);
      if (view.actor(p.actorId) !== undefined) fail('REGISTRY_CONFLICT', 'actor already registered', ['body.statement.payload.actorId']);
      if (view.institution(p.actorId) !== undefined) fail('REGISTRY_CONFLICT', 'an institution already has this id', ['body.statement.payload.actorId']);
      if (p.institutionId !== undefined) {
        const institution = view.institution(p.institutionId);
        if (institution === undefined) fail('REGISTRY_REFERENCE_UNKNOWN', 'no such institution', ['body.statement.payload.institutionId']);
        if (!ROLE_INSTITUTIONS[p.role].includes(institution!.kind)) {
          fail('REGISTRY_ROLE_INSTITUTION_MISMATCH', `a ${p.role} cannot belong to a ${institution!.kind}`, ['body.statement.payload.institutionId']);
        }
      }
      const record: ActorRecord = {
        actorId: p.actorId,
        role: p.role,
        institutionId: p.institutionId ?? null,
        region: p.region ?? (p.institutionId === undefined ? null : (view.institution(p.institutionId)?.region ?? null)),
        privileges: p.privileges ?? null,
        suspended: false,
      };
      return [{ kind: 'actor', record }];
    }
    case 'registry.actor-suspend':
    case 'registry.actor-reinstate': {
      const p = parsePayload(ActorStatusPayload, payload);
      const target = view.actor(p.actorId);
      if (target === undefined) fail('REGISTRY_REFERENCE_UNKNOWN', 'no such actor', ['body.statement.payload.actorId']);
      const suspend = action === 'registry.actor-suspend';
      if (target!.suspended === suspend) fail('REGISTRY_CONFLICT', suspend ? 'actor is already suspended' : 'actor is not suspended', ['body.statement.payload.actorId']);
      return [{ kind: 'actor-suspended', actorId: p.actorId, suspended: suspend }];
    }
    case 'registry.key-add': {
      const p = parsePayload(KeyAddPayload, payload);
      if (view.actor(p.actorId) === undefined) fail('REGISTRY_REFERENCE_UNKNOWN', 'no such actor', ['body.statement.payload.actorId']);
      const publicKey = decodeBase64(p.publicKey);
      const keyId = actorKeyId(publicKey);
      if (view.key(keyId) !== undefined) fail('REGISTRY_CONFLICT', 'this key is already registered', ['body.statement.payload.publicKey']);
      return [{ kind: 'key', record: { keyId, actorId: p.actorId, publicKey, notBefore: p.notBefore, notAfter: p.notAfter ?? null, revokedAt: null } }];
    }
    case 'registry.key-revoke': {
      const p = parsePayload(KeyRevokePayload, payload);
      const key = view.key(p.keyId);
      if (key === undefined || key.actorId !== p.actorId) fail('REGISTRY_REFERENCE_UNKNOWN', 'no such key for this actor', ['body.statement.payload.keyId']);
      if (key!.revokedAt !== null) fail('REGISTRY_CONFLICT', 'key is already revoked', ['body.statement.payload.keyId']);
      return [{ kind: 'key-revoked', keyId: p.keyId, at: ctx.time }];
    }
    default:
      return fail('ENTRY_TYPE_UNKNOWN', 'not a registry action', ['body.statement.action']);
  }
}
