/**
 * GET /openapi.json against the routes the app really registers, the error table, the statement
 * actions and the zod schemas: a route, error code or action added without documentation fails
 * here. Examples are checked with the zod schemas and by posting them to the real service, where
 * they must pass every schema check and be refused only for their placeholder keys.
 */
import t from 'tap';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino } from 'pino';
import { z } from 'zod';
import { createReadSigner, createStatementSigner } from '../../src/client/index.js';
import { loadConfig } from '../../src/config.js';
import { encodeBase64 } from '../../src/core/bytes.js';
import { parseCheckpoint } from '../../src/core/checkpoint.js';
import { ERROR_CODES } from '../../src/core/errors.js';
import { parseSignedNote } from '../../src/core/signed-note.js';
import { SignedStatementSchema } from '../../src/core/statement.js';
import { parseTlogProof } from '../../src/core/tlog-proof.js';
import { ENTRY_BODY_SCHEMAS, RESERVED_ENTRY_TYPES } from '../../src/domain/entry-types.js';
import { REGISTRY_PAYLOADS } from '../../src/domain/registry/registry-model.js';
import { createApp, QUEUE_PAGE_MAX } from '../../src/http/app.js';
import { HTTP_STATUS } from '../../src/http/error-status.js';
import {
  buildOpenApiDocument,
  ErrorBodySchema,
  RESPONSE_SCHEMAS,
  type ExampleObject,
  type MediaTypeObject,
  type OpenApiDocument,
  type OperationObject,
  type Reference,
  type ResponseObject,
} from '../../src/http/openapi.js';
import { readActorKey } from '../../src/keys/actor-key-file.js';
import { genesisOperatorKeyPath } from '../../src/ledger/genesis-operator.js';
import { startService } from '../../src/service.js';
import { LIFECYCLE_PAYLOADS } from '../../schemas/lifecycle.js';
import { PatientIdentitySchema } from '../../schemas/prescription.js';
import { buildTestLedger } from '../support/test-ledger.js';
import { testReaders } from '../support/test-readers.js';
import { testdirWithStops } from '../support/testdir.js';
import { CheckRequestSchema } from '../../src/http/checker-routes.js';
import { CosignatureSubmissionSchema } from '../../src/http/witness-routes.js';
import { OrderSignRequestSchema } from '../../src/domain/checker/cds-hooks.js';

