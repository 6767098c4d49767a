/**
 * The statement intake (src/ledger/statement-intake.ts) takes exactly the bodies the event loop
 * would accept, and computes from them exactly what the event loop computes: the entry schema's
 * output (member order included), its canonical text and the statement's digest. Everything else
 * is left to the event loop. The ledger appends an adopted body to the same bytes as the raw one.
 * Given the key the raw body most likely names (keyIdHint), the intake also checks the signature,
 * and says so only for a statement that names that key and is validly signed by it.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { canonicalBody } from '../../src/core/entry.js';
import { statementSigningBytes } from '../../src/core/statement.js';
import { createStatementSigner } from '../../src/client/statement-signer.js';
import { ENTRY_BODY_SCHEMAS, verifyEntryBody } from '../../src/domain/entry-types.js';
import { nodeSha256Hex } from '../../src/platform/node-sha256.js';
import { fromMessage, keyIdHint, statementAction, statementPrescription, takeStatement, toMessage, type TakenStatement, type TakenStatementMessage } from '../../src/ledger/statement-intake.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { canonicalTextOf, jsonTextOf } from '../../src/core/value-texts.js';
import { createStatementJobHandler, createStatementWorkers } from '../../src/ledger/statement-workers.js';
import { publicKeyFromSeed, signEd25519 } from '../../src/core/ed25519.js';
import { parseJsonBody } from '../../src/http/json-body.js';
import { manualClock, openTestLedger } from '../support/test-ledger.js';
import { testdirWithStops } from '../support/testdir.js';
import { createRxWorld } from '../domain/prescription/test-world.js';

const ORIGIN = 'rxledger.test/intake';
const encoder = new TextEncoder();
const signer = createStatementSigner({ origin: ORIGIN, actorId: 'op-1', seed: new Uint8Array(32).fill(7), clock: () => Date.UTC(2026, 11, 7) });

/** Valid signed statements of several actions, as their clients send them. */
function validBodies(): Array<{ what: string; text: string }> {
  const world = createRxWorld();
  const submission = (label: string, patient: number) => JSON.stringify(world.sign('dr-a', 'rx.submit', world.submitPayload(world.build('dr-a', label, { patient }))));
  return [
    { what: 'an institution registration', text: JSON.stringify(signer.sign('registry.institution-register', { institutionId: 'hosp-1', kind: 'hospital', name: '第一医院', region: '370100', licence: 'L1' })) },
    { what: 'a prescription submission', text: submission('intake', 1) },
    { what: 'a submission with its members in another order', text: reorder(submission('reordered', 2)) },
  ];
}

/** The members of the outer object in reverse order (still the same value). */
function reorder(text: string): string {
  const value = JSON.parse(text) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.entries(value).reverse()));
}

/** What the event loop computes from the same bytes (statement-routes.ts, Ledger.checkBody and append, statement-preparation.ts). */
function onTheEventLoop(bytes: Uint8Array): TakenStatement {
  const value = parseJsonBody(bytes, {});
  const type = statementAction(value)!;
  const body = verifyEntryBody(type, value);
  const signingBytes = statementSigningBytes((body as unknown as { statement: Parameters<typeof statementSigningBytes>[0] }).statement);
  return { type, body, bodyJson: canonicalBody(body), digest: { signingBytes, requestHash: nodeSha256Hex(signingBytes) } };
}

function sameTaken(t: Test, taken: TakenStatement | undefined, expected: TakenStatement, what: string): void {
  t.ok(taken, `${what}: taken`);
  if (taken === undefined) return;
  t.equal(taken.type, expected.type, `${what}: type`);
  t.equal(JSON.stringify(taken.body), JSON.stringify(expected.body), `${what}: the schema's output, member order included`);
  t.equal(taken.bodyJson, expected.bodyJson, `${what}: canonical text`);
  t.same(Buffer.from(taken.digest.signingBytes), Buffer.from(expected.digest.signingBytes), `${what}: signing bytes`);
  t.equal(taken.digest.requestHash, expected.digest.requestHash, `${what}: request hash`);
}

