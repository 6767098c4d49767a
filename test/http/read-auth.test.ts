/**
 * The read authenticator remembers each read nonce for two timestamp windows and no longer: at a
 * steady rate of signed reads its memory levels off (the soak campaign once saw it rise for an
 * hour, when expired nonces were dropped only past 100,000 of them).
 */
import t from 'tap';
import type { FastifyRequest } from 'fastify';
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import { actorKeyId } from '../../src/core/statement.js';
import { createReadSigner } from '../../src/client/read-signer.js';
import { MemoryRegistry } from '../../src/domain/registry/memory-registry.js';
import { createReadAuthenticator } from '../../src/http/read-auth.js';
import { nodeVerifySignature as verifySignature } from '../support/node-signatures.js';
import { throwsCode } from '../support/assert-code.js';
import { manualClock } from '../support/test-ledger.js';

const WINDOW_MS = 10_000;

function setUp() {
  const registry = new MemoryRegistry();
  const seed = new Uint8Array(32).fill(71);
  const publicKey = publicKeyFromSeed(seed);
  registry.apply([
    { kind: 'actor', record: { actorId: 'reg-reader', role: 'regulator', institutionId: 'reg-province', region: '370000', privileges: null, suspended: false } },
    { kind: 'key', record: { keyId: actorKeyId(publicKey), actorId: 'reg-reader', publicKey, notBefore: 0, notAfter: null, revokedAt: null } },
  ]);
  const clock = manualClock();
  const auth = createReadAuthenticator({ registry, verifySignature, windowMs: WINDOW_MS, clock });
  const sign = createReadSigner({ seed, clock });
  const request = (headers: Record<string, string>) => ({ method: 'GET', url: '/v1/log/entries?start=0', headers }) as unknown as FastifyRequest;
  const read = () => request(sign('GET', '/v1/log/entries?start=0'));
  return { auth, clock, read, registry };
}

t.test('read nonces are forgotten after two windows, so memory levels off at a steady rate', async (t) => {
  const { auth, clock, read } = setUp();
  const perSecond = 20;
  for (let second = 0; second < 10 * (WINDOW_MS / 1000); second++) {
    for (let i = 0; i < perSecond; i++) auth.authenticate(read());
    clock.advance(1000);
  }
  // Two windows of reads (and the second they straddle), whatever the run's length.
  t.ok(auth.rememberedNonces() <= perSecond * (2 * WINDOW_MS / 1000 + 1), `${auth.rememberedNonces()} nonces remembered after ten windows`);
  t.ok(auth.rememberedNonces() >= perSecond * (2 * WINDOW_MS / 1000 - 1), 'and every nonce of the last two windows still is');
});

t.test('a nonce is refused while remembered', async (t) => {
  const { auth, clock, read } = setUp();
  const replayed = read();
  auth.authenticate(replayed);
  clock.advance(WINDOW_MS / 2);
  throwsCode(t, () => auth.authenticate(replayed), 'AUTH_NONCE_REUSED', 'replayed within the window');
  clock.advance(WINDOW_MS);
  throwsCode(t, () => auth.authenticate(replayed), 'AUTH_TIMESTAMP_OUT_OF_WINDOW', 'and stale after it');
});

t.test('nonces handed over by a previous process are refused until their time; the remembered ones can be handed on', async (t) => {
  const first = setUp();
  const captured = first.read();
  first.auth.authenticate(captured);
  first.clock.advance(1000);
  first.auth.authenticate(first.read());
  const spent = first.auth.spentNonces();
  t.equal(spent.length, 2);
  t.ok(spent[0]![1] <= spent[1]![1], 'earliest first');
  t.match(spent[0]![0], /^[0-9a-f]{16}\n[0-9a-f]{32}$/, 'key id and nonce');

  // The same registry and clock, a new authenticator given what the first remembered.
  const { registry } = first;
  const restarted = createReadAuthenticator({ registry, verifySignature, windowMs: WINDOW_MS, clock: first.clock, remembered: [...spent].reverse() });
  throwsCode(t, () => restarted.authenticate(captured), 'AUTH_NONCE_REUSED', 'a read captured before the restart is not new after it');
  t.ok(restarted.authenticate(first.read()), 'a fresh read is');
  first.clock.advance(2 * WINDOW_MS + 1000);
  t.same(restarted.spentNonces().map(([k]) => k).length, 0, 'all forgotten two windows on');
  const fresh = createReadAuthenticator({ registry, verifySignature, windowMs: WINDOW_MS, clock: first.clock });
  t.same(fresh.spentNonces(), [], 'none without a handover');
});

