/**
 * Builds a large, realistic ledger in a data directory without HTTP: the production ledger
 * (`openServiceLedger`: SQLite, the state machine, the starter checker) driven in-process with
 * real signed statements. A registry of hospitals, pharmacies, couriers and a regulator is
 * registered first; then prescriptions run through the lifecycle concurrently (collected in
 * store, delivered, cancelled, returned and re-claimed), so the log holds every kind of entry an
 * audit has to judge in about the proportions a province would see.
 *
 * Used by `npm run bench:audit` (a million entries) and by tests that need a log larger than a
 * demo. Signing uses OpenSSL (scripts/bench-http/fast-signer.ts); the service verifies every
 * signature as in production.
 */
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { encodeBase64 } from '../../src/core/bytes.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { loadConfig } from '../../src/config.js';
import { openServiceLedger, type ServiceLedger } from '../../src/service.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { pickupCodeHash } from '../../src/client/index.js';
import type { AppendResult } from '../../src/ledger/ledger.js';
import { createFastSigner, type FastSigner } from '../bench-http/fast-signer.js';
import { mulberry32 } from './bench-support.js';
import { prescription, type PatientRef } from './rx-builders.js';

export const SYNTHETIC_ORIGIN = 'audit.rxledger.example/log';

export interface SyntheticLedgerOptions {
  readonly dataDir: string;
  /** Stop once the log holds at least this many entries. */
  readonly entries: number;
  readonly seed?: number;
  /** Prescriptions in flight at once. */
  readonly concurrency?: number;
  readonly onProgress?: (size: number, target: number) => void;
}

export interface SyntheticLedger {
  readonly size: number;
  readonly origin: string;
  /** C2SP verifier keys of the log's checkpoint signers. */
  readonly verifierKeys: readonly string[];
  /** The regulator's actor seed (hex), for signed reads over HTTP. */
  readonly regulator: { readonly id: string; readonly seedHex: string };
}

interface Cast {
  readonly prescribers: Array<{ signer: FastSigner; institutionId: string }>;
  readonly pharmacists: Array<{ signer: FastSigner; pharmacyId: string; delivers: boolean }>;
  readonly couriers: FastSigner[];
  readonly regulator: { id: string; seed: Uint8Array };
}

const HOSPITALS = 6;
const PHARMACIES = 10;
const PRESCRIBERS_PER_HOSPITAL = 8;
const PHARMACISTS_PER_PHARMACY = 2;
const COURIERS = 12;
const PATIENTS = 25_000;

const seedOf = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(`synthetic-ledger/${label}`).digest());
const hex256 = (label: string): string => createHash('sha256').update(label).digest('hex');

export async function buildSyntheticLedger(options: SyntheticLedgerOptions): Promise<SyntheticLedger> {
  const config = loadConfig({ DATA_DIR: options.dataDir, LOG_ORIGIN: SYNTHETIC_ORIGIN, CHECKPOINT_INTERVAL_MS: '1000' });
  const opened = await openServiceLedger(config, { logger: pino({ level: 'silent' }) });
  const stopCheckpointing = opened.ledger.startCheckpointing(config.checkpointIntervalMs);
  try {
    const cast = await registerCast(opened, config.logOrigin, options.dataDir);
    await runPrescriptions(opened, cast, config.logOrigin, options);
    return {
      size: opened.ledger.size(),
      origin: config.logOrigin,
      verifierKeys: opened.ledger.verifierKeys,
      regulator: { id: cast.regulator.id, seedHex: Buffer.from(cast.regulator.seed).toString('hex') },
    };
  } finally {
    stopCheckpointing();
    await opened.close();
  }
}

/** Appends a signed statement and returns the index its prescription's next statement names as `previous`. */
async function act(service: ServiceLedger, signer: FastSigner, action: string, payload: JsonObject): Promise<AppendResult> {
  return service.ledger.append(action, signer.sign(action, payload).signed as unknown as JsonObject);
}
const lastIndex = (r: AppendResult): number => r.records?.at(-1)?.index ?? r.index;

