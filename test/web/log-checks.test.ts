/**
 * The page's checks (src/web/log-checks.ts, reader-key.ts, oversight-view.ts, svg-charts.ts) in
 * Node, on notes signed with the ledger's code and proofs from the naive RFC 9162 reference, with hostile mutations
 * beside each happy path. The browser test runs the same compiled modules in Chromium.
 */
import t from 'tap';
import { decodeBase64, encodeBase64 } from '../../src/core/bytes.js';
import { formatCheckpoint } from '../../src/core/checkpoint.js';
import { hashLeaf } from '../../src/core/merkle-hash.js';
import { createNoteSigner, createSigningKey, formatVerifierKey } from '../../src/core/note-keys.js';
import { formatSignedNote, signNote } from '../../src/core/signed-note.js';
import { actorKeyId } from '../../src/core/statement.js';
import { parseReadSignature, readSignatureBase } from '../../src/core/http-signature.js';
import { isValidEd25519, publicKeyFromSeed } from '../../src/core/ed25519.js';
import { formatTlogProof } from '../../src/core/tlog-proof.js';
import { createReadSigner } from '../../src/client/read-signer.js';
import { actorKeyFromSeed, formatActorKey } from '../../src/keys/actor-key-file.js';
import { checkCheckpoint, checkInclusion, checkReceipt } from '../../src/web/log-checks.js';
import { actorKeyIdOf, parseReaderKey, readHeaders } from '../../src/web/reader-key.js';
import { outcomesPerPeriod, parseAlertSummary, parseStats, rulesChart, turnaroundChart } from '../../src/web/oversight-view.js';
import { groupedBars, niceMax, stackedBars, type SvgNode } from '../../src/web/svg-charts.js';
import { refMTH, refPATH } from '../support/merkle-reference.js';

const ORIGIN = 'regulator-page.test/log';
const key = createSigningKey(ORIGIN, new Uint8Array(32).fill(1));
const other = createSigningKey(ORIGIN, new Uint8Array(32).fill(2));
const served = [formatVerifierKey(key)];

function logOf(n: number) {
  const leaves = Array.from({ length: n }, (_, i) => new TextEncoder().encode(`{"entry":${i}}`));
  const tree = { inclusionProof: (index: number) => refPATH(index, leaves) };
  const checkpoint = { origin: ORIGIN, size: n, rootHash: refMTH(leaves), extensions: [] };
  const note = formatSignedNote(signNote(formatCheckpoint(checkpoint), [createNoteSigner(key)]));
  return { tree, leaves, checkpoint, note };
}

t.test('a checkpoint verifies under the served key, or the pinned one, and says which', async (t) => {
  const { note } = logOf(5);
  const asServed = checkCheckpoint(note, { served }, ORIGIN);
  t.match(asServed, { ok: true, trust: 'served', pinnedKeyAbsent: false, checkpoint: { size: 5 } });
  t.match(checkCheckpoint(note, { served, pinned: served[0] }, ORIGIN), { ok: true, trust: 'pinned' });
  t.match(checkCheckpoint(note, { served: [], pinned: served[0] }), { ok: true, trust: 'pinned' }, 'the pinned key alone suffices');
  t.match(checkCheckpoint(note, { served, pinned: formatVerifierKey(other) }), { ok: true, trust: 'served', pinnedKeyAbsent: true }, 'a pinned key that did not sign is called out');
  t.match(checkCheckpoint(note, { served: [formatVerifierKey(other)] }), { ok: false, code: 'NOTE_UNVERIFIED' });
  t.match(checkCheckpoint(note, { served }, 'another/log'), { ok: false, code: 'CHECKPOINT_ORIGIN_MISMATCH' });
  t.match(checkCheckpoint(note, { served, pinned: 'nonsense' }), { ok: false, code: 'KEY_MALFORMED' });
  // Hostile mutations: a flipped bit in the root, a truncated note, a CRLF note.
  const lines = note.split('\n');
  const root = decodeBase64(lines[2]!);
  root[0]! ^= 1;
  lines[2] = encodeBase64(root);
  t.match(checkCheckpoint(lines.join('\n'), { served }), { ok: false, code: 'NOTE_SIGNATURE_INVALID' });
  t.match(checkCheckpoint(note.slice(0, -1), { served }), { ok: false, code: 'NOTE_MALFORMED' });
  t.match(checkCheckpoint(note.replace(/\n/g, '\r\n'), { served }), { ok: false, code: 'NOTE_MALFORMED' });
});

