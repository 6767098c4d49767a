/**
 * Signed statements end to end: the real service on 127.0.0.1, the genesis operator's key from the
 * data directory, the client SDK, and every way a write can be refused.
 */
import t from 'tap';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLedgerClient, createStatementSigner } from '../../src/client/index.js';
import { loadConfig } from '../../src/config.js';
import { encodeBase64 } from '../../src/core/bytes.js';
import { RxError, type ErrorCode } from '../../src/core/errors.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { startService } from '../../src/service.js';

async function refusedWith(t: { equal(a: unknown, b: unknown, m: string): unknown; fail(m: string): unknown }, p: Promise<unknown>, code: ErrorCode, what: string) {
  try {
    await p;
    t.fail(`${what}: accepted`);
  } catch (err) {
    t.equal(err instanceof RxError ? err.code : String(err), code, what);
  }
}

t.test('the genesis operator registers institutions, actors and keys; refusals are typed and write nothing', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' }), { logger: pino({ level: 'silent' }) });
  t.teardown(() => service.stop());
  const client = createLedgerClient(service.url);
  const { origin } = await client.log();
  const genesisKey = readActorKey(genesisOperatorKeyPath(dataDir));
  const operator = createStatementSigner({ origin, actorId: genesisKey.actorId, seed: genesisKey.seed });

  const hospital = await client.submit(operator.sign('registry.institution-register', { institutionId: 'hosp-jinan-1', kind: 'hospital', name: '济南市第一人民医院', region: '370100', licence: 'PDY12345' }));
  t.same({ type: hospital.type, replayed: hospital.replayed }, { type: 'registry.institution-register', replayed: false });
  const doctorSeed = new Uint8Array(32).fill(42);
  const doctor = createStatementSigner({ origin, actorId: 'dr-li', seed: doctorSeed });
  await client.submit(operator.sign('registry.actor-register', {
    actorId: 'dr-li', role: 'prescriber', institutionId: 'hosp-jinan-1', name: '李医生', licence: '110370100000002', title: '副主任医师', department: '心内科',
    privileges: { narcotic: false, psychotropicI: false, psychotropicII: false, antimicrobialGrade: 'non-restricted' },
  }));
  await client.submit(operator.sign('registry.key-add', { actorId: 'dr-li', publicKey: encodeBase64(doctor.publicKey), notBefore: Date.now() - 1000 }));

  const before = (await client.log()).size;
  const inst = (id: string) => ({ institutionId: id, kind: 'pharmacy', name: '药房', region: '370100', licence: 'YP001', delivers: true });
  await refusedWith(t, client.submit(doctor.sign('registry.institution-register', inst('ph-1'))), 'AUTH_ROLE_FORBIDDEN', 'a prescriber cannot register institutions');
  const stranger = createStatementSigner({ origin, actorId: 'op-genesis', seed: new Uint8Array(32).fill(7) });
  await refusedWith(t, client.submit(stranger.sign('registry.institution-register', inst('ph-2'))), 'AUTH_KEY_UNKNOWN', 'unknown key');
  const stale = createStatementSigner({ origin, actorId: genesisKey.actorId, seed: genesisKey.seed, clock: () => Date.now() - 3_600_000 });
  await refusedWith(t, client.submit(stale.sign('registry.institution-register', inst('ph-3'))), 'AUTH_TIMESTAMP_OUT_OF_WINDOW', 'stale timestamp');
  const signed = operator.sign('registry.institution-register', inst('ph-4'));
  await refusedWith(t, client.submit({ ...signed, statement: { ...signed.statement, payload: inst('ph-5') } }), 'AUTH_SIGNATURE_INVALID', 'signature over other bytes');
  await refusedWith(t, client.submit({ ...signed, statement: { ...signed.statement, timestamp: signed.statement.timestamp + 1 } }), 'AUTH_SIGNATURE_INVALID', 'timestamp changed after signing');
  await refusedWith(t, client.submit({ ...signed, signature: 'AAAA' }), 'REQUEST_INVALID', 'malformed signature');
  await refusedWith(t, client.submit(operator.sign('registry.institution-register', { ...inst('ph-6'), kind: 'bakery' })), 'ENTRY_BODY_INVALID', 'payload outside the schema');
  t.equal((await client.log()).size, before, 'nothing was written');

  const first = await client.submit(signed);
  const retry = await client.submit(signed);
  t.equal(retry.index, first.index, 'an identical retry returns the original entry');
  t.equal(retry.replayed, true);
  t.equal((await client.log()).size, before + 1, 'and writes nothing');
  const sameNonce = { statement: { ...signed.statement, idempotencyKey: 'different-key-0001' }, signature: signed.signature };
  await refusedWith(t, client.submit(sameNonce), 'AUTH_SIGNATURE_INVALID', 'a replay with an edited idempotency key');

  await client.submit(operator.sign('registry.actor-suspend', { actorId: 'dr-li', reason: '执业资格核查' }));
  await client.submit(operator.sign('registry.actor-reinstate', { actorId: 'dr-li', reason: '核查通过' }));
  await client.submit(operator.sign('registry.key-revoke', { actorId: 'dr-li', keyId: doctor.keyId, reason: 'compromised' }));
  await refusedWith(t, client.submit(operator.sign('registry.key-revoke', { actorId: 'dr-li', keyId: doctor.keyId, reason: 'compromised' })), 'REGISTRY_CONFLICT', 'revoking twice');
  await refusedWith(t, client.submit(operator.sign('registry.genesis-operator', { actorId: 'op-evil', publicKey: encodeBase64(doctor.publicKey), notBefore: 0 })), 'ENTRY_TYPE_RESERVED', 'nobody can write a second genesis operator');
});

