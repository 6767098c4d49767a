/**
 * Properties of the checker over the STARTER knowledge base, on prescriptions drawn by a seeded
 * PRNG from real starter names (fixtures/starter-inputs.ts):
 *
 *   - interaction symmetry: swapping two lines' contents gives the same findings, lines swapped;
 *     every ingredient–ingredient rule fires in both orders;
 *   - the order of the items (and of the other prescriptions) does not matter;
 *   - adding an unrelated drug never removes a finding;
 *   - determinism: the same input gives byte-identical results, in this process and in another
 *     one (a child process in another time zone and locale, another TypeScript loader).
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { canonicalJson } from '../../../src/core/canonical-json.js';
import { LOCAL_ROUTES } from '../../../src/domain/checker/check-context.js';
import type { CompiledIngredient } from '../../../src/domain/checker/compiled-knowledge.js';
import { ingredientsOf, resolveLine } from '../../../src/domain/checker/drug-resolution.js';
import { runCheck, type CheckInput, type CheckResult, type RuleFinding } from '../../../src/domain/prescription/checker.js';
import type { PrescriptionItem } from '../../../schemas/prescription.js';
import { check, line, rx } from './check-harness.js';
import { CROSS_PROCESS_SEEDS, fixedInput, lineFor, pools, random, randomInput } from './fixtures/starter-inputs.js';
import { starterRuleSet } from './starter-rule-set.js';

const ruleSet = starterRuleSet();
const k = ruleSet.knowledge;
const p = pools(k);
const SEEDS = Array.from({ length: 150 }, (_, n) => n + 1);

const run = (input: CheckInput): CheckResult => runCheck(ruleSet, input);
const withItems = (input: CheckInput, items: PrescriptionItem[]): CheckInput => ({ ...input, prescription: { ...input.prescription, items } });
/** Findings as a multiset: their canonical JSON, sorted. */
const multiset = (findings: readonly RuleFinding[]): string[] => findings.map((f) => canonicalJson(f)).sort();
const OUTCOME_RANK = { active: 0, 'awaiting-override': 1, rejected: 2 } as const;

t.test('the generated prescriptions exercise most rules (so the properties are not vacuous)', async (t) => {
  const categories = new Map<string, number>();
  for (const seed of SEEDS) for (const f of run(randomInput(seed, p)).findings) categories.set(f.category, (categories.get(f.category) ?? 0) + 1);
  for (const category of ['interaction', 'duplicate', 'dose', 'renal', 'allergy', 'disease', 'pregnancy', 'geriatric', 'regulatory', 'route']) {
    t.ok((categories.get(category) ?? 0) >= 5, `${category}: ${categories.get(category) ?? 0} findings`);
  }
});

/** The finding `f` with lines `a` and `b` swapped: its lines renamed, and drug/with exchanged when their order flips. */
function swapped(f: RuleFinding, a: number, b: number): RuleFinding {
  const rename = (l: number) => (l === a ? b : l === b ? a : l);
  const lines = f.lines.map(rename).sort((x, y) => x - y);
  const e = f.evidence;
  const flips = f.lines.length === 2 && rename(f.lines[0]!) > rename(f.lines[1]!);
  return { ...f, lines, evidence: flips && 'drug' in e && 'with' in e ? { ...e, drug: e.with!, with: e.drug! } : e };
}

t.test('symmetry: swapping two lines\' contents swaps the lines of the findings', async (t) => {
  let pairs = 0;
  for (const seed of SEEDS) {
    const input = randomInput(seed, p);
    const items = input.prescription.items;
    if (items.length < 2) continue;
    const r = random(seed * 7919);
    const [x, y] = r.shuffle(items).slice(0, 2) as [PrescriptionItem, PrescriptionItem];
    const exchanged = items.map((i) => (i.line === x.line ? { ...y, line: x.line } : i.line === y.line ? { ...x, line: y.line } : i));
    const before = run(input).findings;
    const after = run(withItems(input, exchanged)).findings;
    pairs += before.filter((f) => f.category === 'interaction' && f.lines.length === 2).length;
    t.same(multiset(after), multiset(before.map((f) => swapped(f, x.line, y.line))), `seed ${seed}: lines ${x.line} ⇄ ${y.line}`);
  }
  t.ok(pairs >= 10, `interactions between two lines were swapped (${pairs})`);
});

