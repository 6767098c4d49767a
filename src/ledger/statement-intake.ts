/**
 * The pre-sequencing stage of a signed statement's request, on worker threads
 * (statement-workers.ts): the strict JSON parse of its body (json-body.ts), the entry schema of
 * its action, the body's canonical text and the statement's digest (signing bytes and request
 * hash), and a submission's prescription's own texts (src/core/value-texts.ts). Together about a
 * fifth of the event loop's work per submission (docs/BENCHMARKS.md), and none of it needs the
 * ledger's state.
 *
 * The intake only ever answers "taken" for a body the event loop would have accepted identically:
 * same parser, same schema (the ledger's defaults), same canonical text. Anything else — a body
 * that fails any step, a pool not ready yet, a worker that died — is answered `undefined`, and the
 * route handles the body on the event loop exactly as before, so every refusal keeps its code,
 * message and paths. What was taken is handed to the ledger (`Ledger.adoptChecked`), which then
 * neither validates nor canonicalises it again, and to the statement's preparation, which reuses
 * the digest. Signatures are checked as before (on the same workers), and admission still judges
 * every statement in full when it is sequenced.
 */
import { canonicalJson, type JsonObject } from '../core/canonical-json.js';
import { canonicalBody } from '../core/entry.js';
import { rememberTexts } from '../core/value-texts.js';
import { statementSigningBytes, statementSigningBytesFromCanonical, type SignedStatement } from '../core/statement.js';
import { ENTRY_BODY_SCHEMAS, RESERVED_ENTRY_TYPES } from '../domain/entry-types.js';
import type { StatementDigest } from '../domain/registry/registry-rules.js';
import { parseJsonBody } from '../http/json-body.js';
import { nodeSha256Hex } from '../platform/node-sha256.js';

/** A statement body taken in: what the event loop would have computed from the same bytes. */
export interface TakenStatement {
  /** The statement's action: the entry type. */
  readonly type: string;
  /** What the action's entry schema returned. */
  readonly body: JsonObject;
  /** The body's RFC 8785 text. */
  readonly bodyJson: string;
  readonly digest: PreverifiedDigest;
  /** The texts of the statement's prescription (statementPrescription), when it has one. */
  readonly prescriptionTexts?: { readonly json: string; readonly canonical: string };
}

/**
 * The statement's digest, and the public key its signature was found valid against by the server's
 * verifier over exactly `signingBytes`, when the intake was given the signer's key and checked it
 * (statement-workers.ts). statement-preparation.ts takes that as the verification only when the
 * key is the one the registry holds for the statement's key id; admission, later, only for the
 * exact signature, message and key.
 */
export interface PreverifiedDigest extends StatementDigest {
  readonly verifiedKey?: Uint8Array;
}

/** A registered key the intake may check a statement's signature against, if the statement names it. */
export interface SignerKey {
  readonly keyId: string;
  readonly publicKey: Uint8Array;
}

const KEY_ID_MEMBER = Buffer.from('"keyId":"');
/** A key id: 16 lowercase hex digits (docs/AUTH.md §1), and then the string's closing quote. */
const KEY_ID = /^[0-9a-f]{16}"/;

/**
 * The key id a raw statement body most likely names, found without parsing it: the string after
 * its first `"keyId":"`, when it has a key id's form. Usually the statement's own `keyId`; a body
 * that names another key id first (a key registration's payload, written before the statement's
 * member) gets a wrong guess, which only means its signature is checked the usual way: the
 * intake checks a signature against a key only for a statement that names that key.
 */
export function keyIdHint(bytes: Uint8Array): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buffer.indexOf(KEY_ID_MEMBER);
  if (at < 0) return undefined;
  const start = at + KEY_ID_MEMBER.length;
  const candidate = buffer.toString('latin1', start, start + 17);
  return KEY_ID.test(candidate) ? candidate.slice(0, 16) : undefined;
}

/** `body.statement.action` when it is a string: the entry type a signed statement asks for. */
export function statementAction(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const statement = (body as { statement?: unknown }).statement;
  if (typeof statement !== 'object' || statement === null) return undefined;
  const action = (statement as { action?: unknown }).action;
  return typeof action === 'string' ? action : undefined;
}

/**
 * The prescription a statement's payload carries (a submission's or a revision's), if any: the
 * largest value the event loop would serialise again after the intake (src/core/value-texts.ts).
 */
