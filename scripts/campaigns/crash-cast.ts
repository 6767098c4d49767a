/**
 * The crash campaign's cast and its seeded randomness. The service runs in a child process that is
 * killed and restarted on the same data directory, so the actors live here, in the campaign: each
 * holds its key and signs with the client SDK (OpenSSL for the Ed25519 arithmetic, as the HTTP
 * benchmark does), and gets a client for whichever URL the current server listens on.
 *
 * Registration is the demo's (`registerCast` through scripts/lib/remote-cast.ts): the hospital,
 * two pharmacies (one delivers), a delivery partner and a regulator, signed by the genesis operator
 * whose key the service wrote into its data directory. Keys, nonces, idempotency keys and codes
 * all come from one seed, so a run's statements can be reproduced.
 */
import { createLedgerClient, createReadSigner, createStatementSigner, type LedgerClient, type ReadSigner, type StatementSigner } from '../../src/client/index.js';
import { bytesToHex } from '../../src/core/bytes.js';
import { opensslSignBytes } from '../bench-http/fast-signer.js';
import { mulberry32 } from '../lib/bench-support.js';
import { registerRemoteCast } from '../lib/remote-cast.js';
import { DEMO_ACTORS, DEMO_INSTITUTIONS, identifyPatient, type PatientRef } from '../lib/rx-world.js';

/** Seeded bytes: every key, nonce, idempotency key, code and id the campaign makes. */
export type SeededBytes = (n: number) => Uint8Array;

export function seededBytes(seed: number): SeededBytes {
  const next = mulberry32(seed);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}

export interface CrashActor {
  readonly id: string;
  /** The actor's institution (empty for the operator). */
  readonly institutionId: string;
  readonly signer: StatementSigner;
  readonly signRead: ReadSigner;
}

export interface CrashCast {
  readonly origin: string;
  /** The log's checkpoint verifier key, as the first start announced it (GET /v1/log). */
  readonly verifierKey: string;
  readonly operator: CrashActor;
  readonly regulator: CrashActor;
  readonly prescribers: readonly CrashActor[];
  /** Pharmacist by pharmacy id. */
  readonly pharmacists: ReadonlyMap<string, CrashActor>;
  readonly pharmacies: ReadonlyArray<{ readonly id: string; readonly delivers: boolean }>;
  readonly courier: CrashActor;
  /** Patients identified at set-up; prescriptions are written for them. */
  readonly patients: readonly PatientRef[];
}

export function crashActor(origin: string, id: string, institutionId: string, seed: Uint8Array, random: SeededBytes): CrashActor {
  const signBytes = opensslSignBytes(seed);
  return {
    id,
    institutionId,
    signer: createStatementSigner({ origin, actorId: id, seed, randomBytes: random, signBytes: (message) => signBytes(message) }),
    signRead: createReadSigner({ seed, randomBytes: random }),
  };
}

/**
 * How long a request may go unanswered before the campaign gives up on it (its outcome is then
 * unknown): a service that hangs is a finding to report, not something to wait for forever.
 */
export const REQUEST_TIMEOUT_MS = 60_000;
const fetchWithTimeout: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

/** A client of the server at `url`, whose reads are signed by `actor` if given. */
export function clientOf(url: string, actor?: Pick<CrashActor, 'signRead'>): LedgerClient {
  return createLedgerClient(url, { fetch: fetchWithTimeout, ...(actor ? { signRead: actor.signRead } : {}) });
}

/**
 * Registers the demo's cast on the service at `url` (data directory `dataDir`) and identifies
 * `patients` patients. The service must be running and is not killed meanwhile.
 */
export async function registerCrashCast(url: string, dataDir: string, patients: number, random: SeededBytes): Promise<CrashCast> {
  const log = await clientOf(url).log();
  // One seeded stream gives the keys and the nonces, as in the load that follows.
  const { operator, actors: registered } = await registerRemoteCast({ url, origin: log.origin, dataDir, seedBytes: random, nonceBytes: random, fetch: fetchWithTimeout }, DEMO_INSTITUTIONS, DEMO_ACTORS);
  const cast = (id: string): CrashActor => {
    const spec = DEMO_ACTORS.find((a) => a.id === id)!;
    return crashActor(log.origin, id, spec.institutionId, registered[id]!.seed, random);
  };
  const prescribers = DEMO_ACTORS.filter((a) => a.role === 'prescriber').map((a) => cast(a.id));
  const identified: PatientRef[] = [];
  for (let n = 1; n <= patients; n++) identified.push(await identifyPatient(registered[prescribers[n % prescribers.length]!.id]!, n));
  return {
    origin: log.origin,
    verifierKey: log.verifierKey,
    operator: crashActor(log.origin, operator.id, '', operator.seed, random),
    regulator: cast(DEMO_ACTORS.find((a) => a.role === 'regulator')!.id),
    prescribers,
    pharmacists: new Map(DEMO_ACTORS.filter((a) => a.role === 'pharmacist').map((a) => [a.institutionId, cast(a.id)])),
    pharmacies: DEMO_INSTITUTIONS.filter((i) => i.kind === 'pharmacy').map((i) => ({ id: i.id, delivers: i.delivers ?? false })),
    courier: cast(DEMO_ACTORS.find((a) => a.role === 'courier')!.id),
    patients: identified,
  };
}

/** A fresh id from the seeded stream: `<prefix>-<16 hex digits>`. */
export const seededId = (prefix: string, random: SeededBytes): string => `${prefix}-${bytesToHex(random(8))}`;
/** A patient's access or pickup code (192 bits, base64url), from the seeded stream. */
export const seededCode = (random: SeededBytes): string => Buffer.from(random(24)).toString('base64url');
/** A 20-digit drug traceability code from the seeded stream. */
export const seededTraceCode = (random: SeededBytes): string => Array.from(random(20), (b) => String(b % 10)).join('');
