/**
 * Publishes signed checkpoints. Contract:
 *   - a checkpoint is signed only after the new root has been checked, by a consistency proof
 *     built from the store, against the previously published checkpoint; the ledger MUST NOT sign
 *     two inconsistent checkpoints, so on any doubt it refuses and stays halted;
 *   - the latest checkpoint is replaced by compare-and-swap on the stored note, so two writers
 *     can never both believe they published.
 */
import { parseCheckpoint, formatCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { equalBytes } from '../core/bytes.js';
import { RxError } from '../core/errors.js';
import { consistencyProof, treeRoot } from '../core/merkle-proof.js';
import { verifyConsistency } from '../core/merkle-verify.js';
import { formatSignedNote, parseSignedNote, signNote } from '../core/signed-note.js';
import type { NoteSigner } from '../core/note-keys.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { Logger } from './logger.js';

export interface CheckpointPublisherDeps {
  readonly store: LedgerStore;
  readonly origin: string;
  readonly signers: readonly NoteSigner[];
  readonly clock: () => number;
  readonly logger: Logger;
  /** Durable size and root as the sequencer holds them in memory. */
  readonly head: () => { size: number; root: Uint8Array };
}

export interface CheckpointPublisher {
  /** The latest published signed note, or null before the first. */
  latest(): string | null;
  latestCheckpoint(): Checkpoint | null;
  /** Signs and publishes a checkpoint if the log grew; returns the new note or null. */
  publish(): string | null;
  /** True once an inconsistency made the publisher refuse to sign again. */
  readonly halted: boolean;
}

export function createCheckpointPublisher(deps: CheckpointPublisherDeps): CheckpointPublisher {
  const { store, origin, signers, clock, logger } = deps;
  let latestNote = store.logState()?.latestCheckpoint ?? null;
  let latest = latestNote === null ? null : parseCheckpoint(parseSignedNote(latestNote).text);
  let halted = false;
  const read = store.readNodes.bind(store);

  function halt(error: RxError): never {
    halted = true;
    logger.error({ code: error.code }, 'checkpoint publishing halted');
    throw error;
  }

  return {
    latest: () => latestNote,
    latestCheckpoint: () => latest,
    get halted() {
      return halted;
    },
    publish() {
      if (halted) throw new RxError('CHECKPOINT_INCONSISTENT', 'checkpoint publishing is halted');
      const { size, root } = deps.head();
      if (latest !== null && size <= latest.size) return null;
      // The in-memory head must agree with the store before anything is signed.
      if (!equalBytes(treeRoot(read, size), root)) {
        halt(new RxError('LEDGER_INTEGRITY', 'stored tree disagrees with the sequencer'));
      }
      if (latest !== null) {
        try {
          verifyConsistency(latest.size, size, consistencyProof(read, latest.size, size), latest.rootHash, root);
        } catch (cause) {
          halt(new RxError('CHECKPOINT_INCONSISTENT', `tree of ${size} is not an extension of the checkpoint at ${latest.size}`, { cause }));
        }
      }
      const text = formatCheckpoint({ origin, size, rootHash: root, extensions: [] });
      const note = formatSignedNote(signNote(text, signers));
      if (!store.publishCheckpoint(latestNote, note, size, clock())) {
        halt(new RxError('CHECKPOINT_CONFLICT', 'another writer replaced the latest checkpoint'));
      }
      latestNote = note;
      latest = parseCheckpoint(text);
      logger.info({ size }, 'checkpoint published');
      return note;
    },
  };
}
