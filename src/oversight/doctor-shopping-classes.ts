/**
 * OVERSIGHT_DOCTOR_SHOPPING_CLASSES names drug classes of the knowledge base, which the
 * configuration cannot know (the knowledge set is loaded after it): the service checks them
 * against its configured rule set at start-up, so a typo (`opiod`) cannot silently switch off
 * doctor-shopping detection for the class meant.
 */
import { RxError } from '../core/errors.js';

export const DOCTOR_SHOPPING_CLASSES_VARIABLE = 'OVERSIGHT_DOCTOR_SHOPPING_CLASSES';

/** The configured classes the rule set does not define, in configuration order. */
export function unknownDoctorShoppingClasses(configured: readonly string[], known: ReadonlyMap<string, unknown>): string[] {
  return configured.filter((id) => !known.has(id));
}

/**
 * Throws CONFIG_INVALID naming the variable and each unknown class (with the known class it most
 * likely means, if one is a letter or two away) when a configured class is not in `ruleSet`.
 */
export function checkDoctorShoppingClasses(configured: readonly string[], ruleSet: { readonly name: string; readonly knowledge: { readonly classes: ReadonlyMap<string, unknown> } }): void {
  const unknown = unknownDoctorShoppingClasses(configured, ruleSet.knowledge.classes);
  if (unknown.length === 0) return;
  const described = unknown.map((id) => {
    const near = nearest(id, [...ruleSet.knowledge.classes.keys()]);
    return near === undefined ? id : `${id} (did you mean ${near}?)`;
  });
  throw new RxError(
    'CONFIG_INVALID',
    `invalid configuration: ${DOCTOR_SHOPPING_CLASSES_VARIABLE}: unknown drug class${unknown.length > 1 ? 'es' : ''} ${described.join(', ')}: not in the knowledge base ${ruleSet.name}`,
    { paths: [DOCTOR_SHOPPING_CLASSES_VARIABLE] },
  );
}

/** The closest of `candidates` to `id` by edit distance, if it is at most 2 (ties: the first). */
function nearest(id: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(id, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}
