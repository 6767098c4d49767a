/**
 * `rxledger verify --witness … --witness-threshold k` against a real service (WITNESS_KEYS set) that
 * real witnesses cosigned over HTTP, and WITNESS_KEYS in the configuration.
 */
import t from 'tap';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createLedgerClient } from '../../src/client/ledger-client.js';
import { runVerify } from '../../src/cli/verify-command.js';
import { startService } from '../../src/service.js';
import { createWitness } from '../../src/witness/witness.js';
import { isRxError } from '../../src/core/errors.js';
import { WITNESS_KEYS, sink, witnessVkey } from '../support/witness-fixtures.js';
import { testdirWithStops } from '../support/testdir.js';

async function verify(...args: string[]) {
  const out = sink();
  const err = sink();
  const status = await runVerify(args, { stdout: out.stream, stderr: err.stream });
  return { status, stdout: out.text(), stderr: err.text() };
}

t.test('WITNESS_KEYS: cosigner vkeys, comma- or space-separated; anything else is refused', async (t) => {
  t.same(loadConfig({}).witnessKeys, []);
  t.same(loadConfig({ WITNESS_KEYS: `${witnessVkey(0)}, ${witnessVkey(1)}\n${witnessVkey(0)}` }).witnessKeys, [witnessVkey(0), witnessVkey(1)]);
  for (const bad of ['nonsense', `${witnessVkey(0)},example.org/rx-demo+bd721dbc+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk`]) {
    try {
      loadConfig({ WITNESS_KEYS: bad });
      t.fail('accepted');
    } catch (err) {
      t.ok(isRxError(err, 'CONFIG_INVALID') && err.paths.includes('WITNESS_KEYS'), bad.slice(0, 20));
    }
  }
});

t.test('verify requires k of n witnesses over the verified checkpoint', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0', WITNESS_KEYS: `${witnessVkey(0)},${witnessVkey(1)}` }), { logger: pino({ level: 'silent' }) });
  stopBeforeRemoval(() => service.stop());
  const logKey = service.ledger.verifierKeys[0] as string;
  const actorKey = join(dataDir, 'operator', 'op-genesis.key');
  const base = ['--url', service.url, '--key', logKey, '--actor-key', actorKey];
  const w = (i: number) => ['--witness', witnessVkey(i)];

  const none = await verify(...base, ...w(0), '--json');
  t.equal(none.status, 1);
  t.same([JSON.parse(none.stdout).ok, JSON.parse(none.stdout).witnesses.failure.code], [false, 'WITNESS_THRESHOLD_NOT_MET']);

  const witness = (i: number) => createWitness({ source: createLedgerClient(service.url), sourceName: service.url, logKeys: [logKey], key: WITNESS_KEYS[i]!, stateDir: join(dir, `w${i}`) });
  t.equal((await witness(0).cosign()).submitted, true);
  const one = await verify(...base, ...w(0));
  t.equal(one.status, 0, one.stdout + one.stderr);
  t.match(one.stdout, /witnesses:\s+1 of the required 1 cosigned size \d+ \(witness\.test\.example\/w1\): OK/);
  const twoOfTwo = await verify(...base, ...w(0), ...w(1), '--witness-threshold', '2', '--json');
  t.same([twoOfTwo.status, JSON.parse(twoOfTwo.stdout).witnesses.failure.code], [1, 'WITNESS_THRESHOLD_NOT_MET']);
  t.equal((await witness(1).cosign()).submitted, true);
  const both = await verify(...base, ...w(0), ...w(1), '--json');
  t.equal(both.status, 0, both.stdout);
  t.same(JSON.parse(both.stdout).witnesses.witnessedBy.map((x: { name: string }) => x.name), ['witness.test.example/w1', 'witness.test.example/w2']);
  const untrusted = await verify(...base, ...w(2));
  t.equal(untrusted.status, 1, 'a witness that never cosigned is not counted');

  t.equal((await verify('--db', join(dataDir, 'ledger.sqlite'), '--key', logKey, ...w(0))).status, 2, '--witness needs --url');
  t.equal((await verify(...base, ...w(0), '--witness-threshold', '2')).status, 2, 'k > n');
  t.equal((await verify(...base, '--witness-threshold', '1')).status, 2, 'threshold without witnesses');
});
