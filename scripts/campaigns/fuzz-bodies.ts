/**
 * The fuzz campaign's generators for requests with a body: every POST route's body, taken from
 * something the service would accept (a fresh signed statement, a dry run, an order-sign request,
 * a witness's cosignature) and broken in exactly one way. Whether a body is broken is decided by
 * the project's own schemas (`refusal`), so a generator never sends a request the service should
 * accept; the codes they name are the ones the route must answer with.
 */
import { decodeBase64, encodeBase64, utf8 } from '../../src/core/bytes.js';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import { formatCosignatureLine, signCosignature } from '../../src/core/cosignature.js';
import { isAcceptablePublicKey } from '../../src/core/ed25519.js';
import type { ErrorCode } from '../../src/core/errors.js';
import { formatSignatureParams, readSignatureBase } from '../../src/core/http-signature.js';
import { SignedStatementSchema } from '../../src/core/statement.js';
import { draftPrescription, OrderSignRequestSchema } from '../../src/domain/checker/cds-hooks.js';
import { ENTRY_BODY_SCHEMAS, RESERVED_ENTRY_TYPES } from '../../src/domain/entry-types.js';
import { dayOf } from '../../src/domain/prescription/calendar.js';
import { ACTION_ROLES } from '../../src/domain/registry/authorization.js';
import { CheckRequestSchema } from '../../src/http/checker-routes.js';
import { routeBodyLimit } from '../../src/http/route-body-limits.js';
import { CosignatureSubmissionSchema } from '../../src/http/witness-routes.js';
import { IdentifyPayload, PATIENT_IDENTIFY_ACTION } from '../../src/patients/patient-service.js';
import { PrescriptionSchema } from '../../schemas/prescription.js';
import * as ed from '@noble/ed25519';
import { BODY_LIMIT_BYTES, TIMESTAMP_WINDOW_MS, type BaseStatement, type KeyHolder, type SignerName } from './fuzz-world.js';
import {
  allPaths,
  DELETE,
  freshStatement,
  getAt,
  JSON_TYPE,
  jsonType,
  postJson,
  readHeaders,
  resign,
  setAt,
  signedBody,
  statementBytes,
  type FuzzContext,
  type Generator,
  type HostileRequest,
} from './fuzz-support.js';

const STATEMENTS = '/v1/statements';
const PATIENTS = '/v1/patients';
const CHECKS = '/v1/checks';
const ORDER_SIGN = '/cds-services/rxledger-order-sign';
const COSIGNATURES = '/v1/checkpoint/cosignatures';

// ---------------------------------------------------------------------------------------------
// Bodies the service would accept, and the schemas that decide when they are broken.

/** A body one route would accept as it stands, and what that route answers when it is broken. */
interface Instance {
  readonly name: 'statement' | 'patient' | 'check' | 'order-sign' | 'cosignature';
  readonly target: string;
  readonly body: Record<string, unknown>;
  /** The statement's signer, for re-signing after a mutation. */
  readonly signer?: KeyHolder;
  /** Headers for this request: the JSON type, and a fresh signed read where the route needs one. */
  headers(): Array<[string, string]>;
  /** The codes the route must refuse `body` with, or undefined when its schemas accept it. */
  refusal(body: unknown): ErrorCode[] | undefined;
}

function statementRefusal(body: unknown): ErrorCode[] | undefined {
  const envelope = SignedStatementSchema.safeParse(body);
  if (!envelope.success) return ['REQUEST_INVALID'];
  const action = envelope.data.statement.action;
  if (RESERVED_ENTRY_TYPES.has(action)) return ['ENTRY_TYPE_RESERVED'];
  const schema = Object.hasOwn(ENTRY_BODY_SCHEMAS, action) ? ENTRY_BODY_SCHEMAS[action] : undefined;
  if (schema === undefined) return ['ENTRY_TYPE_UNKNOWN'];
  const parsed = schema.safeParse(body);
  if (!parsed.success) return ['ENTRY_BODY_INVALID'];
  try {
    canonicalBytes(parsed.data);
  } catch {
    return ['CANONICAL_JSON_INVALID'];
  }
  return undefined;
}

function patientRefusal(body: unknown): ErrorCode[] | undefined {
  const envelope = SignedStatementSchema.safeParse(body);
  if (!envelope.success || envelope.data.statement.action !== PATIENT_IDENTIFY_ACTION || !IdentifyPayload.safeParse(envelope.data.statement.payload).success) return ['REQUEST_INVALID'];
  try {
    canonicalBytes(envelope.data.statement);
  } catch {
    return ['CANONICAL_JSON_INVALID'];
  }
  return undefined;
}

const checkRefusal = (body: unknown): ErrorCode[] | undefined => (CheckRequestSchema.safeParse(body).success ? undefined : ['REQUEST_INVALID']);

function orderSignRefusal(body: unknown): ErrorCode[] | undefined {
  const hook = OrderSignRequestSchema.safeParse(body);
  if (!hook.success) return ['REQUEST_INVALID'];
  try {
    const mapped = draftPrescription(hook.data, { actorId: 'dr-li', institutionId: 'hosp-jinan-central' }, dayOf(Date.now()));
    return PrescriptionSchema.safeParse(mapped).success ? undefined : ['REQUEST_INVALID'];
  } catch {
    return undefined; // not a refusal this campaign can predict: not sent
  }
}

const cosignatureRefusal = (body: unknown): ErrorCode[] | undefined => (CosignatureSubmissionSchema.safeParse(body).success ? undefined : ['REQUEST_INVALID']);

const STATEMENT_BASES = (ctx: FuzzContext) => ctx.w.bases.filter((b) => b.route === STATEMENTS);

function statementInstance(ctx: FuzzContext, base?: BaseStatement, signer?: KeyHolder): Instance {
  const chosen = base ?? pickBase(ctx);
  const key = signer ?? ctx.w.keys[chosen.signer];
  return { name: 'statement', target: STATEMENTS, body: signedBody(freshStatement(ctx, chosen, key), key), signer: key, headers: () => [JSON_TYPE], refusal: judged(statementRefusal) };
}

/** A statement base: the state-valid ones (whose mutations would write if let through) as often as the documented examples. */
function pickBase(ctx: FuzzContext): BaseStatement {
  const bases = STATEMENT_BASES(ctx);
  const stateValid = bases.filter((b) => b.stateValid);
  return ctx.rng.chance(0.5) ? ctx.rng.pick(stateValid) : ctx.rng.pick(bases.filter((b) => !b.stateValid));
}

function patientBase(ctx: FuzzContext): BaseStatement {
  return ctx.w.bases.find((b) => b.route === PATIENTS)!;
}

function patientInstance(ctx: FuzzContext, signer?: KeyHolder): Instance {
  const base = patientBase(ctx);
  const key = signer ?? ctx.w.keys[base.signer];
  return { name: 'patient', target: PATIENTS, body: signedBody(freshStatement(ctx, base, key), key), signer: key, headers: () => [JSON_TYPE], refusal: judged(patientRefusal) };
}

function checkInstance(ctx: FuzzContext): Instance {
  return { name: 'check', target: CHECKS, body: structuredClone(ctx.w.checkBody), headers: () => [JSON_TYPE, ...readHeaders(ctx, ctx.w.keys.prescriber, 'POST', CHECKS)], refusal: judged(checkRefusal) };
}

function orderSignInstance(ctx: FuzzContext): Instance {
  return { name: 'order-sign', target: ORDER_SIGN, body: structuredClone(ctx.w.orderSignBody), headers: () => [JSON_TYPE, ...readHeaders(ctx, ctx.w.keys.prescriber, 'POST', ORDER_SIGN)], refusal: judged(orderSignRefusal) };
}

