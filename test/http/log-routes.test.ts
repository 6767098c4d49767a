import t from 'tap';
import { decodeBase64 } from '../../src/core/bytes.js';
import { hashLeaf } from '../../src/core/merkle-hash.js';
import { verifyConsistency, verifyInclusion } from '../../src/core/merkle-verify.js';
import { parseCheckpoint } from '../../src/core/checkpoint.js';
import { createNoteVerifier, parseVerifierKey } from '../../src/core/note-keys.js';
import { verifyNote } from '../../src/core/signed-note.js';
import { createApp } from '../../src/http/app.js';
import { buildTestLedger, openTestLedger } from '../support/test-ledger.js';
import { testReaders } from '../support/test-readers.js';
import { testdirWithStops } from '../support/testdir.js';
import { createReadSigner } from '../../src/client/read-signer.js';

const readers = testReaders();
/** A GET of entry content, signed by the test regulator. */
const asRegulator = (url: string) => ({ method: 'GET' as const, url, headers: readers.regulator('GET', url) });

async function appFor(dir: string, n: number, pageMax = 1000) {
  const { ledger } = await buildTestLedger(dir, n);
  const app = await createApp({ ledger, entriesPageMax: pageMax, bodyLimitBytes: 1024 * 1024, readAuth: readers.readAuth, logger: false });
  return { app, ledger };
}

t.test('checkpoint, log info and proofs are mutually consistent', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { app, ledger } = await appFor(dir, 40);
  stopBeforeRemoval(async () => {
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

  const page = (await app.inject(asRegulator('/v1/log/entries?start=3&end=6'))).json();
  t.same(page.entries.map((e: { index: number }) => e.index), [3, 4, 5]);
  const e = page.entries[0];
  t.same(hashLeaf(decodeBase64(e.data)), decodeBase64(e.leafHash), 'data are the exact hashed bytes');
  t.same(e.entry.body, { n: 2 });
  t.equal(page.next, undefined);
  t.equal((await app.inject('/healthz')).statusCode, 200);
});

t.test('entry pages are bounded and continue with next', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { app, ledger } = await appFor(dir, 25, 10);
  stopBeforeRemoval(async () => {
    await app.close();
    await ledger.close();
  });
  const first = (await app.inject(asRegulator('/v1/log/entries?start=0&end=100'))).json();
  t.equal(first.entries.length, 10);
  t.equal(first.next, 10);
  const last = (await app.inject(asRegulator('/v1/log/entries?start=20&end=100'))).json();
  t.same(last.entries.map((e: { index: number }) => e.index), [20, 21, 22, 23, 24, 25]);
  t.equal(last.next, undefined, 'end clamped to the log size');
});

t.test('bad parameters get a typed 4xx naming the field', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { app, ledger } = await appFor(dir, 9); // size 10
  stopBeforeRemoval(async () => {
    await app.close();
    await ledger.close();
  });
  const cases: [string, number, string, string[]][] = [
    ['/v1/log/proof/inclusion?index=x&size=3', 400, 'REQUEST_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=1', 400, 'REQUEST_INVALID', ['query.size']],
    ['/v1/log/proof/inclusion?index=-1&size=3', 400, 'REQUEST_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=01&size=3', 400, 'REQUEST_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=1.0&size=3', 400, 'REQUEST_INVALID', ['query.index']],
    ['/v1/log/proof/inclusion?index=1&size=3&extra=1', 400, 'REQUEST_INVALID', ['query.extra']],
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
    // FORMAT.md §8.2 holds for the parameterless routes too (found by the fuzz campaign).
    ['/v1/log?size=5', 400, 'REQUEST_INVALID', ['query.size']],
    ['/checkpoint?x=1', 400, 'REQUEST_INVALID', ['query.x']],
  ];
  for (const [url, status, code, paths] of cases) {
    const res = await app.inject(url.startsWith('/v1/log/entries') ? asRegulator(url) : url);
    t.equal(res.statusCode, status, url);
    t.same(res.json(), { error: { code, message: res.json().error.message, paths } }, url);
  }
  const post = await app.inject({ method: 'POST', url: '/v1/log', payload: '{' , headers: { 'content-type': 'application/json' } });
  t.ok(post.statusCode >= 400 && post.statusCode < 500, 'writes to the read API are refused');
});

t.test('before the first checkpoint, /checkpoint says so', async (t) => {
  const { ledger } = openTestLedger(t.testdir());
  const app = await createApp({ ledger, entriesPageMax: 10, bodyLimitBytes: 1024, readAuth: readers.readAuth, logger: false });
  const res = await app.inject('/checkpoint');
  t.equal(res.statusCode, 503);
  t.equal(res.json().error.code, 'CHECKPOINT_MISSING');
  await app.close();
  await ledger.close();
});

t.test('entry content needs a signed read; checkpoint and proofs stay public', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { app, ledger } = await appFor(dir, 3);
  stopBeforeRemoval(async () => {
    await app.close();
    await ledger.close();
  });
  const url = '/v1/log/entries?start=0&end=4';
  const unsigned = await app.inject(url);
  t.equal(unsigned.statusCode, 401);
  t.equal(unsigned.json().error.code, 'AUTH_REQUIRED');
  t.equal((await app.inject('/v1/log/proof/inclusion?index=0&size=4')).statusCode, 200, 'proofs are public');
  const signed = readers.regulator('GET', url);
  t.equal((await app.inject({ url, headers: signed })).statusCode, 200);
  const replay = await app.inject({ url, headers: signed });
  t.equal(replay.json().error.code, 'AUTH_NONCE_REUSED', 'a captured signed read cannot be replayed');
  const otherUrl = await app.inject({ url: '/v1/log/entries?start=1&end=4', headers: readers.regulator('GET', url) });
  t.equal(otherUrl.json().error.code, 'AUTH_SIGNATURE_INVALID', 'a signature covers the query it was made for');
  const badHeader = await app.inject({ url, headers: { ...readers.regulator('GET', url), 'signature-input': 'sig1=("@method");created=1' } });
  t.equal(badHeader.json().error.code, 'AUTH_SIGNATURE_INVALID');
  t.same(badHeader.json().error.paths, ['headers.signature-input']);
  const lateRegulator = createReadSigner({ seed: new Uint8Array(32).fill(60), clock: () => Date.now() - 600_000 });
  const stale = await app.inject({ url, headers: lateRegulator('GET', url) });
  t.equal(stale.json().error.code, 'AUTH_TIMESTAMP_OUT_OF_WINDOW', 'a signature made ten minutes ago is stale');
  const stranger = createReadSigner({ seed: new Uint8Array(32).fill(99) });
  t.equal((await app.inject({ url, headers: stranger('GET', url) })).json().error.code, 'AUTH_KEY_UNKNOWN');
});

t.test('participants see only what concerns them; leaf hashes stay visible', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { app, ledger } = await appFor(dir, 3);
  stopBeforeRemoval(async () => {
    await app.close();
    await ledger.close();
  });
  const url = '/v1/log/entries?start=0&end=4';
  const page = (await app.inject({ url, headers: readers.prescriber('GET', url) })).json();
  t.ok(page.entries[0].entry, 'the ledger\'s key record is public');
  for (const e of page.entries.slice(1)) {
    t.same({ data: e.data, entry: e.entry, redacted: e.redacted }, { data: null, entry: null, redacted: true }, `entry ${e.index} withheld`);
    t.match(e.leafHash, /^[A-Za-z0-9+/]{43}=$/);
  }
});
