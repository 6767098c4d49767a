/**
 * `rxledger serve`'s arguments, through src/cli/main.ts as a real process: `--help` prints the
 * usage without starting anything (it used to start the service, creating ./data, keys and a
 * genesis operator in the current directory), and any other argument is a usage error (exit 2).
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** In an empty directory, with the service's defaults (./data) but a free port; killed if it starts serving anyway. */
const runIn = (cwd: string, ...args: string[]) => {
  mkdirSync(cwd, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  delete env.DATA_DIR;
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 30_000 });
};

t.test('serve --help and -h: the usage, exit 0, nothing written', async (t) => {
  for (const flag of ['--help', '-h']) {
    const cwd = join(t.testdir(), flag);
    const run = runIn(cwd, 'serve', flag);
    t.equal(run.status, 0, `${flag}: ${run.stderr}`);
    t.match(run.stdout, /^usage: rxledger serve/, flag);
    t.match(run.stdout, /configured by environment variables/);
    t.match(run.stdout, /README\.md/);
    t.equal(run.stderr, '', flag);
    t.same(readdirSync(cwd), [], `${flag}: no data directory, key or genesis operator created`);
  }
});

t.test('serve with any other argument: a usage error, exit 2, nothing written', async (t) => {
  for (const args of [['--port', '8080'], ['--bogus'], ['now'], ['--help=yes']]) {
    const cwd = join(t.testdir(), args.join(' '));
    const run = runIn(cwd, 'serve', ...args);
    t.equal(run.status, 2, args.join(' '));
    t.equal(run.stdout, '', args.join(' '));
    t.match(run.stderr, /usage: rxledger serve/, args.join(' '));
    t.same(readdirSync(cwd), [], `${args.join(' ')}: nothing created`);
  }
});

t.test('the command list points at serve --help; -h is --help for the other commands too', async (t) => {
  const cwd = t.testdir();
  const list = runIn(cwd, '-h');
  t.equal(list.status, 0);
  t.match(list.stdout, /serve\s+run the service, configured by environment variables \(rxledger serve --help\)/);
  const verify = runIn(cwd, 'verify', '-h');
  t.equal(verify.status, 0, verify.stderr);
  t.match(verify.stdout, /^usage: rxledger verify/);
});
