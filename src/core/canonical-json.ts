/**
 * The one canonicalisation for everything that is hashed or signed: RFC 8785, the JSON
 * Canonicalization Scheme (JCS), restricted to a data model with no floating point.
 *
 * The `canonicalize` library implements RFC 8785 serialisation; this module adds the ledger's
 * data model in front of it and the strict inverse (`parseCanonicalJson`) behind it:
 *   - values are null, booleans, strings (well-formed UTF-16, i.e. no lone surrogates),
 *     safe integers (|n| <= 2^53 - 1), arrays and plain objects; anything else is refused
 *     rather than silently coerced (JSON.stringify would drop `undefined` and turn NaN into null);
 *   - non-integer quantities are carried as decimal strings by the schemas that need them;
 *   - nesting is bounded so hostile input cannot exhaust the stack.
 */
import canonicalize from 'canonicalize';
import { decodeUtf8, equalBytes, utf8 } from './bytes.js';
import { RxError } from './errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Deepest nesting accepted anywhere in the ledger (objects and arrays both count). */
export const MAX_JSON_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks `value` against the ledger's JSON data model. Throws CANONICAL_JSON_INVALID naming the
 * first offending path (e.g. `body.items.0.dose`).
 */
export function assertJsonValue(value: unknown, path: string[] = [], depth = 0): asserts value is JsonValue {
  const fail = (why: string): never => {
    throw new RxError('CANONICAL_JSON_INVALID', why, { paths: [path.join('.')] });
  };
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) fail('string contains a lone surrogate');
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) fail('numbers must be safe integers; use a decimal string');
    if (Object.is(value, -0)) fail('negative zero has no canonical form');
    return;
  }
  if (typeof value !== 'object') fail(`${typeof value} is not a JSON value`);
  if (depth >= MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH}`);
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJsonValue(item, [...path, String(i)], depth + 1));
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail('only plain objects are JSON objects');
  for (const [key, item] of Object.entries(value as object)) {
    if (LONE_SURROGATE.test(key)) fail('key contains a lone surrogate');
    assertJsonValue(item, [...path, key], depth + 1);
  }
}

/** RFC 8785 canonical text of a value in the ledger's data model. */
export function canonicalJson(value: unknown): string {
  assertJsonValue(value);
  const text = canonicalize(value);
  if (text === undefined) throw new RxError('CANONICAL_JSON_INVALID', 'value has no JSON form');
  return text;
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
  try {
    assertJsonValue(value);
  } catch (cause) {
    throw new RxError('ENTRY_NOT_CANONICAL', 'JSON outside the canonical data model', { cause });
  }
  if (!equalBytes(utf8(canonicalize(value) ?? ''), bytes)) {
    throw new RxError('ENTRY_NOT_CANONICAL', 'JSON is not in RFC 8785 canonical form');
  }
  return value;
}
