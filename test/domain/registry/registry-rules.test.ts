import t from 'tap';
import { encodeBase64 } from '../../../src/core/bytes.js';
import { isValidEd25519, publicKeyFromSeed } from '../../../src/core/ed25519.js';
import type { ErrorCode } from '../../../src/core/errors.js';
import { RxError } from '../../../src/core/errors.js';
import { createStatementSigner, type StatementSigner } from '../../../src/client/statement-signer.js';
import { MemoryRegistry } from '../../../src/domain/registry/memory-registry.js';
import { admitGenesisOperator, admitStatement, type AdmitContext } from '../../../src/domain/registry/registry-rules.js';
import type { SignedStatement } from '../../../src/core/statement.js';

const ORIGIN = 'test.example/ledger';
const T0 = 1_767_225_600_000;
const seed = (n: number) => new Uint8Array(32).fill(n);

function setup() {
  const registry = new MemoryRegistry();
  let index = 0;
  let now = T0;
  let counter = 0;
  const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => (counter * 31 + i) & 0xff).map((b, i) => (i === 0 ? ++counter & 0xff : b));
  const ctx = (): AdmitContext => ({ origin: ORIGIN, index, time: now, timestampWindowMs: 300_000, verifySignature: isValidEd25519 });
  const signer = (actorId: string, s: number) => createStatementSigner({ origin: ORIGIN, actorId, seed: seed(s), clock: () => now, randomBytes: random });
  const admit = (signed: SignedStatement) => {
    const a = admitStatement(registry, signed, ctx());
    if (a.kind === 'append') {
      registry.apply(a.mutations);
      index++;
    }
    return a;
  };
  const operator = signer('op-genesis', 1);
  const genesis = operator.sign('registry.genesis-operator', { actorId: 'op-genesis', publicKey: encodeBase64(operator.publicKey), notBefore: T0 });
  const g = admitGenesisOperator(registry, genesis, ctx());
  if (g.kind === 'append') registry.apply(g.mutations);
  index++;
  return { registry, operator, signer, admit, advance: (ms: number) => (now += ms), now: () => now };
}

function refused(t: { pass(m: string): unknown; fail(m: string): unknown }, fn: () => unknown, code: ErrorCode, what: string) {
  try {
    fn();
    t.fail(`${what}: admitted`);
  } catch (err) {
    if (err instanceof RxError && err.code === code) t.pass(what);
    else t.fail(`${what}: ${err instanceof RxError ? err.code : String(err)}`);
  }
}

function registerPrescriber(env: ReturnType<typeof setup>, actorId: string, keySeed: number): StatementSigner {
  const doctor = env.signer(actorId, keySeed);
  env.admit(env.operator.sign('registry.actor-register', {
    actorId, role: 'prescriber', institutionId: 'hosp-a', name: '张医生', licence: '110370100000001', title: '主治医师', department: '内科',
    privileges: { narcotic: false, psychotropicI: false, psychotropicII: true, antimicrobialGrade: 'restricted' },
  }));
  env.admit(env.operator.sign('registry.key-add', { actorId, publicKey: encodeBase64(doctor.publicKey), notBefore: env.now() }));
  return doctor;
}

t.test('the operator builds the registry with signed statements', async (t) => {
  const env = setup();
  env.admit(env.operator.sign('registry.institution-register', { institutionId: 'hosp-a', kind: 'hospital', name: '济南市第一医院', region: '370100', licence: 'PDY-001' }));
  const doctor = registerPrescriber(env, 'dr-zhang', 2);
  t.equal(env.registry.actor('dr-zhang')?.role, 'prescriber');
  t.equal(env.registry.actor('dr-zhang')?.region, '370100', 'region inherited from the institution');
  t.equal(env.registry.key(doctor.keyId)?.actorId, 'dr-zhang');
  t.equal(env.registry.institution('hosp-a')?.kind, 'hospital');
});

