/**
 * The race campaign's own reading of the ledger: the safety properties of the prescription
 * lifecycle, judged from the log's entries alone with small checks written here, not with the
 * lifecycle rules (src/domain/prescription/) or the verifier's replay, so a bug there cannot hide
 * itself. Each entry is decoded from its bytes with JSON.parse; windows, fills and quantities are
 * computed here from the prescription as submitted.
 *
 * Properties, per prescription (each broken one is a violation naming the entry's index):
 *   - never two holders at once: a claim while another claim still holds it;
 *   - steps of the holding pharmacy only: review, return, dispense and handover signed by a
 *     pharmacist of the pharmacy that holds it;
 *   - a fill is claimed inside its window, [D + k·I, D + (k+1)·I) (fill 0: [D, D + validityDays)),
 *     never beyond the last fill (1 + the largest repeat count), never one already handed over in
 *     full, never an earlier one than the fill last claimed, and never skipping a fill that is
 *     part-dispensed;
 *   - a dispensing is for the fill claimed, after its review approved it, for lines of that fill,
 *     and what is dispensed per line per fill never exceeds what is prescribed;
 *   - nothing is dispensed or claimed after a cancellation was recorded (pending or immediate);
 *   - no traceability code is dispensed twice, anywhere in the log, and every flag names a code
 *     dispensed before, at the index it gives.
 */
import { decodeUtf8 } from '../../src/core/bytes.js';
import type { ViolationLog } from './campaign-support.js';

const DAY_MS = 86_400_000;
const CST_OFFSET_MS = 8 * 3_600_000;

/** An entry as the log holds it, decoded from its bytes. */
export interface DecodedEntry {
  readonly index: number;
  readonly time: number;
  readonly type: string;
  readonly body: Record<string, unknown>;
}

/** Decodes leaf bytes with JSON.parse (the verifier checks that they are canonical and well-formed). */
export function decodeEntry(data: Uint8Array): DecodedEntry {
  const e = JSON.parse(decodeUtf8(data)) as { index: number; time: number; type: string; body: Record<string, unknown> };
  return { index: e.index, time: e.time, type: e.type, body: e.body };
}

interface FillTrack {
  readonly opensAt: number;
  readonly closesAt: number;
  /** Prescribed millionths per line of this fill. */
  readonly prescribed: Map<number, number>;
  readonly dispensed: Map<number, number>;
  handedOver: boolean;
}

/** What this check derives for a prescription, compared afterwards with what the service serves. */
export interface TrackedPrescription {
  readonly id: string;
  readonly fills: FillTrack[];
  holder: string | null;
  /** The fill last claimed (0 before any claim). */
  fill: number;
  approved: boolean;
  cancelledAt: number | null;
  claims: number;
  dispensings: number;
}

export interface LedgerFigures {
  readonly prescriptions: number;
  readonly claims: number;
  readonly repeatClaims: number;
  readonly dispensings: number;
  readonly repeatDispensings: number;
  readonly cancellations: number;
  readonly returns: number;
  readonly handovers: number;
  readonly flags: number;
  readonly traceCodes: number;
}

/** Millionths of a decimal string with at most six fraction digits; NaN for anything else. */
function micros(decimal: unknown): number {
  if (typeof decimal !== 'string') return Number.NaN;
  const m = /^([0-9]+)(?:\.([0-9]{1,6}))?$/.exec(decimal);
  return m === null ? Number.NaN : Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** 00:00 China Standard Time on `date` (YYYY-MM-DD), in ms. */
function dayStart(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) - CST_OFFSET_MS;
}

interface Item {
  line: number;
  quantity: { value: string };
  repeats?: { count: number; intervalDays: number };
}