t.test('after a stop that handed nothing over, reads signed before the start are refused and fresh ones answered', async (t) => {
  const before = setUp();
  const captured = before.read();
  before.auth.authenticate(captured); // answered by the process that then crashed
  before.clock.advance(1500); // the restart: the new process starts mid-second
  const startedAt = before.clock();
  const { registry, clock } = before;
  const restarted = createReadAuthenticator({ registry, verifySignature, windowMs: WINDOW_MS, clock, signedFrom: startedAt });
  throwsCode(t, () => restarted.authenticate(captured), 'AUTH_TIMESTAMP_OUT_OF_WINDOW', 'the captured read, though fresh and its nonce unknown here');
  t.equal(startedAt % 1000, 500);
  throwsCode(t, () => restarted.authenticate(before.read()), 'AUTH_TIMESTAMP_OUT_OF_WINDOW', 'a read created in the start\'s own second could predate it');
  clock.advance(500);
  t.ok(restarted.authenticate(before.read()), 'a read signed from the next second on is answered');
  clock.advance(WINDOW_MS);
  t.ok(restarted.authenticate(before.read()), 'and so is every later one');
});

t.test('a read signed by a clock running ahead is recorded before it is answered; after a crash its key\'s reads up to the record are refused', async (t) => {
  const before = setUp();
  const { registry, clock } = before;
  const keyId = actorKeyId(publicKeyFromSeed(new Uint8Array(32).fill(71)));
  const records: Array<[string, number]> = [];
  let failing = false;
  const aheadReads = {
    recorded: new Map<string, number>(),
    refuseRecorded: false,
    record(id: string, created: number) {
      if (failing) throw new Error('disk full');
      records.push([id, created]);
    },
  };
  const auth = createReadAuthenticator({ registry, verifySignature, windowMs: WINDOW_MS, clock, aheadReads });
  const aheadSign = createReadSigner({ seed: new Uint8Array(32).fill(71), clock: () => clock() + 3000 });
  const aheadRead = () => ({ method: 'GET', url: '/v1/log/entries?start=0', headers: aheadSign('GET', '/v1/log/entries?start=0') }) as unknown as FastifyRequest;

  t.ok(auth.authenticate(before.read()), 'a read signed on time');
  t.same(records, [], 'is not recorded');
  failing = true;
  const refused = aheadRead();
  t.throws(() => auth.authenticate(refused), /disk full/, 'an ahead read that cannot be recorded is not answered');
  failing = false;
  const captured = aheadRead();
  t.ok(auth.authenticate(captured), 'one that is recorded is answered');
  t.ok(auth.authenticate(refused), 'the refused one too, its nonce unspent');
  const created = Math.floor((clock() + 3000) / 1000);
  t.same(records, [[keyId, created]], 'recorded once for its second');
  clock.advance(1000);
  auth.authenticate(aheadRead());
  t.same(records.map((r) => r[1]), [created, created + 1], 'and again when it grows');

  // The crash: the next process starts 1.5 s later, mid-second, with what was recorded.
  clock.advance(1500);
  const startedAt = clock();
  clock.advance(1000 - (startedAt % 1000));
  const withoutRecords = createReadAuthenticator({ registry, verifySignature, windowMs: WINDOW_MS, clock, signedFrom: startedAt });
  t.ok(withoutRecords.authenticate(captured), 'without the records, the captured ahead read would be answered again');
  const recorded = new Map([[keyId, created + 1]]);
  const restarted = createReadAuthenticator({ registry, verifySignature, windowMs: WINDOW_MS, clock, signedFrom: startedAt, aheadReads: { ...aheadReads, recorded, refuseRecorded: true } });
  throwsCode(t, () => restarted.authenticate(captured), 'AUTH_TIMESTAMP_OUT_OF_WINDOW', 'with them it is refused');
  t.ok(restarted.authenticate(aheadRead()), 'the same signer\'s next read, signed later, is answered');
  const otherKeyRecorded = createReadAuthenticator({ registry, verifySignature, windowMs: WINDOW_MS, clock, signedFrom: startedAt, aheadReads: { ...aheadReads, recorded: new Map([['another-key', created + 5]]), refuseRecorded: true } });
  t.ok(otherKeyRecorded.authenticate(before.read()), 'a key with no record is refused nothing beyond the start');
  const graceful = createReadAuthenticator({ registry, verifySignature, windowMs: WINDOW_MS, clock, aheadReads: { ...aheadReads, recorded: new Map([[keyId, created + 10]]), refuseRecorded: false } });
  t.ok(graceful.authenticate(aheadRead()), 'after a graceful stop the records refuse nothing (the handed-over nonces do that)');
});
