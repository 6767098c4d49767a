/**
 * The race campaign (scripts/campaigns/race-campaign.ts), CI-sized: it must hold, and it must have
 * raced what it claims to (claims lost with 409, cancellations racing dispensings, repeats at
 * the edges of their windows, shared traceability codes…), so that it cannot pass vacuously.
 * Before that, each of its own checks is shown to fail on a log or answers that break the
 * property it checks.
 */
import t from 'tap';
import { ViolationLog } from '../../scripts/campaigns/campaign-support.js';
import { checkAnswers } from '../../scripts/campaigns/race-answer-check.js';
import { runRaceCampaign } from '../../scripts/campaigns/race-campaign.js';
import type { Answer } from '../../scripts/campaigns/race-contest.js';
import { compareFinalState, type ServedPrescription } from '../../scripts/campaigns/race-final-state.js';
import { checkLedger, type DecodedEntry } from '../../scripts/campaigns/race-ledger-check.js';
import { Timeline } from '../../scripts/campaigns/race-timeline.js';
import type { PrescriptionRecord } from '../../src/domain/prescription/prescription-record.js';

const DAY = 86_400_000;
/** 2027-03-01 00:00 China Standard Time. */
const D = Date.UTC(2027, 2, 1) - 8 * 3_600_000;
const institutionOf = new Map([
  ['dr-1', 'hosp'],
  ['rph-a', 'ph-a'],
  ['rph-a2', 'ph-a'],
  ['rph-b', 'ph-b'],
]);

/** A small log, entry by entry: a long prescription (fill 0 valid one day, two repeats every 28 days). */
function logOf(...steps: Array<[time: number, type: string, actor: string, payload: Record<string, unknown>]>): DecodedEntry[] {
  const submit: DecodedEntry = {
    index: 0,
    time: D + 9 * 3_600_000,
    type: 'rx.submit',
    body: {
      statement: {
        actor: 'dr-1',
        payload: {
          prescription: {
            prescriptionId: 'rx-t',
            encounter: { date: '2027-03-01', validityDays: 1 },
            items: [
              { line: 1, quantity: { value: '28' }, repeats: { count: 2, intervalDays: 28 } },
              { line: 2, quantity: { value: '7' } },
            ],
          },
        },
      },
    },
  };
  return [submit, ...steps.map(([time, type, actor, payload], i): DecodedEntry => ({ index: i + 1, time, type, body: type === 'rx.flag' ? payload : { statement: { actor, payload: { prescriptionId: 'rx-t', ...payload } } } }))];
}

const at = D + 10 * 3_600_000;
const claim = (time: number, actor: string, pharmacyId: string, fill = 0) => [time, 'rx.claim', actor, { pharmacyId, fill }] as [number, string, string, Record<string, unknown>];
const approve = (actor: string, fill = 0) => [at, 'rx.review', actor, { fill, decision: 'approve' }] as [number, string, string, Record<string, unknown>];
const dispense = (actor: string, fill: number, lines: Array<[number, string, string[]]>, time = at) =>
  [time, 'rx.dispense', actor, { fill, lines: lines.map(([line, quantity, traceabilityCodes]) => ({ line, quantity, traceabilityCodes })) }] as [number, string, string, Record<string, unknown>];
const step = (type: string, actor: string, payload: Record<string, unknown> = {}) => [at, type, actor, payload] as [number, string, string, Record<string, unknown>];
const code = (n: number) => String(n).padStart(20, '0');

function violationsOf(entries: DecodedEntry[]): string[] {
  const v = new ViolationLog();
  checkLedger(entries, institutionOf, v);
  return [...v.list()];
}