function fillsOf(prescription: { encounter: { date: string; validityDays: number }; items: Item[] }): FillTrack[] {
  const d = dayStart(prescription.encounter.date);
  const repeats = Math.max(0, ...prescription.items.map((i) => i.repeats?.count ?? 0));
  const interval = prescription.items.find((i) => i.repeats !== undefined)?.repeats?.intervalDays ?? 0;
  const fills: FillTrack[] = [];
  for (let k = 0; k <= repeats; k++) {
    const lines = prescription.items.filter((i) => k === 0 || (i.repeats?.count ?? 0) >= k);
    fills.push({
      opensAt: d + k * interval * DAY_MS,
      closesAt: k === 0 ? d + prescription.encounter.validityDays * DAY_MS : d + (k + 1) * interval * DAY_MS,
      prescribed: new Map(lines.map((i) => [i.line, micros(i.quantity.value)])),
      dispensed: new Map(lines.map((i) => [i.line, 0])),
      handedOver: false,
    });
  }
  return fills;
}

const owing = (f: FillTrack): number => [...f.prescribed].reduce((sum, [line, q]) => sum + q - (f.dispensed.get(line) ?? 0), 0);

/**
 * Folds the entries (in log order) and reports every broken property to `violations`.
 * `institutionOf` maps each actor to its institution, as the campaign registered them.
 */