t.test('an inclusion proof verifies against the checkpoint, and from the entry’s own bytes', async (t) => {
  const { tree, leaves, checkpoint } = logOf(13);
  for (const index of [0, 6, 12]) {
    const answer = { index, size: 13, leafHash: encodeBase64(hashLeaf(leaves[index]!)), hashes: tree.inclusionProof(index).map(encodeBase64) };
    t.match(checkInclusion(answer, index, checkpoint), { ok: true, index, proofLength: answer.hashes.length }, `index ${index}`);
    t.match(checkInclusion(answer, index, checkpoint, leaves[index]), { ok: true, entryBytesMatch: true });
    t.match(checkInclusion(answer, index, checkpoint, leaves[(index + 1) % 13]), { ok: false, code: 'PROOF_INVALID' }, 'other bytes do not hash to the proven leaf');
    const flipped = { ...answer, hashes: answer.hashes.map((h, i) => (i === 0 ? encodeBase64(decodeBase64(h).map((b, j) => (j === 0 ? b ^ 1 : b))) : h)) };
    t.match(checkInclusion(flipped, index, checkpoint), { ok: false, code: 'PROOF_INVALID' });
    t.match(checkInclusion({ ...answer, hashes: answer.hashes.slice(1) }, index, checkpoint), { ok: false, code: 'PROOF_INVALID' }, 'too short');
    t.match(checkInclusion(answer, (index + 1) % 13, checkpoint), { ok: false, code: 'PROOF_RANGE_INVALID' }, 'for another index');
  }
  t.match(checkInclusion({ index: 0, size: 13, leafHash: 'x', hashes: 'no' }, 0, checkpoint), { ok: false, code: 'PROOF_MALFORMED' });
  t.match(checkInclusion({ index: 0, size: 13, leafHash: '!!', hashes: [] }, 0, checkpoint), { ok: false, code: 'ENCODING_MALFORMED' });
});

t.test('a receipt verifies as JSON or as tlog-proof text with its leaf hash', async (t) => {
  const { tree, leaves, note } = logOf(9);
  const proof = formatTlogProof({ index: 4, hashes: tree.inclusionProof(4), checkpoint: note });
  const leafHash = encodeBase64(hashLeaf(leaves[4]!));
  const json = JSON.stringify({ index: 4, size: 9, leafHash, proof });
  t.match(checkReceipt(json, '', { served }, ORIGIN), { ok: true, index: 4, trust: 'served' });
  t.match(checkReceipt(json, '', { served, pinned: served[0] }), { ok: true, trust: 'pinned' });
  t.match(checkReceipt(proof, leafHash, { served }), { ok: true, index: 4 });
  t.match(checkReceipt(proof.trimEnd(), leafHash, { served }), { ok: true }, 'a paste that lost its final newline');
  t.match(checkReceipt(proof, '', { served }), { ok: false, code: 'PROOF_MALFORMED' }, 'tlog-proof text needs the leaf hash');
  t.match(checkReceipt(proof, encodeBase64(hashLeaf(leaves[5]!)), { served }), { ok: false, code: 'PROOF_INVALID' });
  t.match(checkReceipt(proof.replace('index 4', 'index 5'), leafHash, { served }), { ok: false, code: 'PROOF_INVALID' });
  t.match(checkReceipt(json, encodeBase64(hashLeaf(leaves[5]!)), { served }), { ok: false, code: 'PROOF_INVALID' }, 'a leaf hash given beside a JSON receipt must agree');
  t.match(checkReceipt(json, '', { served: [formatVerifierKey(other)] }), { ok: false, code: 'NOTE_UNVERIFIED' });
  t.match(checkReceipt('{"proof":', '', { served }), { ok: false, code: 'PROOF_MALFORMED' });
});

