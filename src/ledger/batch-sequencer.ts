/**
 * Sequencing one batch: each appended statement judged by the state machine, encoded into the
 * hash chain at the next index, its projection writes and follow-up records made, and the batch's
 * entries and new tree nodes written, all inside the caller's transaction (ledger.ts commits it
 * and decides when the new head is served).
 *
 * `sequenceBatch` works on a copy of the head and returns the head after the batch: the caller
 * adopts it only once the transaction has committed, so a batch that fails to commit leaves the
 * ledger exactly where it was. An entry whose own writes or follow-ups throw is refused alone
 * (its savepoint rolls back); the rest of the batch goes on.
 */
import type { CompactRange, TreeNode } from '../core/compact-range.js';
import type { JsonObject } from '../core/canonical-json.js';
import { ENTRY_FORMAT_VERSION, canonicalBody, encodeEnvelope, encodePrev, parseEntry, type LedgerEntry } from '../core/entry.js';
import { RxError } from '../core/errors.js';
import type { MerkleHasher } from '../core/merkle-hash.js';
import { CHECKPOINT_KEYS_TYPE, verifyEntryBody, type EntryBodySchemas } from '../domain/entry-types.js';
import type { LedgerStore, StoredLeaf } from '../store/ledger-store.js';
import type { EntryStateMachine, LedgerRecordWrite } from './entry-state-machine.js';
import type { Logger } from './logger.js';

export interface AppendResult {
  readonly index: number;
  readonly leafHash: Uint8Array;
  readonly entry: LedgerEntry;
  /** True when an idempotent retry returned the original entry and nothing was written. */
  readonly replayed?: boolean;
  /** Records the ledger appended right after this entry (a submission's check result). */
  readonly records?: readonly AppendResult[];
}

/** A statement accepted for appending, validated and ready to sequence. */
export interface AppendInput {
  readonly type: string;
  readonly body: JsonObject;
  /** The body's canonical text, computed once when the append is accepted. */
  readonly bodyJson: string;
  /** What the state machine's `prepare` found. */
  readonly prepared?: unknown;
  /** The entry schema `body` is the output of. */
  readonly schema?: EntryBodySchemas[string];
  /** The statement digest the intake computed, for `prepare`. */
  readonly digest?: unknown;
}

/** Where the next entry goes: the tree so far, the last leaf hash (the next `prev`) and its time. */
export interface LedgerHead {
  readonly range: CompactRange;
  readonly lastLeaf: Uint8Array;
  readonly lastTime: number;
}

export interface SequencerContext {
  readonly store: LedgerStore;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly hasher: MerkleHasher;
  readonly schemas: EntryBodySchemas;
  readonly stateMachine: EntryStateMachine | undefined;
}

interface Encoded {
  readonly entry: LedgerEntry;
  readonly data: Uint8Array;
  readonly leafHash: Uint8Array;
}

/**
 * Sequences `inputs` on `head`, in order, writing their entries, nodes and projection writes to
 * the store. Returns each input's outcome (its result, or the error refusing it alone) and the
 * head after the batch. Call it inside a transaction.
 */