t.test('symmetry: every ingredient–ingredient interaction rule fires in both orders', async (t) => {
  const systemicRoute = (i: CompiledIngredient) => i.data.routes.find((r) => !LOCAL_ROUTES.has(r));
  const lineOf = (n: number, i: CompiledIngredient) => line(n, i.data.name.zh, { form: i.data.forms[0]!, route: systemicRoute(i)!, dose: { value: '1', unit: i.data.doseUnit }, days: 1, quantity: { value: '1', unit: '片' } });
  let checked = 0;
  for (const rule of k.bundle.interactions) {
    if (!('ingredient' in rule.a) || !('ingredient' in rule.b)) continue;
    const a = k.ingredients.get(rule.a.ingredient)!;
    const b = k.ingredients.get(rule.b.ingredient)!;
    if (systemicRoute(a) === undefined || systemicRoute(b) === undefined) continue;
    const forward = check(ruleSet, rx({ items: [lineOf(1, a), lineOf(2, b)] })).findings.filter((f) => f.ruleId === rule.id);
    const backward = check(ruleSet, rx({ items: [lineOf(1, b), lineOf(2, a)] })).findings.filter((f) => f.ruleId === rule.id);
    t.same(forward.map((f) => [f.lines, f.evidence]), [[[1, 2], { drug: a.data.id, with: b.data.id }]], `${rule.id}: ${a.data.id} then ${b.data.id}`);
    t.same(backward.map((f) => [f.lines, f.evidence]), [[[1, 2], { drug: b.data.id, with: a.data.id }]], `${rule.id}: ${b.data.id} then ${a.data.id}`);
    checked++;
  }
  t.ok(checked >= 50, `${checked} ingredient pair rules`);
});

t.test('the order of the items and of the other prescriptions does not change the result', async (t) => {
  for (const seed of SEEDS) {
    const input = randomInput(seed, p);
    const r = random(seed * 104729);
    const permuted: CheckInput = { ...withItems(input, r.shuffle(input.prescription.items)), others: r.shuffle(input.others).map((o) => ({ ...o })) };
    const a = run(input);
    const b = run(permuted);
    t.equal(canonicalJson(b.findings), canonicalJson(a.findings), `seed ${seed}: findings`);
    t.equal(b.outcome, a.outcome, `seed ${seed}: outcome`);
  }
});

t.test('the order of the drugs on another prescription does not change the result', async (t) => {
  const warfarin = line(1, '华法林钠片', { dose: { value: '2.5', unit: 'mg' } });
  const a = check(ruleSet, rx({ items: [warfarin] }), { others: [{ prescriptionId: 'rx-other-a', institutionId: 'hosp-b', prescriberId: 'dr-b', items: [{ drugCode: 'X1', genericName: '布洛芬片', route: 'oral', days: 7 }, { drugCode: 'X2', genericName: '萘普生片', route: 'oral', days: 7 }] }] });
  const b = check(ruleSet, rx({ items: [warfarin] }), { others: [{ prescriptionId: 'rx-other-a', institutionId: 'hosp-b', prescriberId: 'dr-b', items: [{ drugCode: 'X2', genericName: '萘普生片', route: 'oral', days: 7 }, { drugCode: 'X1', genericName: '布洛芬片', route: 'oral', days: 7 }] }] });
  t.equal(a.findings.length, 2);
  t.equal(canonicalJson(b.findings), canonicalJson(a.findings));
});

/** The ingredients a check input involves: its lines' components and the other prescriptions' drugs. */
function involved(input: CheckInput): CompiledIngredient[] {
  const own = input.prescription.items.flatMap((i) => resolveLine(k, i).components.map((c) => c.ingredient));
  const theirs = input.others.flatMap((o) => o.items.flatMap((i) => ingredientsOf(k, i.drugCode, i.genericName)));
  return [...own, ...theirs];
}

