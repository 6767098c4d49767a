/**
 * The fuzz campaign (docs/RELIABILITY.md): thousands of malformed or hostile requests against the
 * production service over real HTTP, each of which must be refused with a typed 4xx and write
 * nothing.
 *
 * For every request it checks that
 *   - an answer came (the connection was not just dropped);
 *   - the status is 4xx: never 5xx, never 2xx or 3xx;
 *   - the body is the service's error JSON, exactly `{error: {code, message, paths}}`, with a code
 *     of the closed set, the status the one table gives that code, and a JSON content type;
 *   - the code is one the generator expected for what it broke (a wrong type must be refused by
 *     the schema, a stale timestamp as stale, …), so a request refused for another reason than
 *     the one it was built to test is reported;
 *   - nothing of the request's personal data (the canary identities) appears in the answer, and
 *     the answer is small;
 *   - nothing was written: the log's size, the identity store's rows and the stored
 *     cosignatures after every request, and every row of every table of both SQLite files every
 *     `digestEvery` requests and at the end.
 * After the hostile requests, controls send the valid originals the generators broke (each state-
 * valid statement, each signed read, a cosignature): they must succeed, which shows the hostile
 * versions were refused for their fault and that the service still works.
 *
 * Everything random comes from `seed` (mulberry32), so a failing run can be replayed.
 */
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';
import { formatCosignatureLine, signCosignature } from '../../src/core/cosignature.js';
import { HTTP_STATUS } from '../../src/http/error-status.js';
import { mulberry32 } from '../lib/bench-support.js';
import type { CampaignReport } from './campaign-support.js';
import { ViolationLog } from './campaign-support.js';
import { authorization, contentType, deepNesting, duplicateKeys, fieldTargets, hugeBody, replay, signature, signedReads, tampered, timestamp, unicode, wrongType } from './fuzz-bodies.js';
import { header, paging, path } from './fuzz-requests.js';
import { CATEGORIES, freshStatement, JSON_TYPE, outcomeOf, postJson, readHeaders, Rng, signedBody, type Category, type FuzzContext, type Generator, type HostileRequest } from './fuzz-support.js';
import { createWireClient, encodeRequest, type WireClient, type WireRequest, type WireResponse } from './fuzz-wire.js';
import { startFuzzWorld, type FuzzWorld, type WriteCounters } from './fuzz-world.js';

export interface FuzzCampaignOptions {
  /** How many hostile requests to send. */
  readonly size: number;
  readonly seed: number;
  /** A full table-by-table digest every this many requests (and at the end). */
  readonly digestEvery?: number;
  readonly progress?: (line: string) => void;
}

/** Each category's share of the requests, in percent. */
export const CATEGORY_WEIGHTS: Readonly<Record<Category, number>> = {
  'wrong-type': 14,
  tampered: 8,
  'huge-body': 3,
  'deep-nesting': 4,
  'duplicate-keys': 7,
  unicode: 9,
  signature: 13,
  replay: 6,
  timestamp: 6,
  'content-type': 6,
  authorization: 5,
  paging: 8,
  path: 6,
  header: 5,
};

const GENERATORS: Readonly<Record<Category, Generator>> = {
  'wrong-type': wrongType,
  tampered,
  'huge-body': hugeBody,
  'deep-nesting': deepNesting,
  'duplicate-keys': duplicateKeys,
  unicode,
  signature,
  replay,
  timestamp,
  'content-type': contentType,
  authorization,
  paging,
  path,
  header,
};

/** Largest error body accepted: an error names a code, a message and a few paths. */
export const MAX_ERROR_BODY_BYTES = 16 * 1024;

