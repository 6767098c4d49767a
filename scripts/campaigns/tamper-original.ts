/**
 * The database every tamper alteration starts from, built once: a realistic ledger
 * (scripts/lib/synthetic-ledger.ts: the production ledger, starter checker, signed statements
 * through the lifecycle, checkpoints every second), then a second session of the production
 * service that appends more entries (a new hospital, prescriber and key, prescriptions with their
 * check results) and publishes checkpoints while a reader pins the write-ahead log, so none of the
 * second session's commits is checkpointed into the database file: they are all WAL frames, as
 * after a crash, and a truncated WAL loses some of them.
 *
 * The regulator's trusted view is the last checkpoint the ledger published (covering every entry,
 * WAL ones included), as a monitor or witness would hold it.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { encodeBase64 } from '../../src/core/bytes.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import type { Ed25519NoteSigningKey } from '../../src/core/note-keys.js';
import { loadConfig } from '../../src/config.js';
import { createStatementSigner, type StatementSigner } from '../../src/client/index.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { loadOrCreateSigningKeys } from '../../src/keys/key-files.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { openServiceLedger, DATABASE_FILE } from '../../src/service.js';
import { buildSyntheticLedger, SYNTHETIC_ORIGIN } from '../lib/synthetic-ledger.js';
import { prescription } from '../lib/rx-builders.js';
import { readLogicalSnapshot, type LogicalSnapshot, type SnapshotNotes } from './tamper-snapshot.js';

export interface TamperOriginal {
  /** The folder holding the pristine `ledger.sqlite` and `ledger.sqlite-wal`; never opened for writing. */
  readonly dir: string;
  readonly dbPath: string;
  readonly walPath: string;
  readonly origin: string;
  readonly verifierKeys: readonly string[];
  /** The log's checkpoint keys, for opening copies the way the ledger starts. */
  readonly signingKeys: readonly Ed25519NoteSigningKey[];
  /** The regulator's trusted checkpoint: the latest the ledger published. */
  readonly trustedCheckpoint: string;
  /** Entries in the log, and how many of them are only in the WAL. */
  readonly size: number;
  readonly walEntries: number;
  readonly walBytes: number;
  readonly pageSize: number;
  readonly checkpoints: number;
  readonly snapshot: LogicalSnapshot;
  readonly notes: SnapshotNotes;
  /** Rule-set hash → index of its first activation. */
  readonly activations: ReadonlyMap<string, number>;
  readonly entryTypes: Readonly<Record<string, number>>;
}

export interface TamperOriginalOptions {
  /** A folder of its own, created and kept (the caller removes it). */
  readonly workDir: string;
  /** Entries of the first session (at least the cast's registration, about 250). */
  readonly entries: number;
  /** Prescriptions submitted in the second session (each with its check result). */
  readonly walPrescriptions: number;
  readonly seed: number;
  readonly random: () => number;
}

const seedOf = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(`tamper-campaign/${label}`).digest());

