/**
 * The drug-rule engine is pure (house rule 1): it takes values and returns values, with no file,
 * network, database, logger, clock or environment access. Reading a knowledge directory lives in
 * src/store/knowledge-dir.ts.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';

const FORBIDDEN = [/from ['"]node:/, /from ['"](fs|path|os|child_process)['"]/, /fastify/, /better-sqlite3/, /pino/, /process\.env/, /Date\.now|new Date\(/, /Math\.random/];

t.test('src/domain/checker imports nothing impure', async (t) => {
  const dir = new URL('../../../src/domain/checker/', import.meta.url);
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  t.ok(files.length > 10);
  for (const file of files) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    for (const pattern of FORBIDDEN) t.notMatch(text, pattern, `${file} must not match ${pattern}`);
  }
});
