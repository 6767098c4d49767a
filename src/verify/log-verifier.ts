/**
 * The independent log verifier. It trusts nothing but the verifier keys it is given: it re-hashes
 * every leaf from its bytes, follows every chain link, rebuilds the Merkle tree, and checks the
 * signed checkpoint (and, when given, consistency with a checkpoint trusted earlier).
 *
 * Checks, in order (by default it stops at the first failure, later failures being usually its
 * echoes; the audit goes on and reports the first failure of each kind, see failure-record.ts):
 *   1. the latest checkpoint is a well-formed signed note verified by a trusted key;
 *   2. a previously trusted checkpoint, if given, verifies and is not larger than the latest (a
 *      larger one is a rollback: the audit reports it and goes on, so the entries are still
 *      checked against the trusted checkpoint and the first one missing is named);
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
 *      key the verified log itself announced; the source's consistency proof verifies too;
 *   6. the derived state the source claims (a database's registry and state tables, a bundle's
 *      registry record) equals the replay's, record by record (derived-state-check.ts).
 *
 * Step 3's per-entry work that needs only the entry's own bytes (leaf hash, envelope, body schema,
 * statement digest and signature arithmetic) is its "preflight" (preflight.ts), done a chunk at a
 * time ahead of the sequential judgement, on worker threads when the caller gives a pool
 * (preflight-pool.ts: the audit) and inline otherwise.
 */
import { CompactRange } from '../core/compact-range.js';
import { parseCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { decodeUtf8, encodeBase64, equalBytes } from '../core/bytes.js';
import { GENESIS_PREV, type LedgerEntry } from '../core/entry.js';
import { RxError } from '../core/errors.js';
import { nobleMerkleHasher, type MerkleHasher } from '../core/merkle-hash.js';
import { verifyConsistency } from '../core/merkle-verify.js';
import { createNoteVerifier, parseVerifierKey, type NoteVerifier } from '../core/note-keys.js';
import { parseSignedNote, verifyNote } from '../core/signed-note.js';
import { isValidEd25519 } from '../core/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CHECKPOINT_KEYS_TYPE, CheckpointKeysBodySchema, type EntryBodySchemas } from '../domain/entry-types.js';
import type { SignatureCheck } from '../domain/registry/registry-rules.js';
import type { RuleSet } from '../domain/prescription/checker.js';
import { createRuleSetLibrary } from '../domain/checker/rule-set-library.js';
import { RULE_SET_TYPE } from '../domain/checker/rule-set-activation.js';
import type { LogSource, SourceEntry } from './log-source.js';
import { createStateReplay, DEFAULT_TIMESTAMP_WINDOW_MS, type StateReplay } from './state-replay.js';
import { FailureRecord, type FailureKind, type FailureMode, type VerifyFailure } from './failure-record.js';
import { StoredTreeCheck } from './stored-tree-check.js';
import { KeyDirectory } from './key-directory.js';
import { PreflightView, type PackedPreflight } from './preflight.js';
import { inlinePreflight, type PreflightRunner } from './preflight-pool.js';
import type { MemoryState } from '../domain/memory-state.js';
import { compareRegistrySnapshots, registrySnapshot, RegistrySnapshotSchema } from './registry-snapshot.js';
import { checkDerivedState } from './derived-state-check.js';
import type { ReplayedState } from './replayed-state.js';

export type { VerifyFailure, FailureKind, FailureMode };

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
  /** Stop at the first failure (default) or go on and report the first failure of each kind. */
  readonly failureMode?: FailureMode;
  /**
   * Where per-entry preflight runs: a worker pool (createPreflightPool) or, by default, inline.
   * The caller closes it. Ignored when `entryBodySchemas` is given (schemas do not cross threads).
   */
  readonly preflight?: PreflightRunner;
  /** Called with the derived state the replay reached at the end of the log (the exporter's registry snapshot). */
  readonly onReplayed?: (state: MemoryState) => void;
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
  /** The first failure found (in `each-kind` mode, the earliest in log order among the entry checks). */
  readonly failure?: VerifyFailure;
  /** `each-kind` mode: every kind of failure, its first occurrence and its count. */
  readonly failures?: readonly FailureKind[];
  /** How many entries of each type the log holds (up to where verification got). */
  readonly entryTypes?: Readonly<Record<string, number>>;
}