export function statementPrescription(body: JsonObject): object | undefined {
  const statement = body.statement;
  const payload = typeof statement === 'object' && statement !== null && !Array.isArray(statement) ? statement.payload : undefined;
  const prescription = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload.prescription : undefined;
  return typeof prescription === 'object' && prescription !== null && !Array.isArray(prescription) ? prescription : undefined;
}

/**
 * The intake of one body's bytes (its headers already checked: checkJsonBodyHeaders), or
 * undefined for any body the event loop must handle itself. Pure: runs on any thread.
 */
export function takeStatement(bytes: Uint8Array): TakenStatement | undefined {
  let value: unknown;
  try {
    value = parseJsonBody(bytes, {});
  } catch {
    return undefined;
  }
  const type = statementAction(value);
  if (type === undefined || RESERVED_ENTRY_TYPES.has(type) || !Object.hasOwn(ENTRY_BODY_SCHEMAS, type)) return undefined;
  const parsed = ENTRY_BODY_SCHEMAS[type]!.safeParse(value);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  try {
    const bodyJson = canonicalBody(body);
    // Every action's entry schema is a signed statement (docs/AUTH.md).
    const signed = body as unknown as SignedStatement;
    const signingBytes = statementSigningBytesFromCanonical(signed, bodyJson) ?? statementSigningBytes(signed.statement);
    const taken = { type, body, bodyJson, digest: { signingBytes, requestHash: nodeSha256Hex(signingBytes) } };
    const prescription = statementPrescription(body);
    return prescription === undefined ? taken : { ...taken, prescriptionTexts: { json: JSON.stringify(prescription), canonical: canonicalJson(prescription) } };
  } catch {
    return undefined;
  }
}

export interface StatementIntake {
  /** Resolves once a worker takes bodies; rejects if none could start (bodies are then all handled on the event loop). */
  ready(): Promise<void>;
  /**
   * Resolves to the intake of `bytes`, or undefined (handle the body on the event loop). Never
   * rejects. Given `signer`, the statement's signature is also checked against it when the
   * statement names that key id (`digest.verifiedKey`).
   */
  take(bytes: Uint8Array, signer?: SignerKey): Promise<TakenStatement | undefined>;
  close(): Promise<void>;
}

/**
 * A taken statement as it crosses threads: the body as the JSON text of the schema's output.
 * JSON.parse gives back exactly that value, member order included (it passed the data model:
 * strings, safe integers, booleans, null, arrays and plain objects only), and a message of one
 * string costs both threads about a third of what cloning the object graph does.
 */
export interface TakenStatementMessage extends Omit<TakenStatement, 'body' | 'prescriptionTexts'> {
  readonly bodyText: string;
  /**
   * Where the prescription's texts are in `bodyText` and `bodyJson` (each is a substring of its
   * body's text): their starts and lengths, rather than a second copy of both across threads.
   */
  readonly prescriptionSpans?: readonly [jsonStart: number, jsonLength: number, canonicalStart: number, canonicalLength: number];
}

export function toMessage({ body, prescriptionTexts, ...rest }: TakenStatement): TakenStatementMessage {
  const bodyText = JSON.stringify(body);
  if (prescriptionTexts === undefined) return { ...rest, bodyText };
  const { json, canonical } = prescriptionTexts;
  const jsonStart = bodyText.indexOf(json);
  const canonicalStart = rest.bodyJson.indexOf(canonical);
  if (jsonStart < 0 || canonicalStart < 0) return { ...rest, bodyText };
  return { ...rest, bodyText, prescriptionSpans: [jsonStart, json.length, canonicalStart, canonical.length] };
}

/** The taken statement, with its prescription's texts remembered for the object parsed here. */
export function fromMessage({ bodyText, prescriptionSpans, ...rest }: TakenStatementMessage): TakenStatement {
  const body = JSON.parse(bodyText) as JsonObject;
  const prescription = prescriptionSpans === undefined ? undefined : statementPrescription(body);
  if (prescription === undefined || prescriptionSpans === undefined) return { ...rest, body };
  const [jsonStart, jsonLength, canonicalStart, canonicalLength] = prescriptionSpans;
  const prescriptionTexts = { json: bodyText.slice(jsonStart, jsonStart + jsonLength), canonical: rest.bodyJson.slice(canonicalStart, canonicalStart + canonicalLength) };
  rememberTexts(prescription, prescriptionTexts);
  return { ...rest, body, prescriptionTexts };
}