async function registerCast(service: ServiceLedger, origin: string, dataDir: string): Promise<Cast> {
  const operatorKey = readActorKey(genesisOperatorKeyPath(dataDir));
  const operator = createFastSigner({ origin, actorId: operatorKey.actorId, seed: operatorKey.seed });
  const institution = (institutionId: string, kind: string, region: string, extra: JsonObject = {}) =>
    act(service, operator, 'registry.institution-register', { institutionId, kind, name: `${institutionId} 机构`, region, licence: `LIC-${institutionId}`, ...extra });
  const person = async (actorId: string, role: string, institutionId: string, extra: JsonObject = {}): Promise<FastSigner> => {
    await act(service, operator, 'registry.actor-register', { actorId, role, institutionId, name: `${actorId} 姓名`, ...extra });
    const seed = seedOf(actorId);
    const signer = createFastSigner({ origin, actorId, seed });
    await act(service, operator, 'registry.key-add', { actorId, publicKey: encodeBase64(signer.publicKey), notBefore: Date.now() - 60_000 });
    return signer;
  };
  const prescribers: Cast['prescribers'] = [];
  for (let h = 0; h < HOSPITALS; h++) {
    const institutionId = `hosp-${h}`;
    await institution(institutionId, 'hospital', '370102');
    for (let d = 0; d < PRESCRIBERS_PER_HOSPITAL; d++) {
      const signer = await person(`dr-${h}-${d}`, 'prescriber', institutionId, {
        licence: `11037010000${String(h * 100 + d).padStart(4, '0')}`,
        title: '主治医师',
        department: '内科',
        privileges: { narcotic: false, psychotropicI: false, psychotropicII: true, antimicrobialGrade: 'restricted' },
      });
      prescribers.push({ signer, institutionId });
    }
  }
  const pharmacists: Cast['pharmacists'] = [];
  for (let p = 0; p < PHARMACIES; p++) {
    const pharmacyId = `pharm-${p}`;
    const delivers = p % 2 === 0;
    await institution(pharmacyId, 'pharmacy', '370102', { delivers });
    for (let r = 0; r < PHARMACISTS_PER_PHARMACY; r++) pharmacists.push({ signer: await person(`rph-${p}-${r}`, 'pharmacist', pharmacyId), pharmacyId, delivers });
  }
  await institution('courier-co', 'delivery-company', '370100');
  const couriers: FastSigner[] = [];
  for (let c = 0; c < COURIERS; c++) couriers.push(await person(`courier-${c}`, 'courier', 'courier-co'));
  await institution('regulator-nhc', 'regulator', '370100');
  await person('inspector-0', 'regulator', 'regulator-nhc');
  return { prescribers, pharmacists, couriers, regulator: { id: 'inspector-0', seed: seedOf('inspector-0') } };
}

/** Runs `concurrency` independent lanes, each taking prescriptions through their lifecycle one after another. */
async function runPrescriptions(service: ServiceLedger, cast: Cast, origin: string, options: SyntheticLedgerOptions): Promise<void> {
  const random = mulberry32(options.seed ?? 1);
  let serial = 0;
  let lastReported = 0;
  const lane = async (): Promise<void> => {
    while (service.ledger.size() < options.entries) {
      const n = serial++;
      await onePrescription(service, cast, n, random);
      const size = service.ledger.size();
      if (size - lastReported >= 10_000) {
        lastReported = size;
        options.onProgress?.(size, options.entries);
      }
    }
  };
  void origin;
  await Promise.all(Array.from({ length: options.concurrency ?? 400 }, lane));
  options.onProgress?.(service.ledger.size(), options.entries);
}

async function onePrescription(service: ServiceLedger, cast: Cast, n: number, random: () => number): Promise<void> {
  const doctor = cast.prescribers[n % cast.prescribers.length]!;
  const patientNo = Math.floor(random() * PATIENTS);
  const patient: PatientRef = { pseudonym: hex256(`patient-${patientNo}`), identityCommitment: hex256(`commitment-${patientNo}`) };
  const pharmacist = cast.pharmacists[Math.floor(random() * cast.pharmacists.length)]!;
  const id = `rx-syn-${String(n).padStart(7, '0')}`;
  const rx = prescription(id, { id: doctor.signer.actorId, institutionId: doctor.institutionId }, patient, { now: Date.now() });
  const submitted = await act(service, doctor.signer, 'rx.submit', {
    prescription: rx as unknown as JsonObject,
    routing: { mode: 'nominated', pharmacyId: pharmacist.pharmacyId },
  });
  let last = lastIndex(submitted);
  // A check that blocks or awaits an override ends this prescription's story here.
  if ((submitted.records?.[0]?.entry.body as { outcome?: string } | undefined)?.outcome !== 'active') return;
  const step = async (signer: FastSigner, action: string, payload: JsonObject) => {
    last = lastIndex(await act(service, signer, action, { prescriptionId: id, previous: last, ...payload }));
  };
  const path = random();
  if (path < 0.04) return step(doctor.signer, 'rx.cancel', { reason: 'clinical-change' });
  await step(pharmacist.signer, 'rx.claim', { pharmacyId: pharmacist.pharmacyId, fill: 0 });
  if (path < 0.08) {
    // Returned for want of stock, then claimed again by the same pharmacy.
    await step(pharmacist.signer, 'rx.return', { fill: 0, reason: 'out-of-stock' });
    await step(pharmacist.signer, 'rx.claim', { pharmacyId: pharmacist.pharmacyId, fill: 0 });
  }
  await step(pharmacist.signer, 'rx.review', { fill: 0, decision: 'approve' });
  const quantity = (rx.items[0] as { quantity: { value: string } }).quantity.value;
  await step(pharmacist.signer, 'rx.dispense', { fill: 0, lines: [{ line: 1, quantity, traceabilityCodes: [traceCode(n)] }] });
  if (!pharmacist.delivers || path < 0.6) return step(pharmacist.signer, 'rx.collect', { fill: 0 });
  const courier = cast.couriers[n % cast.couriers.length]!;
  const pickupCode = `pickup-code-${n}-0000000000`;
  await step(pharmacist.signer, 'rx.delivery-assign', { fill: 0, courierId: courier.actorId, pickupCodeHash: pickupCodeHash(pickupCode) });
  await step(courier, 'rx.delivery-pickup', { fill: 0 });
  await step(courier, 'rx.delivery-in-transit', { fill: 0 });
  await step(courier, 'rx.delivery-complete', { fill: 0, pickupCode });
}

/** A unique 20-digit drug traceability code per prescription. */
const traceCode = (n: number): string => `8${String(n).padStart(19, '0')}`;
