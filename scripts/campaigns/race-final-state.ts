/**
 * Final state equals ledger replay: what the service serves for a prescription
 * (GET /v1/prescriptions/:id) must equal, field by field, the record the independent verifier
 * rebuilt by replaying the log (src/verify/state-replay.ts), and must agree with what the
 * campaign's own reading of the ledger derived (race-ledger-check.ts): who holds it, what was
 * dispensed on each line of each fill, and whether it was cancelled.
 */
import type { PrescriptionRecord } from '../../src/domain/prescription/prescription-record.js';
import type { ViolationLog } from './campaign-support.js';
import type { TrackedPrescription } from './race-ledger-check.js';

/** The fields of GET /v1/prescriptions/:id compared here. */
export interface ServedPrescription {
  readonly state: string;
  readonly lastIndex: number;
  readonly fill: number;
  readonly fillCount: number;
  readonly cancelPending: boolean;
  readonly holder: string | null;
  readonly courierId: string | null;
  readonly fills: ReadonlyArray<{ number: number; lines: ReadonlyArray<{ line: number; prescribed: string; dispensed: string }> }>;
}

function micros(decimal: string): number {
  const m = /^([0-9]+)(?:\.([0-9]{1,6}))?$/.exec(decimal);
  return m === null ? Number.NaN : Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

export function compareFinalState(id: string, served: ServedPrescription, replayed: PrescriptionRecord | undefined, tracked: TrackedPrescription | undefined, now: number, violations: ViolationLog): void {
  if (replayed === undefined) {
    violations.add(`${id}: the service serves it, the verifier's replay does not know it`);
    return;
  }
  const lastWindowEnd = replayed.fills[replayed.fills.length - 1]!.closesAt;
  const replayedState = replayed.state === 'active' && now >= lastWindowEnd ? 'expired' : replayed.state;
  const differ = (what: string, s: unknown, r: unknown): void => {
    if (s !== r) violations.add(`${id}: the service serves ${what} ${JSON.stringify(s)}, the replay of the log gives ${JSON.stringify(r)}`);
  };
  differ('state', served.state, replayedState);
  differ('lastIndex', served.lastIndex, replayed.lastIndex);
  differ('fill', served.fill, replayed.fill);
  differ('fillCount', served.fillCount, replayed.fills.length);
  differ('cancelPending', served.cancelPending, replayed.cancelPending);
  differ('holder', served.holder, replayed.holder);
  differ('courier', served.courierId, replayed.delivery?.courierId ?? null);
  differ('number of fills listed', served.fills.length, replayed.fills.length);
  replayed.fills.forEach((f, k) => {
    const lines = served.fills[k]?.lines ?? [];
    differ(`number of lines of fill ${k}`, lines.length, f.lines.length);
    for (const l of f.lines) {
      const s = lines.find((x) => x.line === l.line);
      differ(`prescribed on line ${l.line} of fill ${k}`, s === undefined ? undefined : micros(s.prescribed), l.prescribed);
      differ(`dispensed on line ${l.line} of fill ${k}`, s === undefined ? undefined : micros(s.dispensed), l.dispensed);
    }
  });
  if (tracked === undefined) {
    violations.add(`${id}: the campaign's reading of the ledger has no submission for it`);
    return;
  }
  const mine = (what: string, s: unknown, t: unknown): void => {
    if (s !== t) violations.add(`${id}: the service serves ${what} ${JSON.stringify(s)}, the campaign's reading of the ledger gives ${JSON.stringify(t)}`);
  };
  mine('holder', served.holder, tracked.holder);
  mine('cancelled', served.cancelPending || served.state === 'cancelled', tracked.cancelledAt !== null);
  tracked.fills.forEach((f, k) => {
    for (const [line, dispensed] of f.dispensed) {
      const s = served.fills[k]?.lines.find((x) => x.line === line);
      mine(`dispensed on line ${line} of fill ${k}`, s === undefined ? undefined : micros(s.dispensed), dispensed);
    }
  });
}