/** Bodies the intake must leave to the event loop, each for a reason the event loop refuses or judges itself. */
function leftAlone(): Array<{ what: string; bytes: Uint8Array }> {
  const valid = validBodies()[0]!.text;
  const text = (what: string, s: string) => ({ what, bytes: encoder.encode(s) });
  const withPayload = (edit: (p: Record<string, unknown>) => void) => {
    const v = JSON.parse(valid) as { statement: { payload: Record<string, unknown> } };
    edit(v.statement.payload);
    return JSON.stringify(v);
  };
  return [
    text('not JSON', valid.slice(0, -1)),
    text('a duplicate member', valid.replace('"name":"第一医院"', '"name":"EVIL","name":"第一医院"')),
    text('a duplicate spelled with an escape', valid.replace('"name":"第一医院"', '"n\\u0061me":"EVIL","name":"第一医院"')),
    text('a __proto__ member', valid.replace('{"statement"', '{"__proto__":{},"statement"')),
    { what: 'a byte-order mark', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid)]) },
    { what: 'invalid UTF-8', bytes: Buffer.concat([Buffer.from(valid.slice(0, 20)), Buffer.from([0xff]), Buffer.from(valid.slice(20))]) },
    text('an array', `[${valid}]`),
    text('no action', valid.replace('"action":"registry.institution-register"', '"action":7')),
    text('an unknown action', valid.replace('"action":"registry.institution-register"', '"action":"registry.nonsense"')),
    text('an action only the ledger writes', valid.replace('"action":"registry.institution-register"', '"action":"rx.checked"')),
    text('a payload its schema refuses', withPayload((p) => void (p.kind = 'spaceport'))),
    text('a member its schema does not know', withPayload((p) => void (p.extra = 1))),
    text('a number outside the data model', withPayload((p) => void (p.licence = 1.5))),
    text('no signature', valid.replace(/"signature":"[^"]*",?/, '')),
  ];
}

t.test('a valid statement is taken with exactly what the event loop computes', async (t) => {
  for (const { what, text } of validBodies()) sameTaken(t, takeStatement(encoder.encode(text)), onTheEventLoop(encoder.encode(text)), what);
});

t.test('everything else is left to the event loop', async (t) => {
  for (const { what, bytes } of leftAlone()) t.equal(takeStatement(bytes), undefined, what);
});

t.test("a statement's prescription crosses with its texts, remembered for the object the event loop parses", async (t) => {
  const handle = createStatementJobHandler();
  for (const { what, text } of validBodies()) {
    const message = handle([{ intake: encoder.encode(text) }])[0] as TakenStatementMessage;
    const taken = fromMessage(structuredClone(message));
    const prescription = statementPrescription(taken.body);
    if (what === 'an institution registration') {
      t.equal(prescription, undefined, `${what}: no prescription`);
      t.equal(message.prescriptionSpans, undefined, `${what}: no texts sent`);
      t.equal(taken.prescriptionTexts, undefined, `${what}: none remembered`);
      continue;
    }
    t.ok(prescription, `${what}: has a prescription`);
    t.ok(message.prescriptionSpans, `${what}: its texts are sent as spans of the body texts`);
    // The texts the event loop would have made of the object it parsed, without making them.
    t.equal(taken.prescriptionTexts?.json, JSON.stringify(prescription), `${what}: JSON text`);
    t.equal(taken.prescriptionTexts?.canonical, canonicalJson(prescription), `${what}: canonical text`);
    t.equal(jsonTextOf(prescription!), JSON.stringify(prescription), `${what}: the text kept for that object`);
    t.equal(canonicalTextOf(prescription!), canonicalJson(prescription), `${what}: the canonical text kept for that object`);
    t.equal(prescription, (taken.body as { statement: { payload: { prescription: object } } }).statement.payload.prescription);
  }
  const [, submission] = validBodies();
  const taken = takeStatement(encoder.encode(submission!.text))!;
  const message = toMessage({ ...taken, prescriptionTexts: { json: 'not in the body', canonical: taken.prescriptionTexts!.canonical } });
  t.equal(message.prescriptionSpans, undefined, 'a text not found in the body text is not sent (the event loop makes its own)');
});

