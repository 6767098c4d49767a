/**
 * The statement workers' signature checks answer exactly what the synchronous server verifier
 * answers — on honest, damaged, malleable, small-order and crafted signatures, and on arguments
 * of the wrong size — whether the signatures arrive one by one or many at once (batched), and
 * mixed in the same batches with body intakes, each job getting its own answer; the pool refuses
 * work before a worker is ready and once closed. (The intake's answers themselves:
 * statement-intake.test.ts.)
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { publicKeyFromSeed, signEd25519 } from '../../src/core/ed25519.js';
import { createStatementWorkers } from '../../src/ledger/statement-workers.js';
import { createNodeEd25519Verifier } from '../../src/platform/node-ed25519.js';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le32 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
const fromLe = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).reverse().toString('hex')}`);
const seedOf = (i: number) => createHash('sha256').update(`pool-seed-${i}`).digest();
// An order-8 point: keys and R values with a torsion component (see node-ed25519.test.ts).
const TORSION = Buffer.from('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'hex');

interface Case {
  readonly what: string;
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (let i = 0; i < 20; i++) {
    const seed = seedOf(i);
    const publicKey = publicKeyFromSeed(seed);
    const message = createHash('sha512').update(`m-${i}`).digest().subarray(0, i * 3);
    const signature = signEd25519(message, seed);
    const flipped = Buffer.from(signature);
    flipped[i % 64] = (flipped[i % 64] as number) ^ 1;
    out.push(
      { what: `valid ${i}`, signature, message, publicKey },
      { what: `flipped bit ${i}`, signature: flipped, message, publicKey },
      { what: `other message ${i}`, signature, message: Buffer.concat([message, Buffer.of(i)]), publicKey },
      { what: `other key ${i}`, signature, message, publicKey: publicKeyFromSeed(seedOf(i + 100)) },
    );
  }
  const seed = seedOf(1);
  const publicKey = publicKeyFromSeed(seed);
  const message = Buffer.from('rxledger');
  const signature = signEd25519(message, seed);
  const s = fromLe(signature.subarray(32));
  out.push(
    { what: 'S + L', signature: Buffer.concat([signature.subarray(0, 32), le32(s + L)]), message, publicKey },
    { what: 'small-order key, zero signature', signature: Buffer.concat([TORSION, Buffer.alloc(32)]), message, publicKey: TORSION },
    { what: 'key that is not a point', signature, message, publicKey: Buffer.alloc(32, 0xff) },
    { what: 'short signature', signature: signature.subarray(0, 63), message, publicKey },
    { what: 'short key', signature, message, publicKey: publicKey.subarray(0, 31) },
    { what: 'empty everything', signature: new Uint8Array(0), message: new Uint8Array(0), publicKey: new Uint8Array(0) },
  );
  // A torsion component in R: OpenSSL refuses, the reference accepts, and so must the pool.
  const { scalar, pointBytes } = ed.utils.getExtendedPublicKey(seedOf(7));
  const r = 987654321n;
  const rPrime = ed.Point.BASE.multiply(r).add(ed.Point.fromBytes(TORSION, false)).toBytes();
  const crafted = Buffer.from('crafted');
  const k = fromLe(createHash('sha512').update(rPrime).update(pointBytes).update(crafted).digest()) % L;
  out.push({ what: 'torsion in R', signature: Buffer.concat([rPrime, le32((r + k * scalar) % L)]), message: crafted, publicKey: pointBytes });
  return out;
}

t.test('signature checks agree with the synchronous verifier, one at a time and batched', async (t) => {
  const pool = createStatementWorkers(2);
  t.teardown(() => pool.close());
  await pool.ready();
  const sync = createNodeEd25519Verifier();
  const all = cases();
  t.ok(all.some((c) => sync.verify(c.signature, c.message, c.publicKey)) && all.some((c) => !sync.verify(c.signature, c.message, c.publicKey)), 'the cases hold both verdicts');
  for (const c of all) t.equal(await pool.verify(c.signature, c.message, c.publicKey), sync.verify(c.signature, c.message, c.publicKey), c.what);
  // Many in flight at once: they queue behind busy workers and go out in batches, in order.
  const many = Array.from({ length: 600 }, (_, i) => all[i % all.length]!);
  const answers = await Promise.all(many.map((c) => pool.verify(c.signature, c.message, c.publicKey)));
  t.same(answers, many.map((c) => sync.verify(c.signature, c.message, c.publicKey)), '600 concurrent verifications');
});

t.test('a closed pool refuses new work and what it still held', async (t) => {
  const pool = createStatementWorkers(1);
  await t.rejects(pool.verify(new Uint8Array(64), new Uint8Array(0), new Uint8Array(32)), 'no worker ready yet: refused at once, not queued');
  await pool.ready();
  const seed = seedOf(3);
  const message = Buffer.from('late');
  const pending = Array.from({ length: 50 }, () => pool.verify(signEd25519(message, seed), message, publicKeyFromSeed(seed)));
  const settling = Promise.allSettled(pending);
  await pool.close();
  const settled = await settling;
  t.ok(settled.every((s) => s.status === 'rejected' || s.value === true), 'held work is answered correctly or rejected, never wrongly');
  await t.rejects(pool.verify(new Uint8Array(64), message, new Uint8Array(32)), 'closed');
  t.throws(() => createStatementWorkers(0), RangeError, 'a pool needs a worker');
});
