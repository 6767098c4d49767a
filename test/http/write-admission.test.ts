/**
 * Load shedding for writes: past WRITES_IN_FLIGHT_MAX writes in progress, a write is refused as it
 * arrives (503 SERVICE_OVERLOADED, Retry-After), nothing of it is written, reads go on, and the
 * count falls back as answers go out, so the refused writes land when sent again.
 */
import t from 'tap';
import Fastify from 'fastify';
import { join } from 'node:path';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { installWriteAdmission } from '../../src/http/write-admission.js';
import { startWorld } from '../../scripts/lib/rx-world.js';
import { testdirWithStops } from '../support/testdir.js';

t.test('a bare app: the writes past the limit are refused at once, the count falls as answers go out', async (t) => {
  const app = Fastify({ forceCloseConnections: true }); // close() ends the keep-alive sockets too
  const admission = installWriteAdmission(app, 2);
  const held: Array<() => void> = [];
  app.post('/v1/statements', () => new Promise((resolve) => held.push(() => resolve({ ok: true }))));
  app.get('/v1/log', async () => ({ size: 0 }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const post = () => fetch(`${url}/v1/statements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

  const first = [post(), post()];
  while (held.length < 2) await new Promise((r) => setTimeout(r, 5));
  t.equal(admission.inFlight(), 2, 'two writes in progress');
  const third = await post();
  t.equal(third.status, 503);
  t.equal(third.headers.get('retry-after'), '1');
  t.same(await third.json(), { error: { code: 'SERVICE_OVERLOADED', message: 'the service could not complete the request', paths: [] } });
  t.equal((await fetch(`${url}/v1/log`)).status, 200, 'reads are not shed');
  for (const release of held.splice(0)) release();
  t.same((await Promise.all(first)).map((r) => r.status), [200, 200], 'the admitted ones are answered');
  while (admission.inFlight() > 0) await new Promise((r) => setTimeout(r, 5));
  const again = post();
  while (held.length < 1) await new Promise((r) => setTimeout(r, 5));
  held.splice(0)[0]!();
  t.equal((await again).status, 200, 'admitted again once the others were answered');

  // A client that goes away without waiting for its answer still gives its place back.
  const controller = new AbortController();
  const abandoned = fetch(`${url}/v1/statements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: controller.signal }).catch(() => 'aborted');
  while (held.length < 1) await new Promise((r) => setTimeout(r, 5));
  controller.abort();
  t.equal(await abandoned, 'aborted');
  while (admission.inFlight() > 0) await new Promise((r) => setTimeout(r, 5));
  t.pass('the abandoned write no longer counts');
  for (const release of held.splice(0)) release();
});

t.test('the service: a burst past WRITES_IN_FLIGHT_MAX writes only what it answered 201, and the refused writes land when sent again', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const world = await startWorld({ dataDir: join(dir, 'data'), checkpointIntervalMs: 60_000, env: { WRITES_IN_FLIGHT_MAX: '2' } });
  stopBeforeRemoval(() => world.close());
  const signed = Array.from({ length: 30 }, (_, n) =>
    world.operator.sign('registry.institution-register', { institutionId: `burst-${n}`, kind: 'hospital', name: `医院${n}`, region: '370100', licence: `L-${n}` } as JsonObject),
  );
  const send = (body: unknown) => fetch(`${world.url}/v1/statements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const before = world.service.ledger.size();
  const answers = await Promise.all(signed.map(async (body) => ({ body, res: await send(body) })));
  const landed = answers.filter((a) => a.res.status === 201);
  const shed = answers.filter((a) => a.res.status === 503);
  t.equal(landed.length + shed.length, signed.length, 'each write landed or was shed');
  t.ok(shed.length > 0, `${shed.length} of ${signed.length} shed`);
  for (const a of shed) t.same([a.res.headers.get('retry-after'), ((await a.res.json()) as { error: { code: string } }).error.code], ['1', 'SERVICE_OVERLOADED']);
  t.equal(world.service.ledger.size(), before + landed.length, 'nothing of a shed write was written');
  for (const a of shed) t.equal((await send(a.body)).status, 201, 'sent again, one at a time: lands');
  t.equal(world.service.ledger.size(), before + signed.length);
});
