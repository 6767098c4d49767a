/**
 * Regenerates test/vectors/cosignature.json from the naive reference:
 *   npx tsx test/support/generate-cosignature-vectors.ts
 * The file is committed; test/core/cosignature.test.ts checks that the reference still produces
 * it and that src/core matches it byte for byte. Seeds are fixed: 0x21..0x40 for w1, 0x41..0x60
 * for w2; the checkpoint is the one of docs/FORMAT.md §11.5.
 */
import { writeFileSync } from 'node:fs';
import { refCosignatureLine, refKeyId, refMessage, refPublicKey, refVerifierKey } from './cosignature-reference.js';

export const VECTOR_CHECKPOINT_TEXT = 'example.org/rx-demo\n2\nFC5HjcCRkWNctO0fjcXqFQ7IWwMKHRLkdsXVlcqiANg=\n';
export const VECTOR_SIGNED_NOTE = `${VECTOR_CHECKPOINT_TEXT}\n\u2014 example.org/rx-demo vXIdvFitfZa/G9ELntMgxX7Gwh3x8/xR4DZJh24UuoEQqOzjgWaWV34R3ktIwCcHVdgzclrr9TZqRjPWzGq3IH3wKQU=\n`;
export const VECTOR_LOG_KEY = 'example.org/rx-demo+bd721dbc+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk';

const seed = (start: number) => Uint8Array.from({ length: 32 }, (_, i) => start + i);

export function buildCosignatureVectors() {
  const witnesses = [
    { name: 'witness.example.org/w1', seed: seed(0x21), timestamp: 1767225660 },
    { name: 'witness.example.org/w2', seed: seed(0x41), timestamp: 1767225661 },
  ].map((w) => {
    const publicKey = refPublicKey(w.seed);
    return {
      name: w.name,
      seed: Buffer.from(w.seed).toString('hex'),
      publicKey: publicKey.toString('hex'),
      keyIdInput: Buffer.concat([Buffer.from(w.name), Buffer.from([0x0a, 0x04]), publicKey]).toString('hex'),
      keyId: refKeyId(w.name, publicKey).toString('hex'),
      verifierKey: refVerifierKey(w.name, publicKey),
      signingKey: `PRIVATE+KEY+${w.name}+${refKeyId(w.name, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([0x04]), w.seed]).toString('base64')}`,
      timestamp: w.timestamp,
      message: refMessage(VECTOR_CHECKPOINT_TEXT, w.timestamp).toString('utf8'),
      line: refCosignatureLine(w.name, w.seed, VECTOR_CHECKPOINT_TEXT, w.timestamp),
    };
  });
  const [w1, w2] = witnesses as [(typeof witnesses)[0], (typeof witnesses)[0]];
  const b64 = w1.line.trimEnd().split(' ')[2] as string;
  const raw = Buffer.from(b64, 'base64');
  const flipped = Buffer.from(raw);
  flipped[40] = (flipped[40] as number) ^ 0x01;
  const otherTime = Buffer.from(raw);
  otherTime.writeBigUInt64BE(BigInt(w1.timestamp + 1), 4);
  const lineOf = (bytes: Buffer, name = w1.name) => `\u2014 ${name} ${bytes.toString('base64')}\n`;
  return {
    description: 'C2SP tlog-cosignature (Ed25519, cosignature/v1) vectors from test/support/cosignature-reference.ts (node:crypto)',
    logKey: VECTOR_LOG_KEY,
    checkpointText: VECTOR_CHECKPOINT_TEXT,
    signedNote: VECTOR_SIGNED_NOTE,
    witnesses,
    cosignedNote: `${VECTOR_SIGNED_NOTE}${w1.line}${w2.line}`,
    // Lines that parse but must not verify as w1's cosignature of the checkpoint.
    invalid: [
      { description: 'one bit of the signature flipped', line: lineOf(flipped) },
      { description: 'timestamp changed after signing', line: lineOf(otherTime) },
      { description: 'signed over another checkpoint text', line: refCosignatureLine(w1.name, Uint8Array.from(Buffer.from(w1.seed, 'hex')), 'example.org/rx-demo\n3\nFC5HjcCRkWNctO0fjcXqFQ7IWwMKHRLkdsXVlcqiANg=\n', w1.timestamp) },
      { description: 'w2 key ID and signature under w1 name', line: lineOf(Buffer.from(w2.line.trimEnd().split(' ')[2] as string, 'base64')) },
    ],
    // Lines that must not parse at all.
    malformed: [
      { description: 'no em dash', line: `- ${w1.name} ${b64}\n` },
      { description: 'no space before the signature', line: `\u2014 ${w1.name}${b64}\n` },
      { description: 'truncated: 75 bytes', line: lineOf(raw.subarray(0, 75)) },
      { description: 'extended: 77 bytes', line: lineOf(Buffer.concat([raw, Buffer.from([0])])) },
      { description: 'a checkpoint-type (Ed25519 note) signature: 68 bytes', line: `\u2014 example.org/rx-demo vXIdvFitfZa/G9ELntMgxX7Gwh3x8/xR4DZJh24UuoEQqOzjgWaWV34R3ktIwCcHVdgzclrr9TZqRjPWzGq3IH3wKQU=\n` },
      { description: 'unpadded base64', line: `\u2014 ${w1.name} ${b64.replace(/=+$/, '')}\n` },
      { description: 'carriage return', line: `\u2014 ${w1.name} ${b64}\r\n` },
      { description: 'two lines', line: `${w1.line}${w2.line}` },
      { description: 'timestamp above 2^53-1', line: lineOf(Buffer.concat([raw.subarray(0, 4), Buffer.from('0020000000000000', 'hex'), raw.subarray(12)])) },
    ],
  };
}

if (process.argv[1]?.endsWith('generate-cosignature-vectors.ts')) {
  writeFileSync(new URL('../vectors/cosignature.json', import.meta.url), `${JSON.stringify(buildCosignatureVectors(), null, 2)}\n`);
}
