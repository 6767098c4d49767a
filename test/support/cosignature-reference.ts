/**
 * A deliberately naive C2SP tlog-cosignature (Ed25519, cosignature/v1) reference, written from the
 * spec with node:crypto only. It shares no code with src/core, so agreement between the two means
 * something. Used to generate test/vectors/cosignature.json and to cross-check src/core.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function refPublicKey(seed: Uint8Array): Buffer {
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

/** SHA-256(name || "\n" || 0x04 || public key)[:4] */
export function refKeyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from(name, 'utf8')).update(Buffer.from([0x0a, 0x04])).update(publicKey).digest().subarray(0, 4);
}

export function refVerifierKey(name: string, publicKey: Uint8Array): string {
  return `${name}+${refKeyId(name, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([0x04]), publicKey]).toString('base64')}`;
}

export function refMessage(checkpointText: string, timestamp: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`, 'utf8');
}

export function refCosignatureLine(name: string, seed: Uint8Array, checkpointText: string, timestamp: number): string {
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const signature = sign(null, refMessage(checkpointText, timestamp), priv);
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(timestamp));
  return `\u2014 ${name} ${Buffer.concat([refKeyId(name, refPublicKey(seed)), ts, signature]).toString('base64')}\n`;
}

export function refVerifyLine(line: string, publicKey: Uint8Array, checkpointText: string): boolean {
  const raw = Buffer.from(line.trimEnd().split(' ')[2] ?? '', 'base64');
  if (raw.length !== 76) return false;
  const timestamp = Number(raw.readBigUInt64BE(4));
  const pub = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  return verify(null, refMessage(checkpointText, timestamp), pub, raw.subarray(12));
}