function cosignatureInstance(ctx: FuzzContext): Instance {
  const note = ctx.w.latestCheckpoint();
  const text = note.slice(0, note.indexOf('\n\n') + 1);
  const line = formatCosignatureLine(signCosignature(text, ctx.w.witness, Math.floor(Date.now() / 1000)));
  return { name: 'cosignature', target: COSIGNATURES, body: { checkpoint: note, cosignature: line }, headers: () => [JSON_TYPE], refusal: judged(cosignatureRefusal) };
}

/** Any route's body: statements most often (they have the most to get wrong). */
function anyInstance(ctx: FuzzContext): Instance {
  const r = ctx.rng.float();
  if (r < 0.55) return statementInstance(ctx);
  if (r < 0.72) return patientInstance(ctx);
  if (r < 0.82) return checkInstance(ctx);
  if (r < 0.9) return orderSignInstance(ctx);
  return cosignatureInstance(ctx);
}

const request = (inst: Instance, body: unknown, headers = inst.headers()) => postJson(inst.target, body, headers);

/** `refusal` as an oracle: a body the schemas cannot even judge (they throw) is not sent. */
function judged(refusal: (body: unknown) => ErrorCode[] | undefined): (body: unknown) => ErrorCode[] | undefined {
  return (body) => {
    try {
      return refusal(body);
    } catch {
      return undefined;
    }
  };
}

/** The body limit of a POST route: the server's, or the route's own smaller one. */
const limitOf = (target: string): number => routeBodyLimit('POST', target, BODY_LIMIT_BYTES);

// ---------------------------------------------------------------------------------------------
// Wrong types, missing and extra members, re-signed (so only the shape is wrong) or not.

const REPLACEMENTS: readonly unknown[] = [0, 1, -1, 9007199254740991, true, false, null, '', 'x', '0', 'true', [], {}, ['x'], { x: 1 }];

/**
 * One structural mutation of `inst.body` that its schemas refuse — at `at` if given, else at a
 * random path — re-signed when `sign`; undefined after a few misses.
 */
function mutateShape(ctx: FuzzContext, inst: Instance, sign: boolean, at?: ReadonlyArray<string | number>): { body: Record<string, unknown>; expect: ErrorCode[]; variant: string } | undefined {
  const paths = allPaths(inst.body);
  for (let attempt = 0; attempt < 16; attempt++) {
    const body = structuredClone(inst.body);
    const path = at ?? ctx.rng.pick(paths);
    const current = getAt(body, path);
    let variant: string;
    const roll = attempt === 0 || at === undefined ? ctx.rng.float() : 1;
    if (roll < 0.12) {
      setAt(body, path, DELETE);
      variant = 'missing';
    } else if (roll < 0.2 && jsonType(current) === 'object') {
      (current as Record<string, unknown>)[ctx.rng.pick(['extra', '__fuzz', 'Statement', 'payload ', '$ref'])] = ctx.rng.pick(REPLACEMENTS);
      variant = 'extra-member';
    } else {
      const replacement = ctx.rng.pick(REPLACEMENTS.filter((r) => jsonType(r) !== jsonType(current)));
      setAt(body, path, structuredClone(replacement));
      variant = `${jsonType(current)}→${jsonType(replacement)}`;
    }
    if (sign && inst.signer !== undefined && path[0] === 'statement') resign(body, inst.signer);
    const expect = inst.refusal(body);
    if (expect !== undefined) return { body, expect, variant: `${inst.name}:${variant}` };
  }
  return undefined;
}

interface FieldTarget {
  readonly label: string;
  readonly make: () => Instance;
  readonly path: ReadonlyArray<string | number>;
}

/**
 * Every field path of every body the campaign knows (each statement base, a patient
 * identification, a dry run, an order-sign request, a cosignature), in a seeded order: the
 * wrong-type generator walks it, so a run of enough requests breaks the type of every one.
 */
export function fieldTargets(ctx: FuzzContext): readonly FieldTarget[] {
  const cached = ctx.state.get('field-targets') as FieldTarget[] | undefined;
  if (cached !== undefined) return cached;
  const makers: Array<[string, () => Instance]> = [
    ...STATEMENT_BASES(ctx).map((b): [string, () => Instance] => [`statement:${b.label}`, () => statementInstance(ctx, b)]),
    ['patient', () => patientInstance(ctx)],
    ['check', () => checkInstance(ctx)],
    ['order-sign', () => orderSignInstance(ctx)],
    ['cosignature', () => cosignatureInstance(ctx)],
  ];
  const targets = makers.flatMap(([label, make]) => allPaths(make().body).map((path) => ({ label, make, path })));
  for (let i = targets.length - 1; i > 0; i--) {
    const j = ctx.rng.int(i + 1);
    [targets[i], targets[j]] = [targets[j]!, targets[i]!];
  }
  ctx.state.set('field-targets', targets);
  return targets;
}

export const wrongType: Generator = (ctx) => {
  const targets = fieldTargets(ctx);
  const cursor = (ctx.state.get('field-cursor') as number | undefined) ?? 0;
  ctx.state.set('field-cursor', cursor + 1);
  const target = targets[cursor % targets.length]!;
  const inst = target.make();
  const m = mutateShape(ctx, inst, true, target.path);
  if (m === undefined) return undefined;
  const covered = (ctx.state.get('fields-covered') as Set<string> | undefined) ?? new Set<string>();
  covered.add(`${target.label} ${target.path.join('.')}`);
  ctx.state.set('fields-covered', covered);
  return { category: 'wrong-type', variant: m.variant, request: request(inst, m.body), expect: m.expect };
};

// ---------------------------------------------------------------------------------------------
// Tampering after signing: a shape change left unsigned, or a well-typed change of a signed value.

/** Changes the last character of a string to another of its class, so a pattern may still match. */
function nudge(s: string): string {
  const last = s.at(-1) ?? '';
  const swap = /[0-9]/.test(last) ? (last === '7' ? '3' : '7') : /[a-f]/.test(last) ? (last === 'b' ? 'c' : 'b') : /[a-z]/.test(last) ? (last === 'q' ? 'p' : 'q') : /[A-Z]/.test(last) ? (last === 'Q' ? 'P' : 'Q') : '改';
  return s.length === 0 ? '改' : s.slice(0, -1) + swap;
}

export const tampered: Generator = (ctx) => {
  if (ctx.rng.chance(0.4)) {
    const inst = anyInstance(ctx);
    const m = mutateShape(ctx, inst, false);
    return m && { category: 'tampered', variant: `unsigned:${m.variant}`, request: request(inst, m.body), expect: m.expect };
  }
  const inst = ctx.rng.chance(0.8) ? statementInstance(ctx) : patientInstance(ctx);
  const body = structuredClone(inst.body) as { statement: Record<string, unknown> };
  const s = body.statement;
  const op = ctx.rng.pick(['timestamp', 'nonce', 'idempotency-key', 'actor', 'origin', 'key-id-other', 'key-id-unknown', 'payload-string', 'payload-number', 'action'] as const);
  let onlySignature: ErrorCode = 'AUTH_SIGNATURE_INVALID';
  switch (op) {
    case 'timestamp':
      s.timestamp = (s.timestamp as number) + 1 + ctx.rng.int(1000);
      break;
    case 'nonce':
      s.nonce = ctx.rng.hex(16);
      break;
    case 'idempotency-key':
      s.idempotencyKey = `fuzz-${ctx.rng.hex(10)}`;
      break;
    case 'actor':
      s.actor = ctx.rng.pick(['rph-chen', 'dr-wang', 'inspector-sun', 'op-genesis', 'courier-zhao'].filter((a) => a !== s.actor));
      break;
    case 'origin':
      s.origin = ctx.rng.pick(['evil.example/log', `${ctx.w.origin}/`, ctx.w.origin.toUpperCase(), `${ctx.w.origin} `]);
      onlySignature = 'AUTH_ORIGIN_MISMATCH';
      break;
    case 'key-id-other':
      s.keyId = ctx.rng.pick(Object.values(ctx.w.keys).filter((k) => k.keyId !== s.keyId && k.actorId !== 'dr-li')).keyId;
      break;
    case 'key-id-unknown':
      s.keyId = ctx.rng.hex(8);
      onlySignature = 'AUTH_KEY_UNKNOWN';
      break;
    case 'payload-string':
    case 'payload-number': {
      const want = op === 'payload-string' ? 'string' : 'number';
      const paths = allPaths(s.payload).filter((p) => jsonType(getAt(s.payload, p)) === want);
      if (paths.length === 0) return undefined;
      const path = ctx.rng.pick(paths);
      const v = getAt(s.payload, path);
      setAt(s.payload, path, want === 'string' ? nudge(v as string) : (v as number) + 1);
      break;
    }
    case 'action':
      s.action = ctx.rng.pick(Object.keys(ACTION_ROLES).filter((a) => a !== s.action && a !== 'registry.genesis-operator'));
      break;
  }
  const expect = inst.refusal(body) ?? [onlySignature];
  return { category: 'tampered', variant: `${inst.name}:${op}`, request: request(inst, body), expect };
};

