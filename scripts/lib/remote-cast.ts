/**
 * `registerCast` (rx-world.ts) for a service that runs in another process, as the crash and soak
 * campaigns run it: there is no in-process World, only the service's URL and its data directory,
 * where the service wrote the genesis operator's key at its first start.
 */
import { createLedgerClient, createReadSigner, createStatementSigner } from '../../src/client/index.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { registerCast, type Actor, type ActorSpec, type InstitutionSpec } from './rx-world.js';

export interface RemoteServiceOptions {
  readonly url: string;
  /** The log's origin (GET /v1/log), which every statement names. */
  readonly origin: string;
  /** The service's data directory, holding the genesis operator's key. */
  readonly dataDir: string;
  /** Where each registered actor's key comes from (seeded, so a run's keys can be reproduced). */
  readonly seedBytes: (n: number) => Uint8Array;
  /** Nonces and idempotency keys of every actor's statements and signed reads; the SDK's CSPRNG if absent. */
  readonly nonceBytes?: (n: number) => Uint8Array;
  /** The fetch of every actor's client (a campaign bounds how long a request may hang); the global one if absent. */
  readonly fetch?: typeof fetch;
}

export interface RemoteCast {
  /** The genesis operator, who signed the registrations. */
  readonly operator: Actor;
  /** The registered actors by id. */
  readonly actors: Readonly<Record<string, Actor>>;
}

/** Registers `institutions` and `actors` on the service at `options.url`, signed by its genesis operator. */
export async function registerRemoteCast(options: RemoteServiceOptions, institutions: readonly InstitutionSpec[], actors: readonly ActorSpec[]): Promise<RemoteCast> {
  const actor = (id: string, seed: Uint8Array = options.seedBytes(32)): Actor => {
    const signer = createStatementSigner({ origin: options.origin, actorId: id, seed, randomBytes: options.nonceBytes });
    const client = createLedgerClient(options.url, { fetch: options.fetch, signRead: createReadSigner({ seed, randomBytes: options.nonceBytes }) });
    const sign = (action: string, payload: JsonObject) => signer.sign(action, payload);
    return { id, seed, signer, client, sign, act: (action, payload) => client.submit(sign(action, payload)) };
  };
  const operatorKey = readActorKey(genesisOperatorKeyPath(options.dataDir));
  const operator = actor(operatorKey.actorId, operatorKey.seed);
  // The service reads the same wall clock, so each key's validity (from a minute before now) has begun for it.
  const registered = await registerCast({ operator, actor, clock: Date.now }, institutions, actors);
  return { operator, actors: registered };
}
