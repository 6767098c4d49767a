import t from 'tap';
import { decodeBase64 } from '../../src/core/bytes.js';
import { hashLeaf } from '../../src/core/merkle-hash.js';
import { verifyConsistency, verifyInclusion } from '../../src/core/merkle-verify.js';
import { parseCheckpoint } from '../../src/core/checkpoint.js';
import { createNoteVerifier, parseVerifierKey } from '../../src/core/note-keys.js';
import { verifyNote } from '../../src/core/signed-note.js';
import { createApp } from '../../src/http/app.js';
import { buildTestLedger, openTestLedger } from '../support/test-ledger.js';

async function appFor(dir: string, n: number, pageMax = 1000) {
  const { ledger } = await buildTestLedger(dir, n);
  const app = await createApp({ ledger, entriesPageMax: pageMax, bodyLimitBytes: 1024 * 1024, logger: false });
  return { app, ledger };
}

t.test('checkpoint, log info and proofs are mutually consistent', async (t) => {
  const { app, ledger } = await appFor(t.testdir(), 40);
  t.teardown(async () => {
    await app.close();
    await ledger.close();
  });
  const cpRes = await app.inject('/checkpoint');
  t.equal(cpRes.statusCode, 200);
  t.match(cpRes.headers['content-type'], /^text\/plain/);
  t.equal(cpRes.body, ledger.latestCheckpoint(), 'exactly the signed-note bytes');
  const info = cpRes.statusCode === 200 ? (await app.inject('/v1/log')).json() : undefined;
  t.same(Object.keys(info).sort(), ['origin', 'size', 'verifierKey', 'verifierKeys']);
  const { note } = verifyNote(cpRes.body, [createNoteVerifier(parseVerifierKey(info.verifierKey))]);
  const cp = parseCheckpoint(note.text);
  t.equal(cp.size, info.size);

  const inc = (await app.inject(`/v1/log/proof/inclusion?index=17&size=${cp.size}`)).json();
  t.same(Object.keys(inc).sort(), ['hashes', 'index', 'leafHash', 'size']);
  verifyInclusion(decodeBase64(inc.leafHash), 17, cp.size, inc.hashes.map(decodeBase64), cp.rootHash);
  const cons = (await app.inject(`/v1/log/proof/consistency?from=5&to=${cp.size}`)).json();
  verifyConsistency(5, cp.size, cons.hashes.map(decodeBase64), ledger.root(5), cp.rootHash);

  const page = (await app.inject('/v1/log/entries?start=3&end=6')).json();
  t.same(page.entries.map((e: { index: number }) => e.index), [3, 4, 5]);
  const e = page.entries[0];
  t.same(hashLeaf(decodeBase64(e.data)), decodeBase64(e.leafHash), 'data are the exact hashed bytes');
  t.same(e.entry.body, { n: 2 });
  t.equal(page.next, undefined);
  t.equal((await app.inject('/healthz')).statusCode, 200);
});

t.test('entry pages are bounded and continue with next', async (t) => {
  const { app, ledger } = await appFor(t.testdir(), 25, 10);
  t.teardown(async () => {
    await app.close();
    await ledger.close();
  });
  const first = (await app.inject('/v1/log/entries?start=0&end=100')).json();
  t.equal(first.entries.length, 10);
  t.equal(first.next, 10);
  const last = (await app.inject('/v1/log/entries?start=20&end=100')).json();
  t.same(last.entries.map((e: { index: number }) => e.index), [20, 21, 22, 23, 24, 25]);
  t.equal(last.next, undefined, 'end clamped to the log size');
});

t.test('bad parameters get a typed 4xx naming the field', async (t) => {
  const { app, ledger } = await appFor(t.testdir(), 9); // size 10
  t.teardown(async () => {
    await app.close();
    await ledger.close();
  });
  const cases: [string, number, string, string[]][] = [
    ['/v1/log/proof/inclusion?index=x&size=3', 400, 'REQUEST_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=1', 400, 'REQUEST_INVALID', ['query.size']],
    ['/v1/log/proof/inclusion?index=-1&size=3', 400, 'REQUEST_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=01&size=3', 400, 'REQUEST_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=1.0&size=3', 400, 'REQUEST_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=1&size=3&extra=1', 400, 'REQUEST_INVALID', ['query']],
    ['/v1/log/proof/inclusion?index=1&index=2&size=3', 400, 'REQUEST_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=99999999999999999&size=3', 400, 'REQUEST_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=3&size=3', 400, 'PROOF_RANGE_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=1&size=11', 400, 'PROOF_RANGE_INVALID', ['query.size']],
    ['/v1/log/proof/consistency?from=5&to=4', 400, 'PROOF_RANGE_INVALID', ['query.from']],
    ['/v1/log/proof/consistency?from=1&to=11', 400, 'PROOF_RANGE_INVALID', ['query.to']],
    ['/v1/log/entries?start=5&end=5', 400, 'REQUEST_INVALID', ['query.end']],
    ['/v1/log/entries?start=10&end=12', 404, 'LOG_INDEX_NOT_FOUND', ['query.start']],
    ['/v1/log/entries?start=0', 400, 'REQUEST_INVALID', ['query.end']],
    ['/v1/log/nothing', 404, 'ROUTE_NOT_FOUND', []],
  ];
  for (const [url, status, code, paths] of cases) {
    const res = await app.inject(url);
    t.equal(res.statusCode, status, url);
    t.same(res.json(), { error: { code, message: res.json().error.message, paths } }, url);
  }
  const post = await app.inject({ method: 'POST', url: '/v1/log', payload: '{' , headers: { 'content-type': 'application/json' } });
  t.ok(post.statusCode >= 400 && post.statusCode < 500, 'writes to the read API are refused');
});

t.test('before the first checkpoint, /checkpoint says so', async (t) => {
  const { ledger } = openTestLedger(t.testdir());
  const app = await createApp({ ledger, entriesPageMax: 10, bodyLimitBytes: 1024, logger: false });
  const res = await app.inject('/checkpoint');
  t.equal(res.statusCode, 503);
  t.equal(res.json().error.code, 'CHECKPOINT_MISSING');
  await app.close();
  await ledger.close();
});
