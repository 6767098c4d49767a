/**
 * POST /v1/checkpoint/cosignatures, GET /checkpoint/cosigned and GET /v1/witnesses on the real app
 * and a real SQLite ledger: happy paths, then every refusal with its code and field path, and
 * nothing stored after any of them.
 */
import t from 'tap';
import { formatCheckpoint, parseCheckpoint } from '../../src/core/checkpoint.js';
import { formatCosignatureLine, parseCosignatureLine, parseCosignerVerifierKey, signCosignature, type CosignerSigningKey } from '../../src/core/cosignature.js';
import { createNoteVerifier, parseVerifierKey } from '../../src/core/note-keys.js';
import { parseSignedNote, signNote, formatSignedNote } from '../../src/core/signed-note.js';
import { createNoteSigner } from '../../src/core/note-keys.js';
import { verifyCosignedCheckpoint } from '../../src/core/witness-quorum.js';
import { testKey } from '../support/test-ledger.js';
import { LOG_VKEY, WITNESS_KEYS, serveTestLog, witnessVkey } from '../support/witness-fixtures.js';
import { testdirWithStops } from '../support/testdir.js';

const [w1, w2, w3] = WITNESS_KEYS as [CosignerSigningKey, CosignerSigningKey, CosignerSigningKey];
const now = () => Math.floor(Date.now() / 1000);
const line = (key: CosignerSigningKey, text: string, timestamp = now()) => formatCosignatureLine(signCosignature(text, key, timestamp));

/** The part of a tap test that setup needs. */
interface TestContext {
  testdir(): string;
  teardown(fn: () => unknown): void;
}
/** Error bodies, typed for the assertions. */
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; paths: string[] } }).error;