t.test('authentication failures have distinct codes and change nothing', async (t) => {
  const env = setup();
  env.admit(env.operator.sign('registry.institution-register', { institutionId: 'hosp-a', kind: 'hospital', name: 'A', region: '370100', licence: 'L1' }));
  const doctor = registerPrescriber(env, 'dr-zhang', 2);
  const inst = (id: string) => ({ institutionId: id, kind: 'hospital', name: 'X', region: '370100', licence: 'L' });

  const stranger = env.signer('op-genesis', 9);
  refused(t, () => env.admit(stranger.sign('registry.institution-register', inst('hosp-x'))), 'AUTH_KEY_UNKNOWN', 'unknown key');
  const signed = env.operator.sign('registry.institution-register', inst('hosp-b'));
  refused(t, () => env.admit({ ...signed, statement: { ...signed.statement, payload: inst('hosp-c') } }), 'AUTH_SIGNATURE_INVALID', 'signature over other bytes');
  refused(t, () => env.admit({ ...signed, statement: { ...signed.statement, actor: 'dr-zhang' } }), 'AUTH_SIGNATURE_INVALID', 'actor changed after signing');
  const impostor = createStatementSigner({ origin: ORIGIN, actorId: 'op-genesis', seed: seed(2) });
  refused(t, () => env.admit(impostor.sign('registry.institution-register', inst('hosp-i'))), 'AUTH_KEY_ACTOR_MISMATCH', 'the doctor\'s own key, claiming to be the operator');
  const elsewhere = createStatementSigner({ origin: 'other.example/ledger', actorId: 'op-genesis', seed: seed(1) });
  refused(t, () => env.admit(elsewhere.sign('registry.institution-register', inst('hosp-d'))), 'AUTH_ORIGIN_MISMATCH', 'statement for another log');
  const stale = env.operator.sign('registry.institution-register', inst('hosp-e'));
  env.advance(300_001);
  refused(t, () => env.admit(stale), 'AUTH_TIMESTAMP_OUT_OF_WINDOW', 'stale timestamp');
  refused(t, () => env.admit(doctor.sign('registry.institution-register', inst('hosp-f'))), 'AUTH_ROLE_FORBIDDEN', 'wrong role');
  t.equal(env.registry.institution('hosp-b'), undefined, 'nothing was recorded');

  // Nonce reuse with a fresh idempotency key is a replay attempt.
  const first = env.operator.sign('registry.institution-register', inst('hosp-g'));
  env.admit(first);
  const replayed = { ...first, statement: { ...first.statement, idempotencyKey: 'other-key-123', payload: inst('hosp-h') } };
  const resigned = createStatementSigner({ origin: ORIGIN, actorId: 'op-genesis', seed: seed(1) });
  const reSigned = { statement: replayed.statement, signature: resigned.sign('x.y', {}).signature };
  refused(t, () => env.admit(reSigned), 'AUTH_SIGNATURE_INVALID', 'tampered replay');
});

t.test('idempotency: an identical retry returns the original; a different statement with the same key is refused', async (t) => {
  const env = setup();
  const signed = env.operator.sign('registry.institution-register', { institutionId: 'ph-a', kind: 'pharmacy', name: 'P', region: '370100', licence: 'L', delivers: true }, { idempotencyKey: 'create-ph-a-0001' });
  const first = env.admit(signed);
  t.equal(first.kind, 'append');
  const retry = env.admit(signed);
  t.same(retry, { kind: 'replay', index: 1 });
  const other = env.operator.sign('registry.institution-register', { institutionId: 'ph-b', kind: 'pharmacy', name: 'P', region: '370100', licence: 'L', delivers: false }, { idempotencyKey: 'create-ph-a-0001' });
  refused(t, () => env.admit(other), 'IDEMPOTENCY_KEY_CONFLICT', 'same idempotency key, other statement');
  // Nothing is disclosed before the signature is proven: no forged retries, no idempotency oracle.
  const zeros = 'A'.repeat(86) + '==';
  refused(t, () => env.admit({ ...signed, signature: zeros }), 'AUTH_SIGNATURE_INVALID', 'an identical statement with a forged signature is no retry');
  const stranger = env.signer('op-genesis', 9);
  refused(t, () => env.admit(stranger.sign('registry.institution-register', { institutionId: 'ph-c', kind: 'pharmacy', name: 'P', region: '370100', licence: 'L', delivers: false }, { idempotencyKey: 'create-ph-a-0001' })), 'AUTH_KEY_UNKNOWN', 'a stranger learns nothing about used idempotency keys');
});