t.test('on worker threads: the same answers; before the worker is up and after closing, none', async (t) => {
  const workers = createStatementWorkers(1);
  const intake = workers.intake;
  t.teardown(() => workers.close());
  const [valid] = validBodies();
  t.equal(await intake.take(encoder.encode(valid!.text)), undefined, 'not ready yet: left to the event loop at once, not queued');
  await intake.ready();
  const bodies = validBodies();
  const many = await Promise.all(Array.from({ length: 300 }, (_, i) => intake.take(encoder.encode(bodies[i % bodies.length]!.text))));
  many.forEach((taken, i) => {
    if (i < 3) sameTaken(t, taken, onTheEventLoop(encoder.encode(bodies[i]!.text)), `${bodies[i]!.what}, on a worker`);
  });
  t.ok(
    many.every((taken, i) => taken !== undefined && taken.bodyJson === onTheEventLoop(encoder.encode(bodies[i % bodies.length]!.text)).bodyJson),
    '300 bodies in flight at once: every one taken, each its own',
  );
  // Signature checks share the workers and their batches: interleaved, each job gets its own answer.
  const seed = new Uint8Array(32).fill(9);
  const message = encoder.encode('mixed');
  const signature = signEd25519(message, seed);
  const mixed = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0 ? intake.take(encoder.encode(bodies[i % bodies.length]!.text)) : workers.verify(signature, i % 4 === 1 ? message : encoder.encode('other'), publicKeyFromSeed(seed)),
    ),
  );
  t.ok(
    mixed.every((answer, i) =>
      i % 2 === 0
        ? typeof answer === 'object' && answer !== undefined && answer.bodyJson === onTheEventLoop(encoder.encode(bodies[i % bodies.length]!.text)).bodyJson
        : answer === (i % 4 === 1),
    ),
    'intakes and signature checks in the same batches: each answered with its own result',
  );
  for (const { what, bytes } of leftAlone()) t.equal(await intake.take(bytes), undefined, `${what}, on a worker`);
  await intake.close();
  t.equal(await intake.take(encoder.encode(valid!.text)), undefined, 'closed: left to the event loop');
});

t.test("the signer's key id, guessed from the raw body without parsing it", async (t) => {
  const [registration, submission, reordered] = validBodies();
  t.equal(keyIdHint(encoder.encode(registration!.text)), signer.keyId, 'the statement names its key');
  const submitted = JSON.parse(submission!.text) as { statement: { keyId: string } };
  t.equal(keyIdHint(encoder.encode(submission!.text)), submitted.statement.keyId);
  t.equal(keyIdHint(encoder.encode(reordered!.text)), (JSON.parse(reordered!.text) as { statement: { keyId: string } }).statement.keyId, 'members in another order');
  t.equal(keyIdHint(encoder.encode('{"statement":{}}')), undefined, 'no key id');
  t.equal(keyIdHint(encoder.encode('{"keyId":"0123456789ABCDEF"}')), undefined, 'not a key id: upper case');
  t.equal(keyIdHint(encoder.encode('{"keyId":"0123456789abcde"}')), undefined, 'not a key id: 15 digits');
  t.equal(keyIdHint(encoder.encode('{"keyId":"0123456789abcdef0"}')), undefined, 'not a key id: 17 digits');
  t.equal(keyIdHint(encoder.encode('{"keyId":"0123456789abcdef"')), '0123456789abcdef', 'the rest of the body is not looked at');
  t.equal(keyIdHint(encoder.encode('{"payload":{"keyId":"aaaaaaaaaaaaaaaa"},"keyId":"bbbbbbbbbbbbbbbb"}')), 'aaaaaaaaaaaaaaaa', 'the first one: a wrong guess, which costs only the second round trip');
});