interface CategoryFigures {
  requests: number;
  /** The slowest answer, in ms. */
  maxMs: number;
  codes: Record<string, number>;
  variants: Record<string, number>;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** What is wrong with an answer to a hostile request, as sentences (empty when it is a typed 4xx of an expected code). */
export function judgeAnswer(hostile: HostileRequest, response: WireResponse, canaries: readonly string[]): string[] {
  if (response.kind === 'failure') return [`no answer (${response.reason})`];
  const faults: string[] = [];
  const { status } = response;
  if (status >= 500) faults.push(`answered ${status}`);
  else if (status < 400) faults.push(`accepted with ${status}`);
  const text = response.body.toString('utf8');
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as unknown;
    const error = (body as { error?: unknown }).error as Record<string, unknown> | undefined;
    const shapeOk =
      typeof body === 'object' && body !== null && Object.keys(body).length === 1 && typeof error === 'object' && error !== null &&
      Object.keys(error).sort().join(',') === 'code,message,paths' && typeof error.message === 'string' && Array.isArray(error.paths) && (error.paths as unknown[]).every((p) => typeof p === 'string');
    if (shapeOk && typeof error.code === 'string' && KNOWN_CODES.has(error.code)) code = error.code;
    else if (status >= 400) faults.push(`untyped ${status} body ${JSON.stringify(text.slice(0, 120))}`);
  } catch {
    if (status >= 400) faults.push(`untyped ${status} body ${JSON.stringify(text.slice(0, 120))}`);
  }
  if (code !== undefined) {
    if (HTTP_STATUS[code as ErrorCode] !== status) faults.push(`${code} answered with ${status}, not ${HTTP_STATUS[code as ErrorCode]}`);
    if (!(response.headers.get('content-type') ?? '').startsWith('application/json')) faults.push(`${code} served as ${response.headers.get('content-type') ?? 'no content type'}`);
    if (!hostile.expect.includes(code as ErrorCode)) faults.push(`refused with ${code}, expected ${hostile.expect.join(' or ')}`);
  }
  if (response.body.length > MAX_ERROR_BODY_BYTES) faults.push(`error body of ${response.body.length} bytes`);
  const sent = encodeRequest(hostile.request, 'h').toString('utf8');
  const answer = `${[...response.headers.values()].join('\n')}\n${text}`;
  for (const canary of canaries) if (sent.includes(canary) && answer.includes(canary)) faults.push('echoed personal data from the request');
  return faults;
}

const sameCounters = (a: WriteCounters, b: WriteCounters) => a.ledgerSize === b.ledgerSize && a.identities === b.identities && a.identityRequests === b.identityRequests && a.cosignatures === b.cosignatures;

export async function runFuzzCampaign(options: FuzzCampaignOptions): Promise<CampaignReport> {
  const digestEvery = options.digestEvery ?? 250;
  const say = options.progress ?? (() => undefined);
  const started = Date.now();
  // Setup and requests draw from separate streams of the one seed.
  const w = await startFuzzWorld(mulberry32(options.seed ^ 0x5eed));
  const client = createWireClient(w.url);
  try {
    return await campaign(w, client, options, digestEvery, say, started);
  } finally {
    client.close();
    await w.close();
  }
}

