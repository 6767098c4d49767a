/**
 * The bare baseline of `npm run bench:http`, run as a child process: what any server that accepts
 * a signed request durably must do, and nothing more. Per `POST /v1/statements`:
 *
 *   - Fastify parses the JSON body (same body limit as the service);
 *   - one `node:crypto` Ed25519 verify of the request's signature over its signing bytes (looked
 *     up by nonce, so no canonicalisation), with the key parsed once at start-up;
 *   - one INSERT of those bytes into a SQLite file in WAL mode with synchronous=FULL, through the
 *     service's own group commit (src/ledger/group-commit.ts): the inserts of requests that
 *     arrive together share one transaction and one fsync, and each request is answered 201 only
 *     after its transaction has committed.
 *
 * No schema validation, no state, no Merkle tree, no logging.
 *
 * Usage (by scripts/bench-http.ts): baseline-service <setup file> <database file>
 */
import { verify } from 'node:crypto';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { GroupCommit } from '../../src/ledger/group-commit.js';
import { readBaselineSetup } from './baseline-setup.js';
import { serveParent } from './child-channel.js';

const [setupPath, dbPath] = process.argv.slice(2);
if (setupPath === undefined || dbPath === undefined) throw new Error('usage: baseline-service <setup file> <database file>');
const { keys, messages } = readBaselineSetup(setupPath);

const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE requests (idx INTEGER PRIMARY KEY, key_id TEXT NOT NULL, nonce TEXT NOT NULL, statement BLOB NOT NULL)');
const insert = db.prepare<[string, string, Buffer]>('INSERT INTO requests (key_id, nonce, statement) VALUES (?, ?, ?)');

interface Row {
  readonly keyId: string;
  readonly nonce: string;
  readonly statement: Buffer;
}
let commits = 0;
let rows = 0;
const insertBatch = db.transaction((batch: readonly Row[]) => batch.map((r) => Number(insert.run(r.keyId, r.nonce, r.statement).lastInsertRowid)));
const committer = new GroupCommit<Row, number>({
  maxBatch: 4096,
  commit(batch) {
    const indices = insertBatch.immediate(batch);
    commits += 1;
    rows += batch.length;
    return indices;
  },
});

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.post('/v1/statements', async (request, reply) => {
  const body = request.body as { statement?: { keyId?: unknown; nonce?: unknown }; signature?: unknown } | null;
  const keyId = String(body?.statement?.keyId);
  const nonce = String(body?.statement?.nonce);
  const key = keys.get(keyId);
  const message = messages.get(nonce);
  if (key === undefined || message === undefined || typeof body?.signature !== 'string') return reply.status(400).send({ code: 'BASELINE_UNKNOWN_REQUEST' });
  if (!verify(null, message, key, Buffer.from(body.signature, 'base64'))) return reply.status(401).send({ code: 'AUTH_SIGNATURE_INVALID' });
  const index = await committer.submit({ keyId, nonce, statement: message });
  return reply.status(201).send({ index });
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address !== null ? address.port : 0;

serveParent({
  info: { url: `http://127.0.0.1:${port}` },
  counters: () => ({ commits, rows }),
  async stop() {
    await app.close();
    await committer.drain();
    db.close();
  },
});