/** Every `METHOD /path` Fastify registered, read from printRoutes' radix tree; HEAD twins of GETs dropped. */
function registeredRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const segments: string[] = [];
  for (const line of app.printRoutes().split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (m === null) continue;
    segments.length = m[1]!.length / 4;
    segments.push(m[2]!);
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method} ${segments.join('')}`);
  }
  return routes.sort();
}

type Method = 'get' | 'post';
function operations(doc: OpenApiDocument): Array<{ id: string; path: string; method: Method; op: OperationObject }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    (Object.entries(item) as [Method, OperationObject][]).map(([method, op]) => ({ id: `${method.toUpperCase()} ${path}`, path, method, op })),
  );
}
const fastifyPath = (path: string): string => path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
const documentedRoutes = (doc: OpenApiDocument): string[] => operations(doc).map(({ method, path }) => `${method.toUpperCase()} ${fastifyPath(path)}`).sort();

const isRef = (value: unknown): value is Reference => typeof value === 'object' && value !== null && typeof (value as Reference).$ref === 'string';
function resolve<T>(doc: OpenApiDocument, value: T | Reference): T {
  if (!isRef(value)) return value;
  let node: unknown = doc;
  for (const part of value.$ref.replace(/^#\//, '').split('/')) node = (node as Record<string, unknown>)[part];
  if (node === undefined) throw new Error(`unresolved ${value.$ref}`);
  return node as T;
}

async function fullService(dir: string) {
  const dataDir = join(dir, 'data');
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
  const service = await startService(config, { logger: pino({ level: 'silent' }) });
  return { service, config, dataDir };
}

const docOptions = (origin: string) => ({ origin, entriesPageMax: 1000, queuePageMax: QUEUE_PAGE_MAX });

t.test('the service serves its document as JSON, built once and deterministically', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { service, config } = await fullService(dir);
  stopBeforeRemoval(() => service.stop());
  const res = await service.app.inject('/openapi.json');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  t.equal(res.headers['cache-control'], 'no-cache');
  const doc = res.json() as OpenApiDocument;
  t.match(doc.openapi, /^3\.1\.\d+$/);
  const options = { origin: service.ledger.origin, entriesPageMax: config.entriesPageMax, queuePageMax: QUEUE_PAGE_MAX };
  t.equal(res.body, JSON.stringify(buildOpenApiDocument(options)), 'the served bytes are the built document');
  t.equal(JSON.stringify(buildOpenApiDocument(options)), JSON.stringify(buildOpenApiDocument(options)), 'building is deterministic');
  t.equal((await service.app.inject('/openapi.json')).body, res.body, 'and served identically every time');
});

t.test('every registered route is documented, and every documented path is a route', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { service } = await fullService(dir);
  stopBeforeRemoval(() => service.stop());
  const doc = (await service.app.inject('/openapi.json')).json() as OpenApiDocument;
  const registered = registeredRoutes(service.app);
  t.ok(registered.includes('GET /v1/receipts/:index') && registered.includes('POST /v1/statements'), 'the route listing is read correctly');
  t.same(documentedRoutes(doc), registered);
  for (const { method, path } of operations(doc)) t.ok(service.app.hasRoute({ method: method.toUpperCase() as 'GET' | 'POST', url: fastifyPath(path) }), `${method} ${path}`);
  for (const { id, path, op } of operations(doc)) {
    const inPath = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]);
    t.same((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name), inPath, `${id}: path parameters`);
  }

  // An app serving only the log documents only the log.
  const readers = testReaders();
  const { ledger } = await buildTestLedger(dir, 3); // beside the service's data directory (a second t.testdir() would empty it under the service)
  const logOnly = await createApp({ ledger, entriesPageMax: 10, bodyLimitBytes: 1024 * 1024, readAuth: readers.readAuth, logger: false });
  stopBeforeRemoval(async () => {
    await logOnly.close();
    await ledger.close();
  });
  t.same(documentedRoutes((await logOnly.inject('/openapi.json')).json()), registeredRoutes(logOnly), 'log-only app');
});

t.test('every error code has an example under the response of its status', async (t) => {
  const doc = JSON.parse(JSON.stringify(buildOpenApiDocument(docOptions('rxledger.localhost/ledger')))) as OpenApiDocument;
  const examplesOf = (response: ResponseObject): Record<string, ExampleObject> => response.content?.['application/json']?.examples ?? {};
  for (const code of ERROR_CODES) {
    const response = doc.components.responses[`Error${HTTP_STATUS[code]}`];
    const example = response === undefined ? undefined : examplesOf(response)[code];
    if (example === undefined) {
      t.fail(`${code}: no example under Error${HTTP_STATUS[code]}`);
      continue;
    }
    const body = ErrorBodySchema.parse(example.value);
    t.equal(body.error.code, code, code);
    t.ok(example.summary.length > 0, `${code}: summary`);
    t.equal(doc['x-rxledger-error-codes'][code]?.status, HTTP_STATUS[code], `${code}: in the code table`);
  }
  for (const [name, response] of Object.entries(doc.components.responses)) {
    for (const example of Object.values(examplesOf(response))) {
      const { code } = ErrorBodySchema.parse(example.value).error;
      t.equal(`Error${HTTP_STATUS[code]}`, name, `${code} sits under its own status`);
    }
  }

  // Operations reference error responses under their own status; every status the service can
  // send is referenced somewhere (502 is raised only by the client SDK and the verifier).
  const referenced = new Set<number>();
  for (const { id, op } of operations(doc)) {
    for (const [status, response] of Object.entries(op.responses)) {
      const resolved = resolve(doc, response);
      t.ok(resolved.description.length > 0, `${id} ${status}: described`);
      if (isRef(response) && response.$ref.startsWith('#/components/responses/')) {
        t.equal(response.$ref, `#/components/responses/Error${status}`, `${id} ${status}`);
        referenced.add(Number(status));
      }
    }
  }
  const statuses = [...new Set(Object.values(HTTP_STATUS))].sort();
  t.same(statuses.filter((s) => !referenced.has(s)), [502], 'every status but the client-side 502 is reachable from an operation');
});