t.test('keys: validity window, revocation, suspension', async (t) => {
  const env = setup();
  env.admit(env.operator.sign('registry.institution-register', { institutionId: 'hosp-a', kind: 'hospital', name: 'A', region: '370100', licence: 'L1' }));
  const op2 = env.signer('op-second', 3);
  env.admit(env.operator.sign('registry.actor-register', { actorId: 'op-second', role: 'operator', name: '运维二' }));
  env.admit(env.operator.sign('registry.key-add', { actorId: 'op-second', publicKey: encodeBase64(op2.publicKey), notBefore: env.now() + 1000, notAfter: env.now() + 100_000 }));
  const inst = (id: string) => ({ institutionId: id, kind: 'hospital', name: 'X', region: '370100', licence: 'L' });
  refused(t, () => env.admit(op2.sign('registry.institution-register', inst('hos-1'))), 'AUTH_KEY_NOT_VALID_NOW', 'before notBefore');
  env.advance(2000);
  t.equal(env.admit(op2.sign('registry.institution-register', inst('hos-2'))).kind, 'append', 'inside the window');
  env.admit(env.operator.sign('registry.actor-suspend', { actorId: 'op-second', reason: 'investigation' }));
  refused(t, () => env.admit(op2.sign('registry.institution-register', inst('hos-3'))), 'AUTH_ACTOR_SUSPENDED', 'suspended actor');
  refused(t, () => env.admit(env.operator.sign('registry.actor-suspend', { actorId: 'op-second', reason: 'again' })), 'REGISTRY_CONFLICT', 'already suspended');
  env.admit(env.operator.sign('registry.actor-reinstate', { actorId: 'op-second', reason: 'cleared' }));
  t.equal(env.admit(op2.sign('registry.institution-register', inst('hos-4'))).kind, 'append', 'reinstated');
  env.admit(env.operator.sign('registry.key-revoke', { actorId: 'op-second', keyId: op2.keyId, reason: 'compromised' }));
  refused(t, () => env.admit(op2.sign('registry.institution-register', inst('hos-5'))), 'AUTH_KEY_REVOKED', 'revoked key');
  env.advance(200_000);
  const op3 = env.signer('op-second', 4);
  env.admit(env.operator.sign('registry.key-add', { actorId: 'op-second', publicKey: encodeBase64(op3.publicKey), notBefore: env.now() - 10 }));
  t.equal(env.admit(op3.sign('registry.institution-register', inst('hos-6'))).kind, 'append', 'a new key works');
});

t.test('registry preconditions', async (t) => {
  const env = setup();
  env.admit(env.operator.sign('registry.institution-register', { institutionId: 'ph-a', kind: 'pharmacy', name: 'P', region: '370100', licence: 'L', delivers: true }));
  const actor = (role: string, institutionId?: string) => ({ actorId: `a-${role}`, role, name: 'N', ...(institutionId ? { institutionId } : {}) });
  refused(t, () => env.admit(env.operator.sign('registry.actor-register', actor('courier', 'ph-a'))), 'REGISTRY_ROLE_INSTITUTION_MISMATCH', 'a courier cannot belong to a pharmacy');
  refused(t, () => env.admit(env.operator.sign('registry.actor-register', actor('pharmacist', 'ph-missing'))), 'REGISTRY_REFERENCE_UNKNOWN', 'unknown institution');
  t.equal(env.admit(env.operator.sign('registry.actor-register', actor('pharmacist', 'ph-a'))).kind, 'append');
  refused(t, () => env.admit(env.operator.sign('registry.actor-register', actor('pharmacist', 'ph-a'))), 'REGISTRY_CONFLICT', 'duplicate actor');
  // One namespace for actor and institution ids: a prescription's parties hold pharmacies' and couriers' ids side by side.
  refused(t, () => env.admit(env.operator.sign('registry.actor-register', { actorId: 'ph-a', role: 'pharmacist', name: 'N', institutionId: 'ph-a' })), 'REGISTRY_CONFLICT', 'an actor named like an institution');
  refused(t, () => env.admit(env.operator.sign('registry.institution-register', { institutionId: 'a-pharmacist', kind: 'pharmacy', name: 'P', region: '370100', licence: 'L', delivers: true })), 'REGISTRY_CONFLICT', 'an institution named like an actor');
  refused(t, () => env.admit(env.operator.sign('registry.key-add', { actorId: 'a-pharmacist', publicKey: encodeBase64(env.operator.publicKey), notBefore: 0 })), 'REGISTRY_CONFLICT', 'a key registered twice');
  refused(t, () => env.admit(env.operator.sign('registry.key-revoke', { actorId: 'a-pharmacist', keyId: env.operator.keyId, reason: 'other' })), 'REGISTRY_REFERENCE_UNKNOWN', 'revoking another actor\'s key');
  t.ok(publicKeyFromSeed(seed(5)).length === 32);
});
