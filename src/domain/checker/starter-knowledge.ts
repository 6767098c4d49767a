/**
 * Where the starter knowledge base ships: `knowledge/starter/` at the package root, found from
 * this module whether it runs from source (src/…) or compiled (dist/src/…).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function starterKnowledgeDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'knowledge', 'starter');
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the starter knowledge base (knowledge/starter) is not installed with this package');
    dir = parent;
  }
}