t.test('every statement action has a payload schema and valid examples', async (t) => {
  const doc = JSON.parse(JSON.stringify(buildOpenApiDocument(docOptions('rxledger.localhost/ledger')))) as OpenApiDocument;
  const post = doc.paths['/v1/statements']?.post;
  const documented = post?.['x-rxledger-actions'] ?? {};
  const examples = Object.entries(post?.requestBody?.content['application/json']?.examples ?? {});
  const payloads: Record<string, z.ZodType> = { ...REGISTRY_PAYLOADS, ...LIFECYCLE_PAYLOADS };
  // What the ledger accepts from an appender: every entry type that it does not write itself.
  const submittable = Object.keys(ENTRY_BODY_SCHEMAS).filter((type) => !RESERVED_ENTRY_TYPES.has(type));
  const required = [...new Set([...Object.keys(payloads).filter((a) => a !== 'registry.genesis-operator'), ...submittable])].sort();
  t.same(Object.keys(documented).sort(), required, 'x-rxledger-actions lists exactly the submittable actions');
  const statementRequest = doc.components.schemas.StatementRequest as { allOf: [unknown, { properties: { statement: { oneOf: Array<{ properties: { action: { const: string } } }> } } }] };
  t.same(statementRequest.allOf[1].properties.statement.oneOf.map((o) => o.properties.action.const).sort(), required, 'the request schema selects a payload for each');
  for (const action of required) {
    t.ok(doc.components.schemas[`payload.${action}`], `${action}: payload schema`);
    t.equal(documented[action]?.payload.$ref, `#/components/schemas/payload.${action}`, `${action}: mapped to its schema`);
    const mine = examples.filter(([, e]) => (e.value as { statement?: { action?: string } }).statement?.action === action);
    t.ok(mine.length > 0, `${action}: has an example`);
    t.same(documented[action]?.examples, mine.map(([name]) => name), `${action}: its examples are listed`);
    for (const [name, example] of mine) {
      const signed = SignedStatementSchema.parse(example.value);
      const payload = payloads[action];
      if (payload !== undefined) t.ok(payload.safeParse(signed.statement.payload).success, `${name}: payload passes its zod schema`);
      const entry = ENTRY_BODY_SCHEMAS[action]?.safeParse(example.value);
      t.ok(entry?.success, `${name}: passes the entry schema the ledger applies`);
    }
  }
});

t.test('every body the ledger writes itself has its schema in the document', async (t) => {
  const doc = JSON.parse(JSON.stringify(buildOpenApiDocument(docOptions('rxledger.localhost/ledger')))) as OpenApiDocument;
  // Reserved types that are not signed statements (the genesis operator's is a statement; its payload is documented).
  const records = [...RESERVED_ENTRY_TYPES].filter((type) => type !== 'registry.genesis-operator').sort();
  t.ok(records.includes('ledger.rule-set') && records.includes('rx.checked'), 'the records include the rule-set activation and the check result');
  for (const type of records) t.ok(doc.components.schemas[`entry.${type}`], `${type}: body schema`);
});

t.test('every request body example passes the zod schema of its route', async (t) => {
  const doc = JSON.parse(JSON.stringify(buildOpenApiDocument(docOptions('rxledger.localhost/ledger')))) as OpenApiDocument;
  // The schema each write is parsed with. A new request body needs an entry here.
  const validators: Record<string, (body: unknown) => boolean> = {
    'POST /v1/statements': (body) => {
      const signed = SignedStatementSchema.safeParse(body);
      if (!signed.success || RESERVED_ENTRY_TYPES.has(signed.data.statement.action)) return false;
      return ENTRY_BODY_SCHEMAS[signed.data.statement.action]?.safeParse(body).success === true;
    },
    // src/patients/patient-service.ts: a signed `patient.identify` statement with `{ identity }`.
    // src/http/checker-routes.ts and cds-hooks-routes.ts.
    'POST /v1/checks': (body) => CheckRequestSchema.safeParse(body).success,
    'POST /cds-services/rxledger-order-sign': (body) => OrderSignRequestSchema.safeParse(body).success,
    // src/http/witness-routes.ts.
    'POST /v1/checkpoint/cosignatures': (body) => CosignatureSubmissionSchema.safeParse(body).success,
    'POST /v1/patients': (body) => {
      const signed = SignedStatementSchema.safeParse(body);
      return signed.success && signed.data.statement.action === 'patient.identify' && z.strictObject({ identity: PatientIdentitySchema }).safeParse(signed.data.statement.payload).success;
    },
  };
  let count = 0;
  for (const { id, op } of operations(doc)) {
    if (op.requestBody === undefined) continue;
    const validate = validators[id];
    t.ok(validate, `${id}: the test knows its request schema`);
    for (const [type, media] of Object.entries(op.requestBody.content) as [string, MediaTypeObject][]) {
      t.equal(type, 'application/json', `${id}: JSON body`);
      const examples = Object.entries(media.examples ?? {});
      t.ok(examples.length > 0, `${id}: has examples`);
      for (const [name, example] of examples) {
        count++;
        t.ok(validate?.(example.value), `${id} example ${name}`);
      }
    }
  }
  t.ok(count > 0);
});

