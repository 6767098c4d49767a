/** The client SDK against its own promises and against the real service on 127.0.0.1. */
import t from 'tap';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLedgerClient, createReadSigner, createStatementSigner } from '../../src/index.js';
import { decodeBase64 } from '../../src/core/bytes.js';
import { isValidEd25519 } from '../../src/core/ed25519.js';
import { RxError } from '../../src/core/errors.js';
import { statementSigningBytes } from '../../src/core/statement.js';
import { timeOrderedHex } from '../../src/client/statement-signer.js';
import { loadConfig } from '../../src/config.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { startService } from '../../src/service.js';
import { testdirWithStops } from '../support/testdir.js';

t.test('statement signer: canonical, signed, fresh nonces, caller-chosen idempotency keys', async (t) => {
  const signer = createStatementSigner({ origin: 'o.example/log', actorId: 'op-one', seed: new Uint8Array(32).fill(5), clock: () => 1_767_225_600_000 });
  const a = signer.sign('registry.actor-suspend', { actorId: 'dr-x', reason: 'r' });
  const b = signer.sign('registry.actor-suspend', { actorId: 'dr-x', reason: 'r' }, { idempotencyKey: 'fixed-key-0001' });
  t.ok(isValidEd25519(decodeBase64(a.signature), statementSigningBytes(a.statement), signer.publicKey), 'the signature verifies');
  t.not(a.statement.nonce, b.statement.nonce, 'every statement gets a new nonce');
  t.equal(b.statement.idempotencyKey, 'fixed-key-0001');
  t.equal(a.statement.timestamp, 1_767_225_600_000);
  t.throws(() => signer.sign('registry.actor-suspend', { actorId: 'dr-x', weight: 1.5 }), 'floats cannot be signed');
});

t.test('nonces and default idempotency keys start with the timestamp, so an actor\'s sort by time', async (t) => {
  let now = 1_767_225_600_000;
  const signer = createStatementSigner({ origin: 'o.example/log', actorId: 'op-one', seed: new Uint8Array(32).fill(5), clock: () => now });
  const signed = Array.from({ length: 50 }, (_, i) => {
    now += i % 3; // some in the same millisecond
    return signer.sign('registry.actor-suspend', { actorId: 'dr-x', reason: 'r' }).statement;
  });
  for (const s of signed) {
    t.match(s.nonce, /^[0-9a-f]{32}$/, 'a nonce of 16 bytes in hex');
    t.equal(s.nonce.slice(0, 12), s.timestamp.toString(16).padStart(12, '0'), 'the timestamp first');
    t.match(s.idempotencyKey, new RegExp(`^idem-${s.timestamp.toString(16).padStart(12, '0')}[0-9a-f]{16}$`));
  }
  t.equal(new Set(signed.map((s) => s.nonce)).size, signed.length, 'unique, also within a millisecond (the random part)');
  t.equal(new Set(signed.map((s) => s.idempotencyKey)).size, signed.length);
  const byTime = [...signed].sort((x, y) => x.timestamp - y.timestamp);
  t.same(
    [...signed].sort((x, y) => (x.nonce < y.nonce ? -1 : 1)).map((s) => s.timestamp),
    byTime.map((s) => s.timestamp),
    'ordered as text, nonces are ordered by time',
  );
  t.equal(timeOrderedHex(0x1234, new Uint8Array([0xab])), '000000001234ab');
  t.equal(timeOrderedHex(-5, new Uint8Array(0)), '000000000000', 'a clock before the epoch gives zeros, never a sign');
});

t.test('ledger client: submit, signed entries, typed errors', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger: pino({ level: 'silent' }) });
  stopBeforeRemoval(() => service.stop());
  const key = readActorKey(genesisOperatorKeyPath(dataDir));
  const client = createLedgerClient(`${service.url}/`, { signRead: createReadSigner({ seed: key.seed }) });
  const { origin, size } = await client.log();
  const operator = createStatementSigner({ origin, actorId: key.actorId, seed: key.seed });
  const result = await client.submit(operator.sign('registry.institution-register', { institutionId: 'hosp-sdk', kind: 'hospital', name: 'H', region: '370100', licence: 'L' }));
  t.equal(result.index, size);
  const page = await client.entries(0, result.index + 1);
  t.equal(page.entries.length, result.index + 1);
  t.equal(page.entries[result.index]?.leafHash, result.leafHash);
  t.match(await client.checkpoint(), /^.+\n\d+\n/);
  try {
    await createLedgerClient(service.url).entries(0, 1);
    t.fail('unsigned read accepted');
  } catch (err) {
    t.equal((err as RxError).code, 'AUTH_REQUIRED', 'service codes surface as RxError codes');
  }
  try {
    await createLedgerClient('http://127.0.0.1:1').log();
    t.fail('unreachable');
  } catch (err) {
    t.equal((err as RxError).code, 'SOURCE_UNAVAILABLE');
  }
});
