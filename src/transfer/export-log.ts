/**
 * `rxledger export`: copies a log from any source (read API, database file) into an export
 * bundle (bundle-format.ts) while auditing it. The entries are written as the audit reads them,
 * to a temporary file beside the bundle (rule sets are only known once the audit has met their
 * activations); the bundle is then assembled in format order and renamed into place. The
 * registry record is the registry the audit's own replay derived, not a copy of the source's
 * tables. A log that fails its audit is still exported — the bundle is the evidence — and the
 * report says so.
 */
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { auditLog, type AuditOptions, type AuditReport } from '../audit/audit.js';
import { encodeBase64 } from '../core/bytes.js';
import type { LogSource } from '../verify/log-source.js';
import { registrySnapshot, type RegistrySnapshot } from '../verify/registry-snapshot.js';
import { BUNDLE_FORMAT } from './bundle-format.js';
import { createBundleWriter } from './bundle-writer.js';

export interface ExportResult {
  readonly report: AuditReport;
  readonly entries: number;
}

export async function exportLog(source: LogSource, bundlePath: string, options: AuditOptions & { readonly now?: () => number }): Promise<ExportResult> {
  const entriesPath = `${bundlePath}.entries.partial`;
  const entriesFile = createWriteStream(entriesPath, { mode: 0o600 });
  const bundles = new Map<string, Uint8Array>();
  let entries = 0;
  let registry: RegistrySnapshot = { institutions: [], actors: [], keys: [] };
  // What the audit read is what the bundle holds: a checkpoint published while a live log is
  // being exported must not end up in the bundle without the entries it covers.
  const seen: { latest?: string; history?: string[] } = {};
  const teed: LogSource = {
    ...source,
    description: source.description,
    async checkpoint() {
      return (seen.latest = await source.checkpoint());
    },
    ...(source.checkpointHistory === undefined ? {} : { checkpointHistory: async () => (seen.history = await source.checkpointHistory!()) }),
    async *entries(start, end) {
      for await (const item of source.entries(start, end)) {
        const line = `${JSON.stringify({ record: 'entry', index: item.index, data: encodeBase64(item.data) })}\n`;
        if (!entriesFile.write(line)) await once(entriesFile, 'drain');
        entries++;
        yield item;
      }
    },
    async ruleSetBundle(hash) {
      const bytes = await source.ruleSetBundle?.(hash);
      if (bytes !== undefined) bundles.set(hash, bytes);
      return bytes;
    },
  };
  const writer = createBundleWriter(bundlePath);
  try {
    const report = await auditLog(teed, { ...options, onReplayed: (state) => (registry = registrySnapshot(state.records())) });
    entriesFile.end();
    await once(entriesFile, 'close');
    const history = seen.history !== undefined && seen.history.length > 0 ? seen.history : seen.latest === undefined ? [] : [seen.latest];
    await writer.write({ record: 'header', format: BUNDLE_FORMAT, origin: report.origin ?? '', logSize: entries, exportedAt: new Date((options.now ?? Date.now)()).toISOString() });
    for (const note of history) await writer.write({ record: 'checkpoint', note });
    for (const [hash, bytes] of [...bundles].sort(([a], [b]) => (a < b ? -1 : 1))) await writer.write({ record: 'rule-set', hash, bytes: encodeBase64(bytes) });
    for await (const line of createInterface({ input: createReadStream(entriesPath), crlfDelay: Infinity })) {
      await writer.writeLine(line);
    }
    await writer.write({ record: 'registry', snapshot: registry });
    await writer.finish();
    return { report, entries };
  } catch (err) {
    await writer.abort();
    throw err;
  } finally {
    entriesFile.destroy();
    rmSync(entriesPath, { force: true });
  }
}
