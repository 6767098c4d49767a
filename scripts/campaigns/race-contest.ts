/**
 * The race campaign's contests: several clients fire statements about one prescription at the
 * same moment, each over its own HTTP request, and every answer is recorded (status, code, the
 * index a write was given, the statement's signature) for the checks made afterwards against the
 * ledger. A contest also states what the service must answer, and any other answer is a
 * violation: how many winners (`201`) there may be, and which refusal codes may name the losers,
 * who must all hear `409`.
 */
import { createLedgerClient, type SubmitResult } from '../../src/client/index.js';
import type { JsonObject } from '../../src/core/canonical-json.js';
import { RxError } from '../../src/core/errors.js';
import type { SignedStatement } from '../../src/core/statement.js';
import type { FastSigner } from '../bench-http/fast-signer.js';
import type { ViolationLog } from './campaign-support.js';

/** One statement a client sends in a contest. */
export interface Attempt {
  readonly signer: FastSigner;
  readonly action: string;
  readonly payload: JsonObject;
  /** A decoy cannot win (wrong fill, wrong pharmacy, …): it is there to be refused under contention. */
  readonly decoy?: boolean;
}

/** What a client heard. */
export interface Answer {
  readonly rxId: string;
  readonly contest: number;
  readonly round: string;
  readonly action: string;
  readonly actor: string;
  readonly signature: string;
  /** HTTP status; 0 when no answer came. */
  readonly status: number;
  readonly code?: string;
  /** The index the statement was recorded at (201, or 200 for an identical retry). */
  readonly index?: number;
  readonly replayed?: boolean;
  readonly lastIndex?: number;
  readonly result?: SubmitResult;
  /** Sent alone (set-up: submissions, courier steps nobody contests) rather than in a contest. */
  readonly contested: boolean;
}

export type WinnerRule = 'one' | 'none' | 'at-most-one';

export interface ContestSpec {
  readonly rxId: string;
  /** The kind of round, for the figures ("claim", "return-vs-claim", …). */
  readonly round: string;
  readonly attempts: readonly Attempt[];
  /** Indexes into `attempts` to send twice, the identical signed statement both times (a client's retry). */
  readonly retries?: readonly number[];
  readonly winners: WinnerRule;
  /** Codes the losers may be refused with. */
  readonly allowed: ReadonlySet<string>;
}

export interface ContestResult {
  readonly answers: readonly Answer[];
  /** The winning attempt's answer, if one won. */
  readonly winner?: Answer & { readonly attempt: Attempt };
}

/** Sends statements and keeps every answer; judges each contest's answers as they come. */
export class Arena {
  readonly answers: Answer[] = [];
  #contests = 0;
  readonly roundCounts: Record<string, number> = {};
  readonly refusalCodes: Record<string, number> = {};
  readonly contestedByAction: Record<string, number> = {};
  winners = 0;
  losers = 0;
  replays = 0;

  constructor(
    private readonly url: string,
    private readonly violations: ViolationLog,
    private readonly rand: () => number,
  ) {}

  get contests(): number {
    return this.#contests;
  }

  /** Sends one statement nobody contests (set-up and follow-through); refusals are violations. */
  async send(rxId: string, round: string, signer: FastSigner, action: string, payload: JsonObject): Promise<Answer> {
    const { signed } = signer.sign(action, payload);
    const answer = await this.#post(signed, { rxId, contest: -1, round, action, actor: signer.actorId, contested: false });
    this.answers.push(answer);
    if (answer.status !== 201) this.violations.add(`${rxId}: an uncontested ${action} (${round}) was answered ${answer.status} ${answer.code ?? ''}`.trimEnd());
    return answer;
  }

