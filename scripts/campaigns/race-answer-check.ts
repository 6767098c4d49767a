/**
 * Do the service's answers agree with its ledger? Every statement the campaign sent is found (or
 * not) in the log by its signature:
 *   - a `201` is exactly one entry, at the index the answer gave, of the action sent;
 *   - a `200` (an identical retry) names that same entry, and writes no other;
 *   - a refusal wrote nothing: its statement is in no entry, except that a dispensing refused for
 *     a reused traceability code is recorded inside exactly one `rx.flag` (one, however many
 *     times the identical statement was sent);
 *   - and the other way round: every lifecycle entry and every flag in the log is a statement
 *     some client was told was recorded (or flagged). Nothing happens that nobody was told about.
 */
import type { ViolationLog } from './campaign-support.js';
import type { Answer } from './race-contest.js';
import type { DecodedEntry } from './race-ledger-check.js';

export interface AnswerFigures {
  readonly written: number;
  readonly replayed: number;
  readonly refused: number;
  readonly flagged: number;
}

export function checkAnswers(answers: readonly Answer[], entries: readonly DecodedEntry[], violations: ViolationLog): AnswerFigures {
  const bySignature = new Map<string, DecodedEntry[]>();
  const flagsBySignature = new Map<string, number>();
  for (const e of entries) {
    if (e.type === 'rx.flag') {
      const sig = (e.body.attempt as { signature?: string } | undefined)?.signature ?? '';
      flagsBySignature.set(sig, (flagsBySignature.get(sig) ?? 0) + 1);
    } else if (e.type.startsWith('rx.') && e.type !== 'rx.checked') {
      const sig = (e.body as { signature?: string }).signature ?? '';
      bySignature.set(sig, [...(bySignature.get(sig) ?? []), e]);
    }
  }
  const told = new Set<string>();
  const refusedForTrace = new Map<string, number>();
  const figures = { written: 0, replayed: 0, refused: 0, flagged: 0 };
  for (const a of answers) {
    const found = bySignature.get(a.signature) ?? [];
    const where = `${a.rxId} ${a.round}: ${a.action} by ${a.actor}`;
    if (a.status === 201 || (a.status === 200 && a.replayed === true)) {
      if (a.status === 201) figures.written++;
      else figures.replayed++;
      told.add(a.signature);
      if (found.length !== 1) violations.add(`${where} was answered ${a.status} (index ${a.index}) but the log holds it ${found.length} times`);
      else if (found[0]!.index !== a.index || found[0]!.type !== a.action) violations.add(`${where} was answered ${a.status} with index ${a.index}, but the log holds it at ${found[0]!.index} as ${found[0]!.type}`);
      continue;
    }
    figures.refused++;
    if (found.length > 0) violations.add(`${where} was refused (${a.status} ${a.code}) but the log holds it at ${found.map((e) => e.index).join(', ')}`);
    if (a.code === 'RX_TRACE_CODE_DUPLICATE') refusedForTrace.set(a.signature, (refusedForTrace.get(a.signature) ?? 0) + 1);
    else if (flagsBySignature.has(a.signature)) violations.add(`${where} was refused with ${a.code}, yet a flag records it`);
  }
  for (const [sig, refusals] of refusedForTrace) {
    // One attempt, one flag: an identical retry writes nothing, whatever its first answer was.
    const flags = flagsBySignature.get(sig) ?? 0;
    figures.flagged += flags;
    if (flags !== 1) violations.add(`a dispensing refused ${refusals} time(s) for a reused traceability code is flagged ${flags} time(s) in the log, not once`);
  }
  for (const [sig, list] of bySignature) {
    if (!told.has(sig)) violations.add(`the log holds ${list[0]!.type} at ${list.map((e) => e.index).join(', ')}, which no client was told was recorded`);
  }
  for (const sig of flagsBySignature.keys()) {
    if (!refusedForTrace.has(sig)) violations.add('the log holds a flag for a dispensing no client was refused');
  }
  return figures;
}