async function campaign(w: FuzzWorld, client: WireClient, options: FuzzCampaignOptions, digestEvery: number, say: (line: string) => void, started: number): Promise<CampaignReport> {
  const rng = new Rng(mulberry32(options.seed));
  const ctx: FuzzContext = { w, rng, size: w.counters().ledgerSize, readPool: [], state: new Map() };
  const violations = new ViolationLog(300);
  const perCategory = Object.fromEntries(CATEGORIES.map((c) => [c, { requests: 0, maxMs: 0, codes: {}, variants: {} } as CategoryFigures])) as Record<Category, CategoryFigures>;
  const statuses: Record<string, number> = {};
  let counters = w.counters();
  let digest = w.digest();
  let digests = 1;
  let misses = 0;
  let canaryRequests = 0;
  let bytesSent = 0;
  let largestAnswer = 0;
  const latencies: number[] = [];
  const slowest = new Map<Category, string>();
  const totalWeight = Object.values(CATEGORY_WEIGHTS).reduce((a, b) => a + b, 0);
  const drawCategory = (i: number): Category => {
    if (i < CATEGORIES.length) return CATEGORIES[i]!; // every category at least once, first
    let r = rng.float() * totalWeight;
    for (const c of CATEGORIES) if ((r -= CATEGORY_WEIGHTS[c]) < 0) return c;
    return CATEGORIES[CATEGORIES.length - 1]!;
  };
  say(`fuzz: ${options.size} hostile requests against ${w.url} (log of ${ctx.size} entries), seed ${options.seed}`);
  const fuzzStarted = Date.now();

  for (let i = 0; i < options.size; i++) {
    let category = drawCategory(i);
    let hostile: HostileRequest | undefined;
    for (let draw = 0; hostile === undefined; draw++) {
      hostile = GENERATORS[category](ctx);
      if (hostile === undefined) {
        misses++;
        // A category that keeps drawing nothing (the replay pool still empty) yields its turn.
        if (draw >= 20) category = 'wrong-type';
      }
    }
    const sentAt = performance.now();
    const response = await client.send(hostile.request, { fresh: hostile.isolated === true });
    const ms = performance.now() - sentAt;
    latencies.push(ms);
    if (hostile.isolated) client.close();
    const bytes = encodeRequest(hostile.request, 'h');
    bytesSent += bytes.length;
    if (w.canaries.some((c) => bytes.includes(c))) canaryRequests++;
    const where = `${hostile.category}/${hostile.variant} (request ${i}, seed ${options.seed})`;
    for (const fault of judgeAnswer(hostile, response, w.canaries)) violations.add(`${where}: ${fault}`);
    const outcome = outcomeOf(response);
    const figures = perCategory[hostile.category];
    figures.requests++;
    if (ms > figures.maxMs) {
      figures.maxMs = ms;
      slowest.set(hostile.category, hostile.variant);
    }
    figures.codes[outcome] = (figures.codes[outcome] ?? 0) + 1;
    figures.variants[hostile.variant] = (figures.variants[hostile.variant] ?? 0) + 1;
    if (response.kind === 'response') {
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      largestAnswer = Math.max(largestAnswer, response.body.length);
    }
    if (hostile.replayable && hostile.expect.includes(outcome as ErrorCode)) {
      ctx.readPool.push({ request: hostile.request, variant: `${hostile.category}/${hostile.variant}`, at: Date.now() });
      if (ctx.readPool.length > 500) ctx.readPool.shift();
    }
    const now = w.counters();
    if (!sameCounters(now, counters)) {
      violations.add(`${where}: wrote (${JSON.stringify(counters)} → ${JSON.stringify(now)})`);
      counters = now;
    }
    if ((i + 1) % digestEvery === 0 || i + 1 === options.size) {
      const d = w.digest();
      digests++;
      if (d !== digest) violations.add(`the databases changed during requests ${Math.max(0, i + 1 - digestEvery)}–${i} (seed ${options.seed})`);
      digest = d;
    }
    if ((i + 1) % 1000 === 0) say(`fuzz: ${i + 1}/${options.size} sent, ${violations.count} violations`);
  }
  const fuzzMs = Date.now() - fuzzStarted;

  // The service still answers, and the valid originals of what was broken are accepted.
  const controls = await runControls(w, ctx, client);
  for (const failure of controls.failures) violations.add(`control: ${failure}`);

  const seconds = fuzzMs / 1000;
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  const fieldsCovered = ((ctx.state.get('fields-covered') as Set<string> | undefined) ?? new Set()).size;
  const sent = Object.values(perCategory).reduce((n, c) => n + c.requests, 0);
  const lines = [
    `fuzz: ${sent} hostile requests in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)}/s), ${(bytesSent / 1048576).toFixed(1)} MiB sent; seed ${options.seed}`,
    `statuses: ${Object.entries(statuses).map(([s, n]) => `${s} ×${n}`).join(', ')}`,
    ...CATEGORIES.map((c) => {
      const f = perCategory[c];
      const codes = Object.entries(f.codes).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ');
      return `  ${c.padEnd(15)} ${String(f.requests).padStart(6)}  ${Object.keys(f.variants).length} variants; ${codes}`;
    }),
    `wrong types: ${fieldsCovered} of ${fieldTargets(ctx).length} field paths of the known bodies broken at least once`,
    `writes: none expected; counters checked after every request, ${digests} full digests of every table`,
    `requests carrying personal data: ${canaryRequests}; largest error body: ${largestAnswer} bytes`,
    `answer times: p50 ${quantile(0.5)} ms, p99 ${quantile(0.99)} ms; slowest per category: ${CATEGORIES.map((c) => `${c} ${Math.round(perCategory[c].maxMs)} ms (${slowest.get(c) ?? '-'})`).join(', ')}`,
    `controls: ${controls.passed}/${controls.total} valid originals accepted afterwards`,
  ];
  return {
    campaign: 'fuzz',
    lines,
    figures: {
      seed: options.seed,
      requests: sent,
      durationSeconds: Math.round(seconds * 10) / 10,
      requestsPerSecond: Math.round(sent / seconds),
      mibSent: Math.round((bytesSent / 1048576) * 10) / 10,
      statuses,
      categories: Object.fromEntries(CATEGORIES.map((c) => [c, { requests: perCategory[c].requests, variants: Object.keys(perCategory[c].variants).length, maxMs: Math.round(perCategory[c].maxMs), codes: perCategory[c].codes }])),
      answerMs: { p50: quantile(0.5), p99: quantile(0.99), max: Math.round(latencies.at(-1) ?? 0) },
      fieldPaths: { covered: fieldsCovered, total: fieldTargets(ctx).length },
      digests,
      canaryRequests,
      largestErrorBody: largestAnswer,
      replayedReads: Object.entries(perCategory.replay.variants).reduce((n, [v, k]) => (v.startsWith('read-replay') ? n + k : n), 0),
      generatorMisses: misses,
      controls: { passed: controls.passed, total: controls.total },
      setupAndTotalSeconds: Math.round((Date.now() - started) / 100) / 10,
    },
    violations: violations.list(),
  };
}

