/**
 * The field paths of schema (zod) issues, as errors name them (`RxError` paths, knowledge and
 * configuration problems): the issue's path under a prefix, dotted, e.g. `body.statement.nonce`.
 *
 * A strict object reports unknown members as one `unrecognized_keys` issue whose path is the object
 * that holds them and whose `keys` lists them; each unknown member is named instead (the object's
 * path, a dot, the key: one path per key), so that the answer points at what to remove.
 */

/** What of a zod issue its paths depend on (any zod 4 issue has this shape). */
export interface IssueLike {
  readonly code?: string;
  readonly path: readonly PropertyKey[];
  /** The unknown members of an `unrecognized_keys` issue. */
  readonly keys?: readonly string[];
}

/** The paths one issue names: its own, or one per unknown member. */
export function issuePaths(issue: IssueLike, prefix: readonly string[] = []): string[] {
  const at = [...prefix, ...issue.path.map(String)];
  if (issue.code === 'unrecognized_keys' && issue.keys !== undefined && issue.keys.length > 0) {
    return issue.keys.map((key) => [...at, key].join('.'));
  }
  return [at.join('.')];
}

/** The distinct paths of `issues`, in order, at most `limit` of them (a hostile input can have very many). */
export function zodIssuePaths(issues: readonly IssueLike[], prefix: readonly string[] = [], limit = Number.POSITIVE_INFINITY): string[] {
  const paths = new Set<string>();
  for (const issue of issues) {
    for (const path of issuePaths(issue, prefix)) {
      if (paths.size >= limit) return [...paths];
      paths.add(path);
    }
  }
  return [...paths];
}