/** Whether `u` has no interaction, duplicate or allergy rule with anything in `input` (checked on the knowledge, not the engine). */
function unrelated(u: CompiledIngredient, input: CheckInput): boolean {
  if (u.data.control !== 'none' || u.data.antimicrobial !== undefined) return false;
  if (u.refs.some((ref) => k.allergyMembers.has(ref))) return false;
  const names = new Set([u.data.id, u.data.name.zh, ...u.data.aliases, u.data.name.en.toLowerCase()]);
  if (input.prescription.patient.allergies.some((a) => names.has(a.substance.trim().toLowerCase()))) return false;
  return involved(input).every((x) => {
    if (x.data.id === u.data.id) return false;
    const xRefs = new Set(x.refs);
    if (u.refs.some((ref) => (k.interactions.get(ref) ?? []).some((e) => xRefs.has(e.other)))) return false;
    return !u.classes.some((c) => x.classes.includes(c) && k.classes.get(c)!.duplicateTherapy !== undefined);
  });
}

t.test('adding an unrelated drug never removes or changes a finding', async (t) => {
  let added = 0;
  for (const seed of SEEDS) {
    const input = randomInput(seed, p, 4);
    const r = random(seed * 15485863);
    const candidates = r.shuffle(p.ingredients);
    const u = candidates.find((c) => unrelated(c, input));
    if (u === undefined) continue;
    const n = Math.max(...input.prescription.items.map((i) => i.line)) + 1;
    const extra = { ...lineFor(r, u, n), days: 1, quantity: { value: '1', unit: '片' } };
    const before = run(input);
    const after = run(withItems(input, [...input.prescription.items, extra]));
    const remaining = [...multiset(after.findings)];
    for (const f of multiset(before.findings)) {
      const at = remaining.indexOf(f);
      if (at === -1) t.fail(`seed ${seed}: adding ${u.data.id} removed or changed ${f}`);
      else remaining.splice(at, 1);
    }
    const foreign = remaining.filter((f) => canonicalJson((JSON.parse(f) as RuleFinding).lines) !== canonicalJson([n]));
    t.same(foreign, [], `seed ${seed}: the new findings (${remaining.length}) are about ${u.data.id} alone`);
    t.ok(OUTCOME_RANK[after.outcome] >= OUTCOME_RANK[before.outcome], `seed ${seed}: the outcome is not milder`);
    added++;
  }
  t.ok(added >= 100, `${added} prescriptions had an unrelated drug added`);
});

t.test('determinism: the same input twice gives byte-identical results', async (t) => {
  for (const seed of SEEDS) {
    const input = randomInput(seed, p);
    const first = canonicalJson(run(input));
    t.equal(canonicalJson(run(input)), first, `seed ${seed}: again`);
    t.equal(canonicalJson(run(JSON.parse(JSON.stringify(input)) as CheckInput)), first, `seed ${seed}: from a JSON copy`);
  }
});

t.test('determinism across processes: a child process in another time zone and locale prints the same bytes', async (t) => {
  const fixed = run(fixedInput());
  const categories = new Set(fixed.findings.map((f) => f.category));
  t.ok(categories.size >= 8 && fixed.findings.length >= 15, `the fixed input raises ${fixed.findings.length} findings in ${categories.size} categories`);
  const expected = [fixed, ...CROSS_PROCESS_SEEDS.map((seed) => run(randomInput(seed, p)))].map((r) => canonicalJson(r));

  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const script = fileURLToPath(new URL('./fixtures/print-findings.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, '--print'], {
    cwd: root,
    env: { ...process.env, TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = stdout.trimEnd().split('\n');
  t.equal(lines.length, expected.length, 'one result per input');
  lines.forEach((l, n) => t.equal(l, expected[n], n === 0 ? 'the fixed input' : `seed ${CROSS_PROCESS_SEEDS[n - 1]}`));
});