// ---------------------------------------------------------------------------------------------
// Huge bodies: over the limit (413), and big ones under it that break a bound.

export const hugeBody: Generator = (ctx) => {
  const variant = ctx.rng.pick(['over-limit', 'over-limit-chunked', 'declared-over-limit', 'big-string', 'many-members', 'long-array', 'many-faults'] as const);
  if (variant === 'over-limit' || variant === 'over-limit-chunked' || variant === 'declared-over-limit') {
    const inst = anyInstance(ctx);
    const headers = inst.headers();
    const limit = limitOf(inst.target);
    if (variant === 'declared-over-limit') {
      const declared = limit * (2 + ctx.rng.int(64));
      return { category: 'huge-body', variant, request: { method: 'POST', target: inst.target, headers: [...headers, ['Content-Length', String(declared)]], body: utf8('{"statement":'), framing: 'none' }, expect: ['REQUEST_TOO_LARGE'], isolated: true };
    }
    const filler = 'A'.repeat(limit + 1 + ctx.rng.int(Math.min(limit, 256 * 1024)));
    return {
      category: 'huge-body',
      variant: `${variant}:${inst.name}`,
      request: { ...postJson(inst.target, `{"statement":"${filler}"}`, headers), framing: variant === 'over-limit' ? 'length' : 'chunked' },
      expect: ['REQUEST_TOO_LARGE'],
      isolated: true,
    };
  }
  // Many faults in one body: an array refilled with wrong elements (one schema issue each), where a schema bounds no length.
  const inst = variant === 'many-faults' ? ctx.rng.pick([statementInstance, checkInstance, orderSignInstance, orderSignInstance])(ctx) : ctx.rng.chance(0.7) ? statementInstance(ctx) : ctx.rng.pick([patientInstance, checkInstance, cosignatureInstance])(ctx);
  const body = structuredClone(inst.body);
  const room = limitOf(inst.target) - JSON.stringify(body).length - 2048;
  if (room < 1024) return undefined;
  const payloadRoot: Array<string | number> = inst.name === 'statement' || inst.name === 'patient' ? ['statement', 'payload'] : [];
  const under = payloadRoot.length === 0 ? body : getAt(body, payloadRoot);
  const prefix = (p: Array<string | number>) => [...payloadRoot, ...p];
  if (variant === 'big-string') {
    const strings = allPaths(under).filter((p) => typeof getAt(under, p) === 'string');
    if (strings.length === 0) return undefined;
    const cjk = ctx.rng.chance(0.3);
    const n = Math.floor((cjk ? room / 3 : room) * (0.2 + 0.8 * ctx.rng.float()));
    setAt(body, prefix(ctx.rng.pick(strings)), (cjk ? '药' : 'a').repeat(n));
  } else if (variant === 'many-members') {
    const objects = [[] as Array<string | number>, ...allPaths(under).filter((p) => jsonType(getAt(under, p)) === 'object')];
    const target = getAt(under, ctx.rng.pick(objects)) as Record<string, unknown>;
    const n = Math.floor((room / 16) * (0.2 + 0.8 * ctx.rng.float()));
    for (let i = 0; i < n; i++) target[`k${i}`] = i;
  } else if (variant === 'many-faults') {
    const arrays = allPaths(under).filter((p) => Array.isArray(getAt(under, p)));
    if (arrays.length === 0) return undefined;
    // Bounded so one request costs the service seconds at most (docs/RELIABILITY.md: unbounded FHIR arrays).
    const n = Math.floor(Math.min(room / 3, 20_000) * (0.2 + 0.8 * ctx.rng.float()));
    setAt(body, prefix(ctx.rng.pick(arrays)), Array.from({ length: n }, () => ({})));
  } else {
    const paths = allPaths(under);
    if (paths.length === 0) return undefined;
    const n = Math.floor((room / 4) * (0.2 + 0.8 * ctx.rng.float()));
    setAt(body, prefix(ctx.rng.pick(paths)), Array.from({ length: n }, (_, i) => i % 10));
  }
  if (inst.signer !== undefined) resign(body, inst.signer);
  const expect = inst.refusal(body);
  return expect && { category: 'huge-body', variant: `${variant}:${inst.name}`, request: request(inst, body), expect };
};

// ---------------------------------------------------------------------------------------------
// Deep nesting: whole bodies, and values deep enough to pass the data model's bound of 32.

const PLACEHOLDER = 'FUZZ-DEEP-PLACEHOLDER-7f3a';

