/**
 * Real ledgers on real SQLite files for tests. Production has one entry type so far; tests extend
 * the union with `test.event` through the same extension point later entry types use.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { createSigningKey, type Ed25519NoteSigningKey } from '../../src/core/note-keys.js';
import { ENTRY_BODY_SCHEMAS, type EntryBodySchemas } from '../../src/domain/entry-types.js';
import { openLedger, type Ledger, type LedgerOptions } from '../../src/ledger/ledger.js';
import { openDatabase } from '../../src/store/database.js';
import { createLedgerStore, type LedgerStore } from '../../src/store/ledger-store.js';

export const TEST_ORIGIN = 'test.example/ledger';

export const TestEventSchema = z.strictObject({ n: z.number().int(), note: z.string().max(100_000).optional() });
export const TEST_ENTRY_SCHEMAS: EntryBodySchemas = { ...ENTRY_BODY_SCHEMAS, 'test.event': TestEventSchema };
/** Verifier options for logs holding `test.event` entries (which carry no actor statement). */
export const TEST_VERIFY_OPTIONS = { entryBodySchemas: TEST_ENTRY_SCHEMAS, unjudgedEntryTypes: new Set(['test.event']) };

export function testKey(fill = 7, name = TEST_ORIGIN): Ed25519NoteSigningKey {
  return createSigningKey(name, new Uint8Array(32).fill(fill));
}

/** A clock tests move by hand; never sleeps. */
export function manualClock(start = 1_767_225_600_000) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms: number) => {
    now += ms;
  };
  clock.set = (ms: number) => {
    now = ms;
  };
  return clock;
}

export interface TestLedger {
  ledger: Ledger;
  store: LedgerStore;
  dbPath: string;
}

export function openTestLedger(dir: string, overrides: Partial<LedgerOptions> = {}): TestLedger {
  const dbPath = join(dir, 'ledger.sqlite');
  const store = createLedgerStore(openDatabase(dbPath));
  const ledger = openLedger({
    store,
    origin: TEST_ORIGIN,
    signingKeys: [testKey()],
    clock: manualClock(),
    entryBodySchemas: TEST_ENTRY_SCHEMAS,
    ...overrides,
  });
  return { ledger, store, dbPath };
}

/** Opens a ledger, writes the genesis entry and `n` test events, and publishes a checkpoint. */
export async function buildTestLedger(dir: string, n: number, overrides: Partial<LedgerOptions> = {}): Promise<TestLedger> {
  const opened = openTestLedger(dir, overrides);
  await opened.ledger.recordCheckpointKeys();
  await Promise.all(Array.from({ length: n }, (_, i) => opened.ledger.append('test.event', { n: i })));
  opened.ledger.publishCheckpoint();
  return opened;
}

export async function appendEvents(ledger: Ledger, from: number, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => ledger.append('test.event', { n: from + i })));
}