async function setup(t: TestContext) {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const log = await serveTestLog(dir, 5, { witnessKeys: [witnessVkey(0), witnessVkey(1)] });
  stopBeforeRemoval(() => log.close());
  const note = log.ledger.latestCheckpoint() as string;
  const text = parseSignedNote(note).text;
  const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${log.url}/v1/checkpoint/cosignatures`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { log, note, text, post };
}

t.test('witnesses submit; the cosigned checkpoint collects them; GET /checkpoint is unchanged', async (t) => {
  const { log, note, text, post } = await setup(t);
  const plain = await (await fetch(`${log.url}/checkpoint`)).text();
  t.equal(plain, note);
  t.same(await (await fetch(`${log.url}/v1/witnesses`)).json(), { witnesses: [witnessVkey(0), witnessVkey(1)] });

  const none = await fetch(`${log.url}/checkpoint/cosigned`);
  t.equal(none.status, 404);
  t.same((await errorOf(none)).code, 'WITNESS_THRESHOLD_NOT_MET');

  const l1 = line(w1, text);
  const first = await post({ checkpoint: note, cosignature: l1 });
  t.equal(first.status, 201);
  t.same(await first.json(), { size: 5 + 1, witness: w1.name, keyId: w1.keyId.toString(16).padStart(8, '0'), timestamp: parseCosignatureLine(l1).timestamp, stored: true });
  const again = await post({ checkpoint: text, cosignature: l1.trimEnd() });
  t.equal(again.status, 200, 'the same cosignature again, as bare text and line: valid, nothing changes');
  t.equal(((await again.json()) as { stored: boolean }).stored, false);

  const cosignedRes = await fetch(`${log.url}/checkpoint/cosigned`);
  t.equal(cosignedRes.status, 200);
  t.match(cosignedRes.headers.get('content-type'), /^text\/plain/);
  t.equal(cosignedRes.headers.get('cache-control'), 'no-cache');
  const cosigned = await cosignedRes.text();
  t.equal(cosigned, `${note}${l1}`, 'the published note byte for byte, then the line');
  t.equal(await (await fetch(`${log.url}/checkpoint`)).text(), plain, 'GET /checkpoint stays byte-for-byte the same');

  t.equal((await fetch(`${log.url}/checkpoint/cosigned?min=2`)).status, 404);
  t.equal((await post({ checkpoint: note, cosignature: line(w2, text) })).status, 201);
  const both = await (await fetch(`${log.url}/checkpoint/cosigned?min=2`)).text();
  const verified = verifyCosignedCheckpoint(both, [createNoteVerifier(parseVerifierKey(LOG_VKEY))], { witnesses: [parseCosignerVerifierKey(witnessVkey(0)), parseCosignerVerifierKey(witnessVkey(1))], threshold: 2 });
  t.same(verified.witnessedBy.map((w) => w.name), [w1.name, w2.name]);

  // A later checkpoint cosigned by one witness: min=1 follows it, min=2 stays on the older one.
  await log.grow(100, 3);
  const newer = log.ledger.latestCheckpoint() as string;
  t.equal((await post({ checkpoint: newer, cosignature: line(w2, parseSignedNote(newer).text) })).status, 201);
  t.equal(parseCheckpoint(parseSignedNote(await (await fetch(`${log.url}/checkpoint/cosigned`)).text()).text).size, 9);
  t.equal(parseCheckpoint(parseSignedNote(await (await fetch(`${log.url}/checkpoint/cosigned?min=2`)).text()).text).size, 6);
  const tooMany = await fetch(`${log.url}/checkpoint/cosigned?min=3`);
  t.equal(tooMany.status, 400, 'more than the configured witnesses can never be met: a bad request, not a wait');
  t.match(await tooMany.json(), { error: { code: 'REQUEST_INVALID', message: 'min is 3, but this ledger accepts 2 witnesses (GET /v1/witnesses)', paths: ['query.min'] } });
});

t.test('bad submissions: a precise 4xx, a stable code, the field, and nothing stored', async (t) => {
  const { log, note, text, post } = await setup(t);
  const good = line(w1, text);
  const forged = formatSignedNote(signNote(formatCheckpoint({ ...parseCheckpoint(text), rootHash: new Uint8Array(32).fill(9) }), [createNoteSigner(testKey())]));
  const otherOrigin = formatCheckpoint({ ...parseCheckpoint(text), origin: 'other.example/log' });
  const cases: Array<[string, unknown, number, string, string[]]> = [
    ['not JSON', '{"checkpoint":', 400, 'REQUEST_INVALID', []],
    ['a missing field', { checkpoint: note }, 400, 'REQUEST_INVALID', ['body.cosignature']],
    ['an unknown field', { checkpoint: note, cosignature: good, extra: 1 }, 400, 'REQUEST_INVALID', ['body.extra']],
    ['two unknown fields', { checkpoint: note, cosignature: good, extra: 1, more: 2 }, 400, 'REQUEST_INVALID', ['body.extra', 'body.more']],
    ['a number for the line', { checkpoint: note, cosignature: 7 }, 400, 'REQUEST_INVALID', ['body.cosignature']],
    ['a line that is not a cosignature', { checkpoint: note, cosignature: note.split('\n\n')[1] }, 400, 'COSIGNATURE_MALFORMED', ['body.cosignature']],
    ['a note without signatures block', { checkpoint: `${text}\n`, cosignature: good }, 400, 'NOTE_MALFORMED', ['body.checkpoint']],
    ['not a checkpoint', { checkpoint: 'hello\n', cosignature: good }, 400, 'CHECKPOINT_MALFORMED', ['body.checkpoint']],
    ['another origin', { checkpoint: otherOrigin, cosignature: line(w1, otherOrigin) }, 400, 'CHECKPOINT_ORIGIN_MISMATCH', ['body.checkpoint']],
    ['an unknown witness', { checkpoint: note, cosignature: line(w3, text) }, 403, 'WITNESS_UNKNOWN', ['body.cosignature']],
    ['a signature over another checkpoint', { checkpoint: note, cosignature: line(w1, parseSignedNote(forged).text) }, 401, 'COSIGNATURE_INVALID', ['body.cosignature']],
    ['dated an hour ahead', { checkpoint: note, cosignature: line(w1, text, now() + 3600) }, 422, 'COSIGNATURE_TIMESTAMP_INVALID', ['body.cosignature']],
    ['a checkpoint the ledger never published (same size, other root)', { checkpoint: forged, cosignature: line(w1, parseSignedNote(forged).text) }, 422, 'COSIGNATURE_CHECKPOINT_UNKNOWN', ['body.checkpoint']],
    ['a size the ledger never published', { checkpoint: formatCheckpoint({ ...parseCheckpoint(text), size: 99 }), cosignature: line(w1, formatCheckpoint({ ...parseCheckpoint(text), size: 99 })) }, 422, 'COSIGNATURE_CHECKPOINT_UNKNOWN', ['body.checkpoint']],
  ];
  for (const [name, body, status, code, paths] of cases) {
    const res = await post(body);
    const json = (await res.json()) as { error: { code: string; paths: string[] } };
    t.same([res.status, json.error.code], [status, code], name);
    if (paths.length > 0) t.same(json.error.paths, paths, `${name}: paths`);
  }
  const flipped = Buffer.from(good.trimEnd().split(' ')[2] as string, 'base64');
  flipped[50] = (flipped[50] as number) ^ 1;
  const bad = await post({ checkpoint: note, cosignature: `— ${w1.name} ${flipped.toString('base64')}` });
  t.same([bad.status, (await errorOf(bad)).code], [401, 'COSIGNATURE_INVALID'], 'one bit flipped');
  const xml = await post('<x/>', { 'content-type': 'application/xml' });
  t.same([xml.status, (await errorOf(xml)).code], [415, 'REQUEST_MEDIA_TYPE_UNSUPPORTED']);
  const plain = await post('x', { 'content-type': 'text/plain' });
  t.same([plain.status, (await errorOf(plain)).code], [415, 'REQUEST_MEDIA_TYPE_UNSUPPORTED'], 'a text body is not parsed at all (src/http/json-body.ts)');
  t.equal((await fetch(`${log.url}/checkpoint/cosigned`)).status, 404, 'nothing was stored');

  for (const q of ['min=0', 'min=01', 'min=x', 'min=1&min=2', 'other=1']) {
    const res = await fetch(`${log.url}/checkpoint/cosigned?${q}`);
    t.same([res.status, (await errorOf(res)).code], [400, 'REQUEST_INVALID'], `?${q}`);
  }
});
