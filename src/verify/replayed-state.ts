/**
 * The derived state the verifier's replay reached, with what the comparison against a source's
 * state tables needs besides the in-memory state itself (derived-state-check.ts): which entry last
 * wrote each registry record, the nonce every statement spent (by entry index), how many
 * statements and traceability codes the log recorded, and every rule-set activation.
 *
 * It observes the mutations the replay applies, in log order, just before they are applied; it
 * decides nothing. The extra memory is one array slot per entry and one map entry per registry
 * record, and the list of traceability codes; the statements' other fields and the prescriptions
 * are read from the MemoryState.
 */
import type { StateMutation } from '../domain/admission.js';
import type { CheckPolicy } from '../domain/prescription/checker.js';
import { MemoryState } from '../domain/memory-state.js';

export interface ReplayedActivation {
  readonly index: number;
  readonly hash: string;
  readonly policy: CheckPolicy;
}

/** A registry record's identity in `writers`: its kind and id. */
export type RegistryRecordKind = 'institution' | 'actor' | 'key' | 'setting';

export class ReplayedState {
  readonly state = new MemoryState();
  /** Rule-set activations in log order. */
  readonly activations: ReplayedActivation[] = [];
  /** Index of the last `ledger.checkpoint-keys` entry, if any. */
  keysEntryIndex: number | null = null;
  #statements = 0;
  /** Every traceability code dispensed, in log order (the strings the state's own map holds). */
  readonly #traceCodes: string[] = [];
  /** The nonce the statement at each entry index spent; undefined where an entry spent none. */
  readonly #nonceAt: Array<string | undefined> = [];
  readonly #writers = new Map<string, number>();

  /** Notes what `mutations` (about to be applied for the entry at `index`) write. */
  observe(mutations: readonly StateMutation[], index: number): void {
    for (const m of mutations) {
      switch (m.kind) {
        case 'institution':
          this.#writers.set(`institution\n${m.record.institutionId}`, index);
          break;
        case 'actor':
          this.#writers.set(`actor\n${m.record.actorId}`, index);
          break;
        case 'actor-suspended':
          this.#writers.set(`actor\n${m.actorId}`, index);
          break;
        case 'key':
          this.#writers.set(`key\n${m.record.keyId}`, index);
          break;
        case 'key-revoked':
          this.#writers.set(`key\n${m.keyId}`, index);
          break;
        case 'auth-policy':
          this.#writers.set('setting\ntimestampWindowMs', index);
          break;
        case 'statement':
          this.#statements++;
          this.#nonceAt[m.index] = m.nonce;
          break;
        case 'rx-trace-codes':
          // A code already dispensed is refused before it gets here; counted once all the same.
          for (const code of m.codes) if (this.state.traceabilityCode(code) === undefined) this.#traceCodes.push(code);
          break;
        case 'rule-set':
          this.activations.push({ index: m.index, hash: m.hash, policy: m.policy });
          break;
        case 'rx-put':
          break; // the record carries its own lastIndex
      }
    }
  }

  /** Observes and applies one entry's mutations. */
  apply(mutations: readonly StateMutation[], index: number): void {
    this.observe(mutations, index);
    this.state.apply(mutations);
  }

  /** The index of the entry that last wrote a registry record, if the log wrote it. */
  writer(kind: RegistryRecordKind, id: string): number | undefined {
    return this.#writers.get(`${kind}\n${id}`);
  }

  /** The nonce spent by the statement at `index`, if that entry carried one the replay accepted. */
  nonceAt(index: number): string | undefined {
    return Number.isSafeInteger(index) && index >= 0 ? this.#nonceAt[index] : undefined;
  }

  get statementCount(): number {
    return this.#statements;
  }

  /** Indexes of the entries whose statements the replay accepted, in log order. */
  *statementIndexes(): Iterable<number> {
    for (let i = 0; i < this.#nonceAt.length; i++) if (this.#nonceAt[i] !== undefined) yield i;
  }

  /** One more than the highest entry index that spent a nonce (0 if none did). */
  get statementSpan(): number {
    return this.#nonceAt.length;
  }

  get traceCodeCount(): number {
    return this.#traceCodes.length;
  }

  traceCodes(): readonly string[] {
    return this.#traceCodes;
  }
}