export async function buildTamperOriginal(options: TamperOriginalOptions): Promise<TamperOriginal> {
  const build = join(options.workDir, 'build');
  const dir = join(options.workDir, 'original');
  mkdirSync(build, { recursive: true });
  mkdirSync(dir, { recursive: true });
  const built = await buildSyntheticLedger({ dataDir: build, entries: options.entries, seed: options.seed, concurrency: 20 });
  const buildDb = join(build, DATABASE_FILE);

  // A reader whose snapshot predates the second session: no checkpoint can move a frame past it
  // into the database file, so every commit of the session stays in the WAL.
  const pin = new Database(buildDb, { readonly: true });
  try {
    pin.exec('BEGIN');
    pin.prepare('SELECT count(*) FROM entries').get();
    await appendInWal(build, options);
    copyFileSync(buildDb, join(dir, DATABASE_FILE));
    copyFileSync(`${buildDb}-wal`, join(dir, `${DATABASE_FILE}-wal`));
    pin.exec('COMMIT');
  } finally {
    pin.close();
  }
  const signingKeys = loadOrCreateSigningKeys(build, built.origin).keys;
  rmSync(build, { recursive: true, force: true });

  const dbPath = join(dir, DATABASE_FILE);
  const walPath = `${dbPath}-wal`;
  // Facts are read from scratch copies: a read-only open of the original would leave a -shm behind.
  const scratch = join(options.workDir, 'scratch');
  mkdirSync(scratch, { recursive: true });
  try {
    copyFileSync(dbPath, join(scratch, DATABASE_FILE));
    const mainOnly = countEntries(join(scratch, DATABASE_FILE));
    copyFileSync(walPath, join(scratch, `${DATABASE_FILE}-wal`));
    const { snapshot, notes } = readLogicalSnapshot(join(scratch, DATABASE_FILE));
    const facts = readFacts(join(scratch, DATABASE_FILE));
    if (notes.latest === null) throw new Error('the original holds no checkpoint');
    return {
      dir,
      dbPath,
      walPath,
      origin: built.origin,
      verifierKeys: built.verifierKeys,
      signingKeys,
      trustedCheckpoint: notes.latest,
      size: facts.size,
      walEntries: facts.size - mainOnly,
      walBytes: statSync(walPath).size,
      pageSize: facts.pageSize,
      checkpoints: notes.history.size,
      snapshot,
      notes,
      activations: facts.activations,
      entryTypes: facts.entryTypes,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function countEntries(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM entries').get()!.n;
  } finally {
    db.close();
  }
}

function readFacts(path: string): { size: number; pageSize: number; activations: Map<string, number>; entryTypes: Record<string, number> } {
  const db = new Database(path, { readonly: true });
  try {
    const activations = new Map<string, number>();
    for (const r of db.prepare<[], { idx: number; hash: string }>('SELECT idx, hash FROM rule_set_activations ORDER BY idx').all()) {
      if (!activations.has(r.hash)) activations.set(r.hash, r.idx);
    }
    const entryTypes: Record<string, number> = {};
    for (const r of db.prepare<[], { data: Buffer }>('SELECT data FROM entries').iterate()) {
      const type = (JSON.parse(r.data.toString('utf8')) as { type: string }).type;
      entryTypes[type] = (entryTypes[type] ?? 0) + 1;
    }
    return {
      size: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM entries').get()!.n,
      pageSize: db.pragma('page_size', { simple: true }) as number,
      activations,
      entryTypes,
    };
  } finally {
    db.close();
  }
}

/** The second session: the production service on the same folder, appending and checkpointing. */
async function appendInWal(dataDir: string, options: TamperOriginalOptions): Promise<void> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_ORIGIN: SYNTHETIC_ORIGIN, CHECKPOINT_INTERVAL_MS: '60000' });
  const service = await openServiceLedger(config, { logger: pino({ level: 'silent' }) });
  try {
    const origin = config.logOrigin;
    const key = readActorKey(genesisOperatorKeyPath(dataDir));
    const operator = createStatementSigner({ origin, actorId: key.actorId, seed: key.seed });
    const act = (signer: StatementSigner, action: string, payload: JsonObject) => service.ledger.append(action, signer.sign(action, payload) as unknown as JsonObject);
    const institutionId = 'wal-hosp-0';
    const doctor = createStatementSigner({ origin, actorId: 'wal-dr-0', seed: seedOf(`wal-dr-0/${options.seed}`) });
    await act(operator, 'registry.institution-register', { institutionId, kind: 'hospital', name: 'WAL 医院', region: '370102', licence: `LIC-${institutionId}` });
    service.ledger.publishCheckpoint();
    await act(operator, 'registry.actor-register', {
      actorId: doctor.actorId,
      role: 'prescriber',
      institutionId,
      name: 'WAL 医生',
      licence: '110370100009999',
      title: '主治医师',
      department: '内科',
      privileges: { narcotic: false, psychotropicI: false, psychotropicII: false, antimicrobialGrade: 'restricted' },
    });
    await act(operator, 'registry.key-add', { actorId: doctor.actorId, publicKey: encodeBase64(doctor.publicKey), notBefore: Date.now() - 60_000 });
    service.ledger.publishCheckpoint();
    for (let n = 0; n < options.walPrescriptions; n++) {
      const label = `wal-patient-${options.seed}-${n}`;
      const patient = { pseudonym: createHash('sha256').update(label).digest('hex'), identityCommitment: createHash('sha256').update(`c/${label}`).digest('hex') };
      const rx = prescription(`rx-wal-${String(n).padStart(4, '0')}`, { id: doctor.actorId, institutionId }, patient, { now: Date.now() });
      await act(doctor, 'rx.submit', { prescription: rx as unknown as JsonObject, routing: { mode: 'nominated', pharmacyId: 'pharm-0' } });
      // Checkpoints inside the WAL too, so a truncation can roll one back without losing entries.
      if (options.random() < 0.3) service.ledger.publishCheckpoint();
    }
  } finally {
    // Publishes the final checkpoint (covering everything): the regulator's trusted view.
    await service.close();
  }
}
