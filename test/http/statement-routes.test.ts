/**
 * Signed statements end to end: the real service on 127.0.0.1, the genesis operator's key from the
 * data directory, the client SDK, and every way a write can be refused.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLedgerClient, createStatementSigner } from '../../src/client/index.js';
import { loadConfig } from '../../src/config.js';
import { encodeBase64 } from '../../src/core/bytes.js';
import { RxError, type ErrorCode } from '../../src/core/errors.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { startService } from '../../src/service.js';
import { createReadSigner } from '../../src/client/read-signer.js';
import { openDatabase } from '../../src/store/database.js';
import { createRegistryStore } from '../../src/store/registry-store.js';
import { createLedgerStore } from '../../src/store/ledger-store.js';
import { createStateReplay } from '../../src/verify/state-replay.js';
import { isValidEd25519 } from '../../src/core/ed25519.js';
import { parseEntry } from '../../src/core/entry.js';
import { libraryOf, starterRuleSet } from '../domain/checker/starter-rule-set.js';
import { testdirWithStops } from '../support/testdir.js';

async function refusedWith(t: { equal(a: unknown, b: unknown, m: string): unknown; fail(m: string): unknown }, p: Promise<unknown>, code: ErrorCode, what: string) {
  try {
    await p;
    t.fail(`${what}: accepted`);
  } catch (err) {
    t.equal(err instanceof RxError ? err.code : String(err), code, what);
  }
}

t.test('the genesis operator registers institutions, actors and keys; refusals are typed and write nothing', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' }), { logger: pino({ level: 'silent' }) });
  stopBeforeRemoval(() => service.stop());
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
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger: pino({ level: 'silent' }) });
  stopBeforeRemoval(() => service.stop());
  const client = createLedgerClient(service.url);
  const { origin } = await client.log();
  const key = readActorKey(genesisOperatorKeyPath(dataDir));
  // Every statement gets the same nonce (the same random bytes and, since the nonce starts with it,
  // the same timestamp); idempotency keys differ, so each is a distinct request.
  const now = Date.now();
  const fixedNonce = createStatementSigner({ origin, actorId: key.actorId, seed: key.seed, clock: () => now, randomBytes: (len) => new Uint8Array(len).fill(1) });
  const attempts = Array.from({ length: 10 }, (_, i) =>
    client.submit(fixedNonce.sign('registry.institution-register', { institutionId: `reg-${i}00`, kind: 'regulator', name: '卫健委', region: '370000', licence: 'GOV' }, { idempotencyKey: `idem-nonce-${i}000` })),
  );
  const settled = await Promise.allSettled(attempts);
  t.equal(settled.filter((s) => s.status === 'fulfilled').length, 1, 'one accepted');
  t.ok(settled.filter((s) => s.status === 'rejected').every((s) => (s as PromiseRejectedResult).reason.code === 'AUTH_NONCE_REUSED'), 'the rest refused as replays');
});

t.test('every role against every write action: only the matrix decides', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger: pino({ level: 'silent' }) });
  stopBeforeRemoval(() => service.stop());
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

  // Every role against the read endpoints: public ones for all; entry content by the visibility rule.
  const seeds: Record<string, Uint8Array> = { operator: gk.seed, prescriber: new Uint8Array(32).fill(100), pharmacist: new Uint8Array(32).fill(101), courier: new Uint8Array(32).fill(102), regulator: new Uint8Array(32).fill(103) };
  const size = (await client.log()).size;
  const url = `/v1/log/entries?start=0&end=${size}`;
  for (const [role, s] of Object.entries(seeds)) {
    const res = await fetch(`${service.url}${url}`, { headers: createReadSigner({ seed: s })('GET', url) });
    t.equal(res.status, 200, `${role} reads entries`);
    const entries = ((await res.json()) as { entries: { data: string | null; entry: { body: { statement?: { actor: string; payload: Record<string, unknown> } } } | null }[] }).entries;
    const visible = entries.filter((e) => e.data !== null).length;
    if (role === 'operator' || role === 'regulator') t.equal(visible, entries.length, `${role} sees everything`);
    else {
      t.ok(visible > 1 && visible < entries.length, `${role} sees part of the log (${visible} of ${entries.length})`);
      const own = `m-${role}`;
      t.ok(entries.every((e) => e.entry === null || e.entry.body.statement === undefined || e.entry.body.statement.actor === own || e.entry.body.statement.payload.actorId === own || typeof e.entry.body.statement.payload.institutionId === 'string'), `${role} sees only what concerns them`);
    }
    for (const publicPath of ['/checkpoint', '/v1/log', '/v1/log/proof/inclusion?index=0&size=1']) {
      t.equal((await fetch(`${service.url}${publicPath}`)).status, 200, `${publicPath} is public`);
    }
  }
  // Suspended readers and revoked keys are refused.
  await client.submit(operator.sign('registry.actor-suspend', { actorId: 'm-pharmacist', reason: 'audit' }));
  const suspended = await fetch(`${service.url}${url}`, { headers: createReadSigner({ seed: seeds.pharmacist! })('GET', url) });
  t.equal(((await suspended.json()) as { error: { code: string } }).error.code, 'AUTH_ACTOR_SUSPENDED');
  await client.submit(operator.sign('registry.key-revoke', { actorId: 'm-courier', keyId: signers.courier!.keyId, reason: 'left-institution' }));
  const revoked = await fetch(`${service.url}${url}`, { headers: createReadSigner({ seed: seeds.courier! })('GET', url) });
  t.equal(((await revoked.json()) as { error: { code: string } }).error.code, 'AUTH_KEY_REVOKED');

  // The registry projection equals a replay of the log.
  const db = openDatabase(join(dataDir, 'ledger.sqlite'), { readonly: true });
  const projection = createRegistryStore(db);
  const replay = createStateReplay({ origin, timestampWindowMs: 300_000, verifySignature: isValidEd25519, ruleSets: libraryOf(starterRuleSet()) });
  for (const stored of createLedgerStore(db).readEntries(0, Number.MAX_SAFE_INTEGER)) replay.check(parseEntry(stored.data), stored.index);
  for (const id of ['op-genesis', 'm-prescriber', 'm-pharmacist', 'm-courier', 'm-regulator', 'x-op-25']) {
    t.ok(projection.actor(id), `actor ${id} exists`);
    t.same(projection.actor(id), replay.state.actor(id), `actor ${id} as replayed`);
  }
  for (const signer of Object.values(signers)) t.same(projection.key(signer.keyId), replay.state.key(signer.keyId), `key of ${signer.actorId} as replayed`);
  for (const id of ['hosp-m', 'ph-m', 'x-inst-24']) {
    t.ok(projection.institution(id), `institution ${id} exists`);
    t.same(projection.institution(id), replay.state.institution(id), `institution ${id} as replayed`);
  }
  db.close();
});

const INTAKES = ['taken in on a worker thread', 'parsed on the event loop'] as const;

/**
 * A service whose statement bodies are taken in on its worker, or parsed on the event loop: the
 * answers must not depend on where a body was parsed (src/ledger/statement-intake.ts).
 */
