/** Preflight: what it proves about an entry from its bytes alone, and that it never decides a verdict. */
import t from 'tap';
import Database from 'better-sqlite3';
import { preflightChunk, PreflightView, preverifiedCheck } from '../../src/verify/preflight.js';
import { KeyDirectory } from '../../src/verify/key-directory.js';
import { nodeMerkleHasher } from '../../src/platform/node-merkle-hasher.js';
import { nodeSha256 } from '../../src/platform/node-sha256.js';
import { isValidEd25519 } from '../../src/core/ed25519.js';
import { hashLeaf } from '../../src/core/merkle-hash.js';
import { parseEntry } from '../../src/core/entry.js';
import { statementDigest } from '../../src/domain/registry/registry-rules.js';
import type { SignedStatement } from '../../src/core/statement.js';
import { syntheticLedger } from '../support/synthetic.js';

const OPTIONS = { hasher: nodeMerkleHasher, verifySignature: isValidEd25519, sha256: nodeSha256 };

async function entries(count = 400): Promise<Uint8Array[]> {
  const { dbPath } = await syntheticLedger();
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare<[number], { data: Buffer }>('SELECT data FROM entries ORDER BY idx LIMIT ?').all(count).map((r) => new Uint8Array(r.data));
  } finally {
    db.close();
  }
}

t.test('on valid entries: leaf hashes, digests equal to the rules’ own, signatures proved under registered keys', async (t) => {
  const datas = await entries();
  const keys = new KeyDirectory();
  for (const d of datas) keys.scan(d);
  t.ok(keys.learnt.length > 10, 'keys learnt from the genesis operator and key-add entries');
  const view = new PreflightView(preflightChunk(datas, keys, OPTIONS));
  t.same(view.packed.failures, []);
  let statements = 0;
  datas.forEach((data, at) => {
    t.same(view.leafHash(at), hashLeaf(data));
    const body = parseEntry(data).body as Partial<SignedStatement>;
    if (body.statement === undefined) {
      t.equal(view.digest(at), undefined);
      return;
    }
    statements++;
    const expected = statementDigest(body as SignedStatement);
    t.same(view.digest(at), expected, `digest ${at}`);
    t.ok(view.verifiedKey(at), `signature ${at} proved`);
  });
  t.ok(statements > 100);
});

t.test('unknown keys and bad signatures are left to the replay; malformed bytes are reported by stage', async (t) => {
  const datas = await entries(120);
  const statementAt = datas.findIndex((d, i) => i > 20 && (parseEntry(d).body as { statement?: unknown }).statement !== undefined);
  const noKeys = new PreflightView(preflightChunk(datas, new KeyDirectory(), OPTIONS));
  t.equal(noKeys.verifiedKey(statementAt), undefined, 'no key known: nothing proved');
  t.ok(noKeys.digest(statementAt), 'but the digest is there');

  const keys = new KeyDirectory();
  for (const d of datas) keys.scan(d);
  const text = Buffer.from(datas[statementAt]!).toString('utf8');
  const sig = /"signature":"([^"]+)"/.exec(text)![1]!;
  const wrongSig = Buffer.from(text.replace(sig, `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`));
  const notJson = Buffer.from(text.slice(0, -1));
  const badBody = Buffer.from(text.replace('"signature":"', '"signature":"x'));
  const view = new PreflightView(preflightChunk([wrongSig, notJson, badBody], keys, OPTIONS));
  t.equal(view.verifiedKey(0), undefined, 'a signature that does not verify proves nothing');
  t.equal(view.failure(0), undefined, 'and is not a preflight failure: the replay refuses it with its rule');
  t.match(view.failure(1), { stage: 'envelope', code: 'ENTRY_NOT_CANONICAL' });
  t.match(view.failure(2), { stage: 'body', code: 'ENTRY_BODY_INVALID', paths: ['body.signature'] });
});

t.test('the preverified check answers yes only for exactly the proved signature, message and key', async (t) => {
  const calls: string[] = [];
  const fallback = (s: Uint8Array) => {
    calls.push(Buffer.from(s).toString('hex'));
    return false;
  };
  const digest = { signingBytes: new Uint8Array([1, 2, 3]), requestHash: 'h' };
  const key = new Uint8Array(32).fill(7);
  const sig = new Uint8Array(64).fill(9);
  const sigText = Buffer.from(sig).toString('base64');
  const check = preverifiedCheck(fallback, digest, key, sigText);
  t.ok(check(sig, new Uint8Array([1, 2, 3]), key));
  t.notOk(check(sig, new Uint8Array([1, 2, 4]), key), 'another message');
  t.notOk(check(sig, digest.signingBytes, new Uint8Array(32).fill(8)), 'another key');
  t.notOk(check(new Uint8Array(64).fill(1), digest.signingBytes, key), 'another signature');
  t.equal(calls.length, 3, 'each went to the full check');
  t.equal(preverifiedCheck(fallback, digest, undefined, sigText), fallback, 'nothing proved: the full check itself');
});
