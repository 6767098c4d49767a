/**
 * Logs served over real HTTP on 127.0.0.1 for the monitor and witness tests: test ledgers (with
 * `test.event` entries) behind the real app, including the witness routes, and fixed witness keys.
 * Forks are two ledgers signed by the same checkpoint key with different entries.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCosignerKey, formatCosignerVerifierKey, type CosignerSigningKey } from '../../src/core/cosignature.js';
import { formatVerifierKey } from '../../src/core/note-keys.js';
import { createApp } from '../../src/http/app.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { openDatabase } from '../../src/store/database.js';
import { createCosignatureStore } from '../../src/store/cosignature-store.js';
import { createCosignatureCollector } from '../../src/witness/cosignature-collector.js';
import { appendEvents, buildTestLedger, manualClock, testKey } from './test-ledger.js';
import { testReaders } from './test-readers.js';

/** Fixed witness keys: seeds 0x51…, 0x52…, 0x53… */
export const WITNESS_KEYS: readonly CosignerSigningKey[] = [1, 2, 3].map((i) => createCosignerKey(`witness.test.example/w${i}`, new Uint8Array(32).fill(0x50 + i)));
export const witnessVkey = (i: number): string => formatCosignerVerifierKey(WITNESS_KEYS[i] as CosignerSigningKey);
export const LOG_VKEY = formatVerifierKey(testKey());

/** A text sink with the shape the CLI functions write to. */
export function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  return { stream: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream, text: () => out };
}

export interface ServedLog {
  readonly url: string;
  readonly ledger: Ledger;
  /** Appends `count` events (numbered from `from`) and publishes a checkpoint. */
  grow(from: number, count: number): Promise<void>;
  close(): Promise<void>;
}

/** A test ledger with `n` events numbered from `first`, served with the witness routes (accepting `witnessKeys`). */
export async function serveTestLog(dir: string, n: number, options: { first?: number; witnessKeys?: readonly string[]; clock?: () => number } = {}): Promise<ServedLog> {
  const clock = options.clock ?? manualClock();
  mkdirSync(dir, { recursive: true });
  const { ledger, dbPath } = await buildTestLedger(dir, 0, { clock });
  await appendEvents(ledger, options.first ?? 0, n);
  ledger.publishCheckpoint();
  const db = openDatabase(dbPath);
  const collector = createCosignatureCollector({ origin: ledger.origin, witnessKeys: options.witnessKeys ?? [], store: createCosignatureStore(db) });
  const app = await createApp({ ledger, entriesPageMax: 1000, bodyLimitBytes: 1024 * 1024, readAuth: testReaders().readAuth, logger: false, witnesses: collector });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    ledger,
    async grow(from, count) {
      await appendEvents(ledger, from, count);
      ledger.publishCheckpoint();
    },
    async close() {
      await app.close();
      db.close();
      await ledger.close();
    },
  };
}

export const dataDir = (base: string, name: string): string => join(base, name);