  /** Fires every attempt at once and judges the answers against the spec. */
  async contest(spec: ContestSpec): Promise<ContestResult> {
    const contest = this.#contests++;
    this.roundCounts[spec.round] = (this.roundCounts[spec.round] ?? 0) + 1;
    const signed = spec.attempts.map((a) => a.signer.sign(a.action, a.payload).signed);
    const sends: Array<{ attempt: number; statement: SignedStatement }> = signed.map((statement, attempt) => ({ attempt, statement }));
    for (const i of spec.retries ?? []) if (signed[i] !== undefined) sends.push({ attempt: i, statement: signed[i]! });
    // Requests leave in a seeded random order: the first sent tends to be sequenced first.
    shuffle(this.rand, sends);
    const answers = await Promise.all(
      sends.map(({ attempt, statement }) => {
        const a = spec.attempts[attempt]!;
        return this.#post(statement, { rxId: spec.rxId, contest, round: spec.round, action: a.action, actor: a.signer.actorId, contested: true });
      }),
    );
    this.answers.push(...answers);
    for (const a of answers) this.contestedByAction[a.action] = (this.contestedByAction[a.action] ?? 0) + 1;
    return this.#judge(spec, sends.map((s) => s.attempt), answers);
  }

  #judge(spec: ContestSpec, attemptOf: readonly number[], answers: readonly Answer[]): ContestResult {
    const where = `${spec.rxId} ${spec.round} #${answers[0]?.contest ?? '?'}`;
    const won = answers.map((a, i) => ({ a, i })).filter(({ a }) => a.status === 201);
    this.winners += won.length;
    for (const { a, i } of won) {
      if (spec.attempts[attemptOf[i]!]!.decoy === true) this.violations.add(`${where}: a decoy ${a.action} by ${a.actor} won (index ${a.index})`);
    }
    if (spec.winners === 'one' && won.length !== 1) this.violations.add(`${where}: ${won.length} winners where exactly one must win (${summary(answers)})`);
    if (spec.winners === 'none' && won.length !== 0) this.violations.add(`${where}: ${won.length} winners where none may win (${summary(answers)})`);
    if (spec.winners === 'at-most-one' && won.length > 1) this.violations.add(`${where}: ${won.length} winners where at most one may win (${summary(answers)})`);
    answers.forEach((a, i) => {
      if (a.status === 201) return;
      if (a.status === 200 && a.replayed === true) {
        this.replays++;
        // An identical retry is answered with the original's index; the original must have won.
        const original = won.find(({ i: j }) => attemptOf[j] === attemptOf[i]);
        if (original === undefined || original.a.index !== a.index) this.violations.add(`${where}: a retried ${a.action} was answered as a replay of index ${a.index}, which no attempt of it won`);
        return;
      }
      this.losers++;
      const code = a.code ?? `HTTP_${a.status}`;
      this.refusalCodes[code] = (this.refusalCodes[code] ?? 0) + 1;
      if (a.status !== 409) this.violations.add(`${where}: a losing ${a.action} by ${a.actor} heard ${a.status} ${code}, not 409`);
      else if (!spec.allowed.has(code)) this.violations.add(`${where}: a losing ${a.action} by ${a.actor} was refused with ${code}, which does not name a rule of this race (${[...spec.allowed].join(', ')})`);
    });
    const first = won[0];
    return first === undefined ? { answers } : { answers, winner: { ...first.a, attempt: spec.attempts[attemptOf[first.i]!]! } };
  }

  async #post(signed: SignedStatement, base: Omit<Answer, 'signature' | 'status'>): Promise<Answer> {
    let status = 0;
    const client = createLedgerClient(this.url, {
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        status = res.status;
        return res;
      },
    });
    const signature = signed.signature;
    try {
      const result = await client.submit(signed);
      return { ...base, signature, status, index: result.index, replayed: result.replayed, lastIndex: result.lastIndex, result };
    } catch (err) {
      if (!(err instanceof RxError)) throw err;
      if (status === 0 || status >= 500) this.violations.add(`${base.rxId}: ${base.action} by ${base.actor} got no proper answer (${status} ${err.code})`);
      return { ...base, signature, status, code: err.code };
    }
  }
}

function summary(answers: readonly Answer[]): string {
  return answers.map((a) => `${a.action}/${a.actor}→${a.status}${a.code ? ` ${a.code}` : ''}`).join('; ');
}

function shuffle<T>(rand: () => number, xs: T[]): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
}