function deepText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function deepValue(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = kind === 'array' ? [] : 1;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

export const deepNesting: Generator = (ctx) => {
  const depth = ctx.rng.pick([33, 64, 1000, 50_000, 200_000]);
  const kind = ctx.rng.pick(['array', 'object'] as const);
  const inst = anyInstance(ctx);
  if (ctx.rng.chance(0.3)) {
    const text = deepText(Math.min(depth, Math.floor((limitOf(inst.target) - 16) / 6)), kind);
    return { category: 'deep-nesting', variant: `whole-body:${kind}`, request: request(inst, text), expect: ['REQUEST_INVALID'] };
  }
  const paths = allPaths(inst.body);
  const path = ctx.rng.pick(paths);
  // The schemas judge a shallower copy (same types at the path); the wire gets the deep one.
  const judged = structuredClone(inst.body);
  setAt(judged, path, deepValue(40, kind));
  const canonical = inst.name === 'statement' || inst.name === 'patient';
  const expect = inst.refusal(judged) ?? (canonical ? (['CANONICAL_JSON_INVALID'] as ErrorCode[]) : undefined);
  if (expect === undefined) return undefined;
  const body = structuredClone(inst.body);
  setAt(body, path, PLACEHOLDER);
  const json = JSON.stringify(body);
  const fits = Math.min(depth, Math.floor((limitOf(inst.target) - json.length - 1024) / 6));
  if (fits < 33) return undefined;
  const text = json.replace(`"${PLACEHOLDER}"`, deepText(fits, kind));
  return { category: 'deep-nesting', variant: `in-field:${kind}:${inst.name}`, request: request(inst, text), expect };
};

// ---------------------------------------------------------------------------------------------
// Duplicate member names: a signed body with one member written twice.

/** JSON text of `value` with member `name` of the object at `at` written twice, as `mode` says. */
function withDuplicate(value: unknown, at: ReadonlyArray<string | number>, name: string, mode: string, other: unknown): string {
  const write = (v: unknown, path: Array<string | number>): string => {
    if (Array.isArray(v)) return `[${v.map((x, i) => write(x, [...path, i])).join(',')}]`;
    if (typeof v !== 'object' || v === null) return JSON.stringify(v);
    const here = path.length === at.length && path.every((p, i) => p === at[i]);
    const members: string[] = [];
    for (const [k, x] of Object.entries(v)) {
      const real = `${JSON.stringify(k)}:${write(x, [...path, k])}`;
      if (!here || k !== name) {
        members.push(real);
        continue;
      }
      const escapedName = `"\\u${k.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(k).slice(2)}`;
      if (mode === 'same-value') members.push(real, real);
      else if (mode === 'other-before') members.push(`${JSON.stringify(k)}:${JSON.stringify(other)}`, real);
      else if (mode === 'other-after') members.push(real, `${JSON.stringify(k)}:${JSON.stringify(other)}`);
      else if (mode === 'escaped-name') members.push(`${escapedName}:${JSON.stringify(other)}`, real);
      else members.push(real, real, `${JSON.stringify(k)}:${JSON.stringify(other)}`, real);
    }
    return `{${members.join(',')}}`;
  };
  return write(value, []);
}

export const duplicateKeys: Generator = (ctx) => {
  const inst = anyInstance(ctx);
  const objects = [[] as Array<string | number>, ...allPaths(inst.body).filter((p) => jsonType(getAt(inst.body, p)) === 'object' && Object.keys(getAt(inst.body, p) as object).length > 0)];
  const at = ctx.rng.pick(objects);
  const obj = (at.length === 0 ? inst.body : getAt(inst.body, at)) as Record<string, unknown>;
  const name = ctx.rng.pick(Object.keys(obj));
  const mode = ctx.rng.pick(['same-value', 'other-before', 'other-after', 'escaped-name', 'many'] as const);
  const current = obj[name];
  const other = typeof current === 'string' ? `${current}-other` : typeof current === 'number' ? current + 1 : ctx.rng.pick(['other', 0, null, { other: true }]);
  const text = withDuplicate(inst.body, at, name, mode, other);
  return { category: 'duplicate-keys', variant: `${inst.name}:${mode}`, request: request(inst, text), expect: ['REQUEST_INVALID'] };
};

// ---------------------------------------------------------------------------------------------
// Unicode: invalid UTF-8, byte-order marks, lone surrogates, controls and confusable identifiers.

const INVALID_UTF8: Readonly<Record<string, readonly number[]>> = {
  'lone-continuation': [0x80],
  'byte-ff': [0xff],
  'byte-fe': [0xfe],
  'overlong-slash': [0xc0, 0xaf],
  'overlong-3': [0xe0, 0x80, 0xaf],
  'overlong-4': [0xf0, 0x80, 0x80, 0xaf],
  'utf8-surrogate': [0xed, 0xa0, 0x80],
  'beyond-10ffff': [0xf4, 0x90, 0x80, 0x80],
  'five-byte': [0xf8, 0x88, 0x80, 0x80, 0x80],
  truncated: [0xe6, 0xb5],
  'lead-then-ascii': [0xc3, 0x41],
};

const FFFD = Buffer.from([0xef, 0xbf, 0xbd]);

const CONFUSABLE: Readonly<Record<string, (s: string, ctx: FuzzContext) => string>> = {
  'rtl-override': (s, ctx) => insertAt(s, ctx, '\u202e'),
  'zero-width-space': (s, ctx) => insertAt(s, ctx, '\u200b'),
  'bom-character': (s, ctx) => insertAt(s, ctx, '\ufeff'),
  'soft-hyphen': (s, ctx) => insertAt(s, ctx, '\u00ad'),
  'combining-accent': (s, ctx) => insertAt(s, ctx, '\u0301'),
  fullwidth: (s) => s.replace(/[a-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
  cyrillic: (s) => s.replace(/[aeopcx]/g, (c) => ({ a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х' })[c] ?? c),
  'arabic-indic-digits': (s) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d))),
  'nfc-e-acute': (s) => s.replace(/e/, 'é'),
  'nfd-e-acute': (s) => s.replace(/e/, 'e\u0301'),
  'nul-inside': (s, ctx) => insertAt(s, ctx, '\u0000'),
};

function insertAt(s: string, ctx: FuzzContext, c: string): string {
  const i = ctx.rng.int(s.length + 1);
  return s.slice(0, i) + c + s.slice(i);
}

const CONTROLS = ['\u0000', '\u0007', '\u001b[31m', '\r\n', '\t', '\u0008', '\u001f'];

export const unicode: Generator = (ctx) => {
  const variant = ctx.rng.pick(['invalid-utf8', 'invalid-utf8', 'bom', 'utf16-body', 'lone-surrogate', 'lone-surrogate-name', 'control-char', 'confusable', 'confusable'] as const);
  const inst = anyInstance(ctx);
  const strings = allPaths(inst.body).filter((p) => typeof getAt(inst.body, p) === 'string');
  switch (variant) {
    case 'invalid-utf8': {
      if (JSON.stringify(inst.body).includes('\ufffd') || strings.length === 0) return undefined;
      // Signed with U+FFFD in place, whose three bytes are then replaced: a decoder that
      // substitutes U+FFFD for invalid bytes would read exactly the signed statement.
      const body = structuredClone(inst.body);
      const path = ctx.rng.pick(strings);
      setAt(body, path, insertAt(getAt(body, path) as string, ctx, '\ufffd'));
      if (inst.signer !== undefined && path[0] === 'statement') resign(body, inst.signer);
      const bytes = Buffer.from(JSON.stringify(body), 'utf8');
      const name = ctx.rng.pick(Object.keys(INVALID_UTF8));
      const at = bytes.indexOf(FFFD);
      const broken = Buffer.concat([bytes.subarray(0, at), Buffer.from(INVALID_UTF8[name]!), bytes.subarray(at + 3)]);
      return { category: 'unicode', variant: `invalid-utf8:${name}`, request: request(inst, new Uint8Array(broken)), expect: ['ENCODING_MALFORMED'] };
    }
    case 'bom':
      return { category: 'unicode', variant: `bom:${inst.name}`, request: request(inst, new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(inst.body))]))), expect: ['REQUEST_INVALID'] };
    case 'utf16-body':
      return { category: 'unicode', variant: `utf16-body:${inst.name}`, request: request(inst, new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(inst.body), 'utf16le')]))), expect: ['ENCODING_MALFORMED'] };
    case 'lone-surrogate':
    case 'lone-surrogate-name': {
      const lone = ctx.rng.pick(['\ud800', '\udfff', 'ab\ud83d', '\ude00x', '\udbff\udbff']);
      const body = structuredClone(inst.body);
      if (variant === 'lone-surrogate') {
        if (strings.length === 0) return undefined;
        const path = ctx.rng.pick(strings);
        setAt(body, path, insertAt(getAt(body, path) as string, ctx, lone));
      } else {
        const objects = [[] as Array<string | number>, ...allPaths(body).filter((p) => jsonType(getAt(body, p)) === 'object')];
        const at = ctx.rng.pick(objects);
        ((at.length === 0 ? body : getAt(body, at)) as Record<string, unknown>)[`k${lone}`] = 1;
      }
      // Cannot be signed (the data model has no lone surrogates): the signature is the old one.
      const canonical = inst.name === 'statement' || inst.name === 'patient';
      const expect = inst.refusal(body) ?? (canonical ? (['CANONICAL_JSON_INVALID'] as ErrorCode[]) : undefined);
      return expect && { category: 'unicode', variant: `${variant}:${inst.name}`, request: request(inst, body), expect };
    }
    case 'control-char':
    case 'confusable': {
      for (let attempt = 0; attempt < 8; attempt++) {
        const body = structuredClone(inst.body);
        if (strings.length === 0) return undefined;
        const path = ctx.rng.pick(strings);
        const value = getAt(body, path) as string;
        let how: string;
        if (variant === 'control-char') {
          how = 'control';
          setAt(body, path, `${ctx.rng.pick(ctx.w.canaries)}${ctx.rng.pick(CONTROLS)}${value}`);
        } else {
          if (!/^[A-Za-z0-9._:+/=-]+$/.test(value)) continue;
          how = ctx.rng.pick(Object.keys(CONFUSABLE));
          const changed = CONFUSABLE[how]!(value, ctx);
          if (changed === value) continue;
          setAt(body, path, changed);
        }
        if (inst.signer !== undefined && path[0] === 'statement') resign(body, inst.signer);
        const expect = inst.refusal(body);
        if (expect !== undefined) return { category: 'unicode', variant: `${how}:${inst.name}`, request: request(inst, body), expect };
      }
      return undefined;
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Signatures: malformed, non-canonical, malleated, by the wrong key, over the wrong bytes.

/** The group order L of Ed25519 (RFC 8032 §5.1). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const fromLe = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const hexBytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

/** Encodings registration must refuse: small order (RFC 8032 §5.1.7 / "Taming the many EdDSAs"), y ≥ p, and not points at all. */
const BAD_PUBLIC_KEYS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0200000000000000000000000000000000000000000000000000000000000000',
];

