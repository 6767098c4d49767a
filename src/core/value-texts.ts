/**
 * Texts already made of a value, kept beside it so the write path does not make them again: its
 * `JSON.stringify` text and its RFC 8785 text. A submission's prescription (about 1.5 KB) is the
 * value the event loop would otherwise serialise twice more after its intake: into its stored
 * record (prescription-store.ts) and into the check's input hash (checker.ts). The intake's worker
 * makes both texts and sends only where they sit in the body texts it sends anyway; the event loop
 * remembers them for the prescription object it parses (statement-intake.ts).
 *
 * A text is remembered only for the exact object it was made from, and nothing changes a value the
 * ledger holds once it is made (records are values: rules build new ones), so a remembered text
 * stays that value's text. Keys are held weakly: a text goes when its value does.
 */
import { canonicalJson } from './canonical-json.js';

const jsonTexts = new WeakMap<object, string>();
const canonicalTexts = new WeakMap<object, string>();

/** Remembers `JSON.stringify(value)` and `canonicalJson(value)`, made elsewhere (another thread). */
export function rememberTexts(value: object, texts: { readonly json: string; readonly canonical: string }): void {
  jsonTexts.set(value, texts.json);
  canonicalTexts.set(value, texts.canonical);
}

/**
 * `JSON.stringify(value)`, made once per object: the prescription store writes a prescription's
 * record again at every step of its lifecycle, and holds only the records it last used.
 */
export function jsonTextOf(value: object): string {
  let text = jsonTexts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    jsonTexts.set(value, text);
  }
  return text;
}

/**
 * `canonicalJson(value)`: the text remembered for it, or made now and not kept. Its caller, the
 * check's input hash, hashes a prescription once, and an audit's replay holds every prescription
 * of the log in memory: keeping each one's text would double that.
 */
export function canonicalTextOf(value: object): string {
  return canonicalTexts.get(value) ?? canonicalJson(value);
}
