/**
 * Preparing a signed statement before it is sequenced: its digest equals the one admission
 * computes itself, the signature counts as verified only for the exact signature, message and key
 * proven beforehand, and nothing prepared survives a change of standing: a key revoked between
 * preparation and sequencing is still refused.
 */
import t from 'tap';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { canonicalJson, type JsonObject } from '../../src/core/canonical-json.js';
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import { RxError } from '../../src/core/errors.js';
import { createStatementSigner } from '../../src/client/index.js';
import { encodeBase64 } from '../../src/core/bytes.js';
import { statementDigest, type KeyRecord } from '../../src/domain/registry/registry-rules.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { createStatementPreparation, preverifiedSignatureCheck } from '../../src/ledger/statement-preparation.js';
import { createNodeEd25519Verifier } from '../../src/platform/node-ed25519.js';
import { nodeSha256Hex } from '../../src/platform/node-sha256.js';
import { startService } from '../../src/service.js';
import { testdirWithStops } from '../support/testdir.js';

const ORIGIN = 'prep.example/log';
const seed = new Uint8Array(32).fill(11);
const signer = createStatementSigner({ origin: ORIGIN, actorId: 'op-prep', seed });
const key: KeyRecord = { keyId: signer.keyId, actorId: 'op-prep', publicKey: publicKeyFromSeed(seed), notBefore: 0, notAfter: null, revokedAt: null };
const sync = createNodeEd25519Verifier();
const entryOf = (body: JsonObject) => ({ body, bodyJson: canonicalJson(body, ['body'], 1) });

t.test('digest and pre-verification', async (t) => {
  const asked: number[] = [];
  const prepare = createStatementPreparation({
    registry: { key: (id) => (id === key.keyId ? key : undefined) },
    verifyAsync: async (sig, msg, pub) => (asked.push(1), sync.verify(sig, msg, pub)),
    sha256Hex: nodeSha256Hex,
  });
  const signed = signer.sign('registry.institution-register', { institutionId: 'h-1', kind: 'hospital', name: 'H', region: '370100', licence: 'L' });
  const body = signed as unknown as JsonObject;
  const prepared = await prepare(entryOf(body));
  t.same(prepared?.digest, statementDigest(signed), 'the digest admission would compute');
  t.same(prepared?.verified?.publicKey, key.publicKey, 'verified against the registered key');

  const forged = { ...signed, statement: { ...signed.statement, timestamp: signed.statement.timestamp + 1 } };
  const refused = await prepare(entryOf(forged as unknown as JsonObject));
  t.same(refused?.digest, statementDigest(forged), 'a forged statement still gets its digest');
  t.equal(refused?.verified, undefined, 'but no verified signature');

  const stranger = createStatementSigner({ origin: ORIGIN, actorId: 'op-other', seed: new Uint8Array(32).fill(12) });
  const unknown = await prepare(entryOf(stranger.sign('registry.institution-register', { institutionId: 'h-2', kind: 'hospital', name: 'H', region: '370100', licence: 'L' }) as unknown as JsonObject));
  t.equal(unknown?.verified, undefined, 'an unknown key: nothing verified');
  t.equal(await prepare(entryOf({ n: 1 })), undefined, 'a body without a statement is not prepared');
  t.equal(await prepare({ body, bodyJson: '{}' }).then((p) => p?.digest.requestHash), statementDigest(signed).requestHash, 'mismatched canonical text: the statement is canonicalised instead');
  const failing = createStatementPreparation({ registry: { key: () => key }, verifyAsync: () => Promise.reject(new Error('worker died')), sha256Hex: nodeSha256Hex });
  t.equal((await failing(entryOf(body)))?.verified, undefined, 'a failed pool verifies nothing');
  t.ok(asked.length >= 2, 'the pool was asked');

  let fallbacks = 0;
  const check = preverifiedSignatureCheck((sig, msg, pub) => (fallbacks++, sync.verify(sig, msg, pub)), prepared);
  const { signingBytes } = prepared!.digest;
  const sigBytes = prepared!.verified!.signature;
  t.equal(check(sigBytes, Uint8Array.from(signingBytes), key.publicKey), true, 'the proven triple');
  t.equal(fallbacks, 0, 'answered without verifying again');
  t.equal(check(sigBytes, Uint8Array.from(signingBytes), publicKeyFromSeed(new Uint8Array(32).fill(13))), false, 'another key is verified for real');
  t.equal(check(sigBytes, statementDigest(forged).signingBytes, key.publicKey), false, 'another message is verified for real');
  t.equal(fallbacks, 2);
});

