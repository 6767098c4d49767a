/**
 * The ledger's derived state in memory: the verifier's replay state, and the reference the SQLite
 * projection is tested against. Registry, prescriptions and the active rule set, applied from the same mutations the
 * rules return.
 */
import type { StateMutation } from './admission.js';
import type { ActiveRuleSet } from './checker/rule-set-activation.js';
import { MemoryRegistry } from './registry/memory-registry.js';
import { FINAL_STATES, livePrescriptionOf, type PrescriptionRecord, type PrescriptionView } from './prescription/prescription-record.js';

export class MemoryState extends MemoryRegistry implements PrescriptionView {
  readonly #prescriptions = new Map<string, PrescriptionRecord>();
  readonly #byPatient = new Map<string, Set<string>>();
  readonly #codes = new Map<string, { prescriptionId: string; index: number }>();
  #activeRuleSet: ActiveRuleSet | undefined;

  prescription(id: string) {
    return this.#prescriptions.get(id);
  }
  livePrescriptionsOf(pseudonym: string, exceptId: string) {
    return [...(this.#byPatient.get(pseudonym) ?? [])]
      .filter((id) => id !== exceptId)
      .map((id) => this.#prescriptions.get(id)!)
      .filter((rx) => rx.state !== 'submitted' && !FINAL_STATES.has(rx.state))
      .map(livePrescriptionOf);
  }
  traceabilityCode(code: string) {
    return this.#codes.get(code);
  }
  activeRuleSet() {
    return this.#activeRuleSet;
  }
  /** Every prescription, for comparing with the SQLite projection. */
  prescriptions(): PrescriptionRecord[] {
    return [...this.#prescriptions.values()];
  }

  override apply(mutations: readonly StateMutation[]): void {
    for (const m of mutations) {
      if (m.kind === 'rx-put') {
        this.#prescriptions.set(m.record.prescriptionId, m.record);
        const ids = this.#byPatient.get(m.record.pseudonym) ?? new Set();
        ids.add(m.record.prescriptionId);
        this.#byPatient.set(m.record.pseudonym, ids);
      } else if (m.kind === 'rx-trace-codes') {
        for (const code of m.codes) this.#codes.set(code, { prescriptionId: m.prescriptionId, index: m.index });
      } else if (m.kind === 'rule-set') this.#activeRuleSet = { hash: m.hash, policy: m.policy };
      else super.apply([m]);
    }
  }
}
