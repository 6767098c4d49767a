/**
 * A realistic ledger for audit, export and import tests: the production ledger with the starter
 * checker, a registered cast and prescriptions through every common path, built in-process by
 * scripts/lib/synthetic-ledger.ts. Built once per test process and copied per test; removed when
 * the process exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSyntheticLedger, type SyntheticLedger } from '../../scripts/lib/synthetic-ledger.js';

export interface SyntheticFixture extends SyntheticLedger {
  readonly dbPath: string;
}

let built: Promise<SyntheticFixture> | undefined;

/** A closed synthetic ledger of about `entries` entries (shared within the process: copy before changing it). */
export function syntheticLedger(entries = 600): Promise<SyntheticFixture> {
  built ??= (async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rxledger-synthetic-'));
    process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    const ledger = await buildSyntheticLedger({ dataDir, entries, concurrency: 20 });
    return { ...ledger, dbPath: join(dataDir, 'ledger.sqlite') };
  })();
  return built;
}

export { tamperedCopy } from './tamper.js';
