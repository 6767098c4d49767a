/**
 * `npm run bench:verify`: Ed25519 verifications per second on one core for
 *   - the server's path (src/platform/node-ed25519.ts: OpenSSL with the reference as fallback),
 *   - raw node:crypto (OpenSSL) with pre-parsed keys, the ceiling,
 *   - @noble/ed25519 in strict mode, the reference,
 * measured in interleaved rounds in the same run (the machine is shared and noisy; the ratio
 * server / node:crypto is the figure that matters). Prints a table, then one JSON line.
 *
 * The signed messages are real statements made with the client SDK.
 *
 * Options: --signatures N (default 20000), --rounds N (default 5), --keys N (default 64).
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { isValidEd25519, publicKeyFromSeed } from '../src/core/ed25519.js';
import { decodeBase64 } from '../src/core/bytes.js';
import { statementSigningBytes } from '../src/core/statement.js';
import { createStatementSigner } from '../src/client/statement-signer.js';
import { createNodeEd25519Verifier } from '../src/platform/node-ed25519.js';

const { values } = parseArgs({
  options: {
    signatures: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    keys: { type: 'string', default: '64' },
  },
});
const SIGNATURES = Number(values.signatures);
const ROUNDS = Number(values.rounds);
const KEYS = Number(values.keys);
const NOBLE_SHARE = 10; // noble is ~10x slower: verify a tenth of the set per round

interface Sample {
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly keyObject: KeyObject;
}

function buildSamples(): Sample[] {
  const keys = Array.from({ length: KEYS }, (_, i) => {
    const seed = createHash('sha256').update(`bench-key-${i}`).digest();
    const publicKey = publicKeyFromSeed(seed);
    const keyObject = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' });
    return { seed, publicKey, keyObject };
  });
  const signers = keys.map((k, i) => createStatementSigner({ origin: 'bench.example/ledger', actorId: `op-bench-${i}`, seed: k.seed }));
  return Array.from({ length: SIGNATURES }, (_, i) => {
    const key = keys[i % KEYS]!;
    // Real statements from the client SDK, about the size of a registry or prescription statement.
    const signed = signers[i % KEYS]!.sign('registry.institution-register', { institutionId: `bench-${i}`, kind: 'hospital', name: '济南市第一人民医院', region: '370100', licence: 'PDY12345' });
    return { signature: decodeBase64(signed.signature), message: statementSigningBytes(signed.statement), publicKey: key.publicKey, keyObject: key.keyObject };
  });
}

function rate(samples: readonly Sample[], check: (s: Sample) => boolean): number {
  const start = process.hrtime.bigint();
  let ok = 0;
  for (const s of samples) if (check(s)) ok++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (ok !== samples.length) throw new Error('a valid signature failed to verify');
  return samples.length / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const samples = buildSamples();
const server = createNodeEd25519Verifier();
const nobleSet = samples.slice(0, Math.max(100, Math.floor(samples.length / NOBLE_SHARE)));
// Warm-up: JIT, and the server's key cache (filled once per key in production too).
rate(samples.slice(0, 2000), (s) => server.verify(s.signature, s.message, s.publicKey));
rate(samples.slice(0, 2000), (s) => verify(null, s.message, s.keyObject, s.signature));
rate(nobleSet.slice(0, 100), (s) => isValidEd25519(s.signature, s.message, s.publicKey));

const results = { server: [] as number[], nodeCrypto: [] as number[], noble: [] as number[] };
const load = { start: loadavg(), end: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  results.nodeCrypto.push(rate(samples, (s) => verify(null, s.message, s.keyObject, s.signature)));
  results.server.push(rate(samples, (s) => server.verify(s.signature, s.message, s.publicKey)));
  results.noble.push(rate(nobleSet, (s) => isValidEd25519(s.signature, s.message, s.publicKey)));
}
load.end = loadavg();

const figures = {
  serverPerSec: Math.round(median(results.server)),
  nodeCryptoPerSec: Math.round(median(results.nodeCrypto)),
  noblePerSec: Math.round(median(results.noble)),
};
const ratio = figures.serverPerSec / figures.nodeCryptoPerSec;
const rows: [string, string][] = [
  ['server path (OpenSSL + reference fallback)', figures.serverPerSec.toLocaleString('en-US')],
  ['node:crypto (OpenSSL), keys pre-parsed', figures.nodeCryptoPerSec.toLocaleString('en-US')],
  ['@noble/ed25519 strict (reference)', figures.noblePerSec.toLocaleString('en-US')],
  ['server / node:crypto', ratio.toFixed(3)],
  ['target', '>= 0.900'],
];
process.stdout.write(`rxledger Ed25519 verify benchmark — node ${process.version}, ${cpus().length} CPUs, one core used\n`);
process.stdout.write(`${SIGNATURES} signatures over ${KEYS} keys, ${ROUNDS} interleaved rounds (median shown)\n\n`);
for (const [name, value] of rows) process.stdout.write(`${name.padEnd(46)} ${value.padStart(12)}\n`);
process.stdout.write(`\nload average at start ${load.start.map((x) => x.toFixed(2)).join(' / ')}, at end ${load.end.map((x) => x.toFixed(2)).join(' / ')}\n`);
process.stdout.write(
  `${JSON.stringify({ bench: 'verify', node: process.version, signatures: SIGNATURES, keys: KEYS, rounds: ROUNDS, ...figures, serverVsNodeCrypto: Number(ratio.toFixed(4)), target: 0.9, met: ratio >= 0.9, perRound: results, loadAverage: load })}\n`,
);
