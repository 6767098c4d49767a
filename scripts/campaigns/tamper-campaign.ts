/**
 * The tamper campaign (docs/RELIABILITY.md): seeded random alterations of copies of a realistic
 * ledger database — byte flips in entries, leaf hashes, signatures and tree nodes; deleted,
 * swapped and inserted rows; edited derived-state and registry tables; replaced, re-signed and
 * rolled-back checkpoints; a truncated write-ahead log — each run through the audit (the
 * verifier's code going on past failures: `rxledger verify` stops at the audit's first failure)
 * with the regulator's trusted checkpoint, and through the ledger's start-up checks.
 *
 * An alteration must be detected where it is: at the first entry it affects, at the checkpoints
 * it changed, or naming the derived-state record it changed (tamper-snapshot.ts works out which
 * from the copy itself). One that changes nothing the ledger holds is a no-op and must pass.
 * Anything else is a violation: missed (audit passed and the ledger started), detected at the
 * wrong place, or a no-op the audit failed.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLog, type AuditReport } from '../../src/audit/audit.js';
import { CHECKPOINT_ERROR_CODES, RxError, type ErrorCode } from '../../src/core/errors.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { DATABASE_FILE } from '../../src/service.js';
import { openDatabase } from '../../src/store/database.js';
import { createLedgerStore } from '../../src/store/ledger-store.js';
import { openDbLogSource } from '../../src/verify/db-log-source.js';
import type { FailureKind } from '../../src/verify/log-verifier.js';
import { mulberry32 } from '../lib/bench-support.js';
import { progress, ViolationLog, type CampaignReport } from './campaign-support.js';
import { ALTERATION_KINDS, Dice, type AlterationKind } from './tamper-alterations.js';
import { buildTamperOriginal, type TamperOriginal } from './tamper-original.js';
import { diffSnapshots, locusOf, readLogicalSnapshot, type Locus } from './tamper-snapshot.js';

export interface TamperCampaignOptions {
  /** Number of alterations. */
  readonly size: number;
  readonly seed: number;
  /** Entries the original ledger's first session writes (the cast's registration is about 250). */
  readonly entries: number;
  /** Prescriptions the second session submits, all in the WAL. */
  readonly walPrescriptions: number;
  /** Run only alteration number `only` of the schedule (to reproduce one). */
  readonly only?: number;
  /** Start at this alteration number of the schedule (to reproduce a range). */
  readonly from?: number;
  /** Report progress every this many alterations (0: never). */
  readonly progressEvery?: number;
  /** Every kind once per block of the schedule, whatever its weight (the CI variant's short run). */
  readonly evenly?: boolean;
}

export type Outcome = 'detected' | 'refused-at-start-up' | 'wrong-index' | 'missed' | 'no-op' | 'false-alarm';

export interface KindFigures {
  applied: number;
  detected: number;
  refusedAtStartUp: number;
  wrongIndex: number;
  missed: number;
  noOps: number;
  falseAlarms: number;
  /** Of the detected: also refused by the ledger's start-up checks. */
  startUpAlsoRefused: number;
  /** Of the detected forged inserts: reported at the entry after the forged one. */
  detectedAtNextIndex: number;
  /** The code of the audit report's headline failure (`failure`), by count. */
  firstCodes: Record<string, number>;
}

/** Codes that are about checkpoints (and a root a checkpoint claims). */
const CHECKPOINT_CODES: ReadonlySet<ErrorCode> = new Set([...CHECKPOINT_ERROR_CODES, 'TREE_ROOT_MISMATCH']);

