/**
 * What the ledger reads at start-up to resume where the disk left off, and the cross-checks that
 * refuse (LEDGER_INTEGRITY) a store that is not this log's, all in O(log n) rows whatever the
 * log's size: the log state, the right edge of the tree, the last two leaf hashes, the last entry
 * and the latest checkpoint. What they cannot see (an entry or derived state altered further
 * back) is the verifier's to find (docs/AUDIT.md).
 */
import { CompactRange } from '../core/compact-range.js';
import { equalBytes } from '../core/bytes.js';
import { GENESIS_PREV, encodePrev, parseEntry, type LedgerEntry } from '../core/entry.js';
import { RxError } from '../core/errors.js';
import type { MerkleHasher } from '../core/merkle-hash.js';
import { treeRoot } from '../core/merkle-proof.js';
import { createNoteVerifier, parseVerifierKey } from '../core/note-keys.js';
import { verifyNote } from '../core/signed-note.js';
import { parseCheckpoint } from '../core/checkpoint.js';
import { CHECKPOINT_KEYS_TYPE, CheckpointKeysBodySchema } from '../domain/entry-types.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { LedgerHead } from './batch-sequencer.js';

/**
 * Claims an empty store for `origin`, or checks that the store is `origin`'s. The log-state row
 * is written before the first entry: entries without it are not this ledger's.
 */
export function claimLogState(store: LedgerStore, origin: string): void {
  const state = store.logState();
  if (state === undefined) {
    const storedSize = store.size();
    if (storedSize > 0) throw new RxError('LEDGER_INTEGRITY', `the store holds ${storedSize} entries but no log state`);
    store.initLogState(origin);
  } else if (state.origin !== origin) {
    throw new RxError('LEDGER_ORIGIN_MISMATCH', `data directory belongs to log '${state.origin}', not '${origin}'`);
  }
}

/**
 * The head to sequence on, from the stored tree's right edge, after checking that the last entry
 * matches its leaf hash, sits at its own index and links to the entry before it.
 */
export function recoverHead(store: LedgerStore, hasher: MerkleHasher): LedgerHead {
  const range = CompactRange.fromStore(store.readNodes.bind(store), store.size(), hasher);
  if (range.size === 0) return { range, lastLeaf: GENESIS_PREV, lastTime: 0 };
  const last = store.readEntry(range.size - 1);
  if (last === undefined) throw new RxError('LEDGER_INTEGRITY', 'last entry is missing');
  const lastLeaf = store.readNode(0, range.size - 1);
  if (!equalBytes(hasher.hashLeaf(last.data), lastLeaf)) {
    throw new RxError('LEDGER_INTEGRITY', 'last entry does not match its leaf hash', { index: last.index });
  }
  // The next entry is sequenced on this one: it must sit at its own index and link to the one before.
  const entry = parseStoredEntry(last.data, last.index);
  const before = range.size > 1 ? store.readNode(0, range.size - 2) : GENESIS_PREV;
  if (entry.index !== last.index || entry.prev !== encodePrev(before)) {
    throw new RxError('LEDGER_INTEGRITY', 'last entry is not at its place in the chain', { index: last.index });
  }
  return { range, lastLeaf, lastTime: entry.time };
}

/**
 * Checks the latest signed checkpoint (if any) against the store: it verifies under the current
 * keys or those the log last recorded, names this origin, covers no more than the `size` entries
 * stored, and the stored tree reproduces its root.
 */
export function checkLatestCheckpoint(store: LedgerStore, latest: string | null, expected: { origin: string; verifierKeys: readonly string[]; size: number }): void {
  if (latest === null) return;
  const keys = new Set([...expected.verifierKeys, ...(recordedCheckpointKeys(store) ?? [])]);
  const cp = parseCheckpoint(verifyNote(latest, [...keys].map((k) => createNoteVerifier(parseVerifierKey(k)))).note.text);
  if (cp.origin !== expected.origin) throw new RxError('LEDGER_INTEGRITY', 'latest checkpoint names another origin');
  if (cp.size > expected.size) throw new RxError('LEDGER_INTEGRITY', `checkpoint covers ${cp.size} entries, store holds ${expected.size}`);
  if (!equalBytes(treeRoot(store.readNodes.bind(store), cp.size), cp.rootHash)) {
    throw new RxError('LEDGER_INTEGRITY', `stored tree disagrees with the checkpoint at size ${cp.size}`);
  }
}

/** The checkpoint verifier keys the log last recorded (its latest `ledger.checkpoint-keys` entry), if any. */
export function recordedCheckpointKeys(store: LedgerStore): string[] | undefined {
  const index = store.logState()?.keysEntryIndex;
  if (index === null || index === undefined) return undefined;
  const stored = store.readEntry(index);
  if (stored === undefined) throw new RxError('LEDGER_INTEGRITY', 'recorded checkpoint-keys entry is missing', { index });
  const entry = parseEntry(stored.data);
  const body = CheckpointKeysBodySchema.safeParse(entry.body);
  if (entry.type !== CHECKPOINT_KEYS_TYPE || !body.success) {
    throw new RxError('LEDGER_INTEGRITY', 'recorded checkpoint-keys entry is not one', { index });
  }
  return body.data.keys;
}

/** A stored entry's envelope; bytes that are not one mean the store is not this ledger's log. */
function parseStoredEntry(data: Uint8Array, index: number): LedgerEntry {
  try {
    return parseEntry(data);
  } catch (cause) {
    throw new RxError('LEDGER_INTEGRITY', 'a stored entry is not a valid envelope', { index, cause });
  }
}
