/**
 * Identity erasures the ledger records reach the identity store even when the write route did not
 * apply them (a crash between an erasure's commit and its application), and again when the
 * identity file is restored from a backup taken before them: the running service's follower and
 * every start apply them from the position the identity file keeps.
 */
import t from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { createErasureFollower, erasureSearch } from '../../src/patients/recorded-erasures.js';
import { DATABASE_FILE, IDENTITY_DATABASE_FILE } from '../../src/service.js';
import { openDatabase } from '../../src/store/database.js';
import { openIdentityStore } from '../../src/store/identity-store.js';
import { DEMO_ACTORS, DEMO_INSTITUTIONS, identifyPatient, registerCast, startWorld, type Actor, type World } from '../../scripts/lib/rx-world.js';
import { checkErasuresApplied } from '../../scripts/campaigns/crash-checks.js';
import { testdirWithStops } from '../support/testdir.js';

const HOSPITAL = DEMO_INSTITUTIONS.filter((i) => i.id === 'hosp-jinan-central');
const DOCTOR = DEMO_ACTORS.filter((a) => a.id === 'dr-li');

/** A service with a prescriber who identified `patients` patients. */
async function world(dataDir: string, patients: number, logger = pino({ level: 'silent' })) {
  const w = await startWorld({ dataDir, checkpointIntervalMs: 60_000, logger });
  const doctor = (await registerCast(w, HOSPITAL, DOCTOR))['dr-li']!;
  const refs = [];
  for (let n = 1; n <= patients; n++) refs.push(await identifyPatient(doctor, n));
  return { w, doctor, refs };
}

const erasure = (commitment: string): JsonObject => ({ identityCommitment: commitment, reason: 'patient-request' });

/** The identity row of `commitment` as the file holds it, read from outside the service. */
function identityRow(dataDir: string, commitment: string) {
  const db = new Database(join(dataDir, IDENTITY_DATABASE_FILE), { readonly: true });
  try {
    return db.prepare('SELECT identity IS NOT NULL AS present, erased_at FROM identities WHERE commitment = ?').get(commitment) as { present: number; erased_at: number | null };
  } finally {
    db.close();
  }
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (condition()) return true;
  return condition();
}

/** Records the operator's erasure of `commitment` in the ledger without the write route, as if the process had died before applying it. */
async function recordOnly(w: World, operator: Actor, commitment: string) {
  return w.service.ledger.append('patient.erase-identity', operator.sign('patient.erase-identity', erasure(commitment)));
}

t.test('erasures the write route did not apply are applied by the running service, and again at the start after an identity file is restored', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const backup = join(dir, 'identity-backup.sqlite');
  const first = await world(dataDir, 3);
  const [a, b, c] = first.refs.map((r) => r.identityCommitment) as [string, string, string];
  await first.w.close();
  copyFileSync(join(dataDir, IDENTITY_DATABASE_FILE), backup); // the backup: all three present

  const second = await startWorld({ dataDir, checkpointIntervalMs: 60_000 });
  await second.operator.act('patient.erase-identity', erasure(a));
  t.equal(identityRow(dataDir, a).present, 0, 'the write route erases at once');
  const recorded = await recordOnly(second, second.operator, c);
  t.equal(identityRow(dataDir, c).present, 1, 'recorded without the write route: not applied yet');
  t.ok(await until(() => identityRow(dataDir, c).present === 0, 5000), 'applied by the running service within seconds');
  t.equal(identityRow(dataDir, c).erased_at, recorded.entry.time, "erased as of the entry's log time");
  await second.close();

  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `${IDENTITY_DATABASE_FILE}${suffix}`), { force: true });
  copyFileSync(backup, join(dataDir, IDENTITY_DATABASE_FILE));
  t.same([identityRow(dataDir, a).present, identityRow(dataDir, c).present], [1, 1], 'the restored file holds them again');
  const lines: Record<string, unknown>[] = [];
  const capture = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const third = await startWorld({ dataDir, checkpointIntervalMs: 60_000, logger: capture });
  stopBeforeRemoval(() => third.close());
  t.same([identityRow(dataDir, a).present, identityRow(dataDir, b).present, identityRow(dataDir, c).present], [0, 1, 0], 'erased again by the start, before it serves; the third patient kept');
  t.match(lines.find((l) => l.msg === 'applied identity erasures the log records but the identity store still held'), { found: 2, erased: 2 });
  t.notOk(JSON.stringify(lines).includes('测试患者'), 'no identity in the log');
});

