/**
 * The registry's root of trust. On first start (or `rxledger init`) the service creates the
 * genesis operator's key, writes it to `<DATA_DIR>/operator/op-genesis.key` (mode 0600), and
 * records a `registry.genesis-operator` entry self-signed by that key. From then on every registry
 * change is a statement signed by an operator. The key file is for the operator to take away.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, encodeBase64 } from '../core/bytes.js';
import { randomSeed } from '../core/ed25519.js';
import { RxError } from '../core/errors.js';
import { signStatement, STATEMENT_VERSION } from '../core/statement.js';
import { parseEntry } from '../core/entry.js';
import { LEDGER_RECORD_TYPES } from '../domain/entry-types.js';
import { GENESIS_OPERATOR_TYPE } from '../domain/registry/registry-entry-types.js';
import { actorKeyFromSeed, readActorKey, writeActorKey } from '../keys/actor-key-file.js';
import type { RegistryView } from '../domain/registry/registry-rules.js';
import type { AppendResult, Ledger } from './ledger.js';

export const GENESIS_OPERATOR_ID = 'op-genesis';

export function genesisOperatorKeyPath(dataDir: string): string {
  return join(dataDir, 'operator', `${GENESIS_OPERATOR_ID}.key`);
}

export interface GenesisOutcome {
  readonly keyPath: string;
  readonly entry: AppendResult;
}

/**
 * Creates and records the genesis operator if the registry has none; returns undefined otherwise.
 * The registry tables are only derived state: before trusting their "none", the log itself is
 * asked, so a store whose registry rows were deleted behind the ledger's back is refused rather
 * than given a second genesis (which every verifier would refuse, on top of a sound log).
 */
export async function ensureGenesisOperator(ledger: Ledger, registry: RegistryView, dataDir: string, clock: () => number): Promise<GenesisOutcome | undefined> {
  if (registry.hasGenesis()) return undefined;
  const actorEntry = firstActorEntry(ledger);
  if (actorEntry !== undefined) {
    throw new RxError('LEDGER_INTEGRITY', `the registry tables hold no genesis operator, but the log holds ${actorEntry.type} at index ${actorEntry.index}: the derived state does not match the log`);
  }
  const keyPath = genesisOperatorKeyPath(dataDir);
  // A key left by a start that crashed before its genesis entry committed is reused, not replaced.
  const key = existsSync(keyPath) ? readActorKey(keyPath) : actorKeyFromSeed(GENESIS_OPERATOR_ID, randomSeed());
  if (!existsSync(keyPath)) writeActorKey(keyPath, key);
  const now = clock();
  const signed = signStatement(
    {
      v: STATEMENT_VERSION,
      origin: ledger.origin,
      actor: key.actorId,
      keyId: key.keyId,
      action: GENESIS_OPERATOR_TYPE,
      payload: { actorId: key.actorId, publicKey: encodeBase64(key.publicKey), notBefore: now },
      timestamp: now,
      nonce: bytesToHex(randomSeed().subarray(0, 16)),
      idempotencyKey: 'genesis-operator',
    },
    key.seed,
  );
  const entry = await ledger.appendReserved(GENESIS_OPERATOR_TYPE, signed);
  return { keyPath, entry };
}

/** How many entries are read at a time while looking past the start-up records. */
const SCAN_PAGE = 16;

/**
 * The first entry an actor wrote, if any. Until the genesis operator is recorded only the
 * ledger's own start-up records (LEDGER_RECORD_TYPES: checkpoint keys, authentication policy, rule set)
 * can enter the log, a few per start, so the scan ends within the first pages: at the first
 * entry of any other type, the genesis or anything that needed it.
 */
function firstActorEntry(ledger: Ledger): { index: number; type: string } | undefined {
  const size = ledger.size();
  for (let start = 0; start < size; start += SCAN_PAGE) {
    for (const leaf of ledger.entries(start, Math.min(size, start + SCAN_PAGE))) {
      const { type } = parseEntry(leaf.data);
      if (!LEDGER_RECORD_TYPES.has(type)) return { index: leaf.index, type };
    }
  }
  return undefined;
}