/** A valid key plus a point of order 8: not torsion-free. */
function torsionKey(publicKey: Uint8Array): Uint8Array {
  return ed.Point.fromBytes(publicKey).add(ed.Point.fromBytes(hexBytes(BAD_PUBLIC_KEYS[4]!))).toBytes();
}

/** Base64 variants of a valid 64-byte signature that strict decoding refuses. */
function malformedBase64(ctx: FuzzContext, sig: Uint8Array): [string, string] | undefined {
  const b64 = encodeBase64(sig);
  const kind = ctx.rng.pick(['unpadded', 'extra-padding', 'whitespace', 'newline', 'url-alphabet', 'trailing-bits', 'hex', 'length-63', 'length-65', 'length-32', 'empty', 'padding-inside'] as const);
  switch (kind) {
    case 'unpadded':
      return [kind, b64.replace(/=+$/, '')];
    case 'extra-padding':
      return [kind, `${b64}=`];
    case 'whitespace':
      return [kind, `${b64.slice(0, 40)} ${b64.slice(40)}`];
    case 'newline':
      return [kind, `${b64.slice(0, 76)}\n${b64.slice(76)}`];
    case 'url-alphabet': {
      const url = b64.replaceAll('+', '-').replaceAll('/', '_');
      return url === b64 ? undefined : [kind, url];
    }
    case 'trailing-bits': {
      // 64 bytes = 85⅓ sextets: the last character before "==" carries 4 unused bits, set here.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const i = alphabet.indexOf(b64[85]!);
      return [kind, `${b64.slice(0, 85)}${alphabet[(i & 0b110000) | (1 + ctx.rng.int(15))]}==`];
    }
    case 'hex':
      return [kind, Buffer.from(sig).toString('hex')];
    case 'length-63':
      return [kind, encodeBase64(sig.subarray(0, 63))];
    case 'length-65':
      return [kind, encodeBase64(Uint8Array.from([...sig, 0]))];
    case 'length-32':
      return [kind, encodeBase64(sig.subarray(0, 32))];
    case 'empty':
      return [kind, ''];
    case 'padding-inside':
      return [kind, `${b64.slice(0, 4)}=${b64.slice(5)}`];
  }
}

/** Well-formed 64-byte signatures that must not verify: malleated S, small-order R, flipped bits, zeros, random. */
function forgedSignature(ctx: FuzzContext, sig: Uint8Array): [string, Uint8Array] {
  const kind = ctx.rng.pick(['s-plus-l', 's-equals-l', 's-max', 'r-identity', 'r-non-canonical', 'bit-flip', 'zero', 'random'] as const);
  const r = sig.subarray(0, 32);
  const s = fromLe(sig.subarray(32));
  const join = (a: Uint8Array, b: Uint8Array) => Uint8Array.from([...a, ...b]);
  switch (kind) {
    case 's-plus-l':
      return [kind, join(r, le(s + L))];
    case 's-equals-l':
      return [kind, join(r, le(L))];
    case 's-max':
      return [kind, join(r, le(2n ** 256n - 1n))];
    case 'r-identity':
      return [kind, join(hexBytes(BAD_PUBLIC_KEYS[0]!), le(0n))];
    case 'r-non-canonical':
      return [kind, join(hexBytes(BAD_PUBLIC_KEYS[8]!), sig.subarray(32))];
    case 'bit-flip': {
      const out = Uint8Array.from(sig);
      const bit = ctx.rng.int(512);
      out[bit >> 3]! ^= 1 << (bit & 7);
      return [kind, out];
    }
    case 'zero':
      return [kind, new Uint8Array(64)];
    case 'random':
      return [kind, ctx.rng.bytes(64)];
  }
}

const ROLE_OF: Readonly<Record<SignerName, string>> = {
  operator: 'operator',
  prescriber: 'prescriber',
  prescriber2: 'prescriber',
  pharmacist: 'pharmacist',
  courier: 'courier',
  regulator: 'regulator',
  suspended: 'prescriber',
  revoked: 'prescriber',
  notYetValid: 'prescriber',
  unregistered: 'prescriber',
};

/** A statement (or patient identification) whose signature is wrong in one way. */
function statementSignature(ctx: FuzzContext): HostileRequest | undefined {
  const forPatient = ctx.rng.chance(0.2);
  const make = (signer?: KeyHolder) => (forPatient ? patientInstance(ctx, signer) : statementInstance(ctx, undefined, signer));
  const kind = ctx.rng.pick(['base64', 'forged', 'other-statement', 'no-prefix', 'other-prefix', 'unregistered-key', 'revoked-key', 'not-yet-valid-key', 'key-of-another-actor', 'suspended-actor', 'bad-public-key', 'torsion-public-key'] as const);
  const out = (variant: string, body: unknown, expect: ErrorCode[], inst: Instance): HostileRequest => ({ category: 'signature', variant: `${inst.name}:${variant}`, request: request(inst, body), expect });
  switch (kind) {
    case 'base64': {
      const inst = make();
      const bad = malformedBase64(ctx, decodeBase64(inst.body.signature as string));
      return bad && out(`base64-${bad[0]}`, { ...inst.body, signature: bad[1] }, ['REQUEST_INVALID'], inst);
    }
    case 'forged': {
      const inst = make();
      const [variant, sig] = forgedSignature(ctx, decodeBase64(inst.body.signature as string));
      return out(variant, { ...inst.body, signature: encodeBase64(sig) }, ['AUTH_SIGNATURE_INVALID'], inst);
    }
    case 'other-statement': {
      const inst = make();
      const other = make(inst.signer);
      return out(kind, { ...inst.body, signature: other.body.signature }, ['AUTH_SIGNATURE_INVALID'], inst);
    }
    case 'no-prefix':
    case 'other-prefix': {
      const inst = make();
      const prefix = kind === 'no-prefix' ? '' : ctx.rng.pick(['rxledger/statement/v2\n', 'rxledger/statement/v1', 'rxledger/read/v1\n', 'cosignature/v1\n']);
      const signature = encodeBase64(inst.signer!.sign(statementBytes(inst.body.statement, prefix)));
      return out(kind, { ...inst.body, signature }, ['AUTH_SIGNATURE_INVALID'], inst);
    }
    case 'unregistered-key': {
      const inst = make(ctx.w.keys.unregistered);
      return out(kind, inst.body, ['AUTH_KEY_UNKNOWN'], inst);
    }
    case 'revoked-key': {
      const inst = make(ctx.w.keys.revoked);
      return out(kind, inst.body, ['AUTH_KEY_REVOKED'], inst);
    }
    case 'not-yet-valid-key': {
      const inst = make(ctx.w.keys.notYetValid);
      return out(kind, inst.body, ['AUTH_KEY_NOT_VALID_NOW'], inst);
    }
    case 'suspended-actor': {
      const inst = make(ctx.w.keys.suspended);
      return out(kind, inst.body, ['AUTH_ACTOR_SUSPENDED'], inst);
    }
    case 'key-of-another-actor': {
      // Names one actor and is signed, validly, with another actor's key.
      const inst = make();
      const statement = { ...(inst.body.statement as Record<string, unknown>) };
      const key = ctx.rng.pick(['operator', 'prescriber', 'prescriber2', 'pharmacist', 'courier', 'regulator'] as const);
      if (ctx.w.keys[key].actorId === statement.actor) return undefined;
      statement.keyId = ctx.w.keys[key].keyId;
      return out(kind, signedBody(statement, ctx.w.keys[key]), ['AUTH_KEY_ACTOR_MISMATCH'], inst);
    }
    case 'bad-public-key':
    case 'torsion-public-key': {
      // The operator, correctly signing the registration of a key no verifier may trust.
      const base = ctx.w.bases.find((b) => b.label === 'key-add')!;
      const publicKey = kind === 'torsion-public-key' ? torsionKey(ctx.w.keys[ctx.rng.pick(['prescriber', 'pharmacist', 'courier'] as const)].publicKey) : hexBytes(ctx.rng.pick(BAD_PUBLIC_KEYS));
      if (isAcceptablePublicKey(publicKey)) throw new Error('fuzz: a bad public key is acceptable');
      const statement = freshStatement(ctx, base);
      (statement.payload as Record<string, unknown>).publicKey = encodeBase64(publicKey);
      const inst = statementInstance(ctx, base);
      return out(kind, signedBody(statement, ctx.w.keys.operator), ['ENTRY_BODY_INVALID'], inst);
    }
  }
}