const PROGRESS_EVERY = 10_000;
/** Entries per preflight chunk, and chunks in flight at once (enough to keep every worker busy). */
const CHUNK = 1024;
const CHUNKS_IN_FLIGHT = 6;

/** What the checkpoints say the entries must reproduce. */
interface Expectations {
  readonly latest: Checkpoint;
  readonly previous?: Checkpoint;
  /** Roots the recomputed tree must reproduce, by size. */
  readonly roots: Map<number, { root: Uint8Array; what: string }[]>;
  /** The stored history, whose signatures are checked once the log has said which keys it announced. */
  readonly historical: readonly string[];
}

export async function verifyLog(source: LogSource, options: VerifyOptions): Promise<VerifyReport> {
  const failures = new FailureRecord(options.failureMode ?? 'first');
  const partial: { origin?: string; checkpointSize?: number; rootHash?: string; logSize?: number } = {};
  const walk = { entriesVerified: 0, entryTypes: {} as Record<string, number> };
  const report = (failure?: VerifyFailure): VerifyReport => {
    const first = failure ?? failures.first;
    return {
      ok: first === undefined,
      source: source.description,
      ...partial,
      entriesVerified: walk.entriesVerified,
      ...(first === undefined ? {} : { failure: first }),
      ...(failures.mode === 'each-kind' ? { failures: failure === undefined ? failures.summary() : [...failures.summary(), { first: failure, count: 1 }] } : {}),
      entryTypes: walk.entryTypes,
    };
  };
  try {
    const verifiers = trustedVerifiers(options.trustedKeys);
    const expected = await readExpectations(source, verifiers, options, failures);
    partial.origin = expected.latest.origin;
    partial.checkpointSize = expected.latest.size;
    partial.rootHash = encodeBase64(expected.latest.rootHash);
    const logSize = await source.size();
    partial.logSize = logSize;
    const { announcedKeys, replayed } = await walkEntries(source, options, expected, logSize, failures, walk);
    const state = replayed.state;
    options.onReplayed?.(state);
    // Step J: the derived state the source claims against the replay's.
    const claimed = await source.registrySnapshot?.();
    if (claimed !== undefined) {
      failures.attempt(undefined, () => {
        const parsed = RegistrySnapshotSchema.safeParse(claimed);
        if (!parsed.success) throw new RxError('REGISTRY_SNAPSHOT_MISMATCH', `${source.registrySnapshotName ?? 'the registry snapshot'}: malformed${malformedRecord(claimed, parsed.error.issues[0]?.path)}`);
        compareRegistrySnapshots(registrySnapshot(state.records()), parsed.data, source.registrySnapshotName ?? 'the registry snapshot', (kind, id) => replayed.writer(kind, id));
      });
    }
    const tables = source.claimedState?.();
    if (tables !== undefined) checkDerivedState(replayed, tables, { origin: expected.latest.origin }, (failure) => failures.add(failure));
    const allKeys = trustedVerifiers([...new Set([...options.trustedKeys, ...announcedKeys])]);
    for (const note of expected.historical) failures.attempt(undefined, () => void verifyCheckpointNote(note, allKeys, expected.latest.origin));
    const previous = expected.previous;
    if (previous !== undefined && source.consistencyProof !== undefined) {
      const proof = await source.consistencyProof(previous.size, expected.latest.size);
      failures.attempt(undefined, () => verifyConsistency(previous.size, expected.latest.size, proof, previous.rootHash, expected.latest.rootHash));
    }
    return report();
  } catch (err) {
    // In `first` mode every failure ends here; in `each-kind` mode only those after which nothing
    // further can be checked (no trusted checkpoint, an entry missing from the source).
    return report(
      err instanceof RxError
        ? { code: err.code, message: err.message, ...(err.index === undefined ? {} : { index: err.index }), ...(err.paths ? { paths: err.paths } : {}) }
        : { code: 'INTERNAL', message: (err as Error).message },
    );
  }
}

