/**
 * The load generator of `npm run bench:http`: `node:http` over keep-alive connections to
 * 127.0.0.1, every request a distinct pre-serialised body. Two shapes:
 *
 *   - closed loop (`runClosedLoop`): a fixed number of requests in flight; each answer sends the
 *     next request. Measures throughput. Latency is from send to the end of the answer.
 *   - open loop (`runOpenLoop`): requests are sent on a fixed timetable (request i is due at
 *     start + i / rate) whatever the server does, and latency is measured from the time a request
 *     was DUE, not from when it was actually sent, so a stalled server (or a late load generator)
 *     shows as latency instead of silently lowering the offered rate (coordinated omission).
 *
 * Every answer's status is counted; the benchmark fails if any differs from the expected one.
 */
import { Agent, request } from 'node:http';

export interface Target {
  readonly url: URL;
  readonly agent: Agent;
}

export function createTarget(url: string, path: string, maxSockets: number): Target {
  return { url: new URL(path, url), agent: new Agent({ keepAlive: true, maxSockets, scheduling: 'fifo' }) };
}

export interface PhaseResult {
  readonly requests: number;
  /** From the first send (or the first due time) to the last answer. */
  readonly seconds: number;
  readonly perSecond: number;
  /** Per request, ms, in the order requests were sent. */
  readonly latenciesMs: Float64Array;
  /** Answers by status code; transport errors under `error`. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Answers whose status was not the expected one, and transport errors. */
  readonly failures: number;
  /** The first failure's status and body, for the error message. */
  readonly firstFailure?: string;
  /** Open loop only: how late the load generator sent requests (p99 and max, ms). */
  readonly sendLagP99Ms?: number;
  readonly sendLagMaxMs?: number;
}

export interface PhaseOptions {
  readonly expectStatus: number;
  /** Called with the body of every expected answer (only the warm-up looks at bodies). */
  readonly inspect?: (body: string) => void;
}

interface Answer {
  readonly status: number;
  readonly body?: string;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Posts `body`; the answer's body is read only if `keepBody(status)` says so. */
function post(target: Target, body: Buffer, keepBody: (status: number) => boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      target.url,
      { agent: target.agent, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        const status = res.statusCode ?? 0;
        res.on('error', reject);
        if (!keepBody(status)) {
          res.on('end', () => resolve({ status }));
          res.resume();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Counts statuses and failures; an answer's body is read only when it is needed. */
class Tally {
  readonly statuses: Record<string, number> = {};
  failures = 0;
  firstFailure: string | undefined;
  readonly #keepBody: (status: number) => boolean;

  constructor(readonly options: PhaseOptions) {
    this.#keepBody = options.inspect === undefined ? (status) => status !== options.expectStatus : () => true;
  }

  async send(target: Target, body: Buffer): Promise<void> {
    let answer: Answer;
    try {
      answer = await post(target, body, this.#keepBody);
    } catch (err) {
      this.#fail('error', err instanceof Error ? err.message : String(err));
      return;
    }
    this.statuses[answer.status] = (this.statuses[answer.status] ?? 0) + 1;
    if (answer.status !== this.options.expectStatus) this.#fail(String(answer.status), answer.body ?? '');
    else if (this.options.inspect !== undefined) this.options.inspect(answer.body ?? '');
  }

  #fail(status: string, detail: string): void {
    if (status === 'error') this.statuses.error = (this.statuses.error ?? 0) + 1;
    this.failures += 1;
    this.firstFailure ??= `${status}: ${detail.slice(0, 500)}`;
  }
}

/** Sends every body once with `concurrency` requests in flight. */
export async function runClosedLoop(target: Target, bodies: readonly Buffer[], concurrency: number, options: PhaseOptions): Promise<PhaseResult> {
  const tally = new Tally(options);
  const latencies = new Float64Array(bodies.length);
  let next = 0;
  const start = nowMs();
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const i = next++;
      const t = nowMs();
      await tally.send(target, bodies[i]!);
      latencies[i] = nowMs() - t;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  const seconds = (nowMs() - start) / 1000;
  return result(bodies.length, seconds, latencies, tally);
}

/** Sends body i at start + i / rate (ms resolution); latency counts from that due time. */
export async function runOpenLoop(target: Target, bodies: readonly Buffer[], ratePerSec: number, options: PhaseOptions): Promise<PhaseResult> {
  const tally = new Tally(options);
  const n = bodies.length;
  const latencies = new Float64Array(n);
  const lags = new Float64Array(n);
  const intervalMs = 1000 / ratePerSec;
  const start = nowMs() + 20;
  const inFlight: Array<Promise<void>> = [];
  await new Promise<void>((resolve) => {
    let i = 0;
    const dispatch = (): void => {
      const now = nowMs();
      // Everything that is due goes out now: a timer that fires late sends a burst, it does not
      // push the timetable back.
      while (i < n && start + i * intervalMs <= now) {
        const k = i++;
        const due = start + k * intervalMs;
        lags[k] = now - due;
        inFlight.push(tally.send(target, bodies[k]!).then(() => void (latencies[k] = nowMs() - due)));
      }
      if (i < n) setTimeout(dispatch, Math.max(0, start + i * intervalMs - nowMs()));
      else resolve();
    };
    setTimeout(dispatch, Math.max(0, start - nowMs()));
  });
  await Promise.all(inFlight);
  const seconds = (nowMs() - start) / 1000;
  const sortedLags = Float64Array.from(lags).sort();
  return { ...result(n, seconds, latencies, tally), sendLagP99Ms: percentile(sortedLags, 99), sendLagMaxMs: sortedLags[n - 1] ?? 0 };
}

function result(requests: number, seconds: number, latenciesMs: Float64Array, tally: Tally): PhaseResult {
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    latenciesMs,
    statuses: tally.statuses,
    failures: tally.failures,
    ...(tally.firstFailure === undefined ? {} : { firstFailure: tally.firstFailure }),
  };
}

/** Nearest-rank percentile of an ascending-sorted sample. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
