/**
 * The regulator page end to end, in headless Chromium (test/web/browser.ts) against the real
 * service on 127.0.0.1 with prescriptions written through real signatures: the checkpoint and an
 * inclusion proof verify in the browser, a byte flipped in either (by intercepting the response)
 * shows as a failure, a pinned key is remembered, a pasted receipt verifies, a regulator's key
 * file signs the oversight reads and the statistics and alerts are drawn; a screenshot shows it.
 * The statistics and alerts are the service's own (src/http/oversight-routes.ts), with the
 * override-concentration threshold lowered so that the one override written here raises an alert.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { decodeBase64, encodeBase64 } from '../../src/core/bytes.js';
import { createSigningKey, formatVerifierKey } from '../../src/core/note-keys.js';
import { pickupCodeHash } from '../../src/domain/prescription/patient-codes.js';
import { actorKeyFromSeed, formatActorKey } from '../../src/keys/actor-key-file.js';
import { REGULATOR_PAGE_CSP } from '../../src/http/regulator-page-routes.js';
import { DEMO_ACTORS, DEMO_INSTITUTIONS, identifyPatient, item, prescription, randomCode, randomTraceCode, registerCast, rxId, startWorld, type Actor, type World } from '../../scripts/lib/rx-world.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { launchChromium } from './browser.js';
import { decodePng, inkStats } from './png.js';

const HOSPITAL = 'hosp-jinan-central';

/** A few prescriptions with different outcomes, so that statistics and alerts have something to count. */
async function writePrescriptions(world: World, cast: Record<string, Actor>): Promise<void> {
  const drLi = cast['dr-li']!;
  const drWang = cast['dr-wang']!;
  const zhang = cast['rph-zhang']!;
  const patient = await identifyPatient(drLi, 1);
  const other = await identifyPatient(drWang, 2);
  const submit = async (doctor: Actor, p: typeof patient, items?: ReturnType<typeof item>[]) => {
    const id = rxId('page');
    const rx = prescription(id, { id: doctor.id, institutionId: HOSPITAL }, p, { now: world.clock(), ...(items ? { items } : {}) });
    const r = await doctor.act('rx.submit', { prescription: rx as unknown as JsonObject, routing: { mode: 'nominated', pharmacyId: 'pharm-quancheng' } });
    return { id, last: r.lastIndex, outcome: r.check!.outcome };
  };
  const step = async (actor: Actor, action: string, id: string, previous: number, payload: JsonObject = {}) => (await actor.act(action, { prescriptionId: id, previous, ...payload })).lastIndex;

  const approved = await submit(drLi, patient);
  let last = await step(zhang, 'rx.claim', approved.id, approved.last, { pharmacyId: 'pharm-quancheng', fill: 0 });
  last = await step(zhang, 'rx.review', approved.id, last, { fill: 0, decision: 'approve' });
  last = await step(zhang, 'rx.dispense', approved.id, last, { fill: 0, lines: [{ line: 1, quantity: '7', traceabilityCodes: [randomTraceCode()] }] });
  const code = randomCode();
  last = await step(zhang, 'rx.delivery-assign', approved.id, last, { fill: 0, courierId: 'courier-zhao', pickupCodeHash: pickupCodeHash(code) });
  const courier = cast['courier-zhao']!;
  last = await step(courier, 'rx.delivery-pickup', approved.id, last, { fill: 0 });
  last = await step(courier, 'rx.delivery-in-transit', approved.id, last, { fill: 0 });
  await step(courier, 'rx.delivery-complete', approved.id, last, { fill: 0, pickupCode: code });

  const override = await submit(drWang, other, [item(1, { days: 14, quantity: { value: '14', unit: '片' } })]);
  t.equal(override.outcome, 'awaiting-override', 'a 14-day outpatient prescription needs an override');
  await step(drWang, 'rx.override', override.id, override.last, { reasons: [{ ruleId: 'reg.days-outpatient', code: 'chronic-stable-patient' }] });

  const blocked = await submit(drLi, patient, [1, 2, 3, 4, 5, 6].map((n) => item(n)));
  t.equal(blocked.outcome, 'rejected', 'six drugs on one prescription are blocked');
}

/** Waits for a status element to reach `state`; on failure says what it shows instead. */
async function waitState(page: Page, id: string, state: string): Promise<string> {
  const el = page.locator(`#${id}`);
  try {
    await page.locator(`#${id}[data-state="${state}"]`).waitFor();
  } catch {
    throw new Error(`#${id} is "${await el.getAttribute('data-state')}", not "${state}": ${await el.textContent()}`);
  }
  return (await el.textContent()) ?? '';
}