async function readExpectations(source: LogSource, verifiers: NoteVerifier[], options: VerifyOptions, failures: FailureRecord): Promise<Expectations> {
  const latestNote = await source.checkpoint();
  const latest = verifyCheckpointNote(latestNote, verifiers, options.origin);
  const previous = options.previousCheckpoint === undefined ? undefined : verifyCheckpointNote(options.previousCheckpoint, verifiers, latest.origin);
  if (previous !== undefined && previous.size > latest.size) {
    // The audit goes on: the entries must still reproduce the trusted checkpoint, and the first
    // one the source no longer holds is reported as missing (step G).
    failures.add({ code: 'CHECKPOINT_INCONSISTENT', message: `latest checkpoint (${latest.size}) is smaller than the trusted one (${previous.size}): rollback` });
  }
  const roots = new Map<number, { root: Uint8Array; what: string }[]>();
  const expect = (size: number, root: Uint8Array, what: string) => {
    const list = roots.get(size) ?? [];
    list.push({ root, what });
    roots.set(size, list);
  };
  const history = (await source.checkpointHistory?.()) ?? [];
  if (history.length > 0 && history[history.length - 1] !== latestNote) {
    throw new RxError('CHECKPOINT_INCONSISTENT', 'the latest checkpoint is not the newest one in the history');
  }
  // Older checkpoints may be signed by keys since retired: their signatures are checked after the
  // entries, against the trusted keys plus every key the (by then verified) log announced.
  // Sizes must strictly increase up to the latest: a stored checkpoint larger than the latest
  // one would be a rollback the walk never reaches, its root never compared.
  let lastSize = -1;
  for (const note of history) {
    const cp = parseCheckpoint(parseSignedNote(note).text);
    if (cp.size <= lastSize) throw new RxError('CHECKPOINT_INCONSISTENT', `the checkpoint history is not in ascending size order at size ${cp.size}`);
    lastSize = cp.size;
    expect(cp.size, cp.rootHash, `stored checkpoint at size ${cp.size}`);
  }
  if (previous !== undefined) expect(previous.size, previous.rootHash, 'trusted previous checkpoint');
  expect(latest.size, latest.rootHash, 'latest checkpoint');
  return { latest, ...(previous === undefined ? {} : { previous }), roots, historical: history };
}

/**
 * Step 3 and 4 over every entry: preflight a chunk at a time (possibly on workers), then judge
 * each entry in log order. Returns the checkpoint keys the log announced.
 */
