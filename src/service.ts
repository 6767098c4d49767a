/**
 * Wires the running service: data directory, signing keys, SQLite store, ledger, checkpoint
 * cadence and HTTP. `stop()` is the graceful shutdown: stop accepting connections, let in-flight
 * requests (and their appends) finish, publish a final checkpoint, close the database.
 *
 * This module opens the stores and the ledger and serves HTTP; what a start records and catches up
 * before serving is service-start-up.ts, signed reads' start service-read-auth.ts, the erasure
 * follow service-erasures.ts, and the rate limit's actor check service-statement-actor.ts.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import { loadOrCreateSigningKeys } from './keys/key-files.js';
import { openLedger, type Ledger } from './ledger/ledger.js';
import { DATABASE_FILE, openDatabase } from './store/database.js';
import { nodeMerkleHasher } from './platform/node-merkle-hasher.js';
import { createNodeEd25519Verifier } from './platform/node-ed25519.js';
import { keyIdHint, type SignerKey, type StatementIntake } from './ledger/statement-intake.js';
import { createStatementWorkers } from './ledger/statement-workers.js';
import { nodeSha256Hex } from './platform/node-sha256.js';
import { createWalSync } from './platform/wal-sync.js';
import { createStateStore, type StateStore } from './store/state-store.js';
import { acquireDataDirLock, type DataDirLock } from './store/data-dir-lock.js';
import { recordStartUp, STARTUP_FOLD_BATCHES } from './service-start-up.js';
import { ERASURE_FOLLOW_INTERVAL_MS, followErasures } from './service-erasures.js';
import { openIdentityStore, type IdentityStore } from './store/identity-store.js';
import { createErasureFollower, type ErasureFollower } from './patients/recorded-erasures.js';
import type { SignatureCheck } from './domain/registry/registry-rules.js';
import type { SqliteDatabase } from './store/database.js';
import { loadOrCreateSecret } from './keys/secret-key-file.js';
import type { PatientService } from './patients/patient-service.js';
import type { ReadAuthenticator } from './http/read-auth.js';
import { createLedgerStateMachine } from './ledger/state-machine.js';
import { createRuleSetLibrary } from './domain/checker/rule-set-library.js';
import type { RuleSetLibrary } from './domain/checker/rule-set-activation.js';
import type { KnowledgeRuleSet } from './domain/checker/knowledge-rule-set.js';
import type { CheckPolicy } from './domain/prescription/checker.js';
import { loadConfiguredRuleSet, storeRuleSetBundle } from './ledger/rule-set-startup.js';
import { createLedgerStore } from './store/ledger-store.js';
import type { EntryBodySchemas } from './domain/entry-types.js';
import { createCosignatureStore } from './store/cosignature-store.js';
import { createCosignatureCollector, type CosignatureCollector } from './witness/cosignature-collector.js';
import { createReadNonceStore } from './store/read-nonce-store.js';
import { createOversightStore } from './store/oversight-store.js';
import { createDrugClassifier } from './oversight/drug-classifier.js';
import type { OversightService } from './oversight/oversight-service.js';
import { createOversightThread } from './ledger/oversight-thread.js';
import { checkDoctorShoppingClasses } from './oversight/doctor-shopping-classes.js';

export { DATABASE_FILE };

export interface ServiceDeps {
  readonly logger: PinoLogger;
  readonly clock?: () => number;
  /** Only for tests and tools that extend the entry union; production uses the default. */
  readonly entryBodySchemas?: EntryBodySchemas;
  /** Oversight batches folded before listening (default STARTUP_FOLD_BATCHES); tests lower it. */
  readonly oversightStartupBatches?: number;
}