t.test('the ledger check passes a legal history and names every broken property', async (t) => {
  const legal = logOf(
    claim(at, 'rph-a', 'ph-a'),
    approve('rph-a'),
    dispense('rph-a', 0, [[1, '13.5', [code(1)]]]),
    step('rx.return', 'rph-a', { fill: 0 }),
    claim(at, 'rph-b', 'ph-b'),
    approve('rph-b'),
    dispense('rph-b', 0, [[1, '14.5', [code(2)]], [2, '7', [code(3)]]]),
    step('rx.collect', 'rph-b', { fill: 0 }),
    claim(D + 28 * DAY, 'rph-a', 'ph-a', 1),
    approve('rph-a', 1),
    dispense('rph-a', 1, [[1, '28', [code(4)]]]),
    step('rx.collect', 'rph-a', { fill: 1 }),
    [at, 'rx.flag', '', { firstDispensed: [{ code: code(4), index: 11 }] }],
  );
  t.same(violationsOf(legal), [], 'a legal history');

  const cases: Array<[string, DecodedEntry[], RegExp]> = [
    ['a second claim while held', logOf(claim(at, 'rph-a', 'ph-a'), claim(at, 'rph-b', 'ph-b')), /DOUBLE CLAIM/],
    ['a claim before fill 1 opens', logOf(claim(at, 'rph-a', 'ph-a'), approve('rph-a'), dispense('rph-a', 0, [[1, '28', []], [2, '7', []]]), step('rx.collect', 'rph-a', { fill: 0 }), claim(D + 28 * DAY - 1, 'rph-a', 'ph-a', 1)), /outside its window/],
    ['a claim after fill 0 closed', logOf(claim(D + DAY, 'rph-a', 'ph-a')), /outside its window/],
    ['a claim beyond the last fill', logOf(claim(at, 'rph-a', 'ph-a', 3)), /beyond the last fill/],
    ['a fill claimed twice', logOf(claim(at, 'rph-a', 'ph-a'), approve('rph-a'), dispense('rph-a', 0, [[1, '28', []], [2, '7', []]]), step('rx.collect', 'rph-a', { fill: 0 }), claim(at, 'rph-a', 'ph-a', 0)), /claimed again after it was handed over/],
    ['a part-dispensed fill skipped', logOf(claim(at, 'rph-a', 'ph-a'), approve('rph-a'), dispense('rph-a', 0, [[1, '1', []]]), step('rx.return', 'rph-a', { fill: 0 }), claim(D + 28 * DAY, 'rph-a', 'ph-a', 1)), /while fill 0 is part-dispensed/],
    ['a dispensing after a pending cancellation', logOf(claim(at, 'rph-a', 'ph-a'), approve('rph-a'), step('rx.cancel', 'dr-1'), dispense('rph-a', 0, [[1, '28', []]])), /DISPENSED AFTER CANCELLATION/],
    ['a claim after a cancellation', logOf(step('rx.cancel', 'dr-1'), claim(at, 'rph-a', 'ph-a')), /claimed after the cancellation/],
    ['over-dispensing a line', logOf(claim(at, 'rph-a', 'ph-a'), approve('rph-a'), dispense('rph-a', 0, [[1, '20', []]]), dispense('rph-a', 0, [[1, '8.000001', []]])), /OVER-DISPENSED line 1 of fill 0/],
    ['a line the fill does not have', logOf(claim(at, 'rph-a', 'ph-a'), approve('rph-a'), dispense('rph-a', 0, [[1, '28', []], [2, '7', []]]), step('rx.collect', 'rph-a', { fill: 0 }), claim(D + 28 * DAY, 'rph-a', 'ph-a', 1), approve('rph-a', 1), dispense('rph-a', 1, [[2, '7', []]])), /line 2 dispensed on fill 1, which does not include it/],
    ['a pack dispensed twice', logOf(claim(at, 'rph-a', 'ph-a'), approve('rph-a'), dispense('rph-a', 0, [[1, '1', [code(7)]]]), dispense('rph-a', 0, [[1, '1', [code(7)]]])), /TRACEABILITY CODE .* dispensed again/],
    ['a dispensing by another pharmacy', logOf(claim(at, 'rph-a', 'ph-a'), approve('rph-a'), dispense('rph-b', 0, [[1, '1', []]])), /signed by rph-b of ph-b, while ph-a holds it/],
    ['a dispensing before review', logOf(claim(at, 'rph-a', 'ph-a'), dispense('rph-a', 0, [[1, '1', []]])), /before a pharmacist approved/],
    ['a dispensing of another fill than the one held', logOf(claim(at, 'rph-a', 'ph-a'), approve('rph-a'), dispense('rph-a', 1, [[1, '1', []]])), /dispensed on fill 1 while fill 0 is held/],
    ['a flag naming a code never dispensed', logOf([at, 'rx.flag', '', { firstDispensed: [{ code: code(9), index: 1 }] }]), /never dispensed/],
    ['two cancellations', logOf(step('rx.cancel', 'dr-1'), step('rx.cancel', 'dr-1')), /cancelled twice/],
  ];
  for (const [what, entries, pattern] of cases) {
    const found = violationsOf(entries);
    t.ok(found.some((v) => pattern.test(v)), `${what}: ${found.join(' | ') || 'no violation'}`);
  }
});