t.test('concurrent statements reusing one nonce: exactly one is recorded', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger: pino({ level: 'silent' }) });
  t.teardown(() => service.stop());
  const client = createLedgerClient(service.url);
  const { origin } = await client.log();
  const key = readActorKey(genesisOperatorKeyPath(dataDir));
  // Every statement gets the same nonce; idempotency keys differ, so each is a distinct request.
  const fixedNonce = createStatementSigner({ origin, actorId: key.actorId, seed: key.seed, randomBytes: (len) => new Uint8Array(len).fill(1) });
  const attempts = Array.from({ length: 10 }, (_, i) =>
    client.submit(fixedNonce.sign('registry.institution-register', { institutionId: `reg-${i}00`, kind: 'regulator', name: '卫健委', region: '370000', licence: 'GOV' }, { idempotencyKey: `idem-nonce-${i}000` })),
  );
  const settled = await Promise.allSettled(attempts);
  t.equal(settled.filter((s) => s.status === 'fulfilled').length, 1, 'one accepted');
  t.ok(settled.filter((s) => s.status === 'rejected').every((s) => (s as PromiseRejectedResult).reason.code === 'AUTH_NONCE_REUSED'), 'the rest refused as replays');
});

t.test('every role against every write action: only the matrix decides', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger: pino({ level: 'silent' }) });
  t.teardown(() => service.stop());
  const client = createLedgerClient(service.url);
  const { origin } = await client.log();
  const gk = readActorKey(genesisOperatorKeyPath(dataDir));
  const operator = createStatementSigner({ origin, actorId: gk.actorId, seed: gk.seed });
  const institutions = { prescriber: ['hosp-m', 'hospital'], pharmacist: ['ph-m', 'pharmacy'], courier: ['dl-m', 'delivery-company'], regulator: ['reg-m', 'regulator'] } as const;
  for (const [id, kind] of Object.values(institutions)) {
    await client.submit(operator.sign('registry.institution-register', { institutionId: id, kind, name: 'M', region: '370100', licence: 'L', ...(kind === 'pharmacy' ? { delivers: true } : {}) }));
  }
  const signers: Record<string, ReturnType<typeof createStatementSigner>> = { operator };
  for (const [n, role] of (['prescriber', 'pharmacist', 'courier', 'regulator'] as const).entries()) {
    const actorId = `m-${role}`;
    await client.submit(operator.sign('registry.actor-register', {
      actorId, role, name: 'M', institutionId: institutions[role][0],
      ...(role === 'prescriber' ? { licence: 'L', title: 'T', department: 'D', privileges: { narcotic: false, psychotropicI: false, psychotropicII: false, antimicrobialGrade: 'none' } } : {}),
    }));
    signers[role] = createStatementSigner({ origin, actorId, seed: new Uint8Array(32).fill(100 + n) });
    await client.submit(operator.sign('registry.key-add', { actorId, publicKey: encodeBase64(signers[role]!.publicKey), notBefore: 0 }));
  }
  const victimSeed = new Uint8Array(32).fill(77);
  const victimKey = createStatementSigner({ origin, actorId: 'm-courier', seed: victimSeed });
  const payloads: Record<string, (i: number) => Record<string, unknown>> = {
    'registry.institution-register': (i) => ({ institutionId: `x-inst-${i}`, kind: 'hospital', name: 'N', region: '370100', licence: 'L' }),
    'registry.actor-register': (i) => ({ actorId: `x-op-${i}`, role: 'operator', name: 'N' }),
    'registry.actor-suspend': () => ({ actorId: 'm-regulator', reason: 'r' }),
    'registry.actor-reinstate': () => ({ actorId: 'm-regulator', reason: 'r' }),
    'registry.key-add': () => ({ actorId: 'm-courier', publicKey: encodeBase64(victimKey.publicKey), notBefore: 0 }),
    'registry.key-revoke': () => ({ actorId: 'm-courier', keyId: victimKey.keyId, reason: 'other' }),
  };
  const { ACTION_ROLES } = await import('../../src/domain/registry/authorization.js');
  let i = 0;
  for (const role of ['prescriber', 'pharmacist', 'courier', 'regulator', 'operator']) {
    for (const action of Object.keys(payloads)) {
      const allowed = ACTION_ROLES[action]!.includes(role as never);
      try {
        await client.submit(signers[role]!.sign(action, payloads[action]!(i++) as never));
        t.ok(allowed, `${role} × ${action}: accepted`);
      } catch (err) {
        t.equal((err as RxError).code, 'AUTH_ROLE_FORBIDDEN', `${role} × ${action}: refused by role`);
        t.notOk(allowed, `${role} × ${action}: the matrix forbids it`);
      }
    }
  }
  t.notOk(ACTION_ROLES['registry.genesis-operator']!.length, 'no role may write the genesis operator');
});