/** The signed reads the service answers 200 when signed right: each is hostile only through its signature. */
interface SignedRead {
  readonly method: 'GET' | 'POST';
  readonly target: string;
  readonly signer: SignerName;
  readonly body?: unknown;
}

export function signedReads(ctx: FuzzContext): SignedRead[] {
  const rx = ctx.w.prescriptions;
  return [
    { method: 'GET', target: '/v1/log/entries?start=0&end=3', signer: 'regulator' },
    { method: 'GET', target: `/v1/log/entries?start=${ctx.size - 1}&end=${ctx.size}`, signer: 'prescriber' },
    { method: 'GET', target: `/v1/prescriptions/${rx.assigned}`, signer: 'prescriber' },
    { method: 'GET', target: '/v1/pharmacies/pharm-quancheng/queue?limit=5', signer: 'pharmacist' },
    { method: 'GET', target: '/v1/couriers/courier-zhao/assignments', signer: 'courier' },
    { method: 'GET', target: '/v1/oversight/stats?by=prescriber&period=week', signer: 'regulator' },
    { method: 'GET', target: '/v1/oversight/alerts?limit=10', signer: 'regulator' },
    { method: 'GET', target: '/v1/oversight/alerts/summary', signer: 'operator' },
    { method: 'POST', target: CHECKS, signer: 'prescriber', body: ctx.w.checkBody },
    { method: 'POST', target: ORDER_SIGN, signer: 'prescriber', body: ctx.w.orderSignBody },
  ];
}

const wire = (read: SignedRead, headers: Array<[string, string]>) =>
  read.body === undefined ? { method: read.method, target: read.target, headers } : postJson(read.target, read.body, [JSON_TYPE, ...headers]);

function readSignature(ctx: FuzzContext): HostileRequest {
  const read = ctx.rng.pick(signedReads(ctx));
  const kind = ctx.rng.pick(['unsigned', 'only-signature-input', 'only-signature', 'forged', 'base64', 'other-target', 'other-method', 'unregistered-key', 'revoked-key', 'not-yet-valid-key', 'suspended-actor', 'statement-prefix'] as const);
  const good = readHeaders(ctx, ctx.w.keys[read.signer], read.method, read.target);
  const sigOf = (h: Array<[string, string]>) => decodeBase64(h[1]![1].slice(4, -1));
  const withSig = (h: Array<[string, string]>, value: string): Array<[string, string]> => [h[0]!, ['Signature', value]];
  const out = (variant: string, headers: Array<[string, string]>, expect: ErrorCode[]): HostileRequest => ({ category: 'signature', variant: `read:${variant}`, request: wire(read, headers), expect });
  switch (kind) {
    case 'unsigned':
      return out(kind, [], ['AUTH_REQUIRED']);
    case 'only-signature-input':
      return out(kind, [good[0]!], ['AUTH_REQUIRED']);
    case 'only-signature':
      return out(kind, [good[1]!], ['AUTH_REQUIRED']);
    case 'forged': {
      const [variant, sig] = forgedSignature(ctx, sigOf(good));
      return out(variant, withSig(good, `rx=:${encodeBase64(sig)}:`), ['AUTH_SIGNATURE_INVALID']);
    }
    case 'base64': {
      // A header value cannot hold a line break: those variants fall back to a short signature.
      const found = malformedBase64(ctx, sigOf(good));
      const bad = found === undefined || /[\r\n]/.test(found[1]) ? ['length-63', encodeBase64(sigOf(good).subarray(0, 63))] : found;
      return out(`base64-${bad[0]}`, withSig(good, `rx=:${bad[1]}:`), ['AUTH_SIGNATURE_INVALID']);
    }
    case 'other-target': {
      const other = read.target.includes('?') ? `${read.target}&x=1` : `${read.target}?x=1`;
      return out(kind, readHeaders(ctx, ctx.w.keys[read.signer], read.method, read.target, { signFor: { method: read.method, target: ctx.rng.chance(0.5) ? other : '/v1/log/entries?start=0&end=1' } }), ['AUTH_SIGNATURE_INVALID']);
    }
    case 'other-method':
      return out(kind, readHeaders(ctx, ctx.w.keys[read.signer], read.method, read.target, { signFor: { method: read.method === 'GET' ? 'POST' : 'GET', target: read.target } }), ['AUTH_SIGNATURE_INVALID']);
    case 'unregistered-key':
      return out(kind, readHeaders(ctx, ctx.w.keys.unregistered, read.method, read.target), ['AUTH_KEY_UNKNOWN']);
    case 'revoked-key':
      return out(kind, readHeaders(ctx, ctx.w.keys.revoked, read.method, read.target), ['AUTH_KEY_REVOKED']);
    case 'not-yet-valid-key':
      return out(kind, readHeaders(ctx, ctx.w.keys.notYetValid, read.method, read.target), ['AUTH_KEY_NOT_VALID_NOW']);
    case 'suspended-actor':
      return out(kind, readHeaders(ctx, ctx.w.keys.suspended, read.method, read.target), ['AUTH_ACTOR_SUSPENDED']);
    case 'statement-prefix': {
      // The read's own signature base, signed with a statement's domain prefix in front.
      const params = { created: Math.floor(Date.now() / 1000), keyId: ctx.w.keys[read.signer].keyId, nonce: ctx.rng.hex(16) };
      const q = read.target.indexOf('?');
      const base = readSignatureBase({ method: read.method, path: q < 0 ? read.target : read.target.slice(0, q), query: q < 0 ? '?' : read.target.slice(q) }, params);
      const sig = ctx.w.keys[read.signer].sign(Uint8Array.from([...utf8('rxledger/statement/v1\n'), ...base]));
      return out(kind, [['Signature-Input', `rx=${formatSignatureParams(params)}`], ['Signature', `rx=:${encodeBase64(sig)}:`]], ['AUTH_SIGNATURE_INVALID']);
    }
  }
}

