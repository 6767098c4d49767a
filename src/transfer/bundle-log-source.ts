/**
 * Reads an export bundle (bundle-format.ts) as a verifier's LogSource, streaming: the records
 * before the entries (header, checkpoints, rule sets) are read when it opens; the entries are
 * streamed from the file each time they are asked for, followed by the registry and end records,
 * whose count and digest are checked when the stream reaches them. Everything it returns is as
 * untrusted as any other source's: the verifier checks it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { RxError } from '../core/errors.js';
import type { LogSource, SourceEntry } from '../verify/log-source.js';
import { BundleRecord, MAX_LINE_BYTES, type HeaderRecord } from './bundle-format.js';
import type { z } from 'zod';

type Header = z.infer<typeof HeaderRecord>;

const malformed = (message: string) => new RxError('BUNDLE_MALFORMED', message);

/** The bundle's lines, decompressed, each with the digest of every byte before it. */
async function* bundleLines(path: string): AsyncGenerator<{ readonly line: string; readonly before: () => string; readonly number: number }> {
  const digest = createHash('sha256');
  // Not `pipe`, which forwards no errors (a missing file was an unhandled 'error' event: a crash)
  // and left the file open when reading stopped early. `pipeline` passes either stream's error to
  // the loop below (its callback has nothing to add) and ends both on any stop. Which stream
  // failed decides the code: the file (the source is unavailable) or the gzip data (damaged).
  const file = createReadStream(path);
  let fileError: NodeJS.ErrnoException | undefined;
  file.once('error', (err) => (fileError = err));
  const stream = pipeline(file, createGunzip(), () => {});
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let number = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        const lineBytes = pendingLength === 0 ? chunk.subarray(start, nl + 1) : Buffer.concat([...pending, chunk.subarray(start, nl + 1)]);
        pending = [];
        pendingLength = 0;
        start = nl + 1;
        const snapshot = digest.copy();
        yield { line: lineBytes.toString('utf8', 0, lineBytes.length - 1), before: () => snapshot.digest('hex'), number: number++ };
        digest.update(lineBytes);
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingLength += chunk.length - start;
        if (pendingLength > MAX_LINE_BYTES) throw malformed(`line ${number + 1} is longer than ${MAX_LINE_BYTES} bytes`);
      }
    }
  } catch (err) {
    if (err instanceof RxError) throw err;
    if (fileError !== undefined) throw new RxError('SOURCE_UNAVAILABLE', `cannot read the bundle ${path} (${fileError.code ?? fileError.message})`, { cause: err });
    throw malformed(`the bundle cannot be decompressed (${(err as Error).message})`);
  } finally {
    stream.destroy();
  }
  if (pendingLength > 0) throw malformed('the bundle ends inside a line');
}

function parseRecord(line: string, number: number): BundleRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw malformed(`line ${number + 1} is not JSON`);
  }
  const parsed = BundleRecord.safeParse(value);
  if (!parsed.success) throw malformed(`line ${number + 1} is not a bundle record (${parsed.error.issues.map((i) => i.path.join('.') || 'record').join(', ')})`);
  return parsed.data;
}

export interface BundleLogSource extends LogSource {
  checkpointHistory(): Promise<string[]>;
  ruleSetBundle(hash: string): Promise<Uint8Array | undefined>;
}

export async function openBundleLogSource(path: string): Promise<BundleLogSource> {
  let header: Header | undefined;
  const checkpoints: string[] = [];
  const ruleSets = new Map<string, Uint8Array>();
  try {
    for await (const { line, number } of bundleLines(path)) {
      const record = parseRecord(line, number);
      if (number === 0) {
        if (record.record !== 'header') throw malformed('the bundle does not start with its header');
        header = record;
        continue;
      }
      if (record.record === 'checkpoint') {
        if (ruleSets.size > 0) throw malformed(`line ${number + 1}: a checkpoint after the rule sets`);
        checkpoints.push(record.note);
      } else if (record.record === 'rule-set') {
        const last = [...ruleSets.keys()].at(-1);
        if (last !== undefined && record.hash <= last) throw malformed(`line ${number + 1}: rule sets are not in ascending hash order`);
        ruleSets.set(record.hash, new Uint8Array(Buffer.from(record.bytes, 'base64')));
      }
      else if (record.record === 'header') throw malformed(`line ${number + 1} is a second header`);
      else break; // the entries begin
    }
  } catch (err) {
    if (err instanceof RxError) throw err;
    throw new RxError('SOURCE_UNAVAILABLE', `cannot read the bundle ${path}`, { cause: err });
  }
  if (header === undefined) throw malformed('the bundle is empty');
  const { logSize, origin } = header;
  let registry: unknown;
  return {
    description: `bundle ${path} (${origin})`,
    async checkpoint() {
      const latest = checkpoints.at(-1);
      if (latest === undefined) throw new RxError('CHECKPOINT_MISSING', 'the bundle holds no checkpoint');
      return latest;
    },
    async size() {
      return logSize;
    },
    async checkpointHistory() {
      return [...checkpoints];
    },
    async ruleSetBundle(hash) {
      return ruleSets.get(hash);
    },
    async *entries(start, end): AsyncIterable<SourceEntry> {
      let entries = 0;
      let sawRegistry = false;
      for await (const { line, number, before } of bundleLines(path)) {
        const record = parseRecord(line, number);
        if (record.record === 'entry') {
          if (sawRegistry) throw malformed(`line ${number + 1}: an entry after the registry record`);
          entries++;
          if (record.index >= start && record.index < end) yield { index: record.index, data: new Uint8Array(Buffer.from(record.data, 'base64')) };
        } else if (record.record === 'registry') {
          registry = record.snapshot;
          sawRegistry = true;
        } else if (record.record === 'end') {
          if (record.records !== number) throw malformed(`the end record counts ${record.records} records, the bundle holds ${number}`);
          if (record.sha256 !== before()) throw malformed('the bundle’s bytes do not match the digest in its end record');
          if (entries !== logSize) throw malformed(`the header announces ${logSize} entries, the bundle holds ${entries}`);
          if (!sawRegistry) throw malformed('the bundle has no registry record');
          return;
        } else if (entries > 0 || sawRegistry || (record.record === 'header' && number > 0)) {
          throw malformed(`line ${number + 1}: a ${record.record} record out of order`);
        }
      }
      throw malformed('the bundle ends before its end record');
    },
    registrySnapshotName: 'the bundle’s registry record',
    async registrySnapshot() {
      return registry;
    },
  };
}
