/**
 * Writes an export bundle (bundle-format.ts): records as lines through gzip into `path.partial`,
 * hashing the uncompressed bytes for the end record; `finish` adds the end record, syncs the file
 * and renames it into place, so a reader never sees half a bundle under the final name.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, renameSync, rmSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { BundleRecord } from './bundle-format.js';

export interface BundleWriter {
  write(record: BundleRecord): Promise<void>;
  /** Writes a record already serialised as one JSON line (without its newline). */
  writeLine(json: string): Promise<void>;
  /** Appends the end record and moves the finished file to its name. */
  finish(): Promise<void>;
  /** Removes the partial file. */
  abort(): Promise<void>;
}

export function createBundleWriter(path: string): BundleWriter {
  const partial = `${path}.partial`;
  const file = createWriteStream(partial, { mode: 0o600 });
  const gzip = createGzip({ level: 6 });
  gzip.pipe(file);
  const digest = createHash('sha256');
  let records = 0;
  const putLine = async (json: string) => {
    const line = Buffer.from(`${json}\n`, 'utf8');
    digest.update(line);
    records++;
    if (!gzip.write(line)) await once(gzip, 'drain');
  };
  return {
    write: (record) => putLine(JSON.stringify(record)),
    writeLine: putLine,
    async finish() {
      const end = { record: 'end' as const, records, sha256: digest.digest('hex') };
      gzip.end(Buffer.from(`${JSON.stringify(end)}\n`, 'utf8'));
      await once(file, 'close');
      const fd = openSync(partial, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(partial, path);
    },
    async abort() {
      gzip.destroy();
      file.destroy();
      rmSync(partial, { force: true });
    },
  };
}
