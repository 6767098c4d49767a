import t from 'tap';
import { fstatSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWalSync, nodeWalSyncFs, type WalSyncFs } from '../../src/platform/wal-sync.js';

/** Records the inode of every descriptor flushed, then flushes it for real. */
function recordingFs() {
  const inodes: number[] = [];
  const fs: WalSyncFs = {
    fdatasync(fd, callback) {
      inodes.push(fstatSync(fd).ino);
      nodeWalSyncFs.fdatasync(fd, callback);
    },
    fdatasyncSync(fd) {
      inodes.push(fstatSync(fd).ino);
      nodeWalSyncFs.fdatasyncSync(fd);
    },
  };
  return { fs, inodes };
}

t.test('flushes the file at <database>-wal, and follows it when it is replaced', async (t) => {
  const dir = t.testdir();
  const db = join(dir, 'x.sqlite');
  writeFileSync(db, 'db');
  writeFileSync(`${db}-wal`, 'first');
  const { fs, inodes } = recordingFs();
  const sync = createWalSync(db, fs);
  await sync.flush();
  sync.flushSync();
  await sync.flush();
  const first = statSync(`${db}-wal`).ino;
  t.same(inodes, [first, first, first], 'the WAL file, one descriptor for all flushes');

  // SQLite deletes the WAL when its last connection closes and creates a new one on the next open.
  unlinkSync(`${db}-wal`);
  writeFileSync(`${db}-other`, 'keeps the old inode number from being reused at once');
  writeFileSync(`${db}-wal`, 'second');
  await sync.flush();
  const second = statSync(`${db}-wal`).ino;
  t.not(second, first);
  t.equal(inodes.at(-1), second, 'the new file is flushed, not the deleted one');
  sync.close();
});

t.test('a missing WAL file, a failed flush and a closed flusher all reject', async (t) => {
  const dir = t.testdir();
  const db = join(dir, 'x.sqlite');
  const sync = createWalSync(db);
  await t.rejects(sync.flush(), { code: 'ENOENT' }, 'no WAL file: nothing can be made sure of');

  writeFileSync(`${db}-wal`, 'wal');
  const failing = createWalSync(db, {
    fdatasync: (_fd, callback) => setImmediate(() => callback(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))),
    fdatasyncSync: () => {
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    },
  });
  await t.rejects(failing.flush(), { code: 'EIO' });
  t.throws(() => failing.flushSync(), { code: 'EIO' });
  failing.close();
  const closed = createWalSync(db);
  closed.close();
  await t.rejects(closed.flush(), 'a closed flusher flushes nothing');
});

t.test('closing waits for flushes in flight before closing the descriptor', async (t) => {
  const dir = t.testdir();
  const db = join(dir, 'x.sqlite');
  writeFileSync(`${db}-wal`, 'wal');
  let release: (() => void) | undefined;
  let flushedFd = -1;
  const sync = createWalSync(db, {
    fdatasync(fd, callback) {
      flushedFd = fd;
      release = () => nodeWalSyncFs.fdatasync(fd, callback);
    },
    fdatasyncSync: nodeWalSyncFs.fdatasyncSync,
  });
  const flushed = sync.flush();
  sync.close();
  t.doesNotThrow(() => fstatSync(flushedFd), 'the descriptor stays open while its flush is in flight');
  release!();
  await flushed;
  t.throws(() => fstatSync(flushedFd), { code: 'EBADF' }, 'and is closed once it has finished');
});
