/**
 * The fuzz campaign's target: the production service in-process on 127.0.0.1 (scripts/lib/rx-world.ts)
 * with a registered cast, and everything a hostile request needs to be hostile for one reason
 * only — keys whose signatures are otherwise valid (including a suspended actor's, a revoked
 * key, a key not valid yet and one never registered), statements the service would accept as
 * they stand (so a mutation that slipped through would write), spent nonces and idempotency
 * keys, prescriptions in known states, a configured witness, and patient identities made of
 * recognisable "canary" strings that must never come back in an error.
 *
 * It also measures writes: `counters()` (cheap, after every request) and `digest()` (every table
 * of both SQLite files, row by row).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bytesToHex, encodeBase64 } from '../../src/core/bytes.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { createCosignerKey, formatCosignerVerifierKey, type CosignerSigningKey } from '../../src/core/cosignature.js';
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import { parseEntry } from '../../src/core/entry.js';
import { actorKeyId } from '../../src/core/statement.js';
import { pickupCodeHash } from '../../src/domain/prescription/patient-codes.js';
import { ORDER_SIGN_EXAMPLE } from '../../src/http/openapi/checker-paths.js';
import { actionDocs, signerRole } from '../../src/http/openapi/action-examples.js';
import { DATABASE_FILE, IDENTITY_DATABASE_FILE } from '../../src/service.js';
import { opensslSignBytes } from '../bench-http/fast-signer.js';
import { DEMO_ACTORS, DEMO_INSTITUTIONS, prescription, randomTraceCode, registerCast, rxId, startWorld, type Actor, type World } from '../lib/rx-world.js';

/** The production defaults, given explicitly so the campaign knows them. */
export const BODY_LIMIT_BYTES = 1_048_576;
export const TIMESTAMP_WINDOW_MS = 300_000;

/** An actor's key, signing with OpenSSL (deterministic Ed25519: the same bytes as the SDK's signer). */
export interface KeyHolder {
  readonly actorId: string;
  readonly keyId: string;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function keyHolder(actorId: string, seed: Uint8Array): KeyHolder {
  const signBytes = opensslSignBytes(seed);
  const publicKey = publicKeyFromSeed(seed);
  return { actorId, keyId: actorKeyId(publicKey), seed, publicKey, sign: (message) => new Uint8Array(signBytes(message)) };
}

/**
 * Whose key signs: the demo cast's actors by role, and the hostile keys — a suspended actor's,
 * a revoked key and one not valid until tomorrow (both dr-wang's), and a key nobody registered
 * (claiming to be dr-li).
 */
export type SignerName = 'operator' | 'prescriber' | 'prescriber2' | 'pharmacist' | 'courier' | 'regulator' | 'suspended' | 'revoked' | 'notYetValid' | 'unregistered';

export interface BaseStatement {
  readonly label: string;
  readonly signer: SignerName;
  readonly action: string;
  readonly payload: JsonObject;
  readonly route: '/v1/statements' | '/v1/patients';
  /** The service would accept it as it stands (with a fresh nonce): the campaign's controls submit it at the end. */
  readonly stateValid: boolean;
}

/** A statement the ledger (or the identity store) recorded: its nonce and idempotency key are spent. */
export interface SpentStatement {
  readonly signer: SignerName;
  readonly nonce: string;
  readonly idempotencyKey: string;
  readonly route: '/v1/statements' | '/v1/patients';
}

export interface WriteCounters {
  readonly ledgerSize: number;
  readonly identities: number;
  readonly identityRequests: number;
  readonly cosignatures: number;
}

export interface FuzzWorld {
  readonly world: World;
  readonly url: string;
  readonly origin: string;
  readonly keys: Readonly<Record<SignerName, KeyHolder>>;
  /** The witness WITNESS_KEYS names, and one it does not. */
  readonly witness: CosignerSigningKey;
  readonly strangerWitness: CosignerSigningKey;
  readonly bases: readonly BaseStatement[];
  readonly spent: readonly SpentStatement[];
  /** Prescriptions: claimable by rph-zhang, out for delivery with courier-zhao, and one only the controls cancel. */
  readonly prescriptions: { readonly claimable: string; readonly assigned: string; readonly cancellable: string };
  readonly pseudonym: string;
  /** A dry run's body that POST /v1/checks accepts from dr-li, and an order-sign request the CDS service accepts. */
  readonly checkBody: JsonObject;
  readonly orderSignBody: JsonObject;
  /** Personal data in the requests (names, national ids, phones, addresses): never in an answer. */
  readonly canaries: readonly string[];
  latestCheckpoint(): string;
  counters(): WriteCounters;
  /** SHA-256 over every row of every table of the ledger and identity databases. */
  digest(): string;
  close(): Promise<void>;
}

/** Fictional patients whose every field is a canary. */
export const CANARY_IDENTITIES = [
  { name: '甄英莲测试', nationalId: '37010219800101123X', phone: '13912345678', address: { region: '370102', line: '历下区趵突泉南路七十二号', recipient: '甄士隐测试', recipientPhone: '13987654321' } },
  { name: '贾宝玉测试', nationalId: '370103199002029876', phone: '+8613811112222', address: { region: '370103', line: '市中区大观园路三十六号', recipient: '林黛玉测试' } },
] as const;

export const canaryStrings = (): string[] => CANARY_IDENTITIES.flatMap((i) => [i.name, i.nationalId, i.phone, i.address.line, i.address.recipient]);

const HOSPITAL = 'hosp-jinan-central';

export async function startFuzzWorld(random: () => number): Promise<FuzzWorld> {
  const seed32 = (): Uint8Array => Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256));
  const witness = createCosignerKey('witness.fuzz.example/w1', seed32());
  const strangerWitness = createCosignerKey('witness.fuzz.example/w1', seed32());
  const world = await startWorld({
    checkpointIntervalMs: 100,
    env: {
      WITNESS_KEYS: formatCosignerVerifierKey(witness),
      BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
      AUTH_TIMESTAMP_WINDOW_MS: String(TIMESTAMP_WINDOW_MS),
      // Out of the way: every request must reach the check it was built for (throttling is the
      // rate limiter's business, and its own tests').
      ...Object.fromEntries(['WRITES', 'READS', 'ADDRESS'].flatMap((k) => [[`RATE_LIMIT_${k}_PER_SECOND`, '1000000'], [`RATE_LIMIT_${k}_BURST`, '1000000']])),
    },
  });
  try {
    return await populate(world, seed32, witness, strangerWitness);
  } catch (err) {
    await world.close();
    throw err;
  }
}

