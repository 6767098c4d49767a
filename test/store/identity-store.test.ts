import t from 'tap';
import { readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openIdentityStore } from '../../src/store/identity-store.js';
import { patientPseudonym } from '../../src/domain/patient/patient-privacy.js';
import { throwsCode } from '../support/assert-code.js';
import { testdirWithStops } from '../support/testdir.js';

const KEY = new Uint8Array(32).fill(3);
const IDENTITY = { name: '赵小明', nationalId: '370102195803021234', phone: '13800000000', address: { region: '370102', line: '历下区泉城路1号' } };

t.test('store, look up and erase an identity record', async (t) => {
  const path = join(t.testdir(), 'identity.sqlite');
  const store = openIdentityStore({ path, pseudonymKey: KEY, randomBytes: (n) => new Uint8Array(randomBytes(n)) });
  const { pseudonym, commitment } = store.put(IDENTITY);
  t.equal(pseudonym, patientPseudonym(KEY, IDENTITY.nationalId));
  t.match(commitment, /^[0-9a-f]{64}$/);
  t.not(store.put(IDENTITY).commitment, commitment, 'a fresh salt per record: commitments do not link records');
  const got = store.get(commitment);
  t.same(got.status === 'present' ? got.identity : undefined, IDENTITY);
  t.equal(store.erase(commitment, 1_767_225_600_000), true);
  t.same(store.get(commitment), { status: 'erased', erasedAt: 1_767_225_600_000 });
  t.equal(store.erase(commitment, 1), false, 'erasing twice changes nothing');
  t.same(store.get('f'.repeat(64)), { status: 'unknown' });
  throwsCode(t, () => store.put({ ...IDENTITY, nationalId: '123' }), 'REQUEST_INVALID');
  store.close();
});

t.test('erased identifiers do not linger in the database file', async (t) => {
  const path = join(t.testdir(), 'identity.sqlite');
  const store = openIdentityStore({ path, pseudonymKey: KEY, randomBytes: (n) => new Uint8Array(randomBytes(n)) });
  const marker = { ...IDENTITY, name: 'ERASE-ME-MARKER-NAME' };
  const { commitment } = store.put(marker);
  store.erase(commitment, 1);
  store.close(); // checkpoints the WAL into the main file
  const bytes = readFileSync(path).toString('latin1');
  t.notOk(bytes.includes('ERASE-ME-MARKER-NAME'), 'the name is gone from the file');
  t.notOk(bytes.includes(IDENTITY.nationalId), 'and so is the national id');
});

t.test('erasure also erases what could re-identify: request hashes; the file is private', async (t) => {
  const path = join(t.testdir(), 'identity.sqlite');
  const store = openIdentityStore({ path, pseudonymKey: KEY, randomBytes: (n) => new Uint8Array(randomBytes(n)) });
  t.equal(statSync(path).mode & 0o777, 0o600, 'the identity file is 0600');
  const request = { actorId: 'dr-x', nonce: 'a'.repeat(32), idempotencyKey: 'idem-0000001', requestHash: 'c'.repeat(64) };
  const first = store.putForRequest(IDENTITY, request);
  t.same(store.replayOf(request), { pseudonym: first.pseudonym, commitment: first.commitment, replayed: true });
  throwsCode(t, () => store.replayOf({ ...request, requestHash: 'd'.repeat(64) }), 'IDEMPOTENCY_KEY_CONFLICT');
  throwsCode(t, () => store.putForRequest(IDENTITY, { ...request, idempotencyKey: 'idem-0000002' }), 'AUTH_NONCE_REUSED');
  store.erase(first.commitment, 5);
  throwsCode(t, () => store.replayOf(request), 'PATIENT_IDENTITY_ERASED', 'a retry after erasure is told so');
  store.close();
  t.notOk(readFileSync(path).toString('latin1').includes('c'.repeat(64)), 'the request hash is gone from the file');
});

t.test('the position of applied erasures: 0 in a new file, kept across a reopen, replaced by each save', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const path = join(dir, 'identity.sqlite');
  const open = () => openIdentityStore({ path, pseudonymKey: KEY, randomBytes: (n) => new Uint8Array(randomBytes(n)) });
  const store = open();
  t.equal(store.erasuresAppliedBelow(), 0);
  store.saveErasuresAppliedBelow(120);
  store.saveErasuresAppliedBelow(4500);
  store.close();
  const again = open();
  stopBeforeRemoval(() => again.close());
  t.equal(again.erasuresAppliedBelow(), 4500);
  t.notOk(again.holdsIdentities(), 'no record yet');
  const { commitment } = again.put(IDENTITY);
  t.ok(again.holdsIdentities(), 'one');
  t.equal(again.erase(commitment, 5), true, 'and erases as before after a save');
  t.notOk(again.holdsIdentities(), 'none once it is erased: a tombstone holds no identifiers');
});
