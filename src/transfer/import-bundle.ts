/**
 * `rxledger import`: turns a verified export bundle into a ledger database in an empty data
 * directory. The bundle is audited first (everything `rxledger audit --bundle` checks); only a
 * bundle that passes is written. The write pass goes through the ledger's own storage and state
 * machine: entries and their leaf hashes, every perfect subtree, the checkpoints in the order
 * they were published, the rule-set bundles, and the derived state (registry, prescriptions,
 * trace codes, rule-set activations) from judging every entry again in log order — so the result
 * has the same roots, proofs and state as the log it came from, and `rxledger verify --db` and
 * `rxledger audit --db` pass on it.
 *
 * What a bundle does not carry, the import does not invent: the checkpoint signing keys (copy the
 * log's `keys/` folder to serve the imported log as the ledger, else the service creates a new
 * key and records it), the identity store (patients' direct identifiers never leave the
 * service), and when each checkpoint was published (the time of the last entry it covers is
 * recorded instead).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CompactRange, type TreeNode } from '../core/compact-range.js';
import { RxError } from '../core/errors.js';
import { parseCheckpoint } from '../core/checkpoint.js';
import { parseEntry } from '../core/entry.js';
import { CHECKPOINT_KEYS_TYPE } from '../domain/entry-types.js';
import { parseSignedNote } from '../core/signed-note.js';
import { encodeBase64 } from '../core/bytes.js';
import type { LogSource } from '../verify/log-source.js';
import { auditLog, type AuditOptions, type AuditReport } from '../audit/audit.js';
import { DATABASE_FILE, openDatabase } from '../store/database.js';
import { createLedgerStore, type StoredLeaf } from '../store/ledger-store.js';
import { createStateStore } from '../store/state-store.js';
import { createLedgerStateMachine } from '../ledger/state-machine.js';
import { createRuleSetLibrary } from '../domain/checker/rule-set-library.js';
import { nodeMerkleHasher } from '../platform/node-merkle-hasher.js';
import { createNodeEd25519Verifier } from '../platform/node-ed25519.js';
import { DEFAULT_TIMESTAMP_WINDOW_MS } from '../verify/state-replay.js';
import { openBundleLogSource, type BundleLogSource } from './bundle-log-source.js';

const BATCH = 2000;

export interface ImportResult {
  readonly report: AuditReport;
  /** Set when the bundle verified and was written. */
  readonly imported?: { readonly entries: number; readonly checkpoints: number; readonly databasePath: string };
}

export async function importBundle(bundlePath: string, dataDir: string, options: AuditOptions): Promise<ImportResult> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) throw new RxError('REQUEST_INVALID', `${dataDir} is not empty: import only into an empty data directory`);
  // One source for both passes: the checkpoints written are the ones the audit verified (kept in
  // memory), and the rule sets written are only those the audit fetched and re-hashed.
  const bundle = await openBundleLogSource(bundlePath);
  const fetched = new Map<string, Uint8Array>();
  const recording: LogSource = {
    ...bundle,
    async ruleSetBundle(hash) {
      const bytes = await bundle.ruleSetBundle(hash);
      if (bytes !== undefined) fetched.set(hash, bytes);
      return bytes;
    },
  };
  const report = await auditLog(recording, options);
  if (!report.ok) return { report };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Built under a temporary name and renamed only once whole: a failed import leaves no ledger
  // behind that a service could start on.
  const databasePath = join(dataDir, DATABASE_FILE);
  const partialPath = `${databasePath}.importing`;
  try {
    const written = await writeDatabase(partialPath, bundle, fetched, report, options);
    renameSync(partialPath, databasePath);
    return { report, imported: { ...written, databasePath } };
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${partialPath}${suffix}`, { force: true });
  }
}

async function writeDatabase(path: string, bundle: BundleLogSource, ruleSets: ReadonlyMap<string, Uint8Array>, report: AuditReport, options: AuditOptions): Promise<{ entries: number; checkpoints: number }> {
  const db = openDatabase(path);
  try {
    const store = createLedgerStore(db);
    const state = createStateStore(db);
    for (const [hash, bytes] of ruleSets) state.ruleSets.putBundle(hash, bytes);
    const signatures = createNodeEd25519Verifier();
    const machine = createLedgerStateMachine({
      state,
      origin: report.origin!,
      timestampWindowMs: options.timestampWindowMs ?? DEFAULT_TIMESTAMP_WINDOW_MS,
      verifySignature: (s, m, k) => signatures.verify(s, m, k),
      ruleSets: createRuleSetLibrary((hash) => state.ruleSets.bundle(hash), []),
    });
    store.initLogState(report.origin!);
    const range = CompactRange.empty(nodeMerkleHasher);
    const times: number[] = [];
    let rootAtCheckpoint: string | undefined = report.checkpointSize === 0 ? encodeBase64(range.root()) : undefined;
    let batch: Array<{ leaf: StoredLeaf; type: string; body: Record<string, unknown>; time: number }> = [];
    const flush = () => {
      const expectedSize = range.size;
      const nodes: TreeNode[] = [];
      let keysEntryIndex: number | undefined;
      for (const { leaf, type } of batch) {
        for (const node of range.append(leaf.leafHash)) if (node.level > 0) nodes.push(node);
        if (range.size === report.checkpointSize) rootAtCheckpoint = encodeBase64(range.root());
        if (type === CHECKPOINT_KEYS_TYPE) keysEntryIndex = leaf.index;
      }
      store.transaction(() => {
        for (const { leaf, type, body, time } of batch) {
          // The audit judged every entry already; a refusal here is a bug, and nothing commits.
          const admission = machine.admit({ type, body: body as never, schema: undefined }, { index: leaf.index, time }, undefined);
          if (admission.kind !== 'append') throw new RxError('INTERNAL', `entry ${leaf.index} was admitted by the audit but not on import`);
          admission.apply();
        }
        store.appendBatch({ expectedSize, entries: batch.map((b) => b.leaf), nodes, ...(keysEntryIndex === undefined ? {} : { keysEntryIndex }) });
      });
      batch = [];
    };
    for await (const item of bundle.entries(0, report.logSize ?? 0)) {
      const entry = parseEntry(item.data);
      times.push(entry.time);
      batch.push({ leaf: { index: item.index, data: item.data, leafHash: nodeMerkleHasher.hashLeaf(item.data) }, type: entry.type, body: entry.body, time: entry.time });
      if (batch.length === BATCH) flush();
    }
    if (batch.length > 0) flush();
    // The file is read twice: what was written must be what was audited.
    if (range.size !== report.logSize || rootAtCheckpoint !== report.rootHash) {
      throw new RxError('BUNDLE_MALFORMED', 'the bundle changed between its audit and its import');
    }
    let previous: string | null = null;
    const history = await bundle.checkpointHistory();
    for (const note of history) {
      const size = parseCheckpoint(parseSignedNote(note).text).size;
      if (!store.publishCheckpoint(previous, note, size, size === 0 ? 0 : (times[size - 1] ?? 0))) throw new RxError('INTERNAL', 'checkpoint history could not be written');
      previous = note;
    }
    return { entries: range.size, checkpoints: history.length };
  } finally {
    db.close();
  }
}