t.test('the follower reads from the saved position, in steps, and saves where it stopped', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const dataDir = join(dir, 'data');
  const { w, refs } = await world(dataDir, 3);
  const commitments = refs.map((r) => r.identityCommitment);
  const at: number[] = [];
  for (const c of commitments) at.push((await recordOnly(w, w.operator, c)).index);
  await w.close(); // its own follower applied them all: the files below start from a fresh identity store

  const ledgerDb = openDatabase(join(dataDir, DATABASE_FILE));
  stopBeforeRemoval(() => ledgerDb.close());
  const size = (ledgerDb.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
  t.same(
    erasureSearch(ledgerDb)(0, size).map((e) => [e.index, e.identityCommitment]),
    at.map((index, n) => [index, commitments[n]]),
    'exactly the erasure entries, in log order',
  );
  t.same(erasureSearch(ledgerDb)(at[0]! + 1, at[2]!).map((e) => e.index), [at[1]], 'within the range asked only');

  // A new identity file holding the three patients again (their commitments as rows of their own).
  const identityPath = join(dir, 'identity.sqlite');
  const identities = openIdentityStore({ path: identityPath, pseudonymKey: new Uint8Array(32), randomBytes: (n) => new Uint8Array(n).fill(7) });
  stopBeforeRemoval(() => identities.close());
  const raw = new Database(identityPath);
  stopBeforeRemoval(() => raw.close());
  for (const c of commitments) raw.prepare("INSERT INTO identities (commitment, pseudonym, salt, identity) VALUES (?, 'p', x'00', '{}')").run(c);
  t.equal(identities.erasuresAppliedBelow(), 0, 'a new file starts from the beginning of the log');

  const follower = createErasureFollower({ identities, ledgerDb, logSize: () => size });
  const step = at[1]!; // the first step ends just before the second erasure
  t.same(follower.catchUp(step), { from: 0, to: step, found: 1, erased: 1 });
  t.equal(identities.erasuresAppliedBelow(), step, 'saved where it stopped');
  t.same(follower.catchUp(), { from: step, to: size, found: 2, erased: 2 }, 'the rest');
  t.same(follower.catchUp(), { from: size, to: size, found: 0, erased: 0 }, 'nothing new');
  const again = createErasureFollower({ identities, ledgerDb, logSize: () => size });
  t.same(again.catchUp(), { from: size, to: size, found: 0, erased: 0 }, 'a new follower starts from the saved position');
  identities.saveErasuresAppliedBelow(size + 100);
  t.same(createErasureFollower({ identities, ledgerDb, logSize: () => size }).catchUp().from, size, 'a position beyond the log (an older ledger restored) is read as its end');

  // A long stretch is searched only if the identity file still holds a record to erase.
  const empty = openIdentityStore({ path: join(dir, 'empty.sqlite'), pseudonymKey: new Uint8Array(32), randomBytes: (n) => new Uint8Array(n).fill(9) });
  stopBeforeRemoval(() => empty.close());
  t.same(createErasureFollower({ identities: empty, ledgerDb, logSize: () => size, longSearchEntries: 1 }).catchUp(), { from: 0, to: size, found: 0, erased: 0 }, 'a file with no record: not searched');
  t.equal(empty.erasuresAppliedBelow(), size, 'its position saved all the same');
  identities.saveErasuresAppliedBelow(0);
  t.same(createErasureFollower({ identities, ledgerDb, logSize: () => size, longSearchEntries: 1 }).catchUp().found, 0, 'a file whose records are all erased: not searched');
  raw.prepare("UPDATE identities SET salt = x'00', identity = '{}', erased_at = NULL WHERE commitment = ?").run(commitments[0]);
  identities.saveErasuresAppliedBelow(0);
  t.same(createErasureFollower({ identities, ledgerDb, logSize: () => size, longSearchEntries: 1 }).catchUp(), { from: 0, to: size, found: 3, erased: 1 }, 'one record back: searched, and erased again');

  // The crash campaign's check of the same promise, on the service's own files: it tells an
  // applied erasure from one left in place.
  const seen: string[] = [];
  t.equal(checkErasuresApplied(dataDir, size, 'here', (v) => seen.push(v)), 3, 'three erasures checked');
  t.same(seen, [], 'all applied by the service');
  const serviceIdentities = new Database(join(dataDir, IDENTITY_DATABASE_FILE));
  serviceIdentities.prepare("UPDATE identities SET salt = x'00', identity = '{}', erased_at = NULL WHERE commitment = ?").run(commitments[1]);
  serviceIdentities.close();
  checkErasuresApplied(dataDir, size, 'here', (v) => seen.push(v));
  t.match(seen, [new RegExp(`^here: the erasure at index ${at[1]} left identity`)], 'one put back is reported, by its index');
});
