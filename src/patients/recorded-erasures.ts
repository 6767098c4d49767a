/**
 * Identity erasures the ledger records, applied to the identity store.
 *
 * The service erases a record as soon as its `patient.erase-identity` entry is on disk (the
 * statement route's `onRecorded`, service.ts). Two things could still leave identifiers that the
 * ledger says are erased: a crash between the entry's commit and the erasure, and an identity
 * file restored from a backup taken before the erasure. So the service also follows the log: the
 * identity file keeps the ledger size below which every recorded erasure has been applied to it;
 * every start applies the erasures recorded from there to the end of the log before it serves
 * anything, the running service does the same for new entries every second, and a graceful stop
 * once more (docs/PRESCRIPTIONS.md, "Erasure follows the log").
 */
import { utf8 } from '../core/bytes.js';
import { parseEntry, type LedgerEntry } from '../core/entry.js';
import { ERASE_IDENTITY_ACTION, EraseIdentityPayload } from '../domain/patient/identity-erasure.js';
import type { SqliteDatabase } from '../store/database.js';
import type { IdentityStore } from '../store/identity-store.js';

export interface RecordedErasure {
  readonly index: number;
  /** The entry's log time: when the erasure was ordered. */
  readonly time: number;
  readonly identityCommitment: string;
}

/**
 * An erasure entry's envelope ends with these bytes (the envelope's members are in RFC 8785 order,
 * `type` then `v`, docs/FORMAT.md), so SQLite can find the candidates without parsing every entry.
 */
const ERASURE_ENVELOPE_TAIL = utf8(`"type":"${ERASE_IDENTITY_ACTION}","v":`);

/**
 * The erasure entries of the ledger database `db` in [from, to), in log order. SQLite searches
 * the stored bytes (in C: about 2 µs an entry here), and each candidate is parsed to confirm it:
 * the same bytes could sit inside another entry's body.
 */
export function erasureSearch(db: SqliteDatabase): (from: number, to: number) => RecordedErasure[] {
  const candidates = db.prepare<[number, number, Uint8Array], { idx: number; data: Buffer }>(
    'SELECT idx, data FROM entries WHERE idx >= ? AND idx < ? AND instr(data, ?) > 0 ORDER BY idx',
  );
  return (from, to) => {
    const found: RecordedErasure[] = [];
    for (const row of candidates.all(from, to, ERASURE_ENVELOPE_TAIL)) {
      const erasure = erasureOf(parseEntry(row.data));
      if (erasure !== undefined) found.push({ index: row.idx, ...erasure });
    }
    return found;
  };
}

/** What an erasure entry orders; undefined for any other entry. */
function erasureOf(entry: LedgerEntry): Omit<RecordedErasure, 'index'> | undefined {
  if (entry.type !== ERASE_IDENTITY_ACTION) return undefined;
  const payload = EraseIdentityPayload.parse((entry.body as { statement: { payload: unknown } }).statement.payload);
  return { time: entry.time, identityCommitment: payload.identityCommitment };
}

export interface ErasureFollower {
  /**
   * Applies every erasure recorded from the identity file's saved position up to the log's size
   * (at most `maxEntries` entries on), then saves where it stopped. `erased` counts the records
   * this removed: one the write route had erased already, or one this file never held, is only
   * `found`. If the identity store fails, throws, and the position stays where it was.
   */
  catchUp(maxEntries?: number): { from: number; to: number; found: number; erased: number };
  /**
   * Applies the erasure `entry` (on disk) orders, if it is one: the write route's, right away.
   * Erasing twice changes nothing. `erased` if this removed a record, `none-held` if the file held
   * none with that commitment (never identified here, or erased already); undefined for any other entry.
   */
  apply(entry: LedgerEntry): IdentityRecordOutcome | undefined;
}

/** What an erasure did to the identity file (the answer to `patient.erase-identity` says it). */
export type IdentityRecordOutcome = 'erased' | 'none-held';

export interface ErasureFollowerOptions {
  readonly identities: IdentityStore;
  /** The ledger's database, searched for erasure entries. */
  readonly ledgerDb: SqliteDatabase;
  /** The log's size on disk. */
  readonly logSize: () => number;
  /**
   * Entries beyond which a search first asks whether the identity file holds anything to erase
   * (the question may read many erased rows, so short searches do not ask). Default 100,000.
   */
  readonly longSearchEntries?: number;
}

export function createErasureFollower(options: ErasureFollowerOptions): ErasureFollower {
  const { identities } = options;
  const search = erasureSearch(options.ledgerDb);
  const longSearch = options.longSearchEntries ?? 100_000;
  let saved = identities.erasuresAppliedBelow();
  return {
    catchUp(maxEntries = Number.POSITIVE_INFINITY) {
      const size = options.logSize();
      // A saved position beyond the log: the ledger was restored from an older copy than the identity file.
      const from = Math.min(saved, size);
      const to = Math.min(size, from + maxEntries);
      // A long stretch (a new or restored identity file beside a long ledger) is searched only if
      // some record could still be erased: an empty file has nothing to find it for.
      const found = to - from > longSearch && !identities.holdsIdentities() ? [] : search(from, to);
      let erased = 0;
      for (const e of found) if (identities.erase(e.identityCommitment, e.time)) erased++;
      if (to !== saved) {
        identities.saveErasuresAppliedBelow(to);
        saved = to;
      }
      return { from, to, found: found.length, erased };
    },
    apply(entry) {
      const erasure = erasureOf(entry);
      if (erasure === undefined) return undefined;
      return identities.erase(erasure.identityCommitment, erasure.time) ? 'erased' : 'none-held';
    },
  };
}
