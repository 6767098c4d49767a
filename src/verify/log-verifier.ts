/**
 * The independent log verifier. It trusts nothing but the verifier keys it is given: it re-hashes
 * every leaf from its bytes, follows every chain link, rebuilds the Merkle tree, and checks the
 * signed checkpoint (and, when given, consistency with a checkpoint trusted earlier).
 *
 * Checks, in order, stopping at the first failure (later failures are usually its echoes):
 *   1. the latest checkpoint is a well-formed signed note verified by a trusted key;
 *   2. a previously trusted checkpoint, if given, verifies and is not larger than the latest;
 *   3. for every entry i: canonical bytes, v1 envelope, index = i, prev = leaf hash of i-1,
 *      time never decreasing, a known type with a valid body;
 *      entry 0 is the genesis `ledger.checkpoint-keys` entry, and every such entry names the
 *      checkpoint's origin;
 *      every entry is re-judged against the derived state as it stood at that index (signature
 *      by a key valid then, actor active, role allowed, nonce unspent, a legal lifecycle
 *      transition, a check result that re-running the check reproduces);
 *   4. stored tree nodes (database sources) equal their recomputation;
 *   5. the recomputed root equals the root of every stored checkpoint, the previous trusted one
 *      and the latest one, at their sizes; stored checkpoints are signed by a trusted key or by a
 *      key the verified log itself announced; the source's consistency proof verifies too.
 */