/** A witness's cosignature that must not be stored. */
function cosignatureSignature(ctx: FuzzContext): HostileRequest {
  const note = ctx.w.latestCheckpoint();
  const text = note.slice(0, note.indexOf('\n\n') + 1);
  const now = Math.floor(Date.now() / 1000);
  const kind = ctx.rng.pick(['unknown-witness', 'bit-flip', 's-plus-l', 'unpublished-checkpoint', 'malformed-line', 'other-origin', 'malformed-checkpoint', 'other-checkpoint'] as const);
  const line = (key = ctx.w.witness, over = text, time = now) => formatCosignatureLine(signCosignature(over, key, time));
  const out = (checkpoint: string, cosignature: string, expect: ErrorCode[]): HostileRequest => ({ category: 'signature', variant: `cosignature:${kind}`, request: postJson(COSIGNATURES, { checkpoint, cosignature }), expect });
  const lines = text.split('\n');
  const size = Number(lines[1]);
  switch (kind) {
    case 'unknown-witness':
      return out(note, line(ctx.w.strangerWitness), ['WITNESS_UNKNOWN']);
    case 'bit-flip':
    case 's-plus-l': {
      const c = signCosignature(text, ctx.w.witness, now);
      const sig = kind === 'bit-flip' ? forgedSignatureOf(ctx, c.signature, 'bit-flip') : forgedSignatureOf(ctx, c.signature, 's-plus-l');
      return out(note, formatCosignatureLine({ ...c, signature: sig }), ['COSIGNATURE_INVALID']);
    }
    case 'unpublished-checkpoint': {
      const forged = `${lines[0]}\n${size + 1 + ctx.rng.int(1000)}\n${encodeBase64(ctx.rng.bytes(32))}\n`;
      return out(forged, line(ctx.w.witness, forged), ['COSIGNATURE_CHECKPOINT_UNKNOWN']);
    }
    case 'other-checkpoint': {
      // A checkpoint this ledger never published at a size it did publish.
      const forged = `${lines[0]}\n${size}\n${encodeBase64(ctx.rng.bytes(32))}\n`;
      return out(forged, line(ctx.w.witness, forged), ['COSIGNATURE_CHECKPOINT_UNKNOWN']);
    }
    case 'malformed-line':
      return out(note, ctx.rng.pick([line().replace('— ', '- '), line().replace(/ [A-Za-z0-9+/=]+\n$/, ' AAAA\n'), `${line()}${line()}`, line().replace('\n', '\u0000')]), ['COSIGNATURE_MALFORMED']);
    case 'other-origin': {
      const other = `evil.example/log\n${size}\n${lines[2]}\n`;
      return out(other, line(ctx.w.witness, other), ['CHECKPOINT_ORIGIN_MISMATCH']);
    }
    case 'malformed-checkpoint':
      return out(ctx.rng.pick([`${lines[0]}\n-1\n${lines[2]}\n`, `${lines[0]}\n${size}\n`, 'not a checkpoint', `${text}\n\n\n`]), line(), ['NOTE_MALFORMED', 'CHECKPOINT_MALFORMED']);
  }
}

function forgedSignatureOf(ctx: FuzzContext, sig: Uint8Array, kind: 'bit-flip' | 's-plus-l'): Uint8Array {
  if (kind === 's-plus-l') return Uint8Array.from([...sig.subarray(0, 32), ...le(fromLe(sig.subarray(32)) + L)]);
  const out = Uint8Array.from(sig);
  const bit = ctx.rng.int(512);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

export const signature: Generator = (ctx) => {
  const r = ctx.rng.float();
  if (r < 0.5) return statementSignature(ctx);
  if (r < 0.8) return readSignature(ctx);
  return cosignatureSignature(ctx);
};

// ---------------------------------------------------------------------------------------------
// Replays: spent nonces, reused idempotency keys, replayed signed reads.

export const replay: Generator = (ctx) => {
  const kind = ctx.rng.pick(['spent-nonce', 'spent-nonce', 'idempotency-conflict', 'identify-spent-nonce', 'identify-idempotency-conflict', 'read-replay', 'read-replay'] as const);
  if (kind === 'read-replay') {
    // Only reads still inside the timestamp window: an older one is refused for its age first.
    const fresh = ctx.readPool.filter((r) => Date.now() - r.at < TIMESTAMP_WINDOW_MS - 60_000);
    const replayed = fresh.length === 0 ? undefined : ctx.rng.pick(fresh);
    return replayed && { category: 'replay', variant: `${kind}:${replayed.variant}`, request: replayed.request, expect: ['AUTH_NONCE_REUSED'] };
  }
  const route = kind.startsWith('identify') ? PATIENTS : STATEMENTS;
  const spent = ctx.w.spent.filter((s) => s.route === route && ctx.w.bases.some((b) => b.route === route && b.signer === s.signer));
  if (spent.length === 0) return undefined;
  const s = ctx.rng.pick(spent);
  const base = ctx.rng.pick(ctx.w.bases.filter((b) => b.route === route && b.signer === s.signer));
  const statement = freshStatement(ctx, base);
  if (kind.endsWith('spent-nonce')) statement.nonce = s.nonce;
  else statement.idempotencyKey = s.idempotencyKey;
  const body = signedBody(statement, ctx.w.keys[s.signer]);
  return { category: 'replay', variant: kind, request: postJson(route, body), expect: kind.endsWith('spent-nonce') ? ['AUTH_NONCE_REUSED'] : ['IDEMPOTENCY_KEY_CONFLICT'] };
};

// ---------------------------------------------------------------------------------------------
// Timestamps: stale and future statements and reads, out-of-range values.

export const timestamp: Generator = (ctx) => {
  const kind = ctx.rng.pick(['stale', 'future', 'zero', 'far-future', 'negative', 'beyond-safe', 'fractional', 'read-stale', 'read-future', 'read-zero', 'read-created-overlong', 'cosignature-future'] as const);
  const now = Date.now();
  const slack = 2000 + ctx.rng.int(10_000_000);
  if (kind.startsWith('read-')) {
    const read = ctx.rng.pick(signedReads(ctx));
    const seconds = Math.floor(now / 1000);
    const created = kind === 'read-stale' ? seconds - TIMESTAMP_WINDOW_MS / 1000 - Math.ceil(slack / 1000) : kind === 'read-future' ? seconds + TIMESTAMP_WINDOW_MS / 1000 + Math.ceil(slack / 1000) : kind === 'read-zero' ? 0 : 1_000_000_000_000;
    const headers = readHeaders(ctx, ctx.w.keys[read.signer], read.method, read.target, { created });
    return { category: 'timestamp', variant: kind, request: wire(read, headers), expect: kind === 'read-created-overlong' ? ['AUTH_SIGNATURE_INVALID'] : ['AUTH_TIMESTAMP_OUT_OF_WINDOW'] };
  }
  if (kind === 'cosignature-future') {
    const note = ctx.w.latestCheckpoint();
    const text = note.slice(0, note.indexOf('\n\n') + 1);
    const line = formatCosignatureLine(signCosignature(text, ctx.w.witness, Math.floor(now / 1000) + 3600 + ctx.rng.int(10_000_000)));
    return { category: 'timestamp', variant: kind, request: postJson(COSIGNATURES, { checkpoint: note, cosignature: line }), expect: ['COSIGNATURE_TIMESTAMP_INVALID'] };
  }
  const inst = ctx.rng.chance(0.8) ? statementInstance(ctx, ctx.rng.pick(STATEMENT_BASES(ctx).filter((b) => b.stateValid))) : patientInstance(ctx);
  const body = structuredClone(inst.body) as { statement: Record<string, unknown>; signature: string };
  const values: Record<string, number> = { stale: now - TIMESTAMP_WINDOW_MS - slack, future: now + TIMESTAMP_WINDOW_MS + slack, zero: 0, 'far-future': Number.MAX_SAFE_INTEGER, negative: -1 - ctx.rng.int(1000), 'beyond-safe': 2 ** 53 + 2, fractional: now + 0.5 };
  body.statement.timestamp = values[kind]!;
  resign(body, inst.signer!);
  const expect = inst.refusal(body) ?? ['AUTH_TIMESTAMP_OUT_OF_WINDOW'];
  return { category: 'timestamp', variant: `${inst.name}:${kind}`, request: request(inst, body), expect };
};

// ---------------------------------------------------------------------------------------------
// Media types: bodies the service would accept, declared as something else.

const MEDIA_TYPES: readonly (string | undefined)[] = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  undefined,
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'application/json; charset="latin1"',
  'application/json; charset=utf-8; charset=utf-16',
  'application/json; charset=utf-8x',
  'application/jsonx',
  'application/json-patch+json',
  'application/problem+json',
  'text/json',
  'application/*',
  '*/*',
  'application/json, text/plain',
  'application/xml',
  '',
];

