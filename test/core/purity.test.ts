/** src/core is pure: no I/O, framework, database, logger or environment access (house rule 1). */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';

const FORBIDDEN = [/from ['"]node:/, /from ['"](fs|path|os|child_process)['"]/, /fastify/, /better-sqlite3/, /pino/, /process\.env/, /\bBuffer\b/];

t.test('src/core imports nothing impure', async (t) => {
  const dir = new URL('../../src/core/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  t.ok(files.length > 5);
  for (const file of files) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    for (const pattern of FORBIDDEN) t.notMatch(text, pattern, `${file} must not match ${pattern}`);
  }
});