import { CompactRange } from '../core/compact-range.js';
import { parseCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { encodeBase64, equalBytes } from '../core/bytes.js';
import { GENESIS_PREV, parseEntry } from '../core/entry.js';
import { RxError, type ErrorCode } from '../core/errors.js';
import { nobleMerkleHasher, type MerkleHasher } from '../core/merkle-hash.js';
import { verifyConsistency } from '../core/merkle-verify.js';
import { createNoteVerifier, parseVerifierKey, type NoteVerifier } from '../core/note-keys.js';
import { parseSignedNote, verifyNote } from '../core/signed-note.js';
import { CHECKPOINT_KEYS_TYPE, CheckpointKeysBodySchema, ENTRY_BODY_SCHEMAS, verifyEntryBody, type EntryBodySchemas } from '../domain/entry-types.js';
import type { LogSource } from './log-source.js';
import { isValidEd25519 } from '../core/ed25519.js';
import type { SignatureCheck } from '../domain/registry/registry-rules.js';
import { createStateReplay, DEFAULT_TIMESTAMP_WINDOW_MS } from './state-replay.js';
import type { RuleSet } from '../domain/prescription/checker.js';
import { createRuleSetLibrary } from '../domain/checker/rule-set-library.js';
import { RULE_SET_TYPE } from '../domain/checker/rule-set-activation.js';

export interface VerifyOptions {
  /** C2SP verifier key strings the verifier trusts; at least one. */
  readonly trustedKeys: readonly string[];
  /** The origin the checkpoint must carry; defaults to the origin found in the checkpoint. */
  readonly origin?: string;
  /** A signed checkpoint trusted earlier: the log must be an extension of it. */
  readonly previousCheckpoint?: string;
  readonly entryBodySchemas?: EntryBodySchemas;
  /**
   * Types added through `entryBodySchemas` that carry no actor statement and have no admission
   * rules (test and tooling logs only). Every other entry is judged by the registry rules.
   */
  readonly unjudgedEntryTypes?: ReadonlySet<string>;
  /** RFC 9162 hashing; defaults to the pure implementation (the CLI injects a native one). */
  readonly hasher?: MerkleHasher;
  /** Ed25519 verification of actors' statements; defaults to the strict reference (@noble/ed25519). */
  readonly verifySignature?: SignatureCheck;
  /** The deployment's AUTH_TIMESTAMP_WINDOW_MS, for re-judging statement timestamps (default 5 min). */
  readonly timestampWindowMs?: number;
  /**
   * Rule sets the verifier already holds. Any other rule set the log activates is fetched from the
   * source by hash (LogSource.ruleSetBundle), its hash recomputed from the bytes.
   */
  readonly ruleSets?: readonly RuleSet[];
  /** Called every few thousand entries and at the end. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface VerifyFailure {
  readonly code: ErrorCode;
  readonly message: string;
  /** The first log index where the problem shows, when it is about an entry. */
  readonly index?: number;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly source: string;
  readonly origin?: string;
  readonly checkpointSize?: number;
  readonly rootHash?: string;
  /** Entries the source holds; entries beyond the checkpoint are chain-checked but not yet signed. */
  readonly logSize?: number;
  readonly entriesVerified: number;
  readonly failure?: VerifyFailure;
}

const PROGRESS_EVERY = 10_000;

export async function verifyLog(source: LogSource, options: VerifyOptions): Promise<VerifyReport> {
  let entriesVerified = 0;
  const partial: { origin?: string; checkpointSize?: number; rootHash?: string; logSize?: number } = {};
  try {
    const verifiers = trustedVerifiers(options.trustedKeys);
    const latestNote = await source.checkpoint();
    const latest = verifyCheckpointNote(latestNote, verifiers, options.origin);
    partial.origin = latest.origin;
    partial.checkpointSize = latest.size;
    partial.rootHash = encodeBase64(latest.rootHash);
    const previous = options.previousCheckpoint === undefined ? undefined : verifyCheckpointNote(options.previousCheckpoint, verifiers, latest.origin);
    if (previous !== undefined && previous.size > latest.size) {
      throw new RxError('CHECKPOINT_INCONSISTENT', `latest checkpoint (${latest.size}) is smaller than the trusted one (${previous.size}): rollback`);
    }
    // Roots the recomputed tree must reproduce, by size.
    const expectedRoots = new Map<number, { root: Uint8Array; what: string }[]>();
    const expect = (size: number, root: Uint8Array, what: string) => {
      const list = expectedRoots.get(size) ?? [];
      list.push({ root, what });
      expectedRoots.set(size, list);
    };
    const history = (await source.checkpointHistory?.()) ?? [];
    if (history.length > 0 && history[history.length - 1] !== latestNote) {
      throw new RxError('CHECKPOINT_INCONSISTENT', 'the latest checkpoint is not the newest one in the history');
    }
    // Older checkpoints may be signed by keys since retired: their signatures are checked after the
    // entries, against the trusted keys plus every key the (by then verified) log announced.
    const historical = history.map((note) => {
      const cp = parseCheckpoint(parseSignedNote(note).text);
      expect(cp.size, cp.rootHash, `stored checkpoint at size ${cp.size}`);
      return note;
    });
    const announcedKeys = new Set<string>();
    if (previous !== undefined) expect(previous.size, previous.rootHash, 'trusted previous checkpoint');
    expect(latest.size, latest.rootHash, 'latest checkpoint');

    const logSize = await source.size();
    partial.logSize = logSize;
    const schemas = options.entryBodySchemas ?? ENTRY_BODY_SCHEMAS;
    const fetchedBundles = new Map<string, Uint8Array>();
    const ruleSetLibrary = createRuleSetLibrary((hash) => fetchedBundles.get(hash), options.ruleSets ?? []);
    const stateReplay = createStateReplay({
      origin: latest.origin,
      timestampWindowMs: options.timestampWindowMs ?? DEFAULT_TIMESTAMP_WINDOW_MS,
      verifySignature: options.verifySignature ?? isValidEd25519,
      ruleSets: ruleSetLibrary,
    });
    const hasher = options.hasher ?? nobleMerkleHasher;
    const range = CompactRange.empty(hasher);
    const checkRoots = () => {
      for (const { root, what } of expectedRoots.get(range.size) ?? []) {
        if (!equalBytes(range.root(), root)) {
          throw new RxError('TREE_ROOT_MISMATCH', `recomputed root differs from the ${what}`, { index: range.size - 1 });
        }
      }
    };
    checkRoots(); // size 0
    let prev = GENESIS_PREV;
    let lastTime = 0;
    for await (const item of source.entries(0, logSize)) {
      const i = range.size;
      if (item.index !== i) throw new RxError('ENTRY_MISSING', `entry ${i} is missing (next stored is ${item.index})`, { index: i });
      const entry = atIndex(i, () => parseEntry(item.data));
      if (entry.index !== i) throw new RxError('ENTRY_INDEX_MISMATCH', `entry at position ${i} says it is ${entry.index}`, { index: i });
      if (entry.prev !== encodeBase64(prev)) throw new RxError('ENTRY_CHAIN_BROKEN', 'prev does not match the previous leaf hash', { index: i });
      if (entry.time < lastTime) throw new RxError('ENTRY_TIME_REGRESSED', 'time is earlier than the previous entry', { index: i });
      atIndex(i, () => verifyEntryBody(entry.type, entry.body, schemas));
      if (i === 0 && entry.type !== CHECKPOINT_KEYS_TYPE) {
        throw new RxError('ENTRY_GENESIS_INVALID', `the first entry must be ${CHECKPOINT_KEYS_TYPE}`, { index: 0 });
      }
      if (entry.type === CHECKPOINT_KEYS_TYPE) {
        const body = CheckpointKeysBodySchema.parse(entry.body);
        if (body.origin !== latest.origin) {
          throw new RxError('ENTRY_GENESIS_INVALID', 'checkpoint-keys entry names another origin', { index: i });
        }
        for (const k of body.keys) announcedKeys.add(k);
      }
      // Every entry is re-judged against the state as it stood at this index: signature by a key
      // valid then, actor active, role allowed, nonce unspent, the action legal in the
      // prescription's state, check results reproduced by re-running the check.
      if (entry.type === RULE_SET_TYPE) await fetchBundle(source, entry.body, fetchedBundles);
      if (!options.unjudgedEntryTypes?.has(entry.type)) atIndex(i, () => stateReplay.check(entry, i));
      const leafHash = hasher.hashLeaf(item.data);
      for (const node of range.append(leafHash)) {
        const stored = source.readStoredNode?.(node.level, node.index);
        if (source.readStoredNode !== undefined && (stored === undefined || !equalBytes(stored, node.hash))) {
          throw new RxError('TREE_NODE_MISMATCH', `stored tree node (${node.level}, ${node.index}) ${stored === undefined ? 'is missing' : 'differs'}`, {
            index: node.index * 2 ** node.level + 2 ** node.level - 1,
          });
        }
      }
      checkRoots();
      prev = leafHash;
      lastTime = entry.time;
      entriesVerified = range.size;
      if (entriesVerified % PROGRESS_EVERY === 0) options.onProgress?.(entriesVerified, logSize);
    }
    options.onProgress?.(entriesVerified, logSize);
    atIndex(range.size, () => stateReplay.finish());
    if (range.size < logSize || range.size < latest.size) {
      throw new RxError('ENTRY_MISSING', `the checkpoint covers ${latest.size} entries but only ${range.size} were readable`, { index: range.size });
    }
    const allKeys = trustedVerifiers([...new Set([...options.trustedKeys, ...announcedKeys])]);
    for (const note of historical) verifyCheckpointNote(note, allKeys, latest.origin);
    if (previous !== undefined && source.consistencyProof !== undefined) {
      const proof = await source.consistencyProof(previous.size, latest.size);
      verifyConsistency(previous.size, latest.size, proof, previous.rootHash, latest.rootHash);
    }
    return { ok: true, source: source.description, ...partial, entriesVerified };
  } catch (err) {
    const failure: VerifyFailure =
      err instanceof RxError
        ? { code: err.code, message: err.message, ...(err.index === undefined ? {} : { index: err.index }) }
        : { code: 'INTERNAL', message: (err as Error).message };
    return { ok: false, source: source.description, ...partial, entriesVerified, failure };
  }
}

function trustedVerifiers(keys: readonly string[]): NoteVerifier[] {
  if (keys.length === 0) throw new RxError('KEY_MALFORMED', 'at least one trusted verifier key is required');
  return keys.map((k) => createNoteVerifier(parseVerifierKey(k)));
}

function verifyCheckpointNote(note: string, verifiers: NoteVerifier[], origin: string | undefined): Checkpoint {
  const { note: parsed } = verifyNote(note, verifiers);
  const cp = parseCheckpoint(parsed.text);
  if (origin !== undefined && cp.origin !== origin) {
    throw new RxError('CHECKPOINT_ORIGIN_MISMATCH', `checkpoint origin '${cp.origin}' is not '${origin}'`);
  }
  return cp;
}

/** Runs a per-entry check, attaching the index to whatever it throws. */
function atIndex<T>(index: number, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof RxError) throw new RxError(err.code, err.message, { index, paths: err.paths, cause: err });
    throw err;
  }
}

/** Fetches the bundle an activation names, once; a missing one leaves the activation to be refused as RULE_SET_UNKNOWN. */
async function fetchBundle(source: LogSource, body: unknown, into: Map<string, Uint8Array>): Promise<void> {
  const hash = (body as { hash?: unknown }).hash;
  if (typeof hash !== 'string' || into.has(hash) || source.ruleSetBundle === undefined) return;
  const bytes = await source.ruleSetBundle(hash).catch(() => undefined);
  if (bytes !== undefined) into.set(hash, bytes);
}