async function populate(world: World, seed32: () => Uint8Array, witness: CosignerSigningKey, strangerWitness: CosignerSigningKey): Promise<FuzzWorld> {
  const cast = await registerCast(world, DEMO_INSTITUTIONS, DEMO_ACTORS);
  const op = world.operator;
  const now = world.clock();
  const holder = (a: Actor) => keyHolder(a.id, a.seed);

  // A suspended prescriber, with a key of its own.
  const suspendedSeed = seed32();
  await op.act('registry.actor-register', {
    actorId: 'dr-suspended', role: 'prescriber', institutionId: HOSPITAL, name: '停职医生', licence: '110370100000099', title: '医师', department: '内科',
    privileges: { narcotic: false, psychotropicI: false, psychotropicII: false, antimicrobialGrade: 'none' },
  });
  await op.act('registry.key-add', { actorId: 'dr-suspended', publicKey: encodeBase64(publicKeyFromSeed(suspendedSeed)), notBefore: now - 60_000 });
  await op.act('registry.actor-suspend', { actorId: 'dr-suspended', reason: '执业资格核查中' });
  // dr-wang's second key, revoked; and a third, valid only from tomorrow.
  const revoked = keyHolder('dr-wang', seed32());
  await op.act('registry.key-add', { actorId: 'dr-wang', publicKey: encodeBase64(revoked.publicKey), notBefore: now - 60_000 });
  await op.act('registry.key-revoke', { actorId: 'dr-wang', keyId: revoked.keyId, reason: 'compromised' });
  const notYetValid = keyHolder('dr-wang', seed32());
  await op.act('registry.key-add', { actorId: 'dr-wang', publicKey: encodeBase64(notYetValid.publicKey), notBefore: now + 86_400_000 });

  const keys: Record<SignerName, KeyHolder> = {
    operator: holder(op),
    prescriber: holder(cast['dr-li']!),
    prescriber2: holder(cast['dr-wang']!),
    pharmacist: holder(cast['rph-zhang']!),
    courier: holder(cast['courier-zhao']!),
    regulator: holder(cast['inspector-sun']!),
    suspended: keyHolder('dr-suspended', suspendedSeed),
    revoked,
    notYetValid,
    unregistered: keyHolder('dr-li', seed32()),
  };

  // A patient identified with canary data, and prescriptions in known states.
  const drLi = cast['dr-li']!;
  const zhang = cast['rph-zhang']!;
  const identify = drLi.sign('patient.identify', { identity: CANARY_IDENTITIES[0] as unknown as JsonObject });
  const patient = await drLi.client.identifyPatient(identify);
  const spentIdentify: SpentStatement = { signer: 'prescriber', nonce: identify.statement.nonce, idempotencyKey: identify.statement.idempotencyKey, route: '/v1/patients' };
  const prescriber = { id: 'dr-li', institutionId: HOSPITAL };
  const submit = async (label: string) => {
    const id = rxId(label);
    const result = await drLi.act('rx.submit', { prescription: prescription(id, prescriber, patient, { now: world.clock() }) as unknown as JsonObject, routing: { mode: 'nominated', pharmacyId: 'pharm-quancheng' } });
    return { id, last: result.lastIndex };
  };
  const claimable = await submit('fuzz-claimable');
  const cancellable = await submit('fuzz-cancellable');
  const assigned = await submit('fuzz-assigned');
  let last = (await zhang.act('rx.claim', { prescriptionId: assigned.id, previous: assigned.last, pharmacyId: 'pharm-quancheng', fill: 0 })).lastIndex;
  last = (await zhang.act('rx.review', { prescriptionId: assigned.id, previous: last, fill: 0, decision: 'approve' })).lastIndex;
  last = (await zhang.act('rx.dispense', { prescriptionId: assigned.id, previous: last, fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [randomTraceCode()] }] })).lastIndex;
  const pickupCode = Buffer.from(seed32().subarray(0, 24)).toString('base64url');
  last = (await zhang.act('rx.delivery-assign', { prescriptionId: assigned.id, previous: last, fill: 0, courierId: 'courier-zhao', pickupCodeHash: pickupCodeHash(pickupCode) })).lastIndex;
  const assignedLast = last;

  // Statements the service would accept as they stand: their hostile mutations must write nothing.
  const fresh = keyHolder('dr-li', seed32());
  const newRx = prescription(rxId('fuzz-new'), prescriber, patient, { now: world.clock() }) as unknown as JsonObject;
  const bases: BaseStatement[] = [
    { label: 'institution-register', signer: 'operator', action: 'registry.institution-register', payload: { institutionId: 'hosp-fuzz-new', kind: 'hospital', name: '模糊测试医院', region: '370102', licence: 'LIC-FUZZ-1' }, route: '/v1/statements', stateValid: true },
    { label: 'actor-register', signer: 'operator', action: 'registry.actor-register', payload: { actorId: 'rph-fuzz-new', role: 'pharmacist', institutionId: 'pharm-lixia', name: '新药师', licence: 'YSZ-FUZZ-1' }, route: '/v1/statements', stateValid: true },
    { label: 'key-add', signer: 'operator', action: 'registry.key-add', payload: { actorId: 'dr-li', publicKey: encodeBase64(fresh.publicKey), notBefore: now - 1000 }, route: '/v1/statements', stateValid: true },
    { label: 'rx-submit', signer: 'prescriber', action: 'rx.submit', payload: { prescription: newRx, routing: { mode: 'nominated', pharmacyId: 'pharm-quancheng' } }, route: '/v1/statements', stateValid: true },
    { label: 'rx-cancel', signer: 'prescriber', action: 'rx.cancel', payload: { prescriptionId: cancellable.id, previous: cancellable.last, reason: 'prescribing-error', note: '剂量需调整' }, route: '/v1/statements', stateValid: true },
    { label: 'rx-claim', signer: 'pharmacist', action: 'rx.claim', payload: { prescriptionId: claimable.id, previous: claimable.last, pharmacyId: 'pharm-quancheng', fill: 0 }, route: '/v1/statements', stateValid: true },
    { label: 'delivery-pickup', signer: 'courier', action: 'rx.delivery-pickup', payload: { prescriptionId: assigned.id, previous: assignedLast, fill: 0 }, route: '/v1/statements', stateValid: true },
    { label: 'patient-identify', signer: 'prescriber', action: 'patient.identify', payload: { identity: CANARY_IDENTITIES[1] as unknown as JsonObject }, route: '/v1/patients', stateValid: true },
    { label: 'erase-identity', signer: 'operator', action: 'patient.erase-identity', payload: { identityCommitment: patient.identityCommitment, reason: 'patient-request' }, route: '/v1/statements', stateValid: true },
    { label: 'actor-suspend', signer: 'operator', action: 'registry.actor-suspend', payload: { actorId: 'dr-wang', reason: '执业资格核查' }, route: '/v1/statements', stateValid: true },
    { label: 'key-revoke', signer: 'operator', action: 'registry.key-revoke', payload: { actorId: 'dr-wang', keyId: keys.prescriber2.keyId, reason: 'superseded' }, route: '/v1/statements', stateValid: true },
  ];
  // Every action's documented example (docs shapes, this cast's signers): schema-valid, mostly not state-valid.
  const roleSigner: Record<string, SignerName> = { operator: 'operator', prescriber: 'prescriber', pharmacist: 'pharmacist', courier: 'courier' };
  for (const [action, doc] of Object.entries(actionDocs())) {
    for (const example of doc.examples) {
      const signer = roleSigner[signerRole(action)];
      if (signer === undefined) continue;
      bases.push({ label: `example:${action}${example.variant ? `:${example.variant}` : ''}`, signer, action, payload: example.payload as unknown as JsonObject, route: '/v1/statements', stateValid: false });
    }
  }

  // Nonces and idempotency keys the ledger recorded for keys the campaign holds.
  const byKeyId = new Map<string, SignerName>(Object.entries(keys).map(([name, k]) => [k.keyId, name as SignerName]));
  const spent: SpentStatement[] = [spentIdentify];
  const ledger = world.service.ledger;
  for (const stored of ledger.entries(0, ledger.size())) {
    const body = parseEntry(stored.data).body as { statement?: { keyId?: unknown; nonce?: unknown; idempotencyKey?: unknown } };
    const s = body.statement;
    const signer = typeof s?.keyId === 'string' ? byKeyId.get(s.keyId) : undefined;
    if (signer !== undefined && typeof s?.nonce === 'string' && typeof s.idempotencyKey === 'string') spent.push({ signer, nonce: s.nonce, idempotencyKey: s.idempotencyKey, route: '/v1/statements' });
  }

  const checkBody = { prescription: prescription(rxId('fuzz-check'), prescriber, patient, { now: world.clock() }) as unknown as JsonObject };
  const orderSign = structuredClone(ORDER_SIGN_EXAMPLE) as unknown as { context: { patientId: string } };
  orderSign.context.patientId = patient.pseudonym;

  const ledgerDb = new Database(join(world.dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  const identityDb = new Database(join(world.dataDir, IDENTITY_DATABASE_FILE), { readonly: true, fileMustExist: true });
  const identityCounts = identityDb.prepare<[], { identities: number; requests: number }>('SELECT (SELECT count(*) FROM identities) AS identities, (SELECT count(*) FROM identity_requests) AS requests');
  const cosignatureCount = ledgerDb.prepare<[], { n: number }>('SELECT count(*) AS n FROM checkpoint_cosignatures');
  const counters = (): WriteCounters => {
    const ids = identityCounts.get()!;
    return { ledgerSize: ledger.size(), identities: ids.identities, identityRequests: ids.requests, cosignatures: cosignatureCount.get()!.n };
  };

  const fuzzWorld: FuzzWorld = {
    world,
    url: world.url,
    origin: world.origin,
    keys,
    witness,
    strangerWitness,
    bases,
    spent,
    prescriptions: { claimable: claimable.id, assigned: assigned.id, cancellable: cancellable.id },
    pseudonym: patient.pseudonym,
    checkBody,
    orderSignBody: orderSign as unknown as JsonObject,
    canaries: canaryStrings(),
    latestCheckpoint: () => {
      const note = ledger.latestCheckpoint();
      if (note === null) throw new Error('no checkpoint yet');
      return note;
    },
    counters,
    digest: () => {
      const hash = createHash('sha256');
      for (const db of [ledgerDb, identityDb]) digestDatabase(db, hash);
      return hash.digest('hex');
    },
    async close() {
      ledgerDb.close();
      identityDb.close();
      await world.close();
    },
  };
  await settle(fuzzWorld);
  return fuzzWorld;
}

/** Waits until a checkpoint covers the whole log, so nothing is published during the campaign. */
async function settle(w: FuzzWorld): Promise<void> {
  const ledger = w.world.service.ledger;
  for (let i = 0; i < 200; i++) {
    const note = ledger.latestCheckpoint();
    const size = note === null ? -1 : Number(note.split('\n')[1]);
    if (size === ledger.size()) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // The oversight projection folds on a timer: one signed read folds everything now.
  await w.world.actor('inspector-sun', w.keys.regulator.seed).client.oversightAlertSummary();
}

/** Feeds every row of every table (in name order; rows sorted) into `hash`. */
function digestDatabase(db: Database.Database, hash: ReturnType<typeof createHash>): void {
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
  const cell = (v: unknown): string => (v instanceof Uint8Array ? `x'${bytesToHex(v)}'` : JSON.stringify(v));
  for (const { name } of tables) {
    const rows = db
      .prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`)
      .raw()
      .all() as unknown[][];
    const lines = rows.map((row) => row.map(cell).join(',')).sort();
    hash.update(`table ${name} ${lines.length}\n`);
    for (const line of lines) hash.update(`${line}\n`);
  }
}
