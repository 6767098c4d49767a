/**
 * The ledger: sequences entries into the hash chain and the Merkle tree, commits them durably in
 * groups, answers proofs from stored subtrees, and publishes signed checkpoints. This module holds
 * the head and the durability rules; a batch is sequenced by batch-sequencer.ts, and the head is
 * recovered and cross-checked at start-up by ledger-recovery.ts.
 *
 * Contracts:
 *   - `append` MUST NOT resolve until the entry is on disk: its batch committed with
 *     synchronous=FULL, or committed and then its WAL flushed (LedgerStore.transactionDeferred);
 *     an entry whose batch failed to commit is rejected, and nothing of it remains. If a flush
 *     fails, that batch and every later append are rejected: the ledger stops (restart it).
 *   - Nothing the ledger signs or serves as the log is ahead of the disk: `size()`, entries,
 *     proofs and checkpoints cover the durable entries only, while the next batches are already
 *     sequenced on top of the committed ones.
 *   - Start-up reads O(log n) rows whatever the log's size: the log state, the right edge of the
 *     tree, the last two leaf hashes, the last entry and the latest checkpoint, and refuses to
 *     start (LEDGER_INTEGRITY) if they disagree: entries without a log state, a last entry that
 *     does not match its leaf hash, its index or its link to the one before, a latest checkpoint
 *     that does not verify or whose root the stored tree does not reproduce. What it cannot see
 *     (an entry or derived state altered further back) is the verifier's to find
 *     (docs/AUDIT.md).
 *   - Time along the log never decreases: if the injected clock goes back, the previous entry's
 *     time is reused and a warning logged.
 */
import type { JsonObject } from '../core/canonical-json.js';
import { canonicalBody } from '../core/entry.js';
import { RxError } from '../core/errors.js';
import { nobleMerkleHasher, type MerkleHasher } from '../core/merkle-hash.js';
import { consistencyProof, inclusionProof, treeRoot } from '../core/merkle-proof.js';
import { createNoteSigner, formatVerifierKey, type Ed25519NoteSigningKey } from '../core/note-keys.js';
import { CHECKPOINT_KEYS_TYPE, ENTRY_BODY_SCHEMAS, RESERVED_ENTRY_TYPES, verifyEntryBody, type EntryBodySchemas } from '../domain/entry-types.js';
import type { LedgerStore, StoredLeaf } from '../store/ledger-store.js';
import { sequenceBatch, type AppendInput, type AppendResult, type LedgerHead, type SequencerContext } from './batch-sequencer.js';
import { createCheckpointPublisher, type CheckpointPublisher } from './checkpoint-publisher.js';
import { COMMIT_LOCKED, GroupCommit, type DeferredCommit } from './group-commit.js';
import { silentLogger, type Logger } from './logger.js';
import type { EntryStateMachine, LedgerRecordWrite } from './entry-state-machine.js';
import { checkLatestCheckpoint, claimLogState, recordedCheckpointKeys, recoverHead } from './ledger-recovery.js';

export type { AppendResult, EntryStateMachine, LedgerRecordWrite };

export { CHECKPOINT_KEYS_TYPE };

export interface LedgerOptions {
  readonly store: LedgerStore;
  /** The checkpoint origin line; fixed for the life of the log. */
  readonly origin: string;
  /** Keys that sign checkpoints; all of them sign every checkpoint. */
  readonly signingKeys: readonly Ed25519NoteSigningKey[];
  readonly clock?: () => number;
  readonly logger?: Logger;
  readonly entryBodySchemas?: EntryBodySchemas;
  /** Most entries per commit. */
  readonly maxBatch?: number;
  /** RFC 9162 hashing for the append path; defaults to the pure implementation. */
  readonly hasher?: MerkleHasher;
  readonly stateMachine?: EntryStateMachine;
}

