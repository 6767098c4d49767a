/**
 * A running rxledger with a registered cast, driven over real HTTP with real signatures: the
 * demo, the HTTP benchmark and the end-to-end tests all start from here. Nothing is mocked: the
 * service is the production one (`startService`) on 127.0.0.1, on a fresh data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { bytesToHex, encodeBase64 } from '../../src/core/bytes.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { publicKeyFromSeed } from '../../src/core/ed25519.js';
import { loadConfig } from '../../src/config.js';
import { createLedgerClient, createReadSigner, createStatementSigner, type LedgerClient, type StatementSigner, type SubmitResult } from '../../src/client/index.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { startService, type RunningService } from '../../src/service.js';
import type { PatientRef } from './rx-builders.js';

export { COMPATIBLE_DRUGS, item, prescription, type PatientRef } from './rx-builders.js';

export interface Actor {
  readonly id: string;
  readonly seed: Uint8Array;
  readonly signer: StatementSigner;
  /** A client whose reads are signed by this actor. */
  readonly client: LedgerClient;
  sign(action: string, payload: JsonObject): ReturnType<StatementSigner['sign']>;
  /** Signs and submits; throws the service's RxError on refusal. */
  act(action: string, payload: JsonObject): Promise<SubmitResult>;
}

export interface World {
  readonly service: RunningService;
  readonly url: string;
  readonly origin: string;
  readonly dataDir: string;
  readonly operator: Actor;
  readonly clock: () => number;
  actor(id: string, seed?: Uint8Array): Actor;
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly dataDir?: string;
  readonly logger?: Logger;
  readonly clock?: () => number;
  readonly checkpointIntervalMs?: number;
  readonly env?: Readonly<Record<string, string>>;
}

