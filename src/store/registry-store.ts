/**
 * The registry projection in SQLite: a RegistryView the rules read inside the commit transaction,
 * and the writer of the mutations they return.
 *
 * Institutions, actors, keys and the timestamp window are read for nearly every statement (about
 * three reads per entry) and change only with registry entries, which are rare: they are kept in
 * memory once read (read-cache.ts, which says why no answer can be stale). Nonces and
 * idempotency keys, one new pair per statement, are always read from the table.
 */
import type { Privileges, Role, InstitutionKind } from '../domain/registry/registry-model.js';
import type { ActorRecord, InstitutionRecord, KeyRecord, RegistryMutation, RegistryView } from '../domain/registry/registry-rules.js';
import type { SqliteDatabase } from './database.js';
import { createReadCache } from './read-cache.js';

export interface RegistryStore extends RegistryView {
  apply(mutations: readonly RegistryMutation[]): void;
}

const toBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export function createRegistryStore(db: SqliteDatabase): RegistryStore {
  const q = {
    anyActor: db.prepare<[], { one: number }>('SELECT 1 AS one FROM registry_actors LIMIT 1'),
    institution: db.prepare<[string], { institution_id: string; kind: string; region: string; delivers: number }>(
      'SELECT institution_id, kind, region, delivers FROM registry_institutions WHERE institution_id = ?',
    ),
    actor: db.prepare<[string], { actor_id: string; role: string; institution_id: string | null; region: string | null; privileges: string | null; suspended: number }>(
      'SELECT actor_id, role, institution_id, region, privileges, suspended FROM registry_actors WHERE actor_id = ?',
    ),
    key: db.prepare<[string], { key_id: string; actor_id: string; public_key: Buffer; not_before: number; not_after: number | null; revoked_at: number | null }>(
      'SELECT key_id, actor_id, public_key, not_before, not_after, revoked_at FROM registry_keys WHERE key_id = ?',
    ),
    nonce: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM registry_statements WHERE actor_id = ? AND nonce = ?'),
    idempotency: db.prepare<[string, string], { request_hash: string; idx: number }>(
      'SELECT request_hash, idx FROM registry_statements WHERE actor_id = ? AND idempotency_key = ?',
    ),
    insertInstitution: db.prepare<[string, string, string, number]>('INSERT INTO registry_institutions VALUES (?, ?, ?, ?)'),
    insertActor: db.prepare<[string, string, string | null, string | null, string | null, number]>('INSERT INTO registry_actors VALUES (?, ?, ?, ?, ?, ?)'),
    suspend: db.prepare<[number, string]>('UPDATE registry_actors SET suspended = ? WHERE actor_id = ?'),
    insertKey: db.prepare<[string, string, Uint8Array, number, number | null, number | null]>('INSERT INTO registry_keys VALUES (?, ?, ?, ?, ?, ?)'),
    revoke: db.prepare<[number, string]>('UPDATE registry_keys SET revoked_at = ? WHERE key_id = ?'),
    setting: db.prepare<[string], { value: number }>('SELECT value FROM registry_settings WHERE name = ?'),
    putSetting: db.prepare<[string, number]>('INSERT INTO registry_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
    insertStatement: db.prepare<[string, string, string, string, number]>('INSERT INTO registry_statements VALUES (?, ?, ?, ?, ?)'),
  };
  const cache = createReadCache<'institution' | 'actor' | 'key' | 'setting'>(db);
  const institution = cache.reader('institution', (id): InstitutionRecord | undefined => {
    const r = q.institution.get(id);
    return r && { institutionId: r.institution_id, kind: r.kind as InstitutionKind, region: r.region, delivers: r.delivers === 1 };
  });
  const actor = cache.reader('actor', (id): ActorRecord | undefined => {
    const r = q.actor.get(id);
    return (
      r && {
        actorId: r.actor_id,
        role: r.role as Role,
        institutionId: r.institution_id,
        region: r.region,
        privileges: r.privileges === null ? null : (JSON.parse(r.privileges) as Privileges),
        suspended: r.suspended === 1,
      }
    );
  });
  const key = cache.reader('key', (keyId): KeyRecord | undefined => {
    const r = q.key.get(keyId);
    return r && { keyId: r.key_id, actorId: r.actor_id, publicKey: toBytes(r.public_key), notBefore: r.not_before, notAfter: r.not_after, revokedAt: r.revoked_at };
  });
  const setting = cache.reader('setting', (name): number | undefined => q.setting.get(name)?.value);
  return {
    hasGenesis: () => q.anyActor.get() !== undefined,
    institution,
    actor,
    key,
    nonceUsed: (actorId, nonce) => q.nonce.get(actorId, nonce) !== undefined,
    timestampWindowMs: () => setting('timestampWindowMs'),
    idempotency(actorId, key) {
      const r = q.idempotency.get(actorId, key);
      return r && { requestHash: r.request_hash, index: r.idx };
    },
    apply(mutations) {
      for (const m of mutations) {
        // Before the write: until the transaction has ended, that record is read from the table.
        const written = writtenRecord(m);
        if (written !== undefined) cache.written(written[0], written[1]);
        switch (m.kind) {
          case 'institution':
            q.insertInstitution.run(m.record.institutionId, m.record.kind, m.record.region, m.record.delivers ? 1 : 0);
            break;
          case 'actor': {
            const a = m.record;
            q.insertActor.run(a.actorId, a.role, a.institutionId, a.region, a.privileges === null ? null : JSON.stringify(a.privileges), a.suspended ? 1 : 0);
            break;
          }
          case 'actor-suspended':
            q.suspend.run(m.suspended ? 1 : 0, m.actorId);
            break;
          case 'key':
            q.insertKey.run(m.record.keyId, m.record.actorId, m.record.publicKey, m.record.notBefore, m.record.notAfter, m.record.revokedAt);
            break;
          case 'key-revoked':
            q.revoke.run(m.at, m.keyId);
            break;
          case 'auth-policy':
            q.putSetting.run('timestampWindowMs', m.timestampWindowMs);
            break;
          case 'statement':
            q.insertStatement.run(m.actorId, m.nonce, m.idempotencyKey, m.requestHash, m.index);
            break;
        }
      }
    },
  };
}

/** The cached record a mutation writes; a statement's nonce and idempotency key are not cached. */
function writtenRecord(m: RegistryMutation): readonly ['institution' | 'actor' | 'key' | 'setting', string] | undefined {
  switch (m.kind) {
    case 'institution':
      return ['institution', m.record.institutionId];
    case 'actor':
      return ['actor', m.record.actorId];
    case 'actor-suspended':
      return ['actor', m.actorId];
    case 'key':
      return ['key', m.record.keyId];
    case 'key-revoked':
      return ['key', m.keyId];
    case 'auth-policy':
      return ['setting', 'timestampWindowMs'];
    case 'statement':
      return undefined;
  }
}