t.test('the real service accepts the shape of every example and answers as documented', async (t) => {
  const { dir, stopBeforeRemoval } = testdirWithStops(t);
  const { service, dataDir } = await fullService(dir);
  stopBeforeRemoval(() => service.stop());
  const app = service.app;
  const doc = (await app.inject('/openapi.json')).json() as OpenApiDocument;
  const origin = service.ledger.origin;

  // Placeholder keys are unknown: an example that passes every schema check is refused with
  // AUTH_KEY_UNKNOWN, never with REQUEST_INVALID or ENTRY_BODY_INVALID, and writes nothing.
  const before = service.ledger.size();
  for (const path of ['/v1/statements', '/v1/patients'] as const) {
    const examples = doc.paths[path]?.post?.requestBody?.content['application/json']?.examples ?? {};
    for (const [name, example] of Object.entries(examples)) {
      const res = await app.inject({ method: 'POST', url: path, payload: example.value as object });
      t.same([res.statusCode, res.json().error?.code], [401, 'AUTH_KEY_UNKNOWN'], `${path} ${name}`);
    }
  }
  t.equal(service.ledger.size(), before, 'nothing was written');

  // Documented success examples match the documented response schemas.
  const schemaFor = (media: MediaTypeObject): z.ZodType | undefined => {
    const name = isRef(media.schema) ? media.schema.$ref.replace('#/components/schemas/', '') : undefined;
    return name !== undefined && Object.hasOwn(RESPONSE_SCHEMAS, name) ? RESPONSE_SCHEMAS[name as keyof typeof RESPONSE_SCHEMAS] : undefined;
  };
  for (const { id, op } of operations(doc)) {
    for (const [status, response] of Object.entries(op.responses)) {
      if (isRef(response)) continue;
      for (const [type, media] of Object.entries(response.content ?? {})) {
        if (media.example === undefined) continue;
        if (type === 'application/json') {
          const schema = schemaFor(media);
          t.ok(schema?.safeParse(media.example).success, `${id} ${status} example`);
        } else if (id === 'GET /checkpoint' || id === 'GET /checkpoint/cosigned') {
          t.equal(parseCheckpoint(parseSignedNote(media.example as string).text).origin, origin, `${id}: a well-formed signed checkpoint`);
        } else {
          t.equal(parseTlogProof(media.example as string).index, 1040, `${id}: a well-formed tlog-proof`);
        }
      }
    }
  }

  // Live answers match the documented schemas.
  const live = async (schema: z.ZodType, request: string | InjectOptions, status = 200) => {
    const res = await app.inject(request);
    t.equal(res.statusCode, status, JSON.stringify(request));
    const parsed = schema.safeParse(res.json());
    t.ok(parsed.success, `${JSON.stringify(request)}: ${parsed.success ? 'matches' : JSON.stringify(parsed.error.issues)}`);
    return res.json();
  };
  const size = service.ledger.size();
  await live(RESPONSE_SCHEMAS.Health, '/healthz');
  await live(RESPONSE_SCHEMAS.LogInfo, '/v1/log');
  await live(RESPONSE_SCHEMAS.InclusionProof, `/v1/log/proof/inclusion?index=0&size=${size}`);
  await live(RESPONSE_SCHEMAS.ConsistencyProof, `/v1/log/proof/consistency?from=1&to=${size}`);
  await live(RESPONSE_SCHEMAS.Receipt, '/v1/receipts/0');

  const gk = readActorKey(genesisOperatorKeyPath(dataDir));
  const operator = createStatementSigner({ origin, actorId: gk.actorId, seed: gk.seed });
  const submit = (signed: object, status = 201) => live(RESPONSE_SCHEMAS.StatementResult, { method: 'POST', url: '/v1/statements', payload: signed }, status);
  const first = operator.sign('registry.institution-register', { institutionId: 'reg-sd', kind: 'regulator', name: '山东省卫生健康委员会', region: '370000', licence: 'GOV-37' });
  await submit(first);
  await submit(first, 200);
  const enrol = async (actorId: string, role: string, institution: [string, string], seedByte: number, extra: Record<string, unknown> = {}) => {
    const [institutionId, kind] = institution;
    if (institutionId !== 'reg-sd') {
      await submit(operator.sign('registry.institution-register', { institutionId, kind, name: 'X', region: '370102', licence: 'L-1' }));
    }
    await submit(operator.sign('registry.actor-register', { actorId, role, institutionId, name: 'X', ...extra }));
    const seed = new Uint8Array(32).fill(seedByte);
    await submit(operator.sign('registry.key-add', { actorId, publicKey: encodeBase64(createStatementSigner({ origin, actorId, seed }).publicKey), notBefore: 0 }));
    return seed;
  };
  const regulator = createReadSigner({ seed: await enrol('reg-auditor', 'regulator', ['reg-sd', 'regulator'], 31) });
  const asRegulator = (url: string) => ({ method: 'GET' as const, url, headers: regulator('GET', url) });
  await live(RESPONSE_SCHEMAS.EntryPage, asRegulator(`/v1/log/entries?start=0&end=${service.ledger.size()}`));
  await live(RESPONSE_SCHEMAS.PharmacyQueuePage, asRegulator('/v1/pharmacies/ph-any/queue?limit=5'));

  const courierSeed = await enrol('cr-test', 'courier', ['dl-test', 'delivery-company'], 32);
  const courier = createReadSigner({ seed: courierSeed });
  await live(RESPONSE_SCHEMAS.CourierAssignments, { method: 'GET', url: '/v1/couriers/cr-test/assignments', headers: courier('GET', '/v1/couriers/cr-test/assignments') });

  const privileges = { narcotic: false, psychotropicI: false, psychotropicII: false, antimicrobialGrade: 'none' };
  const drSeed = await enrol('dr-test', 'prescriber', ['hosp-test', 'hospital'], 33, { licence: 'L', title: 'T', department: 'D', privileges });
  const doctor = createStatementSigner({ origin, actorId: 'dr-test', seed: drSeed });
  const identify = doctor.sign('patient.identify', { identity: { name: '张三', nationalId: '370102196103140012' } });
  await live(RESPONSE_SCHEMAS.PatientIdentifyResult, { method: 'POST', url: '/v1/patients', payload: identify }, 201);

  // Errors, live, are exactly the documented examples.
  const errorExample = (code: string) => resolve(doc, doc.components.responses[`Error${HTTP_STATUS[code as keyof typeof HTTP_STATUS]}`]!).content?.['application/json']?.examples?.[code]?.value;
  t.same((await live(ErrorBodySchema, '/v1/nothing', 404)) as unknown, errorExample('ROUTE_NOT_FOUND'));
  t.same((await live(ErrorBodySchema, '/v1/log/entries?start=0&end=1', 401)) as unknown, errorExample('AUTH_REQUIRED'));
});

t.test('every $ref in the document resolves', async (t) => {
  const doc = JSON.parse(JSON.stringify(buildOpenApiDocument(docOptions('rxledger.localhost/ledger')))) as OpenApiDocument;
  const refs = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') refs.add(value);
        else walk(value);
      }
    }
  };
  walk(doc);
  t.ok(refs.size > 50);
  for (const $ref of refs) t.doesNotThrow(() => resolve(doc, { $ref }), $ref);
});