t.test("the intake's signature check stands in for the pool's only under the key the registry holds", async (t) => {
  let asked = 0;
  const prepare = createStatementPreparation({
    registry: { key: (id) => (id === key.keyId ? key : undefined) },
    verifyAsync: async (sig, msg, pub) => (asked++, sync.verify(sig, msg, pub)),
    sha256Hex: nodeSha256Hex,
  });
  const signed = signer.sign('registry.institution-register', { institutionId: 'h-3', kind: 'hospital', name: 'H', region: '370100', licence: 'L' });
  const body = signed as unknown as JsonObject;
  const digest = statementDigest(signed);
  const taken = await prepare({ ...entryOf(body), digest: { ...digest, verifiedKey: key.publicKey } });
  t.same(taken?.verified?.publicKey, key.publicKey, 'checked by the intake under the registered key: verified');
  t.equal(asked, 0, 'without asking the pool');
  const otherKey = publicKeyFromSeed(new Uint8Array(32).fill(14));
  const elsewhere = await prepare({ ...entryOf(body), digest: { ...digest, verifiedKey: otherKey } });
  t.equal(asked, 1, 'checked under another key: the pool is asked');
  t.same(elsewhere?.verified?.publicKey, key.publicKey, 'and verifies it under the registered key');
  const forged = { ...signed, statement: { ...signed.statement, timestamp: signed.statement.timestamp + 1 } };
  const refused = await prepare({ ...entryOf(forged as unknown as JsonObject), digest: { ...statementDigest(forged), verifiedKey: otherKey } });
  t.equal(refused?.verified, undefined, 'a claim under another key never makes a forged statement verified');
  const check = preverifiedSignatureCheck(() => false, taken);
  t.equal(check(taken!.verified!.signature, Uint8Array.from(digest.signingBytes), key.publicKey), true, 'admission takes the exact triple');
  t.equal(check(taken!.verified!.signature, Uint8Array.from(digest.signingBytes), otherKey), false, 'and nothing else');
});

t.test('a key revoked between preparation and sequencing is refused', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', LOG_ORIGIN: ORIGIN }), { logger: pino({ level: 'silent' }) });
  stopBeforeRemoval(() => service.stop());
  const genesis = readActorKey(genesisOperatorKeyPath(dataDir));
  const operator = createStatementSigner({ origin: ORIGIN, actorId: genesis.actorId, seed: genesis.seed });
  const second = createStatementSigner({ origin: ORIGIN, actorId: 'op-second', seed: new Uint8Array(32).fill(21) });
  const append = (s: ReturnType<typeof operator.sign>) => service.ledger.append(s.statement.action, s);
  await append(operator.sign('registry.actor-register', { actorId: 'op-second', role: 'operator', name: 'Second' }));
  await append(operator.sign('registry.key-add', { actorId: 'op-second', publicKey: encodeBase64(second.publicKey), notBefore: Date.now() - 1000 }));
  const inst = (id: string) => ({ institutionId: id, kind: 'pharmacy', name: '药房', region: '370100', licence: 'YP001', delivers: true });
  t.equal((await append(second.sign('registry.institution-register', inst('ph-1')))).entry.type, 'registry.institution-register', 'the key works');

  // Both are prepared at once, against the registry as it stands (the key in good standing); the
  // revocation is sequenced first.
  const revocation = append(operator.sign('registry.key-revoke', { actorId: 'op-second', keyId: second.keyId, reason: 'compromised' }));
  const late = append(second.sign('registry.institution-register', inst('ph-2')));
  await revocation;
  await late.then(
    () => t.fail('accepted after the revocation'),
    (err) => t.equal(err instanceof RxError ? err.code : String(err), 'AUTH_KEY_REVOKED', 'refused with the revocation'),
  );
});
