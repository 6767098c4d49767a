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
 * Code units after which JSON.stringify's string text is not simply the string between quotes:
 * controls, `"`, `\\`, and surrogates (which need the well-formedness check). Without the `u`
 * flag the class matches single UTF-16 code units, which is what is wanted here.
 */
const NEEDS_ESCAPE_OR_CHECK = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * JCS string text (RFC 8785 §3.2.2.2), or undefined when `text` holds a lone surrogate. For
 * well-formed strings JCS escaping is exactly JSON.stringify's, so anything the fast test flags
 * goes to JSON.stringify; everything else is the string itself between quotes.
 */
function quote(text: string): string | undefined {
  if (!NEEDS_ESCAPE_OR_CHECK.test(text)) return `"${text}"`;
  return text.isWellFormed() ? JSON.stringify(text) : undefined;
}

/**
 * Member-name text (`"name":`) of keys seen before. Only well-formed keys are stored, so a hit
 * needs no check. Schemas reuse a small set of short names; the bounds keep hostile input (many
 * distinct or very long names) from making it retain much: long names are not stored, and when
 * full it is simply emptied. The cache only saves work: output never depends on its state.
 */
const KEY_TEXT_CACHE_LIMIT = 2048;
const KEY_TEXT_CACHE_MAX_NAME = 64;
const keyTextCache = new Map<string, string>();

function keyText(key: string): string | undefined {
  let text = keyTextCache.get(key);
  if (text !== undefined) return text;
  const quoted = quote(key);
  if (quoted === undefined) return undefined;
  text = `${quoted}:`;
  if (key.length > KEY_TEXT_CACHE_MAX_NAME) return text;
  if (keyTextCache.size >= KEY_TEXT_CACHE_LIMIT) keyTextCache.clear();
  keyTextCache.set(key, text);
  return text;
}

/**
 * Sorts member names in place by UTF-16 code units (§3.2.3), the order of `<` on strings and of
 * Array.prototype.sort's default comparison. Names are distinct, so stability does not matter.
 * Objects usually have few members and often arrive already sorted (parsed canonical JSON, or
 * built in order): one pass detects that, insertion sort handles small objects, and larger ones
 * use the built-in sort.
 */
function sortKeys(keys: string[]): string[] {
  const n = keys.length;
  let i = 1;
  while (i < n && (keys[i - 1] as string) < (keys[i] as string)) i++;
  if (i >= n) return keys;
  if (n > 24) return keys.sort();
  for (; i < n; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && key < (keys[j] as string)) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function fail(path: readonly (string | number)[], why: string): never {
  throw new RxError('CANONICAL_JSON_INVALID', why, { paths: [path.join('.')] });
}

/**
 * Checks `value` against the ledger's JSON data model and returns its RFC 8785 text. Throws
 * CANONICAL_JSON_INVALID naming the first offending path (e.g. `body.items.0.dose`).
 * `path` is a stack shared by the whole walk (pushed and popped, so the hot path allocates no
 * path arrays; array indices are pushed as numbers and only turned into text on failure);
 * `depth` counts nesting, starting from where the value already sits.
 */
function serialise(value: unknown, path: (string | number)[], depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string': {
      const text = quote(value);
      return text === undefined ? fail(path, 'string contains a lone surrogate') : text;
    }
    case 'number':
      if (!Number.isSafeInteger(value)) fail(path, 'numbers must be safe integers; use a decimal string');
      if (Object.is(value, -0)) fail(path, 'negative zero has no canonical form');
      // Safe integers other than -0: Number.prototype.toString is plain decimal digits (§3.2.2.3).
      return String(value);
    case 'object':
      break;
    default:
      fail(path, `${typeof value} is not a JSON value`);
  }
  if (depth >= MAX_JSON_DEPTH) fail(path, `nesting deeper than ${MAX_JSON_DEPTH}`);
  if (Array.isArray(value)) {
    const n = value.length;
    if (n === 0) return '[]';
    path.push(0);
    let out = `[${serialise(value[0], path, depth + 1)}`;
    for (let i = 1; i < n; i++) {
      path[path.length - 1] = i;
      out += `,${serialise(value[i], path, depth + 1)}`;
    }
    path.pop();
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail(path, 'only plain objects are JSON objects');
  const object = value as Record<string, unknown>;
  const keys = sortKeys(Object.keys(object));
  const n = keys.length;
  if (n === 0) return '{}';
  let out = '{';
  for (let i = 0; i < n; i++) {
    const key = keys[i] as string;
    path.push(key);
    const name = keyText(key);
    if (name === undefined) fail(path, 'key contains a lone surrogate');
    out += `${i === 0 ? '' : ','}${name}${serialise(object[key], path, depth + 1)}`;
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
