/** An in-memory registry: the verifier's replay state, and the reference the SQLite view is tested against. */
import type { ActorRecord, IdempotencyRecord, InstitutionRecord, KeyRecord, RegistryMutation, RegistryView } from './registry-rules.js';

export class MemoryRegistry implements RegistryView {
  readonly #institutions = new Map<string, InstitutionRecord>();
  readonly #actors = new Map<string, ActorRecord>();
  readonly #keys = new Map<string, KeyRecord>();
  readonly #nonces = new Set<string>();
  readonly #idempotency = new Map<string, IdempotencyRecord>();
  #timestampWindowMs: number | undefined;

  hasGenesis(): boolean {
    return this.#actors.size > 0;
  }
  institution(id: string) {
    return this.#institutions.get(id);
  }
  actor(id: string) {
    return this.#actors.get(id);
  }
  key(keyId: string) {
    return this.#keys.get(keyId);
  }
  nonceUsed(actorId: string, nonce: string) {
    return this.#nonces.has(`${actorId}\n${nonce}`);
  }
  idempotency(actorId: string, idempotencyKey: string) {
    return this.#idempotency.get(`${actorId}\n${idempotencyKey}`);
  }

  timestampWindowMs() {
    return this.#timestampWindowMs;
  }

  /** Every institution, actor and key, for snapshots and comparisons (registry-snapshot.ts). */
  records(): { institutions: InstitutionRecord[]; actors: ActorRecord[]; keys: KeyRecord[] } {
    return { institutions: [...this.#institutions.values()], actors: [...this.#actors.values()], keys: [...this.#keys.values()] };
  }

  apply(mutations: readonly RegistryMutation[]): void {
    for (const m of mutations) {
      switch (m.kind) {
        case 'institution':
          this.#institutions.set(m.record.institutionId, m.record);
          break;
        case 'actor':
          this.#actors.set(m.record.actorId, m.record);
          break;
        case 'actor-suspended': {
          const actor = this.#actors.get(m.actorId);
          if (actor) this.#actors.set(m.actorId, { ...actor, suspended: m.suspended });
          break;
        }
        case 'key':
          this.#keys.set(m.record.keyId, m.record);
          break;
        case 'key-revoked': {
          const key = this.#keys.get(m.keyId);
          if (key) this.#keys.set(m.keyId, { ...key, revokedAt: m.at });
          break;
        }
        case 'auth-policy':
          this.#timestampWindowMs = m.timestampWindowMs;
          break;
        case 'statement':
          this.#nonces.add(`${m.actorId}\n${m.nonce}`);
          this.#idempotency.set(`${m.actorId}\n${m.idempotencyKey}`, { requestHash: m.requestHash, index: m.index });
          break;
      }
    }
  }
}
