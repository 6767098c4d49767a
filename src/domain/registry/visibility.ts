/**
 * Who may read the content of which entry. Regulators and operators read everything; every other
 * actor reads what concerns them: entries they signed, and registry entries about themselves or
 * their institution. The ledger's own key records are public. Later capabilities add their entry
 * types here (a pharmacy reads prescriptions routed to it, a courier its deliveries).
 * Leaf hashes are never secret: a participant can always check inclusion.
 */
import type { LedgerEntry } from '../../core/entry.js';
import { CHECKPOINT_KEYS_TYPE } from '../entry-types.js';
import type { ActorRecord } from './registry-rules.js';

export function canReadEntry(reader: ActorRecord, entry: LedgerEntry): boolean {
  if (reader.role === 'regulator' || reader.role === 'operator') return true;
  if (entry.type === CHECKPOINT_KEYS_TYPE) return true;
  const statement = (entry.body as { statement?: { actor?: unknown; payload?: Record<string, unknown> } }).statement;
  if (statement === undefined) return false;
  if (statement.actor === reader.actorId) return true;
  const payload = statement.payload ?? {};
  if (payload.actorId === reader.actorId) return true;
  return reader.institutionId !== null && payload.institutionId === reader.institutionId;
}