const answer = (over: Partial<Answer>): Answer => ({ rxId: 'rx-t', contest: 0, round: 'claim', action: 'rx.claim', actor: 'rph-a', signature: 'sig-1', status: 201, index: 1, contested: true, ...over });
const entry = (index: number, type: string, signature: string): DecodedEntry => ({ index, time: 0, type, body: type === 'rx.flag' ? { attempt: { signature } } : { signature, statement: {} } });

t.test('the answers check: a 201 is its entry, a refusal wrote nothing, nothing unannounced', async (t) => {
  const check = (answers: Answer[], entries: DecodedEntry[]): string[] => {
    const v = new ViolationLog();
    checkAnswers(answers, entries, v);
    return [...v.list()];
  };
  t.same(check([answer({}), answer({ signature: 'sig-2', status: 409, code: 'RX_HELD_BY_ANOTHER_PHARMACY', index: undefined }), answer({ status: 200, replayed: true })], [entry(1, 'rx.claim', 'sig-1')]), [], 'a winner, a loser, a replay');
  t.match(check([answer({})], []), [/answered 201 .* the log holds it 0 times/], 'a 201 without its entry');
  t.match(check([answer({ index: 2 })], [entry(1, 'rx.claim', 'sig-1')]), [/answered 201 with index 2, but the log holds it at 1/], 'a 201 naming another index');
  t.match(check([answer({ status: 409, code: 'RX_STATE_CONFLICT' })], [entry(1, 'rx.claim', 'sig-1')]), [/refused .* but the log holds it at 1/, /which no client was told was recorded/], 'a refusal that wrote its entry');
  t.match(check([], [entry(1, 'rx.claim', 'sig-9')]), [/which no client was told was recorded/], 'an entry nobody was told about');
  const refusedTrace = answer({ action: 'rx.dispense', status: 409, code: 'RX_TRACE_CODE_DUPLICATE' });
  t.same(check([refusedTrace], [entry(1, 'rx.flag', 'sig-1')]), [], 'a refusal for a reused code, flagged once');
  t.match(check([refusedTrace, refusedTrace], [entry(1, 'rx.flag', 'sig-1'), entry(2, 'rx.flag', 'sig-1')]), [/flagged 2 time\(s\) in the log, not once/], 'an identical retry flagged again');
  t.match(check([refusedTrace], []), [/flagged 0 time\(s\)/], 'a refusal for a reused code without its flag');
  t.match(check([answer({ status: 409, code: 'RX_STATE_CONFLICT' })], [entry(1, 'rx.flag', 'sig-1')]), [/yet a flag records it/, /a flag for a dispensing no client was refused/], 'a flag for another refusal');
});