/** Flips one bit of the base64 text's n-th decoded byte. */
function flipBase64(text: string, n = 0): string {
  const bytes = decodeBase64(text);
  bytes[n] = bytes[n]! ^ 0x01;
  return encodeBase64(bytes);
}

t.test('the regulator page verifies in the browser and shows statistics and alerts', async (t) => {
  const world = await startWorld({ checkpointIntervalMs: 3_600_000, env: { OVERSIGHT_OVERRIDE_MIN_COUNT: '1' } });
  t.teardown(() => world.close());
  const cast = await registerCast(world, DEMO_INSTITUTIONS, DEMO_ACTORS);
  await writePrescriptions(world, cast);
  const note = world.service.ledger.publishCheckpoint() ?? world.service.ledger.latestCheckpoint();
  const size = world.service.ledger.size();
  t.match(note, new RegExp(`\\n${size}\\n`), 'a checkpoint covers every entry');

  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));

  const res = await page.goto(`${world.url}/regulator/`);
  t.equal(res?.status(), 200);
  t.equal(res?.headers()['content-security-policy'], REGULATOR_PAGE_CSP, 'served with the strict policy');
  t.match(REGULATOR_PAGE_CSP, /script-src 'self' 'sha256-[A-Za-z0-9+/]+={0,2}';/);
  t.notMatch(REGULATOR_PAGE_CSP, /unsafe/);
  await waitState(page, 'script-status', 'ready');

  // 1. The checkpoint verifies, at first only against the served key.
  t.match(await waitState(page, 'checkpoint-status', 'verified-served'), /the service serves only/);
  t.equal(await page.locator('#checkpoint-size').textContent(), `${size} entries`);
  t.equal(await page.locator('#checkpoint-origin').textContent(), world.origin);
  // And the last entry's inclusion proof, by default.
  t.equal(await page.locator('#inclusion-index').inputValue(), String(size - 1), 'the last entry is checked by default');
  t.match(await waitState(page, 'inclusion-status', 'verified'), new RegExp(`Entry ${size - 1}`));
  t.equal(await page.locator('#inclusion-leaf').textContent(), encodeBase64(world.service.ledger.leafHash(size - 1)));

  // 2. Pinning the key: remembered across a reload.
  await page.locator('#pin-served-key').click();
  await waitState(page, 'checkpoint-status', 'verified-pinned');
  await page.reload();
  t.match(await waitState(page, 'checkpoint-status', 'verified-pinned'), /pinned key/, 'the pinned key survives a reload');
  t.equal(await page.locator('#pinned-current').textContent(), world.service.ledger.verifierKeys[0]);

  // A pinned key that did not sign is called out, even though the served key verifies.
  const stranger = createSigningKey(world.origin, new Uint8Array(32).fill(7));
  await page.locator('#pinned-key').fill(formatVerifierKey(stranger));
  await page.locator('#pin-key').click();
  t.match(await waitState(page, 'checkpoint-status', 'verified-served-pinned-absent'), /did NOT sign/);
  await page.locator('#pinned-key').fill('not a key');
  await page.locator('#pin-key').click();
  t.match(await waitState(page, 'checkpoint-status', 'key-malformed'), /KEY_MALFORMED/, 'a malformed key is not pinned');
  await page.locator('#pin-served-key').click();
  await waitState(page, 'checkpoint-status', 'verified-pinned');

  // 3. A flipped byte in the checkpoint's root fails its signature.
  await page.route('**/checkpoint', async (route) => {
    const body = await (await route.fetch()).text();
    const lines = body.split('\n');
    lines[2] = flipBase64(lines[2]!, 5);
    await route.fulfill({ status: 200, contentType: 'text/plain; charset=utf-8', body: lines.join('\n') });
  });
  await page.locator('#checkpoint-refresh').click();
  t.match(await waitState(page, 'checkpoint-status', 'failed'), /NOTE_SIGNATURE_INVALID/, 'a tampered checkpoint is shown as failing');
  t.equal(await page.locator('#checkpoint-size').textContent(), '–', 'and none of it is shown as fact');
  await page.unroute('**/checkpoint');
  await page.locator('#checkpoint-refresh').click();
  await waitState(page, 'checkpoint-status', 'verified-pinned');

  // 4. A flipped byte in an inclusion proof fails it.
  await page.route('**/v1/log/proof/inclusion?*', async (route) => {
    const proof = (await (await route.fetch()).json()) as { hashes: string[] };
    proof.hashes[0] = flipBase64(proof.hashes[0]!, 31);
    await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(proof) });
  });
  await page.locator('#inclusion-index').fill('3');
  await page.locator('#inclusion-verify').click();
  t.match(await waitState(page, 'inclusion-status', 'failed'), /PROOF_INVALID/, 'a tampered proof is shown as failing');
  await page.unroute('**/v1/log/proof/inclusion?*');
  await page.locator('#inclusion-verify').click();
  await waitState(page, 'inclusion-status', 'verified');

  // 5. A pasted receipt verifies under the pinned key; a damaged one does not.
  const receipt = (await (await fetch(`${world.url}/v1/receipts/5`)).json()) as { proof: string; leafHash: string };
  await page.locator('#receipt-text').fill(JSON.stringify(receipt));
  await page.locator('#receipt-verify').click();
  t.match(await waitState(page, 'receipt-status', 'verified-pinned'), /entry 5 /);
  await page.locator('#receipt-text').fill(receipt.proof);
  await page.locator('#receipt-leaf').fill(flipBase64(receipt.leafHash));
  await page.locator('#receipt-verify').click();
  t.match(await waitState(page, 'receipt-status', 'failed'), /PROOF_INVALID/, 'a receipt for another leaf fails');

  // 6. The regulator's key file: entry bytes are read and hashed, and the oversight reads are signed.
  const regulator = cast['inspector-sun']!;
  const regulatorKey = actorKeyFromSeed(regulator.id, regulator.seed);
  t.ok(world.service.app.hasRoute({ method: 'GET', url: '/v1/oversight/stats' }), 'the service serves the oversight routes');
  await page.locator('#reader-file').setInputFiles({ name: 'inspector-sun.key', mimeType: 'text/plain', buffer: Buffer.from(formatActorKey(regulatorKey)) });
  t.match(await waitState(page, 'reader-status', 'loaded'), new RegExp(`${regulatorKey.keyId} of inspector-sun`));
  t.equal(await page.locator('#reader-file').inputValue(), '', 'the file input keeps nothing');
  t.match(await waitState(page, 'inclusion-status', 'verified-bytes'), /hash to the proven leaf/, 'entry bytes read with the key hash to the proven leaf');
  t.match(await waitState(page, 'stats-status', 'loaded'), /^3 prescriptions submitted/, 'the statistics read was signed and answered');
  t.match(await waitState(page, 'alerts-status', 'loaded'), /^1 alerts?\./);
  t.match(await page.locator('#alerts-table tbody').textContent(), /override-concentration.*prescriber dr-wang/);
  t.ok((await page.locator('#chart-outcomes svg rect.bar').count()) > 0, 'prescriptions per period are drawn');
  t.ok((await page.locator('#chart-rules svg rect.bar').count()) > 0, 'blocks and overrides by rule are drawn');
  t.ok((await page.locator('#chart-turnaround svg rect.bar').count()) > 0, 'turnaround percentiles are drawn');
  t.ok((await page.locator('#chart-alerts svg rect.bar').count()) > 0, 'alerts by kind are drawn');
  const rows = page.locator('#alerts-table tbody tr');
  t.ok((await rows.count()) > 0, 'recent alerts are listed');
  // An alert's entry link checks that entry's inclusion.
  const link = rows.first().locator('a.entry-link').first();
  const linked = (await link.textContent())!.slice(1);
  await link.click();
  t.match(await waitState(page, 'inclusion-status', 'verified-bytes'), new RegExp(`Entry ${linked} `), 'an alert links to its entries’ proofs');

  // 7. A screenshot: the page at the viewport's width, with ink in the charts.
  const shot = decodePng(await page.screenshot({ fullPage: true }));
  t.equal(shot.width, 1280, 'full-page screenshot at the viewport width');
  t.ok(shot.height >= 900, `and at least the viewport tall (${shot.height})`);
  t.ok(inkStats(shot).ink > 0.05, 'the page is not blank');
  const chart = page.locator('#chart-outcomes svg');
  const box = (await chart.boundingBox())!;
  const chartShot = decodePng(await chart.screenshot());
  t.equal(chartShot.width, Math.round(box.width), 'chart screenshot has the chart’s size');
  const ink = inkStats(chartShot);
  t.ok(ink.ink > 0.02, `the chart is not empty (${(ink.ink * 100).toFixed(1)} % ink)`);
  t.ok(ink.colours >= 3, `bars in several colours (${ink.colours})`);

  // 8. Nothing left this origin, and the page raised no error (CSP violations included).
  t.same(requests.filter((u) => !u.startsWith(`${world.url}/`)), [], 'no request to another origin');
  t.same(problems.filter((p) => !/Failed to load resource: the server responded with a status of (401|404)/.test(p)), [], 'no script error or CSP violation');
});