export async function runTamperCampaign(options: TamperCampaignOptions): Promise<CampaignReport> {
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'rxledger-tamper-'));
  const violations = new ViolationLog();
  const figures = new Map<string, KindFigures>(ALTERATION_KINDS.map((k) => [k.name, emptyFigures()]));
  /** Table edits by table (the description names the table first). */
  const tables: Record<string, number> = {};
  try {
    const dice = new Dice(mulberry32(options.seed));
    progress(`tamper: building the original ledger (about ${options.entries} entries, ${options.walPrescriptions} prescriptions in the WAL)…`);
    const original = await buildTamperOriginal({ workDir, entries: options.entries, walPrescriptions: options.walPrescriptions, seed: options.seed, random: dice.random });
    const baseline = await examine(join(workDir, 'baseline'), original, undefined, new Dice(mulberry32(options.seed)));
    if (baseline.outcome !== 'no-op' || baseline.startUp.refused) {
      violations.add(`the untouched copy does not pass: ${baseline.why ?? `start-up refused it (${baseline.startUp.code})`}`);
    }
    const schedule = scheduleKinds(dice, options.size, options.evenly ?? false);
    const numbers = options.only === undefined ? schedule.map((_, k) => k).slice(options.from ?? 0) : [options.only];
    let done = 0;
    for (const k of numbers) {
      const kind = schedule[k];
      if (kind === undefined) throw new Error(`--only ${k} is outside the schedule of ${schedule.length}`);
      const own = new Dice(mulberry32((options.seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0));
      let result: Examined;
      try {
        result = await examine(join(workDir, `alteration-${k}`), original, kind, own);
      } catch (err) {
        // A campaign fault, not a verdict on the ledger: reported, never ignored.
        const sentence = `#${k} ${kind.name}: the alteration could not be examined: ${(err as Error).message} (reproduce: --seed ${options.seed} --only ${k})`;
        violations.add(sentence);
        progress(`tamper: VIOLATION ${sentence}`);
        continue;
      }
      const f = figures.get(kind.name)!;
      f.applied++;
      const counts: Record<Outcome, keyof KindFigures> = {
        detected: 'detected',
        'refused-at-start-up': 'refusedAtStartUp',
        'wrong-index': 'wrongIndex',
        missed: 'missed',
        'no-op': 'noOps',
        'false-alarm': 'falseAlarms',
      };
      (f[counts[result.outcome]] as number)++;
      if (result.outcome === 'detected' && result.startUp.refused) f.startUpAlsoRefused++;
      if (result.atNextIndex) f.detectedAtNextIndex++;
      if (result.firstCode !== undefined) f.firstCodes[result.firstCode] = (f.firstCodes[result.firstCode] ?? 0) + 1;
      if (kind.family === 'tables') {
        const table = /^([a-z_]+):/.exec(result.description)?.[1] ?? 'rule_set_bundles';
        tables[table] = (tables[table] ?? 0) + 1;
      }
      if (result.outcome === 'wrong-index' || result.outcome === 'missed' || result.outcome === 'false-alarm') {
        const sentence = `#${k} ${kind.name}: ${result.description} — ${result.outcome}: ${result.why} (reproduce: --seed ${options.seed} --only ${k})`;
        violations.add(sentence);
        progress(`tamper: VIOLATION ${sentence}`);
      }
      done++;
      if (options.progressEvery && done % options.progressEvery === 0) progress(`tamper: ${done}/${numbers.length} alterations, ${violations.count} violations`);
    }
    return report(options, original, figures, tables, violations, Date.now() - started);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function emptyFigures(): KindFigures {
  return { applied: 0, detected: 0, refusedAtStartUp: 0, wrongIndex: 0, missed: 0, noOps: 0, falseAlarms: 0, startUpAlsoRefused: 0, detectedAtNextIndex: 0, firstCodes: {} };
}

/** Kinds in shuffled blocks (each kind `weight` times per block), so every kind comes up early and evenly. */
function scheduleKinds(dice: Dice, size: number, evenly: boolean): AlterationKind[] {
  const block = ALTERATION_KINDS.flatMap((k) => Array.from({ length: evenly ? 1 : k.weight }, () => k));
  const out: AlterationKind[] = [];
  while (out.length < size) {
    const shuffled = [...block];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = dice.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    out.push(...shuffled);
  }
  return out.slice(0, size);
}

interface Examined {
  readonly description: string;
  readonly outcome: Outcome;
  readonly why?: string;
  readonly atNextIndex?: boolean;
  readonly firstCode?: string;
  readonly startUp: { readonly refused: boolean; readonly code?: string };
}

/** Copies the original, applies one alteration (none for the baseline), and judges what the audit and the start-up make of it. */
async function examine(dir: string, original: TamperOriginal, kind: AlterationKind | undefined, dice: Dice): Promise<Examined> {
  mkdirSync(dir);
  try {
    const dbPath = join(dir, DATABASE_FILE);
    const walPath = `${dbPath}-wal`;
    copyFileSync(original.dbPath, dbPath);
    if (kind?.withWal !== false) copyFileSync(original.walPath, walPath);
    const applied = kind === undefined ? { description: 'no alteration' } : kind.apply({ dice, dbPath, walPath, original });
    const altered = readLogicalSnapshot(dbPath);
    const locus = locusOf(diffSnapshots(original.snapshot, altered.snapshot), { original: original.notes, altered: altered.notes }, original.activations);
    const report = await audit(dbPath, original);
    const startUp = await tryStartUp(dbPath, original);
    const judged = judge(locus, report, applied.wellFormedInsert ?? false);
    const outcome: Outcome = judged.outcome === 'missed' && startUp.refused ? 'refused-at-start-up' : judged.outcome;
    return {
      description: applied.description,
      outcome,
      ...(judged.why === undefined ? {} : { why: judged.why }),
      ...(judged.atNextIndex ? { atNextIndex: true } : {}),
      ...(report.failure === undefined ? {} : { firstCode: report.failure.code }),
      startUp,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The audit of the copy's database, trusting the log's keys and the regulator's checkpoint. */
async function audit(dbPath: string, original: TamperOriginal): Promise<AuditReport | { ok: false; failure: FailureKind['first']; failures: FailureKind[] }> {
  let source;
  try {
    source = openDbLogSource(dbPath);
  } catch (err) {
    const first = { code: err instanceof RxError ? err.code : 'INTERNAL', message: (err as Error).message } as const;
    return { ok: false, failure: first, failures: [{ first, count: 1 }] };
  }
  try {
    return await auditLog(source, { trustedKeys: original.verifierKeys, previousCheckpoint: original.trustedCheckpoint, workers: 0 });
  } finally {
    await source.close?.();
  }
}

/** The ledger's start-up on the copy, as the service runs it: open the store, open the ledger, publish a checkpoint. */
async function tryStartUp(dbPath: string, original: TamperOriginal): Promise<{ refused: boolean; code?: string }> {
  const codeOf = (err: unknown): string => (err instanceof RxError ? err.code : (err as { code?: string }).code ?? 'ERROR');
  let db;
  try {
    db = openDatabase(dbPath);
  } catch (err) {
    return { refused: true, code: codeOf(err) };
  }
  const store = createLedgerStore(db);
  let ledger;
  try {
    ledger = openLedger({ store, origin: original.origin, signingKeys: original.signingKeys });
  } catch (err) {
    store.close();
    return { refused: true, code: codeOf(err) };
  }
  try {
    ledger.publishCheckpoint();
    return { refused: false };
  } catch (err) {
    return { refused: true, code: codeOf(err) };
  } finally {
    await ledger.close().catch(() => undefined);
  }
}

/** Whether the report names the locus: the right entry, the right checkpoints, the right records. */
export function judge(
  locus: Locus,
  report: { ok: boolean; failure?: FailureKind['first']; failures?: readonly FailureKind[] },
  wellFormedInsert: boolean,
): { outcome: Exclude<Outcome, 'refused-at-start-up'>; why?: string; atNextIndex?: boolean } {
  const kinds = report.failures ?? (report.failure ? [{ first: report.failure, count: 1 }] : []);
  const shown = (k: FailureKind): string => `${k.first.code}${k.first.index === undefined ? '' : ` at ${k.first.index}`}: ${k.first.message}`;
  if (locus.kind === 'none') return report.ok ? { outcome: 'no-op' } : { outcome: 'false-alarm', why: `nothing changed, yet ${kinds.map(shown).join('; ')}` };
  if (report.ok) return { outcome: 'missed', why: `the audit passed (changed: ${describeLocus(locus)})` };
  const indexed = kinds.filter((k) => k.first.index !== undefined);
  switch (locus.kind) {
    case 'entry': {
      if (indexed.length === 0) return { outcome: 'wrong-index', why: `expected index ${locus.index}, no failure names an entry: ${kinds.map(shown).join('; ')}` };
      const earliest = indexed.reduce((a, b) => (b.first.index! < a.first.index! ? b : a));
      const at = earliest.first.index!;
      if (at === locus.index) return { outcome: 'detected' };
      if (wellFormedInsert && at === locus.index + 1) return { outcome: 'detected', atNextIndex: true };
      return { outcome: 'wrong-index', why: `expected index ${locus.index}, earliest failure ${shown(earliest)}` };
    }
    case 'checkpoint': {
      const stray = kinds.filter((k) => !CHECKPOINT_CODES.has(k.first.code) || (k.first.index !== undefined && !locus.sizes.includes(k.first.index + 1)));
      return stray.length === 0 ? { outcome: 'detected' } : { outcome: 'wrong-index', why: `expected checkpoint failures (sizes ${locus.sizes.join(', ')}), got ${stray.map(shown).join('; ')}` };
    }
    case 'records': {
      const names = locus.records.flatMap((r) => r.names);
      const stray = kinds.filter((k) => k.first.index !== undefined || !names.some((n) => k.first.message.includes(n)));
      return stray.length === 0 ? { outcome: 'detected' } : { outcome: 'wrong-index', why: `expected a failure naming ${describeLocus(locus)}, got ${stray.map(shown).join('; ')}` };
    }
  }
}

function describeLocus(locus: Locus): string {
  switch (locus.kind) {
    case 'none':
      return 'nothing';
    case 'entry':
      return `entry ${locus.index}`;
    case 'checkpoint':
      return `checkpoints ${locus.sizes.join(', ')}`;
    case 'records':
      return locus.records.map((r) => `${r.table} ${r.key}`).join(', ');
  }
}

function report(
  options: TamperCampaignOptions,
  original: TamperOriginal,
  figures: Map<string, KindFigures>,
  tables: Record<string, number>,
  violations: ViolationLog,
  durationMs: number,
): CampaignReport {
  const total = emptyFigures();
  for (const f of figures.values()) {
    for (const key of Object.keys(total) as Array<keyof KindFigures>) if (key !== 'firstCodes') (total[key] as number) += f[key] as number;
  }
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const lines = [
    `original: ${original.size} entries (${original.walEntries} of them only in the ${original.walBytes}-byte WAL), ${original.checkpoints} checkpoints; trusted checkpoint: the latest (size ${original.size})`,
    `alterations: ${total.applied} (seed ${options.seed}) in ${(durationMs / 1000).toFixed(0)} s`,
    `${'kind'.padEnd(26)} ${pad('applied', 7)} ${pad('detected', 8)} ${pad('start-up', 8)} ${pad('wrong', 5)} ${pad('missed', 6)} ${pad('no-op', 5)}  headline failure codes`,
  ];
  for (const kind of ALTERATION_KINDS) {
    const f = figures.get(kind.name)!;
    if (f.applied === 0) continue;
    const codes = Object.entries(f.firstCodes)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 3)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    lines.push(`${kind.name.padEnd(26)} ${pad(f.applied, 7)} ${pad(f.detected, 8)} ${pad(f.refusedAtStartUp, 8)} ${pad(f.wrongIndex + f.falseAlarms, 5)} ${pad(f.missed, 6)} ${pad(f.noOps, 5)}  ${codes}`);
  }
  lines.push(
    `${'total'.padEnd(26)} ${pad(total.applied, 7)} ${pad(total.detected, 8)} ${pad(total.refusedAtStartUp, 8)} ${pad(total.wrongIndex + total.falseAlarms, 5)} ${pad(total.missed, 6)} ${pad(total.noOps, 5)}`,
    `of the detected, the ledger's start-up also refused ${total.startUpAlsoRefused}; forged inserts reported at the entry after the forgery: ${total.detectedAtNextIndex}`,
    `table edits by table: ${Object.entries(tables)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
  );
  return {
    campaign: 'tamper',
    lines,
    figures: {
      seed: options.seed,
      alterations: total.applied,
      detected: total.detected,
      refusedAtStartUp: total.refusedAtStartUp,
      wrongIndex: total.wrongIndex,
      missed: total.missed,
      noOps: total.noOps,
      falseAlarms: total.falseAlarms,
      startUpAlsoRefused: total.startUpAlsoRefused,
      logEntries: original.size,
      walEntries: original.walEntries,
      checkpoints: original.checkpoints,
      durationS: Math.round(durationMs / 1000),
      detectedAtNextIndex: total.detectedAtNextIndex,
      tableEdits: tables,
      kinds: Object.fromEntries(
        [...figures].filter(([, f]) => f.applied > 0).map(([name, f]) => [name, { applied: f.applied, detected: f.detected, refusedAtStartUp: f.refusedAtStartUp, wrongIndex: f.wrongIndex, missed: f.missed, noOps: f.noOps, falseAlarms: f.falseAlarms }]),
      ),
    },
    violations: violations.list(),
  };
}
