/** Stable alert ids: the same log and settings always name an alert the same way. */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8 } from '../core/bytes.js';
import type { AlertKind } from './oversight-model.js';

/**
 * `<kind>-<index>` for the one alert of its kind an entry can raise, or `<kind>-<index>-<8 hex>`
 * where one entry can raise several (one per drug class, one per drug): the hex is a hash of what
 * tells them apart, so ids stay short and free of whatever characters a drug code may hold.
 */
export function alertId(kind: AlertKind, index: number, distinguisher?: string): string {
  if (distinguisher === undefined) return `${kind}-${index}`;
  return `${kind}-${index}-${bytesToHex(sha256(utf8(distinguisher))).slice(0, 8)}`;
}