export const contentType: Generator = (ctx) => {
  const r = ctx.rng.float();
  const inst = r < 0.55 ? statementInstance(ctx, ctx.rng.pick(STATEMENT_BASES(ctx).filter((b) => b.stateValid))) : r < 0.7 ? patientInstance(ctx) : r < 0.8 ? checkInstance(ctx) : r < 0.88 ? orderSignInstance(ctx) : cosignatureInstance(ctx);
  const signedRead = inst.headers().filter(([name]) => name !== 'Content-Type');
  if (ctx.rng.chance(0.12)) {
    const coding = ctx.rng.pick(['gzip', 'br', 'deflate', 'x-custom']);
    return { category: 'content-type', variant: `content-encoding-${coding}`, request: postJson(inst.target, inst.body, [JSON_TYPE, ['Content-Encoding', coding], ...signedRead]), expect: ['REQUEST_MEDIA_TYPE_UNSUPPORTED'] };
  }
  const type = ctx.rng.pick(MEDIA_TYPES);
  const headers: Array<[string, string]> = type === undefined ? signedRead : [['Content-Type', type], ...signedRead];
  return { category: 'content-type', variant: type === undefined ? '(none)' : type === '' ? '(empty)' : type, request: postJson(inst.target, inst.body, headers), expect: ['REQUEST_MEDIA_TYPE_UNSUPPORTED'] };
};

// ---------------------------------------------------------------------------------------------
// Authorization: well-signed statements and reads by someone who may not.

export const authorization: Generator = (ctx) => {
  const kind = ctx.rng.pick(['role-forbidden', 'role-forbidden', 'reserved-type', 'unknown-type', 'identify-by-non-prescriber', 'read'] as const);
  if (kind === 'read') return forbiddenRead(ctx);
  if (kind === 'identify-by-non-prescriber') {
    const signer = ctx.rng.pick(['operator', 'pharmacist', 'courier', 'regulator'] as const);
    const inst = patientInstance(ctx, ctx.w.keys[signer]);
    return { category: 'authorization', variant: `${kind}:${signer}`, request: request(inst, inst.body), expect: ['AUTH_ROLE_FORBIDDEN'] };
  }
  if (kind === 'role-forbidden') {
    const base = ctx.rng.pick(STATEMENT_BASES(ctx).filter((b) => b.stateValid));
    const allowed = ACTION_ROLES[base.action] ?? [];
    const signers = (['operator', 'prescriber', 'pharmacist', 'courier', 'regulator'] as const).filter((s) => !allowed.includes(ROLE_OF[s] as never));
    const signer = ctx.rng.pick(signers);
    const inst = statementInstance(ctx, base, ctx.w.keys[signer]);
    return { category: 'authorization', variant: `${kind}:${base.action}`, request: request(inst, inst.body), expect: ['AUTH_ROLE_FORBIDDEN'] };
  }
  const action = kind === 'reserved-type' ? ctx.rng.pick([...RESERVED_ENTRY_TYPES]) : ctx.rng.pick(['rx.teleport', 'registry.self-promote', 'ledger.rewrite', 'patient.identify', 'rx.submit2']);
  const base: BaseStatement = { label: kind, signer: 'operator', action, payload: { actorId: 'op-genesis' }, route: STATEMENTS, stateValid: false };
  const inst = statementInstance(ctx, base);
  return { category: 'authorization', variant: `${kind}:${action}`, request: request(inst, inst.body), expect: kind === 'reserved-type' ? ['ENTRY_TYPE_RESERVED'] : ['ENTRY_TYPE_UNKNOWN'] };
};

function forbiddenRead(ctx: FuzzContext): HostileRequest {
  const rx = ctx.w.prescriptions;
  const cases: Array<{ variant: string; read: SignedRead; expect: ErrorCode[] }> = [
    { variant: 'queue-of-another-pharmacy', read: { method: 'GET', target: '/v1/pharmacies/pharm-lixia/queue', signer: 'pharmacist' }, expect: ['AUTH_ROLE_FORBIDDEN'] },
    { variant: 'queue-by-prescriber', read: { method: 'GET', target: '/v1/pharmacies/pharm-quancheng/queue', signer: 'prescriber' }, expect: ['AUTH_ROLE_FORBIDDEN'] },
    { variant: 'assignments-of-another-courier', read: { method: 'GET', target: '/v1/couriers/courier-other/assignments', signer: 'courier' }, expect: ['AUTH_ROLE_FORBIDDEN'] },
    { variant: 'assignments-by-pharmacist', read: { method: 'GET', target: '/v1/couriers/courier-zhao/assignments', signer: 'pharmacist' }, expect: ['AUTH_ROLE_FORBIDDEN'] },
    { variant: 'oversight-by-prescriber', read: { method: 'GET', target: '/v1/oversight/stats', signer: 'prescriber' }, expect: ['AUTH_ROLE_FORBIDDEN'] },
    { variant: 'alerts-by-courier', read: { method: 'GET', target: '/v1/oversight/alerts', signer: 'courier' }, expect: ['AUTH_ROLE_FORBIDDEN'] },
    { variant: 'prescription-non-party', read: { method: 'GET', target: `/v1/prescriptions/${rx.claimable}`, signer: 'courier' }, expect: ['RX_NOT_FOUND'] },
    { variant: 'prescription-unknown', read: { method: 'GET', target: `/v1/prescriptions/rx-fuzz-${ctx.rng.hex(6)}`, signer: 'regulator' }, expect: ['RX_NOT_FOUND'] },
    { variant: 'check-by-pharmacist', read: { method: 'POST', target: CHECKS, signer: 'pharmacist', body: ctx.w.checkBody }, expect: ['AUTH_ROLE_FORBIDDEN'] },
    { variant: 'check-for-another-prescriber', read: { method: 'POST', target: CHECKS, signer: 'prescriber2', body: ctx.w.checkBody }, expect: ['AUTH_ROLE_FORBIDDEN'] },
    { variant: 'order-sign-by-pharmacist', read: { method: 'POST', target: ORDER_SIGN, signer: 'pharmacist', body: ctx.w.orderSignBody }, expect: ['AUTH_ROLE_FORBIDDEN'] },
  ];
  const c = ctx.rng.pick(cases);
  return { category: 'authorization', variant: c.variant, request: wire(c.read, readHeaders(ctx, ctx.w.keys[c.read.signer], c.read.method, c.read.target)), expect: c.expect, replayable: true };
}
