/**
 * Entries signed with a key after its revocation, and recent uses of a key revoked as compromised.
 *
 * A revocation (`registry.key-revoke`) takes effect at its own log index and time: the payload
 * has no effective time, so it cannot be backdated, and the ledger refuses every later statement
 * signed with the key (AUTH_KEY_REVOKED). An entry signed with a revoked key after its revocation
 * can therefore only reach the log around the service (an insider writing the database), and the
 * verifier names it too; this detector makes it visible to the regulator as it happens
 * (`revoked-key-use`). What revocation cannot undo is what a stolen key signed before anyone
 * noticed: when a key is revoked as `compromised`, every entry it signed within the look-back
 * before the revocation is listed for review (`compromised-key-use`).
 */
import { alertId } from '../alert-id.js';
import type { StatementFacts } from '../entry-facts.js';
import type { FoldWriter } from '../fold-writer.js';
import { HOUR_MS } from '../periods.js';
import type { OversightSettings } from '../oversight-settings.js';

interface KeyState {
  /** [index, time] of recent entries signed with the key, within the look-back. */
  readonly uses: Array<[number, number]>;
  readonly revoked: { readonly index: number; readonly time: number; readonly reason: string } | null;
}

/** Recent uses remembered per key: enough to review, bounded so that a busy key costs little per entry. */
const MAX_USES = 100;

/** Every entry carrying a signed statement (and every flag, whose attempt was signed). */
export function noteKeyUse(w: FoldWriter, at: { index: number; time: number }, statement: StatementFacts, s: OversightSettings['revokedKey']): void {
  const state = w.get<KeyState>('key', statement.keyId);
  if (state?.revoked != null && at.index > state.revoked.index) {
    w.alert({
      id: alertId('revoked-key-use', at.index),
      kind: 'revoked-key-use',
      time: at.time,
      subject: { kind: 'key', id: statement.keyId },
      summary: `an entry was signed with a key ${Math.round((at.time - state.revoked.time) / 60_000)} minutes after its revocation`,
      details: { actorId: statement.actor, action: statement.action, revokedAtIndex: state.revoked.index, revokedAt: state.revoked.time, reason: state.revoked.reason },
      entries: [state.revoked.index, at.index],
    });
    return;
  }
  if (s.compromisedLookbackHours <= 0) return;
  const since = at.time - s.compromisedLookbackHours * HOUR_MS;
  const uses = [...(state?.uses ?? []).filter(([, t]) => t >= since), [at.index, at.time] as [number, number]].slice(-MAX_USES);
  w.put('key', statement.keyId, { uses, revoked: null } satisfies KeyState);
}

export function noteKeyRevocation(w: FoldWriter, at: { index: number; time: number }, revocation: { keyId: string; actorId: string; reason: string }, s: OversightSettings['revokedKey']): void {
  const state = w.get<KeyState>('key', revocation.keyId);
  const since = at.time - s.compromisedLookbackHours * HOUR_MS;
  const uses = (state?.uses ?? []).filter(([, t]) => t >= since);
  if (revocation.reason === 'compromised' && s.compromisedLookbackHours > 0 && uses.length > 0) {
    w.alert({
      id: alertId('compromised-key-use', at.index),
      kind: 'compromised-key-use',
      time: at.time,
      subject: { kind: 'key', id: revocation.keyId },
      summary: `a key revoked as compromised signed ${uses.length} entries in the ${s.compromisedLookbackHours} hours before its revocation`,
      details: { actorId: revocation.actorId, count: uses.length, lookbackHours: s.compromisedLookbackHours, revokedAtIndex: at.index },
      entries: [...uses.map(([i]) => i), at.index],
    });
  }
  w.put('key', revocation.keyId, { uses: [], revoked: { index: at.index, time: at.time, reason: revocation.reason } } satisfies KeyState);
}