t.test('the page reads actor key files and signs reads exactly as the SDK does', async (t) => {
  const seed = new Uint8Array(32).map((_, i) => i);
  const actor = actorKeyFromSeed('inspector-sun', seed);
  const parsed = parseReaderKey(formatActorKey(actor));
  t.same(parsed, { actorId: 'inspector-sun', keyId: actor.keyId, seed });
  t.equal(actorKeyIdOf(publicKeyFromSeed(seed)), actorKeyId(publicKeyFromSeed(seed)), 'the key ID rule is the core’s');
  t.equal(actor.keyId, 'd240eba9f008796b', 'docs/AUTH.md §8');
  for (const bad of ['', 'RXLEDGER-ACTOR-KEY+inspector-sun+d240eba9f008796b', formatActorKey(actor).replace('d240', 'e240'), formatActorKey(actor).replace('inspector-sun', 'X')]) {
    t.throws(() => parseReaderKey(bad), { code: 'KEY_MALFORMED' });
  }
  // docs/AUTH.md §8's worked example, byte for byte, and the SDK's signer on the same inputs.
  const now = 1767225600_000;
  const nonce = decodeBase64(encodeBase64(Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i)));
  const headers = readHeaders(parsed, 'GET', '/v1/log/entries?start=0&end=10', now, nonce);
  t.equal(headers.signature, 'rx=:sTQMcL0KFUt2yaxLoUUS7IaoSIsfc2yUCFF/poFZ8+qdGdUYpBTE3RooTOBJ4oZUZF13554oCjP3hVY0MVtWBw==:');
  t.same(headers, createReadSigner({ seed, clock: () => now, randomBytes: () => nonce })('GET', '/v1/log/entries?start=0&end=10'));
  const noQuery = readHeaders(parsed, 'GET', '/v1/oversight/alerts/summary', now, nonce);
  const { params, signature } = parseReadSignature(noQuery['signature-input'], noQuery.signature);
  t.ok(isValidEd25519(signature, readSignatureBase({ method: 'GET', path: '/v1/oversight/alerts/summary', query: '?' }, params), publicKeyFromSeed(seed)), 'no query signs "?"');
});

const texts = (n: SvgNode): string[] => [...(n.text === undefined ? [] : [n.text]), ...(n.children ?? []).flatMap(texts)];
const bars = (n: SvgNode): SvgNode[] => [...(String(n.attrs.class ?? '').includes('bar') ? [n] : []), ...(n.children ?? []).flatMap(bars)];

t.test('statistics become chart series; hostile answers become zeros, never markup', async (t) => {
  const counts = { submitted: 4, approved: 2, warned: 1, overrideRequested: 1, rejected: 1, blocked: 1 };
  const stats = parseStats({
    asOf: { index: 40, time: 1 },
    rows: [
      { key: 'total', period: '2026-01-02', counts, turnaround: { submittedToDispensed: { count: 2, meanMs: 10, p50Ms: 8, p90Ms: 20 } } },
      { key: 'total', period: '2026-01-01', counts: { ...counts, approved: 'many', blocked: -0 }, turnaround: 'x' },
      'not a row',
    ],
  });
  t.equal(stats.rows.length, 2);
  t.equal(stats.rows[1]!.counts.approved, 0, 'a non-number count is 0');
  const outcomes = outcomesPerPeriod(stats);
  t.same(outcomes.categories, ['2026-01-01', '2026-01-02']);
  t.same(outcomes.series.find((s) => s.name === 'approved')!.values, [0, 2]);
  t.match(turnaroundChart(stats), { period: '2026-01-02', rows: ['submittedToDispensed'], series: [{ values: [8] }, { values: [20] }] }, 'an unknown turnaround keeps its name');
  const rules = rulesChart(parseStats({ rows: [{ key: 'reg.a', period: 'p', counts: { blocked: 2 } }, { key: 'reg.b', period: 'p', counts: { overridden: 5 } }, { key: 'reg.a', period: 'q', counts: { blocked: 1 } }, { key: 'quiet', period: 'p', counts: {} }] }));
  t.same(rules.rows, ['reg.b', 'reg.a'], 'rules with something to show, most first');
  t.same(rules.series[0]!.values, [0, 3]);
  t.same(parseAlertSummary({ total: 4, kinds: { 'early-refill': { count: 1, latest: 5 }, 'doctor-shopping': { count: 3, latest: 9 }, 'volume-spike': { count: 0, latest: null } } }), [['doctor-shopping', 3], ['early-refill', 1]]);
  t.same(parseAlertSummary({ kinds: 'x' }), []);

  const chart = stackedBars('t', outcomes.categories, outcomes.series);
  t.equal(bars(chart).length, 5, 'one rect per non-zero stack segment (2 + 3)');
  const hostile = groupedBars('t', ['<img src=x onerror=alert(1)>'], [{ name: 'n', values: [3] }]);
  t.ok(texts(hostile).includes('<img src=x onerror=alert(1)>'), 'labels stay text nodes');
  t.match(stackedBars('t', [], []), { attrs: { class: 'chart chart-empty' } });
  t.same([niceMax(0), niceMax(1), niceMax(7), niceMax(11), niceMax(250)], [1, 1, 10, 20, 500]);
});
