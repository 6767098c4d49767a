/**
 * Duplicate traceability codes: the ledger refuses a dispensing that lists a 药品追溯码 already
 * dispensed and records the signed attempt as `rx.flag` (docs/LIFECYCLE.md §5). Every flag is an
 * alert: counterfeit packs, 回流药 (resold returned drugs) or substitution.
 */
import { alertId } from '../alert-id.js';
import { arr, int, obj, str, type StatementFacts } from '../entry-facts.js';
import type { FoldWriter } from '../fold-writer.js';

export function detectTraceCodeReuse(w: FoldWriter, at: { index: number; time: number }, firstDispensed: unknown, attempt: StatementFacts | undefined, pharmacyId: string | null): void {
  const firsts = arr(firstDispensed).flatMap((raw) => {
    const code = str(obj(raw)?.code);
    const index = int(obj(raw)?.index);
    const prescriptionId = str(obj(raw)?.prescriptionId);
    return code === undefined || index === undefined || prescriptionId === undefined ? [] : [{ code, index, prescriptionId }];
  });
  if (firsts.length === 0) return;
  const codes = [...new Set(firsts.map((f) => f.code))].sort();
  w.alert({
    id: alertId('trace-code-reuse', at.index),
    kind: 'trace-code-reuse',
    time: at.time,
    subject: { kind: 'traceCode', id: codes[0]! },
    summary: codes.length === 1 ? 'a dispensing presented a traceability code that was already dispensed' : `a dispensing presented ${codes.length} traceability codes that were already dispensed`,
    details: {
      codes,
      pharmacistId: attempt?.actor ?? null,
      pharmacyId,
      prescriptionId: str(attempt?.payload.prescriptionId) ?? null,
      firstDispensed: firsts,
    },
    entries: [...new Set([...firsts.map((f) => f.index), at.index])].sort((a, b) => a - b),
  });
}
