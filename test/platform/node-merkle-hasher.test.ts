import t from 'tap';
import { randomBytes } from 'node:crypto';
import { nobleMerkleHasher } from '../../src/core/merkle-hash.js';
import { nodeMerkleHasher } from '../../src/platform/node-merkle-hasher.js';

t.test('native and pure RFC 9162 hashing agree', async (t) => {
  for (const size of [0, 1, 31, 32, 33, 55, 56, 63, 64, 65, 475, 4096]) {
    const data = randomBytes(size);
    t.same(Buffer.from(nodeMerkleHasher.hashLeaf(data)), Buffer.from(nobleMerkleHasher.hashLeaf(data)), `leaf of ${size} bytes`);
  }
  for (let i = 0; i < 100; i++) {
    const [l, r] = [randomBytes(32), randomBytes(32)];
    if (Buffer.compare(Buffer.from(nodeMerkleHasher.hashChildren(l, r)), Buffer.from(nobleMerkleHasher.hashChildren(l, r))) !== 0) t.fail('node hash differs');
  }
  t.pass('100 node hashes');
});
