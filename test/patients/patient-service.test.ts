/** POST /v1/patients end to end: signed, role-checked, idempotent, never in the ledger or the logs. */
import t from 'tap';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLedgerClient, createStatementSigner } from '../../src/client/index.js';
import { loadConfig } from '../../src/config.js';
import { encodeBase64 } from '../../src/core/bytes.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { loadOrCreateSecret } from '../../src/keys/secret-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { patientPseudonym } from '../../src/domain/patient/patient-privacy.js';
import { startService } from '../../src/service.js';
import { testdirWithStops } from '../support/testdir.js';

const IDENTITY = { name: '孙丽娟', nationalId: '370102199001011234', phone: '13912345678', address: { region: '370102', line: '历下区解放路88号' } };

t.test('prescribers turn identity records into pseudonym and commitment; nothing personal leaks', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  let logged = '';
  const logger = pino({ level: 'trace' }, new Writable({ write: (chunk, _enc, done) => ((logged += String(chunk)), done()) }));
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger });
  stopBeforeRemoval(() => service.stop());
  const client = createLedgerClient(service.url);
  const { origin } = await client.log();
  const gk = readActorKey(genesisOperatorKeyPath(dataDir));
  const operator = createStatementSigner({ origin, actorId: gk.actorId, seed: gk.seed });
  const doctor = createStatementSigner({ origin, actorId: 'dr-sun', seed: new Uint8Array(32).fill(21) });
  await client.submit(operator.sign('registry.institution-register', { institutionId: 'hosp-p', kind: 'hospital', name: 'H', region: '370100', licence: 'L' }));
  await client.submit(operator.sign('registry.actor-register', { actorId: 'dr-sun', role: 'prescriber', institutionId: 'hosp-p', name: '孙医生', licence: 'L1', title: '主治医师', department: '内科', privileges: { narcotic: false, psychotropicI: false, psychotropicII: false, antimicrobialGrade: 'none' } }));
  await client.submit(operator.sign('registry.key-add', { actorId: 'dr-sun', publicKey: encodeBase64(doctor.publicKey), notBefore: 0 }));
  const sizeBefore = (await client.log()).size;

  const post = (body: unknown) => fetch(`${service.url}/v1/patients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const request = doctor.sign('patient.identify', { identity: IDENTITY });
  const first = await post(request);
  t.equal(first.status, 201);
  const created = (await first.json()) as { pseudonym: string; identityCommitment: string };
  const key = loadOrCreateSecret(dataDir, 'patient-pseudonym', () => new Uint8Array(32));
  t.equal(created.pseudonym, patientPseudonym(key, IDENTITY.nationalId), 'the pseudonym is the keyed hash of the national id');
  const retry = await post(request);
  t.equal(retry.status, 200);
  t.same(await retry.json(), { ...created, replayed: true }, 'an identical retry returns the original');
  const again = (await (await post(doctor.sign('patient.identify', { identity: IDENTITY }))).json()) as { pseudonym: string; identityCommitment: string };
  t.equal(again.pseudonym, created.pseudonym, 'the same patient keeps one pseudonym');
  t.not(again.identityCommitment, created.identityCommitment, 'but every record has its own commitment');

  const late = createStatementSigner({ origin, actorId: 'dr-sun', seed: new Uint8Array(32).fill(21), clock: () => Date.now() - 3_600_000 });
  const oldRequest = late.sign('patient.identify', { identity: IDENTITY });
  t.equal(((await (await post(oldRequest)).json()) as { error: { code: string } }).error.code, 'AUTH_TIMESTAMP_OUT_OF_WINDOW', 'a stale new request is refused');
  const conflict = await post(doctor.sign('patient.identify', { identity: { ...IDENTITY, phone: '13000000000' } }, { idempotencyKey: request.statement.idempotencyKey }));
  t.equal(conflict.status, 409);
  const byOperator = await post(operator.sign('patient.identify', { identity: IDENTITY }));
  t.equal(((await byOperator.json()) as { error: { code: string } }).error.code, 'AUTH_ROLE_FORBIDDEN');
  const bad = await post(doctor.sign('patient.identify', { identity: { ...IDENTITY, nationalId: '12345' } }));
  t.equal(bad.status, 400);
  const badBody = await bad.text();
  t.same(JSON.parse(badBody).error.paths, ['body.statement.payload.identity.nationalId']);
  t.notOk(badBody.includes(IDENTITY.name) || badBody.includes('12345'), 'error bodies carry paths, never values');
  // An unknown member is named itself, one path each, not the object that holds it.
  const pathsOf = async (body: unknown) => ((await (await post(body)).json()) as { error: { code: string; paths: string[] } }).error;
  t.same(await pathsOf({ ...request, extra: 1 }), { code: 'REQUEST_INVALID', message: 'invalid body', paths: ['body.extra'] }, 'an unknown member at the top of the body');
  t.same((await pathsOf({ ...request, extra: 1, more: 2 })).paths, ['body.extra', 'body.more'], 'two unknown members, two paths');
  t.same((await pathsOf(doctor.sign('patient.identify', { identity: IDENTITY, colour: 'red' }))).paths, ['body.statement.payload.colour'], 'an unknown member of the payload');
  const nested = await pathsOf(doctor.sign('patient.identify', { identity: { ...IDENTITY, address: { ...IDENTITY.address, floor: '3', door: '301' } } }));
  t.same(nested.paths, ['body.statement.payload.identity.address.floor', 'body.statement.payload.identity.address.door'], 'unknown members nested in the identity record');
  const forged = await post({ ...request, statement: { ...request.statement, payload: { identity: { ...IDENTITY, name: '别人' } } } });
  t.equal(((await forged.json()) as { error: { code: string } }).error.code, 'AUTH_SIGNATURE_INVALID');

  t.equal((await client.log()).size, sizeBefore, 'nothing went into the ledger');
  for (const secret of [IDENTITY.name, IDENTITY.nationalId, IDENTITY.phone, IDENTITY.address.line]) t.notOk(logged.includes(secret), 'the service log holds no personal data');
  t.ok(logged.length > 0, 'the log was captured');
});
