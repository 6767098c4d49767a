/**
 * A service's start once its stores are open (service.ts): the records every start makes sure the
 * log holds (checkpoint keys, authentication policy, active rule set, genesis operator, a first
 * checkpoint), the catch-up of identity erasures and of the oversight projection before anything
 * is served, and the services built on them (signed reads, patient identification); and the
 * orderly close of all of it.
 */
import type { Config } from './config.js';
import { errorCodeOf } from './core/errors.js';
import type { KnowledgeRuleSet } from './domain/checker/knowledge-rule-set.js';
import type { RuleSetLibrary } from './domain/checker/rule-set-activation.js';
import { AUTH_POLICY_TYPE } from './domain/entry-types.js';
import type { SignatureCheck } from './domain/registry/registry-rules.js';
import { ensureGenesisOperator, GENESIS_OPERATOR_ID } from './ledger/genesis-operator.js';
import type { Ledger } from './ledger/ledger.js';
import { ensureActiveRuleSet } from './ledger/rule-set-startup.js';
import type { StatementIntake } from './ledger/statement-intake.js';
import { createOversightService } from './oversight/oversight-service.js';
import { createPatientService } from './patients/patient-service.js';
import type { ErasureFollower } from './patients/recorded-erasures.js';
import type { ServiceDeps, ServiceLedger } from './service.js';
import { openReadAuthentication } from './service-read-auth.js';
import { statementActorVerifier } from './service-statement-actor.js';
import type { DataDirLock } from './store/data-dir-lock.js';
import type { IdentityStore } from './store/identity-store.js';
import type { OversightStore } from './store/oversight-store.js';
import type { ReadNonceStore } from './store/read-nonce-store.js';
import type { StateStore } from './store/state-store.js';
import type { CosignatureCollector } from './witness/cosignature-collector.js';

/** Oversight batches (500 entries each) folded at start-up before the service listens; the rest on the fold's thread. */
export const STARTUP_FOLD_BATCHES = 20;

export interface Opened {
  readonly ledger: Ledger;
  readonly state: StateStore;
  readonly identities: IdentityStore;
  readonly erasures: ErasureFollower;
  readonly verifySignature: SignatureCheck;
  readonly closePools: () => Promise<unknown>;
  readonly statementIntake: StatementIntake;
  readonly checker: KnowledgeRuleSet;
  readonly ruleSets: RuleSetLibrary;
  readonly lock: DataDirLock;
  readonly witnesses: CosignatureCollector;
  readonly oversightStore: OversightStore;
  readonly readNonces: ReadNonceStore;
}

/** The start-up records (key set, auth policy, genesis operator, first checkpoint) and the services. */
export async function recordStartUp(config: Config, deps: ServiceDeps, opened: Opened): Promise<ServiceLedger> {
  const { ledger, state, identities, erasures, verifySignature, closePools, statementIntake, checker, ruleSets, lock, witnesses, oversightStore, readNonces } = opened;
  const clock = deps.clock ?? Date.now;
  const registry = state.registry;
  const recorded = await ledger.recordCheckpointKeys();
  if (recorded !== undefined) deps.logger.info({ index: recorded.index }, 'recorded checkpoint signing keys in the log');
  if (registry.timestampWindowMs() !== config.authTimestampWindowMs) {
    // The policy statements are judged by goes into the log, so verifiers judge them the same way.
    const policy = await ledger.appendReserved(AUTH_POLICY_TYPE, { timestampWindowMs: config.authTimestampWindowMs });
    deps.logger.info({ index: policy.index, timestampWindowMs: config.authTimestampWindowMs }, 'recorded the authentication policy in the log');
  }
  await ensureActiveRuleSet(ledger, state.ruleSets, checker, config.checkPolicy, deps.logger);
  const genesis = await ensureGenesisOperator(ledger, registry, config.dataDir, clock);
  if (genesis !== undefined) {
    deps.logger.warn({ path: genesis.keyPath, actorId: GENESIS_OPERATOR_ID, index: genesis.entry.index }, 'created the genesis operator key: move it off this machine');
  }
  ledger.publishCheckpoint();
  // Before serving: no identity the log says is erased may be read (a crash between an erasure's
  // entry and its application, or an identity file restored from a backup).
  const caughtUp = erasures.catchUp(); // its counts only: { from, to, found, erased }
  if (caughtUp.erased > 0) deps.logger.warn(caughtUp, 'applied identity erasures the log records but the identity store still held');
  // A new or restored identity file is searched from its own position: say why the start took long.
  else if (caughtUp.to - caughtUp.from > 100_000) deps.logger.info(caughtUp, 'identity file brought up to the end of the log: no erasure left to apply');
  const oversight = createOversightService({ projection: oversightStore, source: ledger, logger: deps.logger });
  // Before listening, only what a second or two allows: a projection folded from the start (new,
  // or refolded after its settings or the fold changed) can be minutes behind a long log, and the
  // fold's thread folds the rest while the service runs, reads saying their asOf meanwhile.
  const folded = oversight.catchUp(deps.oversightStartupBatches ?? STARTUP_FOLD_BATCHES);
  if (folded.size < ledger.size()) deps.logger.warn({ size: folded.size, logSize: ledger.size() }, 'oversight projection behind the log: folding the rest in the background');
  else deps.logger.info({ size: folded.size }, 'oversight projection caught up with the log');
  const readAuth = await openReadAuthentication({ config, registry, verifySignature, readNonces, firstStart: genesis !== undefined, logger: deps.logger, ...(deps.clock ? { clock: deps.clock } : {}) });
  const patients = createPatientService({
    registry,
    identities,
    origin: config.logOrigin,
    verifySignature,
    timestampWindowMs: config.authTimestampWindowMs,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  let closing: Promise<void> | undefined;
  return {
    ledger,
    readAuth,
    patients,
    statementActor: statementActorVerifier(registry, config, verifySignature, clock),
    statementIntake,
    state,
    checker,
    ruleSets,
    checkPolicy: config.checkPolicy,
    identities,
    erasures,
    witnesses,
    oversight,
    async close() {
      if (closing) return closing;
      closing = closeOnce();
      return closing;
    },
  };

  /** After the HTTP server has stopped answering (RunningService.stop): no read is authenticated after the save. */
  async function closeOnce(): Promise<void> {
    try {
      try {
        erasures.catchUp();
      } catch (err) {
        deps.logger.error({ code: errorCodeOf(err) }, 'could not apply the identity erasures the log records: the next start applies them');
      }
      try {
        readNonces.save(readAuth.spentNonces(), clock());
      } catch (err) {
        deps.logger.warn({ code: errorCodeOf(err) }, 'could not save the read nonces: the next start will refuse reads signed before it, as after a crash');
      }
      await ledger.close();
    } finally {
      identities.close();
      await closePools();
      lock.release();
    }
  }
}

