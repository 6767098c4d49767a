/** `npm run knowledge:check [-- <dir>] [--file <path>]` as a real process: the directory it is given is the one it checks. */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { starterKnowledgeDir } from '../../src/store/knowledge-dir.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-knowledge.ts', import.meta.url));

function check(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A copy of the starter set whose manifest is renamed, so its summary tells it from the starter's. */
function copyOfStarter(t: Test, name = 'copied-set'): string {
  const dir = join(t.testdir(), 'knowledge');
  cpSync(starterKnowledgeDir(), dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify({ ...(JSON.parse(readFileSync(manifestPath, 'utf8')) as object), name }, null, 2));
  return dir;
}

t.test('without arguments: the starter set', async (t) => {
  const run = check();
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^rxledger-starter@\S+: \d+ ingredients, /);
});

t.test('a directory argument is the one checked (it was ignored: the starter set was checked instead)', async (t) => {
  const dir = copyOfStarter(t);
  const run = check(dir);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^copied-set@\S+: \d+ ingredients, /);

  rmSync(join(dir, 'classes.json'));
  const broken = check(dir);
  t.equal(broken.code, 1, 'its problems are reported and fail the check');
  t.match(broken.stdout, /^classes\.json : missing$/m);
});

t.test('a missing directory fails with a clear message', async (t) => {
  const missing = join(t.testdir(), 'no-such-dir');
  const run = check(missing);
  t.equal(run.code, 1);
  t.equal(run.stdout, '');
  t.equal(run.stderr, `${missing}: no such knowledge directory\n`);
  t.equal(check(missing, '--file', 'classes.json').code, 1, 'with --file too');
});

t.test('--file validates one file, of the starter set or of the directory given', async (t) => {
  const starter = check('--file', 'classes.json');
  t.equal(starter.code, 0, starter.stderr);
  t.equal(starter.stdout, 'classes.json: valid\n');

  const dir = copyOfStarter(t);
  writeFileSync(join(dir, 'classes.json'), JSON.stringify({ classes: 'not a list' }));
  for (const args of [[dir, '--file', 'classes.json'], ['--file', 'classes.json', dir]]) {
    const run = check(...args);
    t.equal(run.code, 1, `${args.join(' ')}: the directory's file, not the starter's`);
    t.match(run.stdout, /^classes\.json classes: /m);
  }
  const notThere = check(dir, '--file', 'ingredients/none.json');
  t.equal(notThere.code, 1);
  t.match(notThere.stderr, 'ingredients/none.json: no such file in');
});

t.test('bad arguments: usage and exit 2; --help: usage and exit 0', async (t) => {
  for (const args of [['--bogus'], ['a', 'b'], ['--file'], ['--file', 'readme.txt']]) {
    const run = check(...args);
    t.equal(run.code, 2, args.join(' '));
    t.equal(run.stdout, '', args.join(' '));
  }
  t.match(check('a', 'b').stderr, /usage: npm run knowledge:check/);
  const help = check('--help');
  t.equal(help.code, 0);
  t.match(help.stdout, /^usage: npm run knowledge:check/);
});
