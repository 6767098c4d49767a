import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { PatientIdentitySchema, PrescriptionSchema, type Prescription } from '../../schemas/prescription.js';
import { entryBodySchema, entrySchemaFile, renderSchemas, STATEMENT_PAYLOADS } from '../../scripts/emit-schemas.js';
import { ENTRY_BODY_SCHEMAS, RESERVED_ENTRY_TYPES } from '../../src/domain/entry-types.js';
import { GENESIS_OPERATOR_TYPE } from '../../src/domain/registry/registry-entry-types.js';
import { actionDocs, exampleStatement, signerRole } from '../../src/http/openapi/action-examples.js';

export const EXAMPLE: Prescription = {
  prescriptionId: 'rx-20260101-hosp-a-000001',
  prescriberId: 'dr-li',
  institutionId: 'hosp-jinan-1',
  encounter: { type: 'outpatient', date: '2026-01-01', longPrescription: false, validityDays: 1 },
  patient: {
    pseudonym: 'a'.repeat(64),
    identityCommitment: 'b'.repeat(64),
    birthDate: '1958-03-02',
    sex: 'female',
    weightKg: '61.5',
    pregnancy: 'no',
    lactation: false,
    allergies: [{ substance: 'penicillin', group: 'beta-lactam', reaction: '皮疹' }],
    renal: { egfr: '52' },
    diagnoses: [{ icd10: 'I10', text: '原发性高血压' }, { icd10: 'E11.9', text: '2型糖尿病' }],
  },
  items: [
    { line: 1, drugCode: 'XC09CAA001', genericName: '缬沙坦胶囊', form: 'capsule', strength: { value: '80', unit: 'mg' }, dose: { value: '80', unit: 'mg' }, frequency: 'qd', route: 'oral', days: 7, quantity: { value: '1', unit: '盒' } },
    { line: 2, drugCode: 'XA10BAA001', genericName: '二甲双胍片', form: 'tablet', strength: { value: '0.5', unit: 'g' }, dose: { value: '0.5', unit: 'g' }, frequency: 'tid', route: 'oral', days: 7, quantity: { value: '1', unit: '盒' } },
  ],
};

t.test('a complete prescription parses', async (t) => {
  t.same(PrescriptionSchema.parse(EXAMPLE), EXAMPLE);
  const leapDay = { ...EXAMPLE, encounter: { ...EXAMPLE.encounter, date: '2028-02-29' }, patient: { ...EXAMPLE.patient, birthDate: '2028-02-29', weightKg: '0.9' } };
  t.ok(PrescriptionSchema.safeParse(leapDay).success, 'a leap day, a newborn seen on the day of birth, a weight under a kilogram');
  const small = { ...EXAMPLE, items: [{ ...EXAMPLE.items[0]!, dose: { value: '0.000125', unit: 'mg' } }] };
  t.ok(PrescriptionSchema.safeParse(small).success, 'a dose of a few micrograms');
  const shortest = { ...EXAMPLE, encounter: { ...EXAMPLE.encounter, longPrescription: true, validityDays: 3 }, items: [{ ...EXAMPLE.items[0]!, repeats: { count: 1, intervalDays: 3 } }] };
  t.ok(PrescriptionSchema.safeParse(shortest).success, 'a repeat opening the day the first fill closes');
});