/**
 * The valid originals: every signed read the generators broke, a witness's cosignature, and each
 * state-valid statement in an order in which all apply (reads first, while the state is still the
 * campaign's). Each must succeed.
 */
async function runControls(w: FuzzWorld, ctx: FuzzContext, client: WireClient): Promise<{ passed: number; total: number; failures: string[] }> {
  const failures: string[] = [];
  let passed = 0;
  let total = 0;
  const expectStatus = async (what: string, request: WireRequest, ok: readonly number[]) => {
    total++;
    const response = await client.send(request);
    if (response.kind === 'response' && ok.includes(response.status)) passed++;
    else failures.push(`${what}: ${response.kind === 'response' ? `${response.status} ${outcomeOf(response)}` : response.reason}`);
  };
  await expectStatus('GET /healthz', { method: 'GET', target: '/healthz', headers: [] }, [200]);
  await expectStatus('GET /v1/log', { method: 'GET', target: '/v1/log', headers: [] }, [200]);
  await expectStatus('GET /checkpoint', { method: 'GET', target: '/checkpoint', headers: [] }, [200]);
  await expectStatus('inclusion proof', { method: 'GET', target: `/v1/log/proof/inclusion?index=0&size=${ctx.size}`, headers: [] }, [200]);
  for (const read of signedReads(ctx)) {
    const headers = readHeaders(ctx, w.keys[read.signer], read.method, read.target);
    await expectStatus(`${read.method} ${read.target}`, read.body === undefined ? { method: read.method, target: read.target, headers } : postJson(read.target, read.body, [JSON_TYPE, ...headers]), [200]);
  }
  const note = w.latestCheckpoint();
  const line = formatCosignatureLine(signCosignature(note.slice(0, note.indexOf('\n\n') + 1), w.witness, Math.floor(Date.now() / 1000)));
  await expectStatus('a witness cosignature', postJson('/v1/checkpoint/cosignatures', { checkpoint: note, cosignature: line }), [201]);
  for (const label of ['institution-register', 'actor-register', 'key-add', 'rx-submit', 'rx-cancel', 'rx-claim', 'delivery-pickup', 'patient-identify', 'erase-identity', 'actor-suspend', 'key-revoke']) {
    const base = w.bases.find((b) => b.label === label && b.stateValid);
    if (base === undefined) throw new Error(`fuzz: no control statement ${label}`);
    await expectStatus(`${base.action} (${label})`, postJson(base.route, signedBody(freshStatement(ctx, base), w.keys[base.signer])), [201]);
  }
  return { passed, total, failures };
}
