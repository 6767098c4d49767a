/**
 * An insider who appends through the storage layer, bypassing the service's checks, produces a
 * log whose chain, tree and checkpoints are all valid. The verifier must still name every entry
 * that the registry rules would have refused.
 */
import t from 'tap';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLedgerClient, createStatementSigner } from '../../src/client/index.js';
import { loadConfig } from '../../src/config.js';
import { encodeBase64 } from '../../src/core/bytes.js';
import { loadOrCreateSigningKeys } from '../../src/keys/key-files.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { DATABASE_FILE, startService } from '../../src/service.js';
import { openDatabase } from '../../src/store/database.js';
import { createLedgerStore } from '../../src/store/ledger-store.js';
import { openDbLogSource } from '../../src/verify/db-log-source.js';
import { verifyLog } from '../../src/verify/log-verifier.js';

t.test('entries the rules refuse are reported at their index, with the rule\'s code', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0' });
  const service = await startService(config, { logger: pino({ level: 'silent' }) });
  const client = createLedgerClient(service.url);
  const { origin, verifierKey } = await client.log();
  const gk = readActorKey(genesisOperatorKeyPath(dataDir));
  const operator = createStatementSigner({ origin, actorId: gk.actorId, seed: gk.seed });
  const second = createStatementSigner({ origin, actorId: 'op-second', seed: new Uint8Array(32).fill(3) });
  // This key expires a minute from now; the insider below signs and sequences two minutes ahead.
  const expiring = createStatementSigner({ origin, actorId: 'op-second', seed: new Uint8Array(32).fill(4), clock: () => Date.now() + 120_000 });
  await client.submit(operator.sign('registry.institution-register', { institutionId: 'hosp-a', kind: 'hospital', name: 'A', region: '370100', licence: 'L' }));
  await client.submit(operator.sign('registry.actor-register', { actorId: 'op-second', role: 'operator', name: '二号运维' }));
  await client.submit(operator.sign('registry.key-add', { actorId: 'op-second', publicKey: encodeBase64(second.publicKey), notBefore: 0 }));
  await client.submit(operator.sign('registry.key-add', { actorId: 'op-second', publicKey: encodeBase64(expiring.publicKey), notBefore: 0, notAfter: Date.now() + 60_000 }));
  await client.submit(operator.sign('registry.key-revoke', { actorId: 'op-second', keyId: second.keyId, reason: 'compromised' }));
  await service.stop();

  const clean = openDbLogSource(join(dataDir, DATABASE_FILE));
  const ok = await verifyLog(clean, { trustedKeys: [verifierKey] });
  await clean.close?.();
  t.ok(ok.ok, `the service's log verifies: ${JSON.stringify(ok.failure)}`);

  const inst = (id: string) => ({ institutionId: id, kind: 'hospital', name: 'X', region: '370100', licence: 'L' });
  const stranger = createStatementSigner({ origin, actorId: 'op-genesis', seed: new Uint8Array(32).fill(9) });
  const cases = [
    { what: 'signed with a revoked key', signed: () => second.sign('registry.institution-register', inst('hos-r')), code: 'AUTH_KEY_REVOKED' },
    { what: 'signed with an expired key', signed: () => expiring.sign('registry.institution-register', inst('hos-e')), code: 'AUTH_KEY_NOT_VALID_NOW' },
    { what: 'signed with an unknown key', signed: () => stranger.sign('registry.institution-register', inst('hos-u')), code: 'AUTH_KEY_UNKNOWN' },
    { what: 'a second genesis operator', signed: () => operator.sign('registry.genesis-operator', { actorId: 'op-genesis', publicKey: encodeBase64(operator.publicKey), notBefore: 0 }), code: 'REGISTRY_CONFLICT' },
  ];
  for (const c of cases) {
    const db = openDatabase(join(dataDir, DATABASE_FILE));
    const store = createLedgerStore(db);
    // The insider's ledger: real keys, real chain and checkpoints, no registry rules.
    const ledger = openLedger({ store, origin, signingKeys: loadOrCreateSigningKeys(dataDir, origin).keys, clock: () => Date.now() + (c.code === 'AUTH_KEY_NOT_VALID_NOW' ? 120_000 : 0) });
    const forged = await (c.code === 'REGISTRY_CONFLICT' ? ledger.appendReserved('registry.genesis-operator', c.signed()) : ledger.append('registry.institution-register', c.signed()));
    ledger.publishCheckpoint();
    await ledger.close();
    const source = openDbLogSource(join(dataDir, DATABASE_FILE));
    const report = await verifyLog(source, { trustedKeys: [verifierKey] });
    await source.close?.();
    t.equal(report.failure?.index, forged.index, `${c.what}: index`);
    t.equal(report.failure?.code, c.code, `${c.what}: code`);
    // Remove the forged entry again so the next case starts from a clean log.
    const raw = openDatabase(join(dataDir, DATABASE_FILE));
    raw.prepare('DELETE FROM entries WHERE idx = ?').run(forged.index);
    raw.prepare('DELETE FROM tree_nodes WHERE (idx + 1) * (1 << level) - 1 >= ?').run(forged.index);
    raw.prepare('DELETE FROM checkpoints WHERE size > ?').run(forged.index);
    raw.prepare('UPDATE log_state SET latest_checkpoint = (SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1)').run();
    raw.close();
  }
});