async function serviceWithIntake(t: Test, intake: (typeof INTAKES)[number]) {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' }), { logger: pino({ level: 'silent' }) });
  stopBeforeRemoval(() => service.stop());
  if (intake === 'taken in on a worker thread') await service.statementIntake.ready();
  else await service.statementIntake.close();
  const client = createLedgerClient(service.url);
  const { origin } = await client.log();
  const genesisKey = readActorKey(genesisOperatorKeyPath(dataDir));
  return { service, client, operator: createStatementSigner({ origin, actorId: genesisKey.actorId, seed: genesisKey.seed }) };
}

for (const intake of INTAKES) t.test(`a body with more than one reading is refused before it is judged, on every write route (fuzz campaign): statements ${intake}`, async (t) => {
  const { service, client, operator } = await serviceWithIntake(t, intake);
  const post = async (path: string, body: Uint8Array | string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const res = await fetch(`${service.url}${path}`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; paths: string[] } } };
  };
  const before = (await client.log()).size;
  // Signed over name "A"; a parser keeping the last duplicate reads "A", one keeping the first reads "EVIL".
  const signed = operator.sign('registry.institution-register', { institutionId: 'hosp-dup-1', kind: 'hospital', name: 'A', region: '370100', licence: 'L1' });
  const text = JSON.stringify(signed);
  t.match(await post('/v1/statements', text.replace('"name":"A"', '"name":"EVIL","name":"A"')), { status: 400, body: { error: { code: 'REQUEST_INVALID', paths: ['body.statement.payload.name'] } } }, 'a duplicate member');
  t.match(await post('/v1/statements', text.replace('"name":"A"', '"n\\u0061me":"EVIL","name":"A"')), { status: 400, body: { error: { code: 'REQUEST_INVALID' } } }, 'a duplicate spelled with an escape');
  // Signed over U+FFFD; the wire carries an invalid byte where it was: a lenient decoder reads the signed statement.
  const replaced = operator.sign('registry.institution-register', { institutionId: 'hosp-utf-1', kind: 'hospital', name: 'A\ufffd', region: '370100', licence: 'L1' });
  const bytes = Buffer.from(JSON.stringify(replaced));
  const at = bytes.indexOf(Buffer.from([0xef, 0xbf, 0xbd]));
  t.match(await post('/v1/statements', Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at + 3)])), { status: 400, body: { error: { code: 'ENCODING_MALFORMED' } } }, 'invalid UTF-8');
  t.match(await post('/v1/statements', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), { status: 400, body: { error: { code: 'REQUEST_INVALID' } } }, 'a byte-order mark');
  t.match(await post('/v1/statements', text, { 'content-type': 'application/json; charset=utf-16' }), { status: 415, body: { error: { code: 'REQUEST_MEDIA_TYPE_UNSUPPORTED' } } }, 'another charset');
  t.match(await post('/v1/statements', text, { 'content-type': 'application/json', 'content-encoding': 'gzip' }), { status: 415, body: { error: { code: 'REQUEST_MEDIA_TYPE_UNSUPPORTED' } } }, 'a content coding');
  t.match(await post('/v1/statements', text, { 'content-type': 'text/plain' }), { status: 415, body: { error: { code: 'REQUEST_MEDIA_TYPE_UNSUPPORTED' } } }, 'not JSON');
  for (const path of ['/v1/patients', '/v1/checks', '/cds-services/rxledger-order-sign', '/v1/checkpoint/cosignatures']) {
    t.match(await post(path, '{"a":1,"a":2}'), { status: 400, body: { error: { code: 'REQUEST_INVALID', paths: ['body.a'] } } }, `${path}: a duplicate member`);
  }
  t.equal((await client.log()).size, before, 'nothing was written');
  t.equal((await post('/v1/statements', text)).status, 201, 'the same statement, sent plainly, is recorded');
});