t.test('the final-state comparison names each field the service and the replay disagree on', async (t) => {
  const record = {
    prescriptionId: 'rx-t',
    state: 'partially-dispensed',
    lastIndex: 7,
    fill: 0,
    holder: 'ph-a',
    cancelPending: false,
    delivery: null,
    fills: [{ number: 0, opensAt: D, closesAt: D + DAY, lines: [{ line: 1, prescribed: 7_000_000, dispensed: 3_500_000 }] }],
  } as unknown as PrescriptionRecord;
  const served: ServedPrescription = { state: 'partially-dispensed', lastIndex: 7, fill: 0, fillCount: 1, cancelPending: false, holder: 'ph-a', courierId: null, fills: [{ number: 0, lines: [{ line: 1, prescribed: '7', dispensed: '3.5' }] }] };
  const tracked = { id: 'rx-t', fills: [{ opensAt: D, closesAt: D + DAY, prescribed: new Map([[1, 7_000_000]]), dispensed: new Map([[1, 3_500_000]]), handedOver: false }], holder: 'ph-a', fill: 0, approved: true, cancelledAt: null, claims: 1, dispensings: 1 };
  const compare = (s: ServedPrescription, r = record, now = D): string[] => {
    const v = new ViolationLog();
    compareFinalState('rx-t', s, r, tracked, now, v);
    return [...v.list()];
  };
  t.same(compare(served), [], 'the same');
  t.match(compare({ ...served, lastIndex: 8 }), [/serves lastIndex 8, the replay of the log gives 7/]);
  t.match(compare({ ...served, holder: 'ph-b' }), [/serves holder "ph-b", the replay/, /serves holder "ph-b", the campaign's reading/]);
  t.match(compare({ ...served, cancelPending: true }), [/cancelPending/, /cancelled true, the campaign's reading of the ledger gives false/]);
  t.match(compare({ ...served, fills: [{ number: 0, lines: [{ line: 1, prescribed: '7', dispensed: '7' }] }] }), [/dispensed on line 1 of fill 0 7000000, the replay/, /dispensed on line 1 of fill 0 7000000, the campaign's/]);
  t.match(compare({ ...served, state: 'active' }, { ...record, state: 'active' }, D + DAY), [/serves state "active", the replay of the log gives "expired"/], 'active past its last window reads expired');
});

t.test('the timeline moves only when every script waits, and never back', async (t) => {
  const timeline = new Timeline(1000, 2);
  const seen: string[] = [];
  await timeline.run([
    async (at) => {
      seen.push(`a@${timeline.clock()}`);
      await new Promise((r) => setTimeout(r, 20));
      seen.push(`a-still@${timeline.clock()}`);
      await at(3000);
      seen.push(`a@${timeline.clock()}`);
    },
    async (at) => {
      await at(2000);
      seen.push(`b@${timeline.clock()}`);
      await at(3000);
      seen.push(`b@${timeline.clock()}`);
    },
    async (at) => {
      seen.push(`c@${timeline.clock()}`);
      await t.rejects(at(500), /before the clock/, 'a script cannot ask for the past');
    },
  ]);
  // c waits for a lane until b waits for its instant; the clock stands while a sleeps, then moves
  // to the earliest instant asked for, and to the next.
  t.same(seen, ['a@1000', 'c@1000', 'a-still@1000', 'b@2000', 'a@3000', 'b@3000']);
  t.equal(timeline.clock(), 3000);
  t.throws(() => timeline.advanceTo(2999), /cannot go back/);
});

t.test('the race campaign holds, and really raced', async (t) => {
  const report = await runRaceCampaign({ size: 11, clients: 3, seed: 2026, maxRepeats: 3 });
  t.same(report.violations, [], 'no violation');
  const f = report.figures as {
    prescriptions: number;
    contestedByAction: Record<string, number>;
    contestsByRound: Record<string, number>;
    refusalCodes: Record<string, number>;
    winners: number;
    losers: number;
    identicalRetriesReplayed: number;
    ledger: { claims: number; repeatClaims: number; dispensings: number; repeatDispensings: number; cancellations: number; returns: number; flags: number };
    finalStates: Record<string, number>;
    verifier: { ok: boolean; entriesVerified: number };
    entries: number;
  };
  t.equal(f.prescriptions, 11);
  for (const action of ['rx.claim', 'rx.return', 'rx.review', 'rx.dispense', 'rx.cancel', 'rx.collect', 'rx.delivery-assign']) t.ok((f.contestedByAction[action] ?? 0) > 0, `contested ${action}: ${f.contestedByAction[action]}`);
  for (const round of ['claim', 'repeat-claim', 'return-vs-claim', 'review', 'dispense', 'dispense-vs-cancel', 'pending-dispense', 'pending-cancel', 'after-cancel', 'trace', 'handover', 'early', 'late', 'expiry']) {
    t.ok((f.contestsByRound[round] ?? 0) > 0, `contests of kind ${round}: ${f.contestsByRound[round]}`);
  }
  // Races really lost, each with the code of its rule.
  for (const code of ['RX_HELD_BY_ANOTHER_PHARMACY', 'RX_STATE_CONFLICT', 'RX_CANCEL_PENDING', 'RX_FILL_WINDOW_NOT_OPEN', 'RX_FILL_WINDOW_CLOSED', 'RX_EXPIRED', 'RX_TRACE_CODE_DUPLICATE']) {
    t.ok((f.refusalCodes[code] ?? 0) > 0, `lost with 409 ${code}: ${f.refusalCodes[code]}`);
  }
  t.ok(f.winners > 0 && f.losers > f.winners, `${f.winners} winners, ${f.losers} losers`);
  t.ok(f.identicalRetriesReplayed > 0, 'identical retries answered as replays');
  t.ok(f.ledger.repeatClaims > 0 && f.ledger.repeatDispensings > 0, 'repeats claimed and dispensed');
  t.ok(f.ledger.cancellations > 0 && f.ledger.returns > 0 && f.ledger.flags > 0, 'cancellations, returns and flags in the ledger');
  t.ok((f.finalStates.cancelled ?? 0) > 0 && (f.finalStates.expired ?? 0) > 0, `final states ${JSON.stringify(f.finalStates)}`);
  t.ok(f.verifier.ok && f.verifier.entriesVerified === f.entries, 'the verifier re-judged every entry');
});