export function sequenceBatch(
  ctx: SequencerContext,
  head: LedgerHead,
  inputs: readonly AppendInput[],
): { outcomes: Array<AppendResult | Error>; head: LedgerHead } {
  const { store, hasher, schemas, stateMachine } = ctx;
  const working = head.range.clone();
  let prev = head.lastLeaf;
  let time = head.lastTime;
  const now = ctx.clock();
  if (now < head.lastTime) ctx.logger.warn({ behindMs: head.lastTime - now }, 'clock went backwards; reusing the last entry time');
  const entries: StoredLeaf[] = [];
  const nodes: TreeNode[] = [];
  let keysEntryIndex: number | undefined;
  const outcomes: Array<AppendResult | Error> = [];

  /** Encodes the entry that would follow `after` (or the log's head), without sequencing it. */
  const encode = (input: AppendInput, after?: Encoded): Encoded => {
    const entry: LedgerEntry = {
      v: ENTRY_FORMAT_VERSION,
      index: after === undefined ? working.size : after.entry.index + 1,
      prev: encodePrev(after === undefined ? prev : after.leafHash),
      time: after === undefined ? Math.max(now, time) : after.entry.time,
      type: input.type,
      body: input.body,
    };
    const data = encodeEnvelope(entry, input.bodyJson);
    return { entry, data, leafHash: hasher.hashLeaf(data) };
  };
  const sequence = ({ entry, data, leafHash }: Encoded): AppendResult => {
    nodes.push(...working.append(leafHash));
    entries.push({ index: entry.index, leafHash, data });
    if (entry.type === CHECKPOINT_KEYS_TYPE) keysEntryIndex = entry.index;
    prev = leafHash;
    time = entry.time;
    return { index: entry.index, leafHash, entry };
  };
  const recordInput = (record: LedgerRecordWrite): AppendInput => {
    const body = verifyEntryBody(record.type, record.body, schemas);
    return { type: record.type, body, bodyJson: canonicalBody(body) };
  };

  for (const input of inputs) {
    try {
      const encoded = encode(input);
      const admission = stateMachine?.admit({ type: input.type, body: input.body, schema: input.schema }, { index: encoded.entry.index, time: encoded.entry.time }, input.prepared);
      if (admission?.kind === 'replay') {
        outcomes.push(replayResult(ctx, admission.index, outcomes, entries));
        continue;
      }
      if (admission?.kind === 'refuse') {
        // The record takes the refused entry's place; its writes get their own savepoint.
        const record = encode(recordInput(admission.record));
        store.transaction(() => admission.record.apply());
        sequence(record);
        outcomes.push(admission.error);
        continue;
      }
      // A savepoint per entry: an entry whose writes (or follow-ups) fail part-way leaves none
      // of them behind.
      const followUps: Encoded[] = [];
      if (admission !== undefined) {
        store.transaction(() => {
          let last = encoded;
          if (admission.applyWithFollowUps !== undefined) {
            for (const record of admission.applyWithFollowUps()) {
              last = encode(recordInput(record), last);
              followUps.push(last);
            }
            return;
          }
          admission.apply();
          for (const record of admission.followUps?.() ?? []) {
            last = encode(recordInput(record), last);
            record.apply();
            followUps.push(last);
          }
        });
      }
      const result = sequence(encoded);
      const records = followUps.map(sequence);
      outcomes.push(records.length > 0 ? Object.assign(result, { records }) : result);
    } catch (err) {
      outcomes.push(err as Error);
    }
  }
  if (entries.length > 0) {
    store.appendBatch({ expectedSize: head.range.size, entries, nodes, ...(keysEntryIndex === undefined ? {} : { keysEntryIndex }) });
  }
  return { outcomes, head: { range: working, lastLeaf: prev, lastTime: time } };
}

/**
 * The original result of an idempotent retry: committed earlier, or earlier in this batch
 * (`batch` holds this batch's outcomes, `sequenced` its entries, records included). When the
 * original is a record written in place of a refused statement, the refusal is answered again.
 */
function replayResult(ctx: SequencerContext, index: number, batch: ReadonlyArray<AppendResult | Error>, sequenced: readonly StoredLeaf[]): AppendResult {
  const inBatch = batch.find((o): o is AppendResult => !(o instanceof Error) && o.index === index);
  if (inBatch !== undefined) return { ...inBatch, replayed: true };
  const thisBatch = sequenced.find((e) => e.index === index);
  const leaf = thisBatch ?? ctx.store.readEntry(index);
  if (leaf === undefined) throw new RxError('LEDGER_INTEGRITY', 'the original of a replayed statement is missing', { index });
  const entry = parseEntry(leaf.data);
  const refusal = ctx.stateMachine?.refusalRecordedAt?.(entry);
  if (refusal !== undefined) throw refusal;
  return { index, leafHash: thisBatch?.leafHash ?? ctx.store.readNode(0, index), entry, replayed: true };
}