for (const intake of INTAKES) t.test(`bad input names the field at fault: each unknown member, the action: statements ${intake}`, async (t) => {
  const { service, client, operator } = await serviceWithIntake(t, intake);
  const post = async (body: unknown) => {
    const res = await fetch(`${service.url}/v1/statements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, error: ((await res.json()) as { error?: { code: string; paths: string[] } }).error };
  };
  const before = (await client.log()).size;
  const payload = { institutionId: 'hosp-paths-1', kind: 'hospital', name: 'H', region: '370100', licence: 'L1' };
  const signed = operator.sign('registry.institution-register', payload);
  const cases: Array<{ what: string; body: unknown; code: string; paths: string[] }> = [
    { what: 'an unknown member at the top of the body', body: { ...signed, extra: 1 }, code: 'REQUEST_INVALID', paths: ['body.extra'] },
    { what: 'two unknown members at once', body: { ...signed, extra: 1, more: 2 }, code: 'REQUEST_INVALID', paths: ['body.extra', 'body.more'] },
    { what: 'an unknown member of the statement', body: { ...signed, statement: { ...signed.statement, colour: 'red' } }, code: 'REQUEST_INVALID', paths: ['body.statement.colour'] },
    { what: 'an unknown action', body: operator.sign('registry.teleport', payload), code: 'ENTRY_TYPE_UNKNOWN', paths: ['body.statement.action'] },
    { what: 'an action only the ledger writes', body: operator.sign('ledger.checkpoint-keys', payload), code: 'ENTRY_TYPE_RESERVED', paths: ['body.statement.action'] },
    { what: 'a second genesis operator', body: operator.sign('registry.genesis-operator', { actorId: 'op-evil', publicKey: encodeBase64(new Uint8Array(32).fill(9)), notBefore: 0 }), code: 'ENTRY_TYPE_RESERVED', paths: ['body.statement.action'] },
  ];
  for (const c of cases) {
    const res = await post(c.body);
    t.equal(res.status, 400, `${c.what}: status`);
    t.equal(res.error?.code, c.code, `${c.what}: code`);
    t.same(res.error?.paths, c.paths, `${c.what}: paths`);
  }
  // Inside the payload too: signedStatementBody (src/domain/registry/registry-entry-types.ts) keeps
  // each payload issue whole, unknown members' names included.
  const one = await post(operator.sign('registry.institution-register', { ...payload, colour: 'red' }));
  t.equal(one.error?.code, 'ENTRY_BODY_INVALID', 'an unknown member of the payload: code');
  t.same(one.error?.paths, ['body.statement.payload.colour'], 'an unknown member of the payload: paths');
  const two = await post(operator.sign('registry.institution-register', { ...payload, colour: 'red', size: 'L' }));
  t.equal(two.error?.code, 'ENTRY_BODY_INVALID', 'two unknown members of the payload: code');
  t.same(two.error?.paths, ['body.statement.payload.colour', 'body.statement.payload.size'], 'two unknown members of the payload: paths');
  t.equal((await client.log()).size, before, 'nothing was written');
});
