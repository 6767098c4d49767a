import t from 'tap';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keysDirectory, loadOrCreateSigningKeys, writeSigningKey } from '../../src/keys/key-files.js';
import { createSigningKey } from '../../src/core/note-keys.js';
import { throwsCode } from '../support/assert-code.js';

t.test('first load creates one private key; later loads read it back', async (t) => {
  const dir = t.testdir();
  const created = loadOrCreateSigningKeys(dir, 'rx.example/log');
  t.ok(created.createdPath);
  t.equal(statSync(created.createdPath!).mode & 0o777, 0o600);
  t.equal(statSync(keysDirectory(dir)).mode & 0o777, 0o700);
  const again = loadOrCreateSigningKeys(dir, 'rx.example/log');
  t.equal(again.createdPath, undefined);
  t.same(again.keys.map((k) => k.keyId), created.keys.map((k) => k.keyId));
  writeSigningKey(dir, createSigningKey('rx.example/log', new Uint8Array(32).fill(4)));
  t.equal(loadOrCreateSigningKeys(dir, 'rx.example/log').keys.length, 2, 'a second key (rotation) is loaded too');
  t.throws(() => writeSigningKey(dir, createSigningKey('rx.example/log', new Uint8Array(32).fill(4))), 'never overwrites a key');
});

t.test('keys readable by others are refused', async (t) => {
  const dir = t.testdir();
  const { createdPath } = loadOrCreateSigningKeys(dir, 'rx.example/log');
  chmodSync(createdPath!, 0o644);
  throwsCode(t, () => loadOrCreateSigningKeys(dir, 'rx.example/log'), 'KEY_FILE_INSECURE');
  chmodSync(createdPath!, 0o600);
  chmodSync(keysDirectory(dir), 0o755);
  throwsCode(t, () => loadOrCreateSigningKeys(dir, 'rx.example/log'), 'KEY_FILE_INSECURE', 'folder too');
});

t.test('a damaged key file is refused', async (t) => {
  const dir = t.testdir({ keys: { 'bad.key': 'PRIVATE+KEY+x+00000000+AAAA\n' } });
  chmodSync(keysDirectory(dir), 0o700);
  chmodSync(join(keysDirectory(dir), 'bad.key'), 0o600);
  throwsCode(t, () => loadOrCreateSigningKeys(dir, 'x'), 'KEY_MALFORMED');
  t.same(readdirSync(keysDirectory(dir)), ['bad.key'], 'and no key was created beside it');
});
