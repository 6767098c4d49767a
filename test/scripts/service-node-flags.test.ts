/** The service's Node flags are the same in `npm start`, the Docker image and the scripts that start it. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { SERVICE_NODE_FLAGS } from '../../scripts/lib/service-node-flags.js';

const root = new URL('../../', import.meta.url);

t.test('npm start runs the compiled service with exactly these flags', async (t) => {
  const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;
  t.equal(scripts.start, ['node', ...SERVICE_NODE_FLAGS, 'dist/src/main.js'].join(' '));
});

t.test('the Docker image runs it with exactly these flags', async (t) => {
  const cmd = readFileSync(new URL('Dockerfile', root), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('CMD '));
  t.same(cmd, [`CMD ${JSON.stringify(['node', ...SERVICE_NODE_FLAGS, 'dist/src/main.js'])}`.replace(/","/g, '", "')]);
});

t.test('no V8 heap-sizing flag: it would size every worker isolate too, not only the event loop', async (t) => {
  const heapSizing = /^--(max|min)-(semi-space|old-space|heap)-size|^--max-young-generation/;
  t.same(SERVICE_NODE_FLAGS.filter((flag) => heapSizing.test(flag)), []);
});
