/**
 * Reading what the fold needs out of an entry body. The ledger validated every body against its
 * type's schema before recording it, but the fold reads bytes from storage and must never crash
 * or miscount on something unexpected: each accessor checks the shape it relies on and answers
 * undefined otherwise (the entry then counts for nothing).
 */
import type { JsonObject } from '../core/canonical-json.js';

export interface StatementFacts {
  readonly actor: string;
  readonly keyId: string;
  readonly action: string;
  readonly payload: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const int = (v: unknown): number | undefined => (Number.isSafeInteger(v) ? (v as number) : undefined);
export const obj = (v: unknown): Record<string, unknown> | undefined => (isObject(v) ? v : undefined);
export const arr = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** The signed statement an entry body carries (`{statement, signature}`), or that a flag's `attempt` carries. */
export function statementOf(signed: unknown): StatementFacts | undefined {
  const s = obj(obj(signed)?.statement);
  if (s === undefined) return undefined;
  const actor = str(s.actor);
  const keyId = str(s.keyId);
  const action = str(s.action);
  const payload = obj(s.payload);
  if (actor === undefined || keyId === undefined || action === undefined || payload === undefined) return undefined;
  return { actor, keyId, action, payload };
}

export interface ItemFacts {
  readonly line: number;
  readonly drugCode: string;
  readonly genericName: string;
  readonly days: number;
  /** Millionths of the dispensing unit per fill. */
  readonly quantity: string;
  /** Number of repeats (0 without). */
  readonly repeats: number;
  readonly intervalDays: number;
}

export interface SubmissionFacts {
  readonly prescriptionId: string;
  readonly prescriberId: string;
  readonly institutionId: string;
  readonly pseudonym: string;
  readonly encounterDate: string;
  readonly validityDays: number;
  readonly items: readonly ItemFacts[];
  readonly revises: string | undefined;
}

export function submissionOf(payload: Record<string, unknown>): SubmissionFacts | undefined {
  const p = obj(payload.prescription);
  const encounter = obj(p?.encounter);
  const patient = obj(p?.patient);
  if (p === undefined || encounter === undefined || patient === undefined) return undefined;
  const items: ItemFacts[] = [];
  for (const raw of arr(p.items)) {
    const i = obj(raw);
    const repeats = obj(i?.repeats);
    const line = int(i?.line);
    const drugCode = str(i?.drugCode);
    const genericName = str(i?.genericName);
    const days = int(i?.days);
    const quantity = str(obj(i?.quantity)?.value);
    if (line === undefined || drugCode === undefined || genericName === undefined || days === undefined || quantity === undefined) return undefined;
    items.push({ line, drugCode, genericName, days, quantity, repeats: int(repeats?.count) ?? 0, intervalDays: int(repeats?.intervalDays) ?? 0 });
  }
  const prescriptionId = str(p.prescriptionId);
  const prescriberId = str(p.prescriberId);
  const institutionId = str(p.institutionId);
  const pseudonym = str(patient.pseudonym);
  const encounterDate = str(encounter.date);
  const validityDays = int(encounter.validityDays);
  if (prescriptionId === undefined || prescriberId === undefined || institutionId === undefined || pseudonym === undefined || encounterDate === undefined || validityDays === undefined) return undefined;
  return { prescriptionId, prescriberId, institutionId, pseudonym, encounterDate, validityDays, items, revises: str(payload.revises) };
}

export interface FindingFacts {
  readonly ruleId: string;
  readonly action: string;
}

export interface CheckFacts {
  readonly prescriptionId: string;
  readonly submission: number;
  readonly outcome: 'active' | 'awaiting-override' | 'rejected';
  readonly findings: readonly FindingFacts[];
}

export function checkOf(body: JsonObject): CheckFacts | undefined {
  const prescriptionId = str(body.prescriptionId);
  const submission = int(body.submission);
  const outcome = str(body.outcome);
  if (prescriptionId === undefined || submission === undefined || (outcome !== 'active' && outcome !== 'awaiting-override' && outcome !== 'rejected')) return undefined;
  const findings: FindingFacts[] = [];
  for (const raw of arr(body.findings)) {
    const ruleId = str(obj(raw)?.ruleId);
    const action = str(obj(raw)?.action);
    if (ruleId !== undefined && action !== undefined) findings.push({ ruleId, action });
  }
  return { prescriptionId, submission, outcome, findings };
}
