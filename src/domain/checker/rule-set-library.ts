/**
 * The rule sets a process can run, by hash: the ones it compiled itself (its configured knowledge
 * base) and any stored bundle it is asked for, parsed and compiled on first use. A stored bundle
 * whose bytes do not hash to the key it was asked for is treated as absent, never run.
 */
import type { RuleSet } from '../prescription/checker.js';
import { parseBundle } from './knowledge-bundle.js';
import { createKnowledgeRuleSet } from './knowledge-rule-set.js';
import type { RuleSetLibrary } from './rule-set-activation.js';

export function createRuleSetLibrary(bundleBytes: (hash: string) => Uint8Array | undefined, preloaded: readonly RuleSet[] = []): RuleSetLibrary {
  const compiled = new Map(preloaded.map((r) => [r.hash, r]));
  return {
    get(hash) {
      const known = compiled.get(hash);
      if (known !== undefined) return known;
      const bytes = bundleBytes(hash);
      if (bytes === undefined) return undefined;
      let bundle;
      try {
        bundle = parseBundle(bytes);
      } catch {
        return undefined; // an unreadable bundle is no bundle: admission reports RULE_SET_UNKNOWN
      }
      if (bundle.hash !== hash) return undefined;
      const ruleSet = createKnowledgeRuleSet(bundle);
      compiled.set(hash, ruleSet);
      return ruleSet;
    },
  };
}