async function walkEntries(
  source: LogSource,
  options: VerifyOptions,
  expected: Expectations,
  logSize: number,
  failures: FailureRecord,
  walk: { entriesVerified: number; entryTypes: Record<string, number> },
): Promise<{ announcedKeys: Set<string>; replayed: ReplayedState }> {
  const hasher = options.hasher ?? nobleMerkleHasher;
  const verifySignature = options.verifySignature ?? isValidEd25519;
  const fetchedBundles = new Map<string, Uint8Array>();
  const judge = new EntryJudge({
    origin: expected.latest.origin,
    failures,
    unjudged: options.unjudgedEntryTypes,
    defaultSchemas: options.entryBodySchemas === undefined,
    replay: createStateReplay({
      origin: expected.latest.origin,
      timestampWindowMs: options.timestampWindowMs ?? DEFAULT_TIMESTAMP_WINDOW_MS,
      verifySignature,
      ruleSets: createRuleSetLibrary((hash) => fetchedBundles.get(hash), options.ruleSets ?? []),
    }),
    entryTypes: walk.entryTypes,
  });
  const range = CompactRange.empty(hasher);
  const tree = new StoredTreeCheck(source);
  const checkRoots = () => {
    for (const { root, what } of expected.roots.get(range.size) ?? []) {
      if (!equalBytes(range.root(), root)) failures.add({ code: 'TREE_ROOT_MISMATCH', message: `recomputed root differs from the ${what}`, index: range.size - 1 });
    }
  };
  checkRoots(); // size 0
  const custom = options.entryBodySchemas !== undefined;
  const preflight =
    options.preflight !== undefined && !custom
      ? options.preflight
      : inlinePreflight({ hasher, verifySignature, sha256, ...(custom ? { schemas: options.entryBodySchemas } : {}) });
  const keys = new KeyDirectory();
  const inFlight: Array<{ items: SourceEntry[]; result: Promise<PackedPreflight> }> = [];
  const judgeChunk = async ({ items, result }: (typeof inFlight)[number]) => {
    const view = new PreflightView(await result);
    for (let at = 0; at < items.length; at++) {
      const item = items[at]!;
      const i = range.size;
      if (item.index !== i) throw new RxError('ENTRY_MISSING', `entry ${i} is missing (next stored is ${item.index})`, { index: i });
      // A rule-set activation's bundle is fetched before the activation is judged.
      if (view.failure(at) === undefined && isRuleSetActivation(item.data)) await fetchBundle(source, item.data, fetchedBundles);
      judge.judge(item.data, i, view, at);
      const leafHash = view.leafHash(at);
      for (const node of range.append(leafHash)) {
        if (tree.enabled) failures.attempt(undefined, () => tree.check(node.level, node.index, node.hash));
      }
      checkRoots();
      walk.entriesVerified = range.size;
      if (walk.entriesVerified % PROGRESS_EVERY === 0) options.onProgress?.(walk.entriesVerified, logSize);
    }
  };
  let chunk: SourceEntry[] = [];
  const dispatch = async () => {
    inFlight.push({ items: chunk, result: preflight.run(chunk.map((e) => e.data), keys) });
    chunk = [];
    while (inFlight.length >= CHUNKS_IN_FLIGHT) await judgeChunk(inFlight.shift()!);
  };
  // A source that fails part-way (a bundle found truncated at its end) still has every entry read
  // before the failure judged, so the report says what those entries hold.
  let sourceFailure: unknown;
  try {
    for await (const item of source.entries(0, logSize)) {
      keys.scan(item.data);
      chunk.push(item);
      if (chunk.length === CHUNK) await dispatch();
    }
  } catch (err) {
    sourceFailure = err;
  }
  if (chunk.length > 0) await dispatch();
  while (inFlight.length > 0) await judgeChunk(inFlight.shift()!);
  if (sourceFailure !== undefined) throw sourceFailure;
  options.onProgress?.(walk.entriesVerified, logSize);
  failures.attempt(range.size, () => judge.finish());
  if (tree.enabled && range.size === logSize) failures.attempt(undefined, () => tree.checkNoneBeyond(range.size));
  const covered = Math.max(expected.latest.size, expected.previous?.size ?? 0);
  if (range.size < logSize || range.size < covered) {
    const which = covered > expected.latest.size ? 'the trusted checkpoint' : 'the checkpoint';
    throw new RxError('ENTRY_MISSING', `${which} covers ${covered} entries but only ${range.size} were readable`, { index: range.size });
  }
  return { announcedKeys: judge.announcedKeys, replayed: judge.replayed };
}

/** Judges entries in log order: envelope, chain links, time, body, genesis rules, then the replay of derived state. */
class EntryJudge {
  readonly announcedKeys = new Set<string>();
  private prev = encodeBase64(GENESIS_PREV);
  private lastTime = 0;

  constructor(
    private readonly ctx: {
      readonly origin: string;
      readonly failures: FailureRecord;
      readonly unjudged: ReadonlySet<string> | undefined;
      /** Preflight checked bodies against ENTRY_BODY_SCHEMAS (no custom schemas were given). */
      readonly defaultSchemas: boolean;
      readonly replay: StateReplay;
      readonly entryTypes: Record<string, number>;
    },
  ) {}

