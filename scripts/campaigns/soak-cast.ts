/**
 * The soak's cast, registered on a service running in another process: the demo's hospital,
 * pharmacies, courier and regulator (scripts/lib/rx-world.ts) plus a second hospital, more
 * prescribers, a second pharmacist and a second courier, so the load spreads over several actors as
 * it would in a city. Registration goes through `registerCast` (scripts/lib/remote-cast.ts) with the
 * genesis operator's key, which the service wrote into its data directory; the load then signs with
 * OpenSSL.
 */
import { createLedgerClient } from '../../src/client/index.js';
import { createFastSigner, type FastSigner } from '../bench-http/fast-signer.js';
import { registerRemoteCast } from '../lib/remote-cast.js';
import { DEMO_ACTORS, DEMO_INSTITUTIONS, type ActorSpec, type InstitutionSpec } from '../lib/rx-world.js';
import type { ReadSigner } from '../../src/client/index.js';
import { createFastReadSigner } from '../bench-http/fast-signer.js';

export const SOAK_INSTITUTIONS: readonly InstitutionSpec[] = [...DEMO_INSTITUTIONS, { id: 'hosp-jinan-east', kind: 'hospital', region: '370112', name: '济南市东部医院' }];
export const SOAK_ACTORS: readonly ActorSpec[] = [
  ...DEMO_ACTORS,
  { id: 'dr-liu', role: 'prescriber', institutionId: 'hosp-jinan-east', name: '刘医生' },
  { id: 'dr-zhou', role: 'prescriber', institutionId: 'hosp-jinan-east', name: '周医生' },
  { id: 'rph-wu', role: 'pharmacist', institutionId: 'pharm-quancheng', name: '吴药师' },
  { id: 'courier-qian', role: 'courier', institutionId: 'swift-delivery', name: '钱师傅' },
];

export interface SoakActor {
  readonly id: string;
  readonly role: ActorSpec['role'];
  readonly institutionId: string;
  readonly statements: FastSigner;
  readonly read: ReadSigner;
  /** The loopback address this actor's system connects from (127.0.1.<n>): its own client address. */
  readonly address: string;
}

export interface SoakCast {
  readonly origin: string;
  /** The log's checkpoint verifier key (GET /v1/log). */
  readonly verifierKey: string;
  readonly actors: Readonly<Record<string, SoakActor>>;
  readonly prescribers: readonly SoakActor[];
  readonly couriers: readonly SoakActor[];
}

/**
 * Registers the soak cast on the service at `url` whose data directory is `dataDir`, with actor
 * seeds from `seedBytes` (seeded, so a run's keys are reproducible) and nonces from `nonceBytes`.
 */
export async function registerSoakCast(url: string, dataDir: string, seedBytes: (n: number) => Uint8Array, nonceBytes: (n: number) => Uint8Array): Promise<SoakCast> {
  const log = await createLedgerClient(url).log();
  const { actors: registered } = await registerRemoteCast({ url, origin: log.origin, dataDir, seedBytes }, SOAK_INSTITUTIONS, SOAK_ACTORS);
  const actors: Record<string, SoakActor> = {};
  for (const [n, spec] of SOAK_ACTORS.entries()) {
    const seed = registered[spec.id]!.seed;
    actors[spec.id] = {
      address: `127.0.1.${n + 1}`,
      id: spec.id,
      role: spec.role,
      institutionId: spec.institutionId,
      statements: createFastSigner({ origin: log.origin, actorId: spec.id, seed }),
      read: createFastReadSigner(seed, nonceBytes),
    };
  }
  const all = Object.values(actors);
  return {
    origin: log.origin,
    verifierKey: log.verifierKey,
    actors,
    prescribers: all.filter((a) => a.role === 'prescriber'),
    couriers: all.filter((a) => a.role === 'courier'),
  };
}
