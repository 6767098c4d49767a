/**
 * The one canonicalisation for everything that is hashed or signed: RFC 8785, the JSON
 * Canonicalization Scheme (JCS), restricted to a data model with no floating point.
 *
 *   - values are null, booleans, strings (well-formed UTF-16, i.e. no lone surrogates),
 *     safe integers (|n| <= 2^53 - 1, not -0), arrays and plain objects; anything else is refused
 *     rather than silently coerced (JSON.stringify would drop `undefined` and turn NaN into null);
 *   - non-integer quantities are carried as decimal strings by the schemas that need them;
 *   - nesting is bounded so hostile input cannot exhaust the stack.
 *
 * Within this model RFC 8785 reduces to: object members sorted by their names' UTF-16 code units
 * (§3.2.3, which is what Array.prototype.sort does with strings), strings and integers written as
 * ECMAScript's JSON.stringify writes them (§3.2.2), no whitespace. The serialiser below validates
 * and emits in one walk; the test suite checks it byte for byte against the `canonicalize`
 * reference implementation of RFC 8785 on generated values.
 */
import { decodeUtf8, equalBytes, utf8 } from './bytes.js';
import { RxError } from './errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Deepest nesting accepted anywhere in the ledger (objects and arrays both count). */
export const MAX_JSON_DEPTH = 32;


/**
 * Checks `value` against the ledger's JSON data model and returns its RFC 8785 text. Throws
 * CANONICAL_JSON_INVALID naming the first offending path (e.g. `body.items.0.dose`).
 * `path` is a stack shared by the whole walk (pushed and popped, so the hot path allocates no
 * path arrays); `depth` counts nesting, starting from where the value already sits.
 */
function serialise(value: unknown, path: string[], depth: number): string {
  const fail = (why: string): never => {
    throw new RxError('CANONICAL_JSON_INVALID', why, { paths: [path.join('.')] });
  };
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      if (!value.isWellFormed()) fail('string contains a lone surrogate');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) fail('numbers must be safe integers; use a decimal string');
      if (Object.is(value, -0)) fail('negative zero has no canonical form');
      return String(value);
    case 'object':
      break;
    default:
      fail(`${typeof value} is not a JSON value`);
  }
  if (depth >= MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH}`);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      out += (i === 0 ? '' : ',') + serialise(value[i], path, depth + 1);
      path.pop();
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail('only plain objects are JSON objects');
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    path.push(key);
    if (!key.isWellFormed()) fail('key contains a lone surrogate');
    out += `${i === 0 ? '' : ','}${JSON.stringify(key)}:${serialise(object[key], path, depth + 1)}`;
    path.pop();
  }
  return `${out}}`;
}

/** Asserts that `value` is in the ledger's JSON data model (see `canonicalJson`). */
export function assertJsonValue(value: unknown, path: readonly string[] = [], depth = 0): asserts value is JsonValue {
  serialise(value, [...path], depth);
}

/** RFC 8785 canonical text of a value in the ledger's data model. */
export function canonicalJson(value: unknown, path: readonly string[] = [], depth = 0): string {
  return serialise(value, [...path], depth);
}

/** RFC 8785 canonical UTF-8 bytes of a value: the bytes that are hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}

/**
 * Parses bytes that MUST already be canonical: valid UTF-8, valid JSON in the data model, and
 * byte-identical to their own re-canonicalisation. This refuses duplicate keys, whitespace,
 * unsorted keys, escaped characters JCS writes literally, floats and exponents: one value has
 * exactly one accepted encoding.
 */
export function parseCanonicalJson(bytes: Uint8Array): JsonValue {
  const text = decodeUtf8(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RxError('ENTRY_NOT_CANONICAL', 'bytes are not JSON', { cause });
  }
  let canonical: string;
  try {
    canonical = serialise(value, [], 0);
  } catch (cause) {
    throw new RxError('ENTRY_NOT_CANONICAL', 'JSON outside the canonical data model', { cause });
  }
  // Comparing text first is cheap; the byte comparison is what decides.
  if (canonical !== text || !equalBytes(utf8(canonical), bytes)) {
    throw new RxError('ENTRY_NOT_CANONICAL', 'JSON is not in RFC 8785 canonical form');
  }
  return value as JsonValue;
}