  judge(data: Uint8Array, i: number, view: PreflightView, at: number): void {
    const { failures } = this.ctx;
    const problem = view.failure(at);
    const leafHash = encodeBase64(view.leafHash(at));
    if (problem?.stage === 'envelope') {
      failures.add({ code: problem.code, message: problem.message, index: i, ...(problem.paths ? { paths: problem.paths } : {}) });
      this.prev = leafHash;
      return;
    }
    // Preflight proved these bytes canonical JSON of a v1 envelope: the native parser reads them the same.
    const entry = JSON.parse(decodeUtf8(data)) as LedgerEntry;
    this.ctx.entryTypes[entry.type] = (this.ctx.entryTypes[entry.type] ?? 0) + 1;
    if (entry.index !== i) failures.add({ code: 'ENTRY_INDEX_MISMATCH', message: `entry at position ${i} says it is ${entry.index}`, index: i });
    if (entry.prev !== this.prev) failures.add({ code: 'ENTRY_CHAIN_BROKEN', message: 'prev does not match the previous leaf hash', index: i });
    if (entry.time < this.lastTime) failures.add({ code: 'ENTRY_TIME_REGRESSED', message: 'time is earlier than the previous entry', index: i });
    this.prev = leafHash;
    this.lastTime = Math.max(this.lastTime, entry.time);
    if (problem !== undefined) {
      failures.add({ code: problem.code, message: problem.message, index: i, ...(problem.paths ? { paths: problem.paths } : {}) });
      return;
    }
    if (i === 0 && entry.type !== CHECKPOINT_KEYS_TYPE) {
      failures.add({ code: 'ENTRY_GENESIS_INVALID', message: `the first entry must be ${CHECKPOINT_KEYS_TYPE}`, index: 0 });
    }
    if (entry.type === CHECKPOINT_KEYS_TYPE) {
      const body = CheckpointKeysBodySchema.parse(entry.body);
      if (body.origin !== this.ctx.origin) failures.add({ code: 'ENTRY_GENESIS_INVALID', message: 'checkpoint-keys entry names another origin', index: i });
      else for (const k of body.keys) this.announcedKeys.add(k);
      this.ctx.replay.replayed.keysEntryIndex = i;
    }
    // Every entry is re-judged against the state as it stood at this index: signature by a key
    // valid then, actor active, role allowed, nonce unspent, the action legal in the
    // prescription's state, check results reproduced by re-running the check.
    if (this.ctx.unjudged?.has(entry.type)) return;
    const signature = (entry.body as { signature?: unknown }).signature;
    const prepared = {
      bodyMatchedSchema: this.ctx.defaultSchemas,
      digest: view.digest(at),
      verifiedKey: view.verifiedKey(at),
      signature: typeof signature === 'string' ? signature : undefined,
    };
    failures.attempt(i, () => this.ctx.replay.check(entry, i, prepared));
  }

  finish(): void {
    this.ctx.replay.finish();
  }

  get replayed(): ReplayedState {
    return this.ctx.replay.replayed;
  }
}

/** Where a claimed RegistrySnapshot fails its schema, as " record at actor dr-0-0" when the record has an id. */
function malformedRecord(claimed: unknown, path: readonly PropertyKey[] | undefined): string {
  const [list, position] = path ?? [];
  const kinds = { institutions: ['institution', 'institutionId'], actors: ['actor', 'actorId'], keys: ['key', 'keyId'] } as const;
  if (typeof list !== 'string' || !Object.hasOwn(kinds, list) || typeof position !== 'number') return '';
  const [kind, idField] = kinds[list as keyof typeof kinds];
  const id = ((claimed as Record<string, unknown[]>)[list]?.[position] as Record<string, unknown> | undefined)?.[idField];
  return typeof id === 'string' ? ` record at ${kind} ${id}` : ` record at ${kind} number ${position + 1}`;
}

/** Canonical envelopes end with their type and version. */
const RULE_SET_TAIL = Buffer.from(`"type":"${RULE_SET_TYPE}","v":1}`);
const isRuleSetActivation = (data: Uint8Array): boolean =>
  data.length >= RULE_SET_TAIL.length && RULE_SET_TAIL.equals(data.subarray(data.length - RULE_SET_TAIL.length));

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

/** Fetches the bundle an activation names, once; a missing one leaves the activation to be refused as RULE_SET_UNKNOWN. */
async function fetchBundle(source: LogSource, data: Uint8Array, into: Map<string, Uint8Array>): Promise<void> {
  const hash = (JSON.parse(decodeUtf8(data)) as { body?: { hash?: unknown } }).body?.hash;
  if (typeof hash !== 'string' || into.has(hash) || source.ruleSetBundle === undefined) return;
  const bytes = await source.ruleSetBundle(hash).catch(() => undefined);
  if (bytes !== undefined) into.set(hash, bytes);
}