t.test('given the key the body names, the intake checks the signature in the same job', async (t) => {
  const handle = createStatementJobHandler();
  const { text } = validBodies()[0]!;
  const bytes = encoder.encode(text);
  const own = { keyId: signer.keyId, publicKey: publicKeyFromSeed(new Uint8Array(32).fill(7)) };
  const other = publicKeyFromSeed(new Uint8Array(32).fill(8));
  const forged = encoder.encode(text.replace('"name":"第一医院"', '"name":"第二医院"'));
  const [plain, checked, otherId, otherKey, forgedBody] = handle([
    { intake: bytes },
    { intake: bytes, signer: own },
    { intake: bytes, signer: { keyId: 'ffffffffffffffff', publicKey: own.publicKey } },
    { intake: bytes, signer: { keyId: own.keyId, publicKey: other } },
    { intake: forged, signer: own },
  ]) as Array<{ digest: { verifiedKey?: Uint8Array } }>;
  t.equal(plain!.digest.verifiedKey, undefined, 'no key given: nothing checked');
  t.same(Buffer.from(checked!.digest.verifiedKey!), Buffer.from(own.publicKey), 'its own key: checked and valid');
  t.equal(otherId!.digest.verifiedKey, undefined, 'a key the statement does not name: not used');
  t.equal(otherKey!.digest.verifiedKey, undefined, 'another key under its key id: not valid');
  t.equal(forgedBody!.digest.verifiedKey, undefined, 'a body changed after signing: not valid');
  t.same(JSON.stringify({ ...checked, digest: { ...checked!.digest, verifiedKey: undefined } }), JSON.stringify(plain), 'otherwise the same intake');
});

t.test('the ledger appends an adopted body to the same bytes as the raw one, and adopts only for its default schemas', async (t) => {
  const { text } = validBodies()[0]!;
  const taken = takeStatement(encoder.encode(text))!;
  const { dir: dirs, stopBeforeRemoval } = testdirWithStops(t, { raw: {}, adopted: {}, custom: {} });
  const raw = openTestLedger(join(dirs, 'raw'), { entryBodySchemas: ENTRY_BODY_SCHEMAS, clock: manualClock() }).ledger;
  const adopted = openTestLedger(join(dirs, 'adopted'), { entryBodySchemas: ENTRY_BODY_SCHEMAS, clock: manualClock() }).ledger;
  stopBeforeRemoval(async () => {
    await raw.close();
    await adopted.close();
  });
  t.notOk(adopted.adoptChecked('rx.checked', taken.body, taken.bodyJson, taken.digest), 'a reserved type is never adopted');
  t.ok(adopted.adoptChecked(taken.type, taken.body, taken.bodyJson, taken.digest));
  t.equal(adopted.checkBody(taken.type, taken.body), taken.body, 'checkBody answers the adopted body itself');
  const a = await raw.append(taken.type, JSON.parse(text));
  const b = await adopted.append(taken.type, taken.body);
  t.same(Buffer.from(raw.entries(a.index, a.index + 1)[0]!.data), Buffer.from(adopted.entries(b.index, b.index + 1)[0]!.data), 'identical leaf bytes');

  // Another schema for the type (stricter, say): bodies of that type are checked here, others still adopted.
  const custom = openTestLedger(join(dirs, 'custom'), { entryBodySchemas: { ...ENTRY_BODY_SCHEMAS, [taken.type]: ENTRY_BODY_SCHEMAS[taken.type]!.refine(() => true) } }).ledger;
  stopBeforeRemoval(() => custom.close());
  t.notOk(custom.adoptChecked(taken.type, taken.body, taken.bodyJson, taken.digest), 'a ledger with another schema for the type checks such bodies itself');
  const submission = takeStatement(encoder.encode(validBodies()[1]!.text))!;
  t.ok(custom.adoptChecked(submission.type, submission.body, submission.bodyJson, submission.digest), 'and adopts the types whose schema is the default');
});
