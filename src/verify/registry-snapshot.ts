/**
 * The registry (institutions, actors, keys) as plain, sorted JSON: what an export bundle carries
 * for readers that do not replay the log, and what a database's registry tables hold. Either is
 * only a claim: the verifier compares it with the registry its own replay of the log derived, and
 * reports the first record that differs (by id: the registry holds no patient data).
 */
import { z } from 'zod';
import { canonicalJson } from '../core/canonical-json.js';
import { encodeBase64 } from '../core/bytes.js';
import { RxError } from '../core/errors.js';
import type { ActorRecord, InstitutionRecord, KeyRecord } from '../domain/registry/registry-rules.js';

export const RegistrySnapshotSchema = z.strictObject({
  institutions: z.array(z.strictObject({ institutionId: z.string(), kind: z.string(), region: z.string(), delivers: z.boolean() })),
  actors: z.array(
    z.strictObject({
      actorId: z.string(),
      role: z.string(),
      institutionId: z.string().nullable(),
      region: z.string().nullable(),
      privileges: z.record(z.string(), z.unknown()).nullable(),
      suspended: z.boolean(),
    }),
  ),
  keys: z.array(
    z.strictObject({
      keyId: z.string(),
      actorId: z.string(),
      publicKey: z.string(),
      notBefore: z.number().int(),
      notAfter: z.number().int().nullable(),
      revokedAt: z.number().int().nullable(),
    }),
  ),
});
export type RegistrySnapshot = z.infer<typeof RegistrySnapshotSchema>;

const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function registrySnapshot(records: { institutions: readonly InstitutionRecord[]; actors: readonly ActorRecord[]; keys: readonly KeyRecord[] }): RegistrySnapshot {
  return {
    institutions: records.institutions.map((i) => ({ institutionId: i.institutionId, kind: i.kind, region: i.region, delivers: i.delivers })).sort(byKey((i) => i.institutionId)),
    actors: records.actors
      .map((a) => ({
        actorId: a.actorId,
        role: a.role,
        institutionId: a.institutionId,
        region: a.region,
        privileges: (a.privileges as Record<string, unknown> | null) ?? null,
        suspended: a.suspended,
      }))
      .sort(byKey((a) => a.actorId)),
    keys: records.keys
      .map((k) => ({ keyId: k.keyId, actorId: k.actorId, publicKey: encodeBase64(k.publicKey), notBefore: k.notBefore, notAfter: k.notAfter, revokedAt: k.revokedAt }))
      .sort(byKey((k) => k.keyId)),
  };
}

/**
 * Throws REGISTRY_SNAPSHOT_MISMATCH naming the first record of `claimed` that differs from `derived`
 * and, when `writer` knows it, the entry that last wrote that record in the log.
 */
export function compareRegistrySnapshots(
  derived: RegistrySnapshot,
  claimed: RegistrySnapshot,
  what: string,
  writer: (kind: 'institution' | 'actor' | 'key', id: string) => number | undefined = () => undefined,
): void {
  const lists = [
    ['institution', derived.institutions, claimed.institutions, (r: { institutionId: string }) => r.institutionId],
    ['actor', derived.actors, claimed.actors, (r: { actorId: string }) => r.actorId],
    ['key', derived.keys, claimed.keys, (r: { keyId: string }) => r.keyId],
  ] as const;
  for (const [kind, mine, theirs, id] of lists) {
    const writtenBy = (key: string): string => {
      const index = writer(kind, key);
      return index === undefined ? '' : ` (last written by entry ${index})`;
    };
    const theirsById = new Map<string, object>();
    for (const r of theirs as readonly object[]) {
      const key = (id as (r: object) => string)(r);
      if (theirsById.has(key)) throw new RxError('REGISTRY_SNAPSHOT_MISMATCH', `${what} holds ${kind} ${key} twice`);
      theirsById.set(key, r);
    }
    for (const record of mine as readonly object[]) {
      const key = (id as (r: object) => string)(record);
      const other = theirsById.get(key);
      if (other === undefined) throw new RxError('REGISTRY_SNAPSHOT_MISMATCH', `${what} lacks ${kind} ${key}${writtenBy(key)}`);
      if (canonicalJson(other) !== canonicalJson(record)) throw new RxError('REGISTRY_SNAPSHOT_MISMATCH', `${what} and the log disagree on ${kind} ${key}${writtenBy(key)}`);
      theirsById.delete(key);
    }
    const extra = theirsById.keys().next();
    if (!extra.done) throw new RxError('REGISTRY_SNAPSHOT_MISMATCH', `${what} holds ${kind} ${extra.value}, which the log never registered`);
  }
}
