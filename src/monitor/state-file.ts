/**
 * The follower's memory on disk: the last checkpoint a monitor verified or a witness cosigned, in
 * `<state dir>/state.json`, and evidence files next to it. The state is replaced atomically and
 * durably — temporary file, fsync, rename over the old one, fsync of the folder — so after a crash
 * it is the old state or the new one, whole, and never a state the process did not confirm.
 * A witness MUST have its new state on disk before it hands out the cosignature (C2SP tlog-witness).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { RxError } from '../core/errors.js';
import { writeNewFileDurably } from '../keys/durable-file.js';
import { formatEvidence, type CheckpointEvidence } from './evidence.js';

export const STATE_FILE = 'state.json';
export const STATE_FORMAT = 'rxledger-follower-state/v1';

export const FollowerStateSchema = z.strictObject({
  format: z.literal(STATE_FORMAT),
  origin: z.string().min(1),
  /** The last verified (monitor) or cosigned (witness) checkpoint, a signed note as served. */
  checkpoint: z.string().min(1),
  /** When it was stored, ms since the epoch. */
  updatedMs: z.number().int().min(0),
  /** Witness only: the cosignature line it made for `checkpoint`, and its timestamp (POSIX seconds). */
  cosignature: z.string().optional(),
  cosignedAt: z.number().int().min(0).optional(),
});
export type FollowerState = z.infer<typeof FollowerStateSchema>;

export function readState(stateDir: string): FollowerState | undefined {
  let text: string;
  try {
    text = readFileSync(join(stateDir, STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RxError('CONFIG_INVALID', `${join(stateDir, STATE_FILE)} is not JSON`);
  }
  const parsed = FollowerStateSchema.safeParse(value);
  if (!parsed.success) throw new RxError('CONFIG_INVALID', `${join(stateDir, STATE_FILE)} is not an ${STATE_FORMAT} file`);
  return parsed.data;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces the state file atomically and durably. */
export function writeState(stateDir: string, state: FollowerState): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, STATE_FILE);
  const tmp = join(stateDir, `.${STATE_FILE}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(FollowerStateSchema.parse(state))}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  fsyncDir(stateDir);
}

/** Writes an evidence file (never overwriting one) and returns its path. */
export function writeEvidence(stateDir: string, evidence: CheckpointEvidence, nowMs: number): string {
  const name = `evidence-${evidence.kind}-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.json`;
  const path = join(stateDir, name);
  // Evidence is public by nature: anyone should be able to read and check it.
  writeNewFileDurably(path, formatEvidence(evidence), 0o644);
  return path;
}
