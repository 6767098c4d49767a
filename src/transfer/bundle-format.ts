/**
 * The export bundle, `rxledger-export/v1` (docs/FORMAT.md §"Export bundle"): a gzip stream of
 * UTF-8 lines, each one JSON object with a `record` member, in this order:
 *
 *   header                 format, origin, logSize, exportedAt
 *   checkpoint × n         every signed checkpoint note, ascending size; the last is the latest
 *   rule-set × n           every rule-set bundle the log activates: hash and base64 bytes
 *   entry × logSize        index and base64 leaf bytes, from index 0, consecutive
 *   registry               the registry the log derives (registry-snapshot.ts)
 *   end                    records before it, and SHA-256 (hex) of every byte before its line
 *
 * Nothing in a bundle is trusted for what it says: an auditor verifies it offline against the
 * log's verifier keys (`rxledger audit --bundle`), which re-derives everything but the signed
 * checkpoints. The end record only tells a truncated or damaged file from a dishonest one.
 */
import { z } from 'zod';

export const BUNDLE_FORMAT = 'rxledger-export/v1';

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const Index = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const HeaderRecord = z.strictObject({
  record: z.literal('header'),
  format: z.literal(BUNDLE_FORMAT),
  origin: z.string().min(1).max(256),
  logSize: Index,
  exportedAt: z.string().max(40),
});
export const CheckpointRecord = z.strictObject({
  record: z.literal('checkpoint'),
  note: z.string().max(65_536),
  /** When the log published it (ms since the epoch), if the source said. */
  publishedMs: Index.optional(),
});
export const RuleSetRecord = z.strictObject({ record: z.literal('rule-set'), hash: z.string().regex(/^[0-9a-f]{64}$/), bytes: Base64 });
export const EntryRecord = z.strictObject({ record: z.literal('entry'), index: Index, data: Base64 });
export const RegistryRecord = z.strictObject({ record: z.literal('registry'), snapshot: z.unknown() });
export const EndRecord = z.strictObject({ record: z.literal('end'), records: Index, sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const BundleRecord = z.discriminatedUnion('record', [HeaderRecord, CheckpointRecord, RuleSetRecord, EntryRecord, RegistryRecord, EndRecord]);
export type BundleRecord = z.infer<typeof BundleRecord>;

/** Longest line a reader accepts: an entry is at most 64 KiB, a rule set a few MiB, in base64. */
export const MAX_LINE_BYTES = 96 * 1024 * 1024;
