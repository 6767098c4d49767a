/**
 * Kill -9 during concurrent signed writes: after every restart, each acknowledged entry is present
 * with the leaf hash the client was given, and the whole ledger verifies, registry rules included.
 * The server is the real one (`src/main.ts`), driven through the client SDK.
 */
import t from 'tap';
import { join } from 'node:path';
import { createLedgerClient, createReadSigner, createStatementSigner } from '../../src/client/index.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { openDbLogSource } from '../../src/verify/db-log-source.js';
import { verifyLog } from '../../src/verify/log-verifier.js';
import { startChildServer } from '../support/child-server.js';
import { nodeVerifySignature } from '../support/node-signatures.js';

const ROUNDS = 4;
const WORKERS = 16;
/** Acknowledged appends each round waits for before its kill: a count, so a loaded machine only makes the round longer. */
const ACKS_PER_ROUND = 15;

t.test('SIGKILL during concurrent appends loses nothing acknowledged', async (t) => {
  const dataDir = t.testdir();
  const env = { DATA_DIR: dataDir, LOG_ORIGIN: 'crash.test/ledger' };
  const acked = new Map<number, string>();
  let serial = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const server = await startChildServer(env);
    const client = createLedgerClient(server.url);
    const key = readActorKey(genesisOperatorKeyPath(dataDir));
    const operator = createStatementSigner({ origin: 'crash.test/ledger', actorId: key.actorId, seed: key.seed });
    let stop = false;
    let roundAcks = 0;
    const worker = async () => {
      while (!stop) {
        const id = serial++;
        try {
          const r = await client.submit(operator.sign('registry.institution-register', { institutionId: `crash-${id}`, kind: 'hospital', name: 'H', region: '370100', licence: 'L' }));
          acked.set(r.index, r.leafHash);
          roundAcks++;
        } catch {
          return; // the server died mid-request: the outcome is unknown, so it is not counted
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, worker);
    // Kill mid-load: once this round has had its acknowledgements, then a little later each round
    // (the sleeps pace the load, they are not a wait for a result).
    while (roundAcks < ACKS_PER_ROUND) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, round * 40));
    server.child.kill('SIGKILL');
    const { signal } = await server.exited;
    stop = true;
    await Promise.all(workers);
    t.equal(signal, 'SIGKILL', `round ${round}: killed`);
  }
  t.ok(acked.size >= ROUNDS * ACKS_PER_ROUND, `${acked.size} appends were acknowledged before the kills`);

  // Restart once more: every acknowledged entry is there, byte for byte.
  const server = await startChildServer(env);
  const key = readActorKey(genesisOperatorKeyPath(dataDir));
  const signRead = createReadSigner({ seed: key.seed });
  const info = await createLedgerClient(server.url).log();
  let missing = 0;
  for (let start = 0; start < info.size; start += 1000) {
    const path = `/v1/log/entries?start=${start}&end=${info.size}`;
    const page = (await (await fetch(`${server.url}${path}`, { headers: signRead('GET', path) })).json()) as { entries: { index: number; leafHash: string }[] };
    for (const e of page.entries) if (acked.has(e.index) && acked.get(e.index) !== e.leafHash) missing++;
  }
  const maxAcked = Math.max(...acked.keys());
  t.ok(info.size > maxAcked, `log holds ${info.size} entries, highest acknowledged index ${maxAcked}`);
  t.equal(missing, 0, 'no acknowledged entry lost or changed');
  server.child.kill('SIGTERM');
  await server.exited;

  const source = openDbLogSource(join(dataDir, 'ledger.sqlite'));
  const report = await verifyLog(source, { trustedKeys: [info.verifierKey], verifySignature: nodeVerifySignature });
  await source.close?.();
  t.ok(report.ok, `the ledger verifies: ${JSON.stringify(report.failure)}`);
});