export interface Ledger {
  readonly origin: string;
  /** C2SP verifier keys of the checkpoint signers, primary first. */
  readonly verifierKeys: readonly string[];
  /** Number of entries on disk (the log as it is served, proven and checkpointed). */
  size(): number;
  append(type: string, body: unknown): Promise<AppendResult>;
  /**
   * Validates `body` with the entry schema of `type` now (at the edge, once) and answers what
   * the schema returned, which `append(type, …)` then takes as it is instead of validating it
   * again; undefined when it does not pass or `type` is reserved (append the original body to
   * hear why). Nothing is decided here: `append` still refuses what it always refuses. The
   * body returned MUST NOT be changed before it is appended (it is not validated again).
   */
  checkBody(type: string, body: unknown): JsonObject | undefined;
  /**
   * Takes `body` as checkBody's output for `type` without validating it: the statement intake
   * (statement-intake.ts) ran the default entry schema on another thread. `body` MUST be that
   * schema's output, `bodyJson` its canonical text, `digest` its statement's digest (handed to the
   * state machine's `prepare`); none of them may change before the append. Returns false, taking
   * nothing, when this ledger validates `type` with another schema than the default (its
   * `entryBodySchemas`) or `type` is reserved: append the body to have it checked here.
   */
  adoptChecked(type: string, body: JsonObject, bodyJson: string, digest: unknown): boolean;
  /** Appends one of the types only the ledger's own start-up writes (never reachable from HTTP). */
  appendReserved(type: string, body: unknown): Promise<AppendResult>;
  root(size?: number): Uint8Array;
  inclusionProof(index: number, size: number): Uint8Array[];
  consistencyProof(from: number, to: number): Uint8Array[];
  leafHash(index: number): Uint8Array;
  entries(start: number, end: number): StoredLeaf[];
  /** The latest signed checkpoint note, or null before the first one. */
  latestCheckpoint(): string | null;
  publishCheckpoint(): string | null;
  /**
   * Appends a `ledger.checkpoint-keys` entry when the signing keys differ from the set the log
   * last recorded: on an empty log this is the genesis entry; after a rotation it records the
   * new set. Resolves to undefined when nothing needed recording.
   */
  recordCheckpointKeys(): Promise<AppendResult | undefined>;
  /** Publishes on a cadence while there are new entries; returns a stop function. */
  startCheckpointing(intervalMs: number): () => void;
  /** Stops accepting appends, drains in-flight ones, publishes a final checkpoint, closes the store. */
  close(): Promise<void>;
}

