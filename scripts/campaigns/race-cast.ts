/**
 * The race campaign's cast, registered on the in-process service through the operator's signed
 * statements (registerCast): one hospital with three prescribers (colleagues may cancel each
 * other's prescriptions, so two can race to), pharmacies in the prescribing city with two
 * pharmacists each (so one pharmacy can race itself), a pharmacy in another city (whose claims on
 * open prescriptions must fail), two couriers and a regulator, whose signed reads see everything.
 *
 * Keys come from the campaign's seed. Statements are signed with OpenSSL (fast-signer.ts) and
 * reads likewise, so the clients spend their time racing rather than in pure-JS Ed25519.
 */
import { createLedgerClient, type LedgerClient, type ReadSigner } from '../../src/client/index.js';
import { createFastReadSigner, createFastSigner, type FastSigner } from '../bench-http/fast-signer.js';
import { registerCast, type Actor, type ActorSpec, type InstitutionSpec, type World } from '../lib/rx-world.js';

export const HOSPITAL = 'hosp-race';

export interface RaceActor {
  readonly id: string;
  readonly institutionId: string;
  readonly statements: FastSigner;
}

export interface RacePharmacy {
  readonly id: string;
  readonly delivers: boolean;
  readonly pharmacists: readonly [RaceActor, RaceActor];
}

export interface RaceCast {
  readonly prescribers: readonly RaceActor[];
  /** Pharmacies in the prescribing city (济南, 3701). */
  readonly pharmacies: readonly RacePharmacy[];
  /** A pharmacy in another city (青岛, 3702): it may not claim open prescriptions from 济南. */
  readonly farPharmacy: RacePharmacy;
  readonly couriers: readonly RaceActor[];
  /** Signed reads as the regulator (every prescription, every entry). */
  readonly regulator: LedgerClient;
  readonly regulatorRead: ReadSigner;
  /** The prescribers as rx-world actors, for identifying patients. */
  readonly prescriberActors: readonly Actor[];
  /** Every registered actor's institution. */
  readonly institutionOf: ReadonlyMap<string, string>;
}

/**
 * Registers the cast: `pharmacyCount` pharmacies in the city (every other one delivers).
 * `seedBytes` gives the actors' keys.
 */
export async function registerRaceCast(world: World, pharmacyCount: number, seedBytes: (n: number) => Uint8Array): Promise<RaceCast> {
  const pharmacyIds = Array.from({ length: pharmacyCount }, (_, i) => `pharm-race-${i + 1}`);
  const institutions: InstitutionSpec[] = [
    { id: HOSPITAL, kind: 'hospital', region: '370102', name: '济南竞速医院' },
    ...pharmacyIds.map((id, i): InstitutionSpec => ({ id, kind: 'pharmacy', region: ['370102', '370103', '370104', '370112'][i % 4]!, name: `竞速药房${i + 1}`, delivers: i % 2 === 0 })),
    { id: 'pharm-race-far', kind: 'pharmacy', region: '370202', name: '青岛药房', delivers: false },
    { id: 'courier-race-co', kind: 'delivery-company', region: '370100', name: '竞速配送' },
    { id: 'nhc-race', kind: 'regulator', region: '370100', name: '济南市卫生健康委员会' },
  ];
  const actors: ActorSpec[] = [
    ...[1, 2, 3].map((n): ActorSpec => ({ id: `dr-race-${n}`, role: 'prescriber', institutionId: HOSPITAL, name: `医生${n}` })),
    ...[...pharmacyIds, 'pharm-race-far'].flatMap((p): ActorSpec[] => ['a', 'b'].map((s) => ({ id: `rph-${p.slice(6)}-${s}`, role: 'pharmacist', institutionId: p, name: `药师${p}${s}` }))),
    { id: 'courier-race-1', role: 'courier', institutionId: 'courier-race-co', name: '骑手1' },
    { id: 'courier-race-2', role: 'courier', institutionId: 'courier-race-co', name: '骑手2' },
    { id: 'inspector-race', role: 'regulator', institutionId: 'nhc-race', name: '检查员' },
  ];
  // registerCast draws each actor's key from `world.actor`: give it seeded ones.
  const seeded: World = { ...world, actor: (id, seed = seedBytes(32)) => world.actor(id, seed) };
  const registered = await registerCast(seeded, institutions, actors);
  const fast = (id: string): RaceActor => {
    const spec = actors.find((a) => a.id === id)!;
    return { id, institutionId: spec.institutionId, statements: createFastSigner({ origin: world.origin, actorId: id, seed: registered[id]!.seed, clock: world.clock }) };
  };
  const pharmacy = (id: string, delivers: boolean): RacePharmacy => ({ id, delivers, pharmacists: [fast(`rph-${id.slice(6)}-a`), fast(`rph-${id.slice(6)}-b`)] });
  const regulatorRead = createFastReadSigner(registered['inspector-race']!.seed, (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)), world.clock);
  return {
    prescribers: [1, 2, 3].map((n) => fast(`dr-race-${n}`)),
    pharmacies: pharmacyIds.map((id, i) => pharmacy(id, i % 2 === 0)),
    farPharmacy: pharmacy('pharm-race-far', false),
    couriers: [fast('courier-race-1'), fast('courier-race-2')],
    regulator: createLedgerClient(world.url, { signRead: regulatorRead }),
    regulatorRead,
    prescriberActors: [1, 2, 3].map((n) => registered[`dr-race-${n}`]!),
    institutionOf: new Map(actors.map((a) => [a.id, a.institutionId])),
  };
}