t.test('bad prescriptions name the field at fault', async (t) => {
  const cases: [string, unknown, string][] = [
    ['float dose', { ...EXAMPLE, items: [{ ...EXAMPLE.items[0]!, dose: { value: 80.5, unit: 'mg' } }] }, 'items.0.dose.value'],
    ['validity beyond 3 days', { ...EXAMPLE, encounter: { ...EXAMPLE.encounter, validityDays: 4 } }, 'encounter.validityDays'],
    ['unknown route', { ...EXAMPLE, items: [{ ...EXAMPLE.items[0]!, route: 'ear' }] }, 'items.0.route'],
    ['bad ICD-10', { ...EXAMPLE, patient: { ...EXAMPLE.patient, diagnoses: [{ icd10: 'i10', text: 'x' }] } }, 'patient.diagnoses.0.icd10'],
    ['no age', { ...EXAMPLE, patient: { ...EXAMPLE.patient, birthDate: undefined } }, 'patient.birthDate'],
    ['duplicate lines', { ...EXAMPLE, items: [EXAMPLE.items[0]!, EXAMPLE.items[0]!] }, 'items'],
    ['repeats outside a long prescription', { ...EXAMPLE, items: [{ ...EXAMPLE.items[0]!, repeats: { count: 2, intervalDays: 28 } }] }, 'items'],
    [
      'a repeat interval shorter than the validity (the second fill would open while the first is open)',
      { ...EXAMPLE, encounter: { ...EXAMPLE.encounter, longPrescription: true, validityDays: 3 }, items: [{ ...EXAMPLE.items[0]!, repeats: { count: 1, intervalDays: 2 } }] },
      'items',
    ],
    ['a name smuggled into the patient context', { ...EXAMPLE, patient: { ...EXAMPLE.patient, name: '王五' } }, 'patient'],
    ['no items', { ...EXAMPLE, items: [] }, 'items'],
    ['a day that does not exist', { ...EXAMPLE, patient: { ...EXAMPLE.patient, birthDate: '2020-02-30' } }, 'patient.birthDate'],
    ['29 February of a common year', { ...EXAMPLE, encounter: { ...EXAMPLE.encounter, date: '2025-02-29' } }, 'encounter.date'],
    ['born after the day of issue', { ...EXAMPLE, patient: { ...EXAMPLE.patient, birthDate: '2999-01-01' } }, 'patient.birthDate'],
    ['a quantity of nothing', { ...EXAMPLE, items: [{ ...EXAMPLE.items[0]!, quantity: { value: '0', unit: '盒' } }] }, 'items.0.quantity.value'],
    ['a dose of nothing', { ...EXAMPLE, items: [{ ...EXAMPLE.items[0]!, dose: { value: '0.000', unit: 'mg' } }] }, 'items.0.dose.value'],
    ['a strength of nothing', { ...EXAMPLE, items: [{ ...EXAMPLE.items[0]!, strength: { value: '0', unit: 'mg' } }] }, 'items.0.strength.value'],
    ['a weight of nothing', { ...EXAMPLE, patient: { ...EXAMPLE.patient, weightKg: '0' } }, 'patient.weightKg'],
  ];
  for (const [what, value, path] of cases) {
    const r = PrescriptionSchema.safeParse(value);
    t.notOk(r.success, what);
    if (!r.success) t.ok(r.error.issues.some((i) => i.path.join('.') === path), `${what}: ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  t.notOk(PatientIdentitySchema.safeParse({ name: '王五', nationalId: '37010219580302123' }).success, 'a 17-digit national id');
});

t.test('the committed JSON Schema files match the zod sources (run `npm run schemas`)', async (t) => {
  const rendered = renderSchemas();
  for (const [file, text] of Object.entries(rendered)) {
    t.equal(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8'), text, file);
  }
  // Every *.schema.json under schemas/ is emitted: none is left over from a model or an entry type that went away.
  const committed = (readdirSync(new URL('../../schemas/', import.meta.url), { recursive: true }) as string[])
    .map((file) => file.split(sep).join('/'))
    .filter((file) => file.endsWith('.schema.json'))
    .sort();
  t.same(committed, Object.keys(rendered).sort(), 'no stale schema file');
});

t.test('every entry type has the JSON Schema of its body, made from the schema the ledger validates with', async (t) => {
  const rendered = renderSchemas();
  for (const type of Object.keys(ENTRY_BODY_SCHEMAS)) {
    const schema = JSON.parse(rendered[entrySchemaFile(type)] ?? 'null') as { title?: string; properties?: { statement?: { properties?: { action?: { const?: string } } } } } | null;
    t.equal(schema?.title, type, `${type}: ${entrySchemaFile(type)}`);
    const statement = Object.hasOwn(STATEMENT_PAYLOADS, type);
    t.equal(statement, !RESERVED_ENTRY_TYPES.has(type) || type === GENESIS_OPERATOR_TYPE, `${type}: a signed statement unless a ledger record`);
    if (statement) t.equal(schema?.properties?.statement?.properties?.action?.const, type, `${type}: the statement's action is the entry type`);
  }
  // The emitted schema of a signed statement spells out what the ledger's checks inside a
  // refinement (signedStatementBody): both must judge a body alike.
  const docs = actionDocs() as Record<string, { examples: ReadonlyArray<{ payload: unknown }> }>;
  let n = 0;
  for (const [action, doc] of Object.entries(docs)) {
    const emitted = entryBodySchema(action);
    const ledger = ENTRY_BODY_SCHEMAS[action]!;
    for (const { payload } of doc.examples) {
      const body = exampleStatement('rxledger.localhost/ledger', n++, signerRole(action), action, payload);
      const p = body.statement.payload as Record<string, unknown>;
      const variants: [string, unknown, boolean][] = [
        ['the example', body, true],
        ['an unknown payload member', { ...body, statement: { ...body.statement, payload: { ...p, surplus: 1 } } }, false],
        ['another action', { ...body, statement: { ...body.statement, action: action === 'rx.cancel' ? 'rx.collect' : 'rx.cancel' } }, false],
        ...Object.keys(p).map((key): [string, unknown, boolean] => {
          const { [key]: _, ...rest } = p;
          return [`without ${key}`, { ...body, statement: { ...body.statement, payload: rest } }, ledger.safeParse({ ...body, statement: { ...body.statement, payload: rest } }).success];
        }),
      ];
      for (const [what, value, accepted] of variants) {
        t.equal(ledger.safeParse(value).success, accepted, `${action}, ${what}: the ledger's schema`);
        t.equal(emitted.safeParse(value).success, accepted, `${action}, ${what}: the emitted schema agrees`);
      }
    }
  }
  t.ok(n > Object.keys(docs).length - 1, 'every submittable action was tried');
});