export function checkLedger(entries: Iterable<DecodedEntry>, institutionOf: ReadonlyMap<string, string>, violations: ViolationLog): { figures: LedgerFigures; prescriptions: Map<string, TrackedPrescription> } {
  const rxs = new Map<string, TrackedPrescription>();
  const traceCodes = new Map<string, number>();
  const counts = { claims: 0, repeatClaims: 0, dispensings: 0, repeatDispensings: 0, cancellations: 0, returns: 0, handovers: 0, flags: 0 };
  let expectedIndex = 0;

  for (const e of entries) {
    if (e.index !== expectedIndex) violations.add(`ledger: entry ${expectedIndex} is missing from the log as read (got ${e.index})`);
    expectedIndex = e.index + 1;
    if (e.type === 'rx.flag') {
      counts.flags++;
      for (const f of (e.body.firstDispensed ?? []) as Array<{ code: string; index: number }>) {
        if (traceCodes.get(f.code) !== f.index) violations.add(`ledger ${e.index}: a flag says code ${f.code} was dispensed at ${f.index}, but it was ${traceCodes.has(f.code) ? `at ${traceCodes.get(f.code)}` : 'never dispensed'}`);
      }
      continue;
    }
    if (!e.type.startsWith('rx.') || e.type === 'rx.checked') continue;
    const statement = (e.body as { statement: { actor: string; payload: Record<string, unknown> } }).statement;
    const p = statement.payload;
    const signerInstitution = institutionOf.get(statement.actor) ?? null;
    const at = `ledger ${e.index} (${e.type})`;

    if (e.type === 'rx.submit') {
      const prescription = p.prescription as { prescriptionId: string; encounter: { date: string; validityDays: number }; items: Item[] };
      if (rxs.has(prescription.prescriptionId)) violations.add(`${at}: ${prescription.prescriptionId} submitted twice`);
      rxs.set(prescription.prescriptionId, { id: prescription.prescriptionId, fills: fillsOf(prescription), holder: null, fill: 0, approved: false, cancelledAt: null, claims: 0, dispensings: 0 });
      continue;
    }
    const rx = rxs.get(String(p.prescriptionId));
    if (rx === undefined) {
      violations.add(`${at}: a step for ${String(p.prescriptionId)}, which was never submitted`);
      continue;
    }
    const id = `${at} ${rx.id}`;
    const byHolder = (): void => {
      if (rx.holder === null || signerInstitution !== rx.holder) violations.add(`${id}: signed by ${statement.actor} of ${signerInstitution}, while ${rx.holder ?? 'no pharmacy'} holds it`);
    };

    switch (e.type) {
      case 'rx.claim': {
        counts.claims++;
        rx.claims++;
        const k = Number(p.fill);
        if (k > 0) counts.repeatClaims++;
        if (rx.holder !== null) violations.add(`${id}: DOUBLE CLAIM by ${String(p.pharmacyId)} while ${rx.holder} holds it`);
        if (rx.cancelledAt !== null) violations.add(`${id}: claimed after the cancellation at ${rx.cancelledAt}`);
        const fill = rx.fills[k];
        if (fill === undefined) violations.add(`${id}: fill ${k} claimed, beyond the last fill (${rx.fills.length - 1})`);
        else {
          if (e.time < fill.opensAt || e.time >= fill.closesAt) violations.add(`${id}: fill ${k} claimed at ${e.time}, outside its window [${fill.opensAt}, ${fill.closesAt})`);
          if (fill.handedOver) violations.add(`${id}: fill ${k} claimed again after it was handed over in full`);
        }
        if (k < rx.fill) violations.add(`${id}: fill ${k} claimed after fill ${rx.fill}`);
        const current = rx.fills[rx.fill];
        if (k > rx.fill && current !== undefined && [...current.dispensed.values()].some((q) => q > 0) && owing(current) > 0) violations.add(`${id}: fill ${k} claimed while fill ${rx.fill} is part-dispensed`);
        rx.holder = String(p.pharmacyId);
        if (signerInstitution !== rx.holder) violations.add(`${id}: a claim for ${rx.holder} signed by ${statement.actor} of ${signerInstitution}`);
        rx.fill = k;
        rx.approved = false;
        break;
      }
      case 'rx.review':
        byHolder();
        if (Number(p.fill) !== rx.fill) violations.add(`${id}: a review of fill ${String(p.fill)} while fill ${rx.fill} is held`);
        if (p.decision === 'approve') rx.approved = true;
        else rx.holder = null;
        break;
      case 'rx.return':
        counts.returns++;
        byHolder();
        rx.holder = null;
        break;
      case 'rx.dispense': {
        counts.dispensings++;
        rx.dispensings++;
        byHolder();
        if (rx.cancelledAt !== null) violations.add(`${id}: DISPENSED AFTER CANCELLATION (cancelled at ${rx.cancelledAt})`);
        if (!rx.approved) violations.add(`${id}: dispensed before a pharmacist approved the claim`);
        const k = Number(p.fill);
        if (k > 0) counts.repeatDispensings++;
        if (k !== rx.fill) violations.add(`${id}: dispensed on fill ${k} while fill ${rx.fill} is held`);
        const fill = rx.fills[k];
        for (const l of (p.lines ?? []) as Array<{ line: number; quantity: string; traceabilityCodes: string[] }>) {
          for (const code of l.traceabilityCodes) {
            const first = traceCodes.get(code);
            if (first !== undefined) violations.add(`${id}: TRACEABILITY CODE ${code} dispensed again (first at ${first})`);
            else traceCodes.set(code, e.index);
          }
          const prescribed = fill?.prescribed.get(l.line);
          if (fill === undefined || prescribed === undefined) {
            violations.add(`${id}: line ${l.line} dispensed on fill ${k}, which does not include it`);
            continue;
          }
          const total = (fill.dispensed.get(l.line) ?? 0) + micros(l.quantity);
          if (!(total <= prescribed)) violations.add(`${id}: OVER-DISPENSED line ${l.line} of fill ${k}: ${total / 1e6} of ${prescribed / 1e6}`);
          fill.dispensed.set(l.line, total);
        }
        break;
      }
      case 'rx.delivery-assign':
        byHolder();
        break;
      case 'rx.collect':
      case 'rx.delivery-complete': {
        counts.handovers++;
        if (e.type === 'rx.collect') byHolder();
        const fill = rx.fills[rx.fill];
        if (fill !== undefined && owing(fill) === 0) {
          fill.handedOver = true;
          rx.holder = null;
        }
        break;
      }
      case 'rx.cancel':
        counts.cancellations++;
        if (rx.cancelledAt !== null) violations.add(`${id}: cancelled twice (first at ${rx.cancelledAt})`);
        rx.cancelledAt = e.index;
        break;
      default:
        break;
    }
  }
  return { figures: { prescriptions: rxs.size, ...counts, traceCodes: traceCodes.size }, prescriptions: rxs };
}