export const randomSeed = (): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(32));
/** A patient's access or pickup code: 24 random bytes, base64url (192 bits). */
export const randomCode = (): string => Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
/** A 20-digit drug traceability code. */
export const randomTraceCode = (): string => Array.from(globalThis.crypto.getRandomValues(new Uint8Array(20)), (b) => String(b % 10)).join('');

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rxledger-world-'));
  const clock = options.clock ?? Date.now;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_ORIGIN: 'demo.rxledger.example/log',
    CHECKPOINT_INTERVAL_MS: String(options.checkpointIntervalMs ?? 200),
    ...options.env,
  });
  const service = await startService(config, { logger: options.logger ?? pino({ level: 'silent' }), ...(options.clock ? { clock: options.clock } : {}) });
  const actor = (id: string, seed: Uint8Array = randomSeed()): Actor => {
    const signer = createStatementSigner({ origin: config.logOrigin, actorId: id, seed, clock });
    const client = createLedgerClient(service.url, { signRead: createReadSigner({ seed, clock }) });
    const sign = (action: string, payload: JsonObject) => signer.sign(action, payload);
    return { id, seed, signer, client, sign, act: (action, payload) => client.submit(sign(action, payload)) };
  };
  const operatorKey = readActorKey(genesisOperatorKeyPath(dataDir));
  return {
    service,
    url: service.url,
    origin: config.logOrigin,
    dataDir,
    operator: actor(operatorKey.actorId, operatorKey.seed),
    clock,
    actor,
    async close() {
      await service.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface InstitutionSpec {
  readonly id: string;
  readonly kind: 'hospital' | 'primary-clinic' | 'internet-hospital' | 'pharmacy' | 'delivery-company' | 'regulator';
  readonly region: string;
  readonly name: string;
  readonly delivers?: boolean;
}

export interface ActorSpec {
  readonly id: string;
  readonly role: 'prescriber' | 'pharmacist' | 'courier' | 'regulator';
  readonly institutionId: string;
  readonly name: string;
}

const PRESCRIBER_DETAILS = {
  licence: '110370100000001',
  title: '主治医师',
  department: '内科',
  privileges: { narcotic: false, psychotropicI: false, psychotropicII: true, antimicrobialGrade: 'restricted' },
};

/**
 * Registers institutions and actors (each with a fresh key from `world.actor`) through the
 * operator's signed statements. It needs no running service of its own, only the operator, a way to
 * make actors and the clock the keys' validity starts from, so a service in another process can be
 * registered too (remote-cast.ts).
 */
export async function registerCast(world: Pick<World, 'operator' | 'actor' | 'clock'>, institutions: readonly InstitutionSpec[], actors: readonly ActorSpec[]): Promise<Record<string, Actor>> {
  for (const i of institutions) {
    await world.operator.act('registry.institution-register', {
      institutionId: i.id,
      kind: i.kind,
      name: i.name,
      region: i.region,
      licence: `LIC-${i.id}`,
      ...(i.kind === 'pharmacy' ? { delivers: i.delivers ?? false } : {}),
    });
  }
  const cast: Record<string, Actor> = {};
  for (const a of actors) {
    await world.operator.act('registry.actor-register', {
      actorId: a.id,
      role: a.role,
      institutionId: a.institutionId,
      name: a.name,
      ...(a.role === 'prescriber' ? PRESCRIBER_DETAILS : {}),
    });
    const actor = world.actor(a.id);
    await world.operator.act('registry.key-add', { actorId: a.id, publicKey: encodeBase64(publicKeyFromSeed(actor.seed)), notBefore: world.clock() - 60_000 });
    cast[a.id] = actor;
  }
  return cast;
}

/** The demo's cast: a hospital with two doctors, two pharmacies, a delivery partner and a regulator, in 济南. */
export const DEMO_INSTITUTIONS: readonly InstitutionSpec[] = [
  { id: 'hosp-jinan-central', kind: 'hospital', region: '370102', name: '济南市中心医院' },
  { id: 'pharm-quancheng', kind: 'pharmacy', region: '370103', name: '泉城大药房', delivers: true },
  { id: 'pharm-lixia', kind: 'pharmacy', region: '370102', name: '历下社区药房', delivers: false },
  { id: 'swift-delivery', kind: 'delivery-company', region: '370100', name: '迅达配送' },
  { id: 'jinan-nhc', kind: 'regulator', region: '370100', name: '济南市卫生健康委员会' },
];
export const DEMO_ACTORS: readonly ActorSpec[] = [
  { id: 'dr-li', role: 'prescriber', institutionId: 'hosp-jinan-central', name: '李医生' },
  { id: 'dr-wang', role: 'prescriber', institutionId: 'hosp-jinan-central', name: '王医生' },
  { id: 'rph-zhang', role: 'pharmacist', institutionId: 'pharm-quancheng', name: '张药师' },
  { id: 'rph-chen', role: 'pharmacist', institutionId: 'pharm-lixia', name: '陈药师' },
  { id: 'courier-zhao', role: 'courier', institutionId: 'swift-delivery', name: '赵师傅' },
  { id: 'inspector-sun', role: 'regulator', institutionId: 'jinan-nhc', name: '孙科长' },
];


/** Identifies a (fictional) patient through POST /v1/patients; the identity stays in the identity store. */
export async function identifyPatient(prescriber: Actor, n: number): Promise<PatientRef> {
  const nationalIdBody = `37010219${String(70 + (n % 30)).padStart(2, '0')}0101${String(n).padStart(3, '0')}`;
  const identity = {
    name: `测试患者${n}`,
    nationalId: `${nationalIdBody}${n % 10}`,
    phone: `1390000${String(n).padStart(4, '0')}`,
    address: { region: '370102', line: `历下区测试路${n}号`, recipient: `测试患者${n}` },
  };
  const r = await prescriber.client.identifyPatient(prescriber.sign('patient.identify', { identity }));
  return { pseudonym: r.pseudonym, identityCommitment: r.identityCommitment };
}

/** A fresh, unique prescription id. */
export const rxId = (label: string): string => `rx-${label}-${bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(4)))}`;
