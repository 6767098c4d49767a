/** src/oversight is pure: the fold and its helpers import no I/O, framework, database, logger or environment. */
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';

const FORBIDDEN = [/from ['"]node:/, /from ['"](fs|path|os|child_process)['"]/, /fastify/, /better-sqlite3/, /pino/, /process\.env/, /Date\.now/, /Math\.random/, /\bBuffer\b/];

t.test('src/oversight imports nothing impure and reads no clock', async (t) => {
  const root = new URL('../../src/oversight/', import.meta.url);
  const files: string[] = [];
  const walk = (dir: URL, prefix: string) => {
    for (const f of readdirSync(dir)) {
      if (statSync(new URL(f, dir)).isDirectory()) walk(new URL(`${f}/`, dir), `${prefix}${f}/`);
      else if (f.endsWith('.ts')) files.push(`${prefix}${f}`);
    }
  };
  walk(root, '');
  t.ok(files.length > 10);
  for (const file of files) {
    const text = readFileSync(new URL(file, root), 'utf8');
    for (const pattern of FORBIDDEN) t.notMatch(text, pattern, `${file} must not match ${pattern}`);
  }
});