export interface RunningService {
  readonly app: FastifyInstance;
  readonly ledger: Ledger;
  /** The write route's statement intake on worker threads (tests wait for it to be ready). */
  readonly statementIntake: StatementIntake;
  /** `http://host:port` the service listens on. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Opens the ledger in `config.dataDir`, creating the directory, keys and genesis entry on first start. */
export interface ServiceLedger {
  readonly ledger: Ledger;
  /** Authenticates signed reads against the registry projection. */
  readonly readAuth: ReadAuthenticator;
  /** Patient identification against the erasable identity store. */
  readonly patients: PatientService;
  /** The derived state (registry, prescriptions) the ledger maintains. */
  readonly state: StateStore;
  /** The configured rule set (active in the log since start-up) and the policy it runs under. */
  readonly checker: KnowledgeRuleSet;
  /** Every rule set this service can run: the configured one and stored bundles, by hash. */
  readonly ruleSets: RuleSetLibrary;
  readonly checkPolicy: CheckPolicy;
  readonly identities: IdentityStore;
  /** Applies the identity erasures the log records: each as the write route records it, and all of them, following the log (caught up at start-up). */
  readonly erasures: ErasureFollower;
  /** Witness cosignatures of published checkpoints (WITNESS_KEYS). */
  readonly witnesses: CosignatureCollector;
  /** Statistics and alerts for regulators, folded from the log (docs/OVERSIGHT.md); caught up at start-up. */
  readonly oversight: OversightService;
  /**
   * The actor whose registered, unrevoked, currently valid key signed a statement body, or
   * undefined: the rate limiter's proof that a write over budget is really that actor's.
   */
  readonly statementActor: (body: unknown) => string | undefined;
  /** Parses and validates statement bodies on worker threads for the write route. */
  readonly statementIntake: StatementIntake;
  /** Closes the ledger (drain, final checkpoint) and the identity store, and releases the data directory. */
  close(): Promise<void>;
}

export const IDENTITY_DATABASE_FILE = 'identity.sqlite';
export { STARTUP_FOLD_BATCHES };
const randomBytes = (n: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(n));

export async function openServiceLedger(config: Config, deps: ServiceDeps): Promise<ServiceLedger> {
  // The configuration's own mistakes are refused before anything is created: a first start that
  // fails on a typo leaves no data directory, keys or databases behind.
  const checker = loadConfiguredRuleSet(config.knowledgeDir);
  // Configured class names exist only in the knowledge set: a typo is refused, not ignored.
  checkDoctorShoppingClasses(config.oversight.doctorShopping.classes, checker);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const lock = acquireDataDirLock(config.dataDir);
  try {
    return await openLocked(config, deps, lock, checker);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function openLocked(config: Config, deps: ServiceDeps, lock: DataDirLock, checker: KnowledgeRuleSet): Promise<ServiceLedger> {
  const { keys, createdPath } = loadOrCreateSigningKeys(config.dataDir, config.logOrigin);
  if (createdPath !== undefined) deps.logger.info({ path: createdPath }, 'created checkpoint signing key');
  // Everything that can fail for want of a file is opened before the ledger writes anything.
  const identities = openIdentityStore({
    path: join(config.dataDir, IDENTITY_DATABASE_FILE),
    pseudonymKey: loadOrCreateSecret(config.dataDir, 'patient-pseudonym', randomBytes),
    randomBytes,
  });
  let db: SqliteDatabase;
  try {
    db = openDatabase(join(config.dataDir, DATABASE_FILE), {
      onUpgrade: ({ from, to, tookMs }) =>
        tookMs === undefined
          ? deps.logger.info({ from, to }, 'upgrading the ledger database schema (on a large ledger this can take a minute)')
          : deps.logger.info({ from, to, tookMs }, 'upgraded the ledger database schema'),
    });
  } catch (err) {
    identities.close();
    throw err;
  }
  const state = createStateStore(db);
  const witnesses = createCosignatureCollector({ origin: config.logOrigin, witnessKeys: config.witnessKeys, store: createCosignatureStore(db), ...(deps.clock ? { clock: deps.clock } : {}) });
  try {
    storeRuleSetBundle(state.ruleSets, checker);
  } catch (err) {
    db.close();
    identities.close();
    throw err;
  }
  const signatures = createNodeEd25519Verifier();
  const verifySignature: SignatureCheck = (sig, msg, pub) => signatures.verify(sig, msg, pub);
  // A statement's body intake and its signature check run on the other cores while the event loop
  // sequences (statement-workers.ts). Not awaited: until a worker is up (about half a second when
  // running from source), bodies are parsed and signatures verified on the event loop, which is
  // also the fallback if none can start; a signature not pre-verified is checked in the commit.
  const statementWorkers = createStatementWorkers(Math.max(1, availableParallelism() - 1));
  let poolsClosed = false;
  // Not when the pools were closed before a worker was ready: that start failed for another
  // reason and was abandoned, and nothing is left to parse or verify on the event loop.
  void statementWorkers.ready().catch(() => poolsClosed || deps.logger.warn({}, 'no statement worker could start: parsing and verifying on the event loop'));
  // With the key the raw body most likely names (a registered key, read from the registry's cache),
  // the worker checks the signature in the same job as the intake: one round trip, not two.
  const signerKeyOf = (bytes: Uint8Array): SignerKey | undefined => {
    try {
      const keyId = keyIdHint(bytes);
      const publicKey = keyId === undefined ? undefined : state.key(keyId)?.publicKey;
      return publicKey === undefined ? undefined : { keyId: keyId!, publicKey };
    } catch {
      return undefined; // the database closing under a late request: the intake never throws
    }
  };
  const statementIntake: StatementIntake = { ...statementWorkers.intake, take: (bytes) => statementWorkers.intake.take(bytes, signerKeyOf(bytes)) };
  const closePools = () => {
    poolsClosed = true;
    return statementWorkers.close();
  };
  const ruleSets = createRuleSetLibrary((hash) => state.ruleSets.bundle(hash), [checker]);
  // Drug classes come from the rule set each prescription was checked with, by the hash the log names.
  const oversightStore = createOversightStore(db, {
    settings: config.oversight,
    classify: createDrugClassifier((hash) => (ruleSets.get(hash) as Partial<KnowledgeRuleSet> | undefined)?.knowledge),
  });
  if (oversightStore.rebuilt) deps.logger.warn({}, 'oversight settings changed: refolding the projection from the start of the log');
  let ledger: Ledger;
  try {
    ledger = openLedger({
      // Batches commit with synchronous=NORMAL and are acknowledged once their WAL is flushed off the event loop.
      store: createLedgerStore(db, { walFlusher: createWalSync(join(config.dataDir, DATABASE_FILE)) }),
      origin: config.logOrigin,
      signingKeys: keys,
      logger: deps.logger,
      hasher: nodeMerkleHasher,
      stateMachine: createLedgerStateMachine({
        state,
        ruleSets,
        origin: config.logOrigin,
        timestampWindowMs: config.authTimestampWindowMs,
        verifySignature,
        preparation: { verifyAsync: (sig, msg, pub) => statementWorkers.verify(sig, msg, pub), sha256Hex: nodeSha256Hex },
      }),
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.entryBodySchemas ? { entryBodySchemas: deps.entryBodySchemas } : {}),
    });
  } catch (err) {
    db.close();
    identities.close();
    await closePools();
    throw err;
  }
  try {
    const erasures = createErasureFollower({ identities, ledgerDb: db, logSize: () => ledger.size() });
    return await recordStartUp(config, deps, { ledger, state, identities, erasures, verifySignature, closePools, statementIntake, checker, ruleSets, lock, witnesses, oversightStore, readNonces: createReadNonceStore(db) });
  } catch (err) {
    await ledger.close().catch(() => undefined);
    identities.close();
    await closePools();
    throw err;
  }
}

export async function startService(config: Config, deps: ServiceDeps): Promise<RunningService> {
  const opened = await openServiceLedger(config, deps);
  const { ledger, readAuth, patients, state, identities } = opened;
  const stopCheckpointing = ledger.startCheckpointing(config.checkpointIntervalMs);
  // The running service folds the oversight projection on a worker thread with its own
  // connection: off the event loop that sequences submissions (docs/BENCHMARKS.md).
  const oversight = createOversightThread({
    databasePath: join(config.dataDir, DATABASE_FILE),
    settings: config.oversight,
    source: ledger,
    reads: opened.oversight,
    fallback: opened.oversight,
    logger: deps.logger,
  });
  const stopOversight = oversight.start(config.oversightFoldIntervalMs);
  const erasureProgress = setInterval(() => followErasures(opened.erasures, deps.logger), ERASURE_FOLLOW_INTERVAL_MS);
  erasureProgress.unref();
  let app: FastifyInstance;
  try {
    app = await createApp({
      ledger,
      entriesPageMax: config.entriesPageMax,
      bodyLimitBytes: config.bodyLimitBytes,
      readAuth,
      patients,
      // After a durable `patient.erase-identity` entry (or its retry), the record it names is erased.
      onRecorded: (result) => {
        const identityRecord = opened.erasures.apply(result.entry);
        return identityRecord === undefined ? undefined : { identityRecord };
      },
      lifecycle: { prescriptions: state.prescriptions, registry: state.registry, identities, ...(deps.clock ? { clock: deps.clock } : {}) },
      checker: { state, ruleSets: opened.ruleSets, bundles: state.ruleSets, ...(deps.clock ? { clock: deps.clock } : {}) },
      logger: deps.logger,
      witnesses: opened.witnesses,
      oversight: { oversight, utcOffsetMinutes: config.oversight.utcOffsetMinutes },
      timeouts: config.serverTimeouts,
      ...(config.trustProxy === undefined ? {} : { trustProxy: config.trustProxy }),
      rateLimits: { settings: config.rateLimits, verifyStatementActor: opened.statementActor },
      statementIntake: opened.statementIntake,
      hstsMaxAgeSeconds: config.hstsMaxAgeSeconds,
      writesInFlightMax: config.writesInFlightMax,
    });
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    stopCheckpointing();
    stopOversight();
    clearInterval(erasureProgress);
    await oversight.close();
    await opened.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let stopping: Promise<void> | undefined;
  return {
    app,
    ledger,
    statementIntake: opened.statementIntake,
    url: `http://${host}:${port}`,
    stop() {
      stopping ??= (async () => {
        try {
          await app.close();
        } finally {
          stopOversight();
          clearInterval(erasureProgress);
          // The worker's connection is closed before the ledger's and the data directory's lock.
          await oversight.close();
          await opened.close();
        }
      })();
      return stopping;
    },
  };
}
