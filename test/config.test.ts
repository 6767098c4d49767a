import t from 'tap';
import { loadConfig } from '../src/config.js';

t.test('defaults', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 8080);
  t.equal(c.host, '127.0.0.1');
  t.equal(c.dataDir, './data');
  t.equal(c.checkpointIntervalMs, 1000);
  t.ok(Object.isFrozen(c));
});

t.test('environment overrides and validation', async (t) => {
  const c = loadConfig({ PORT: '9000', LOG_ORIGIN: 'rx.example/prod', CHECKPOINT_INTERVAL_MS: '250', HOST: '', UNRELATED: 'x' });
  t.equal(c.port, 9000);
  t.equal(c.logOrigin, 'rx.example/prod');
  t.equal(c.checkpointIntervalMs, 250);
  t.equal(c.host, '127.0.0.1', 'empty means unset');
  for (const [name, value] of [['PORT', '70000'], ['PORT', 'eighty'], ['LOG_ORIGIN', 'has space'], ['LOG_ORIGIN', 'a+b'], ['CHECKPOINT_INTERVAL_MS', '1'], ['LOG_LEVEL', 'loud']] as const) {
    try {
      loadConfig({ [name]: value });
      t.fail(`${name}=${value} accepted`);
    } catch (err) {
      t.same((err as { code: string; paths: string[] }).code, 'CONFIG_INVALID');
      t.same((err as { paths: string[] }).paths, [name], `${name}=${value} refused, naming the variable`);
    }
  }
});