export function openLedger(options: LedgerOptions): Ledger {
  const { store, origin } = options;
  const clock = options.clock ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const schemas = options.entryBodySchemas ?? ENTRY_BODY_SCHEMAS;
  if (options.signingKeys.length === 0) throw new RxError('CONFIG_INVALID', 'at least one checkpoint signing key is required');
  const read = store.readNodes.bind(store);
  const hasher = options.hasher ?? nobleMerkleHasher;
  const stateMachine = options.stateMachine;

  claimLogState(store, origin);
  /** The head batches are sequenced on: committed, possibly not yet on disk. */
  let head: LedgerHead = recoverHead(store, hasher);
  /** The tree on disk: what `size()`, reads, proofs and checkpoints cover. Never ahead of `head`. */
  let durable = head.range;
  let stopped = false;

  const signingKeys = [...options.signingKeys];
  const verifierKeys = signingKeys.map(formatVerifierKey);
  const publisher: CheckpointPublisher = createCheckpointPublisher({
    store,
    origin,
    signers: signingKeys.map(createNoteSigner),
    clock,
    logger,
    head: () => ({ size: durable.size, root: durable.root() }),
  });
  checkLatestCheckpoint(store, publisher.latest(), { origin, verifierKeys, size: head.range.size });

  // --- Sequencing and group commit. ---
  const sequencer: SequencerContext = { store, clock, logger, hasher, schemas, stateMachine };
  const committer = new GroupCommit<AppendInput, AppendResult>({
    maxBatch: options.maxBatch ?? 4096,
    // One batch waits for its flush at a time. More would let a later batch's successful flush
    // advance the served head over an earlier batch whose flush then fails (DESIGN.md, durability).
    maxInFlight: 1,
    commit: commitBatchAtomically,
  });
  let closed = false;
  let stopCheckpointing: (() => void) | undefined;

  /**
   * Sequences a batch inside one transaction: state-machine writes and entries commit or vanish
   * together. The next batch is sequenced on top of this one at once; what the log serves and
   * checkpoints advances only once the batch is on disk.
   */
  function commitBatchAtomically(inputs: readonly AppendInput[], mayWait: boolean): DeferredCommit<AppendResult> | typeof COMMIT_LOCKED {
    // Without waiting for the write lock unless told to: while another connection (the oversight
    // fold) writes, the batch is tried again shortly and the event loop goes on (group-commit.ts).
    const sequence = () => sequenceBatch(sequencer, head, inputs);
    const begun = mayWait ? store.transactionDeferred(sequence) : store.tryTransactionDeferred(sequence);
    if (begun === undefined) return COMMIT_LOCKED;
    const { value, durable: flushed } = begun;
    head = value.head;
    const committed = head.range;
    const onDisk = flushed.then(
      () => {
        // A flush covers everything written before it, so a later batch's may land first.
        if (committed.size > durable.size) durable = committed;
      },
      (err: unknown) => {
        stopped = true;
        logger.error({ errno: (err as NodeJS.ErrnoException | undefined)?.code ?? null }, 'flushing the log to disk failed: the ledger stops appending; restart it');
        throw err;
      },
    );
    return { outcomes: value.outcomes, durable: onDisk };
  }

  /** Bodies `checkBody` returned or `adoptChecked` took, with the type whose schema returned them. */
  const checkedBodies = new WeakMap<object, { readonly type: string; readonly bodyJson?: string; readonly digest?: unknown }>();

  // Prepared entries are queued for sequencing in the order they were appended, whichever
  // preparation finishes first: `queued` settles once every append so far has been queued.
  let queued: Promise<unknown> = Promise.resolve();

  function appendEntry(type: string, body: unknown): Promise<AppendResult> {
    if (closed) return Promise.reject(new RxError('LEDGER_CLOSED', 'the ledger is closing'));
    if (stopped) return Promise.reject(new RxError('LEDGER_CLOSED', 'the ledger stopped after a failed flush to disk'));
    let input: AppendInput;
    try {
      // The schema first, then the data model on what the schema returned: one walk each. A
      // body checkBody returned for this type is that schema's output already.
      const known = typeof body === 'object' && body !== null ? checkedBodies.get(body) : undefined;
      if (known?.type === type) {
        input = { type, body: body as JsonObject, bodyJson: known.bodyJson ?? canonicalBody(body), schema: schemas[type], ...(known.digest === undefined ? {} : { digest: known.digest }) };
      } else {
        const checked = verifyEntryBody(type, body, schemas);
        input = { type, body: checked, bodyJson: canonicalBody(checked), schema: schemas[type] };
      }
    } catch (err) {
      return Promise.reject(err);
    }
    if (stateMachine?.prepare === undefined) return committer.submit(input);
    const ready = Promise.all([stateMachine.prepare({ type: input.type, body: input.body, bodyJson: input.bodyJson, ...(input.digest === undefined ? {} : { digest: input.digest }) }), queued]);
    const result = ready.then(([prepared]) => committer.submit({ type: input.type, body: input.body, bodyJson: input.bodyJson, schema: input.schema, prepared }));
    // Chain on completion only: keeping `ready`'s value would link every prepared statement to the
    // one before it, back to start-up (the soak campaign found this leak).
    queued = ready.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  const ledger: Ledger = {
    origin,
    verifierKeys,
    size: () => durable.size,
    appendReserved(type, body) {
      if (!RESERVED_ENTRY_TYPES.has(type)) return Promise.reject(new RxError('ENTRY_TYPE_UNKNOWN', 'not a reserved entry type'));
      return appendEntry(type, body);
    },
    append(type, body) {
      if (RESERVED_ENTRY_TYPES.has(type)) {
        // Only the ledger records its own keys; an appender must never be able to announce one.
        return Promise.reject(new RxError('ENTRY_TYPE_RESERVED', 'this entry type is written by the ledger itself', { paths: ['type'] }));
      }
      return appendEntry(type, body);
    },
    checkBody(type, body) {
      if (RESERVED_ENTRY_TYPES.has(type) || !Object.hasOwn(schemas, type)) return undefined;
      if (typeof body === 'object' && body !== null && checkedBodies.get(body)?.type === type) return body as JsonObject;
      const parsed = schemas[type]!.safeParse(body);
      if (!parsed.success) return undefined;
      checkedBodies.set(parsed.data, { type });
      return parsed.data;
    },
    adoptChecked(type, body, bodyJson, digest) {
      if (RESERVED_ENTRY_TYPES.has(type) || !Object.hasOwn(ENTRY_BODY_SCHEMAS, type) || schemas[type] !== ENTRY_BODY_SCHEMAS[type]) return false;
      checkedBodies.set(body, { type, bodyJson, digest });
      return true;
    },
    root: (size = durable.size) => {
      if (!Number.isSafeInteger(size) || size < 0 || size > durable.size) {
        throw new RxError('PROOF_RANGE_INVALID', 'size is beyond the log');
      }
      return size === durable.size ? durable.root() : treeRoot(read, size);
    },
    inclusionProof(index, size) {
      if (size > durable.size) throw new RxError('PROOF_RANGE_INVALID', 'size is beyond the log');
      return inclusionProof(read, index, size);
    },
    consistencyProof(from, to) {
      if (to > durable.size) throw new RxError('PROOF_RANGE_INVALID', 'size is beyond the log');
      return consistencyProof(read, from, to);
    },
    leafHash(index) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= durable.size) {
        throw new RxError('LOG_INDEX_NOT_FOUND', 'no entry at this index');
      }
      return store.readNode(0, index);
    },
    entries: (start, end) => store.readEntries(start, Math.min(end, durable.size)),
    latestCheckpoint: () => publisher.latest(),
    publishCheckpoint: () => publisher.publish(),
    async recordCheckpointKeys() {
      const keys = [...verifierKeys].sort();
      if (recordedCheckpointKeys(store)?.join('\n') === keys.join('\n')) return undefined;
      return appendEntry(CHECKPOINT_KEYS_TYPE, { origin, keys });
    },
    startCheckpointing(intervalMs) {
      const timer = setInterval(() => {
        try {
          publisher.publish();
        } catch (err) {
          clearInterval(timer);
          logger.error({ code: err instanceof RxError ? err.code : 'INTERNAL' }, 'checkpointing stopped');
        }
      }, intervalMs);
      timer.unref();
      stopCheckpointing = () => clearInterval(timer);
      return stopCheckpointing;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Appends accepted before closing are still being prepared: queue them, then drain.
      await queued;
      await committer.drain();
      stopCheckpointing?.();
      try {
        if (!publisher.halted) publisher.publish();
      } finally {
        store.close();
      }
    },
  };
  return ledger;
}
