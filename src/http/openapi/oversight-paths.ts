/**
 * The oversight paths in the OpenAPI document (src/http/oversight-routes.ts, docs/OVERSIGHT.md):
 * statistics for 处方点评 and alerts for regulators. Every parameter has an example; every error
 * status refers to the shared error responses, which carry an example for each code.
 */
import { z } from 'zod';
import { ALERT_KINDS, DIMENSIONS, FIGURES, TURNAROUNDS, type Alert } from '../../oversight/oversight-model.js';
import { GRAINS } from '../../oversight/periods.js';
import { ALERTS_PAGE_DEFAULT, ALERTS_PAGE_MAX, DEFAULT_PERIODS, MAX_PERIODS, STATS_PAGE_MAX } from '../oversight-routes.js';
import { EXAMPLE_ACTORS, EXAMPLE_DAY, EXAMPLE_TIME, exampleHex256 } from './action-examples.js';
import { errors } from './error-responses.js';
import { json, param, SIGNED_READ } from './helpers.js';
import type { OperationObject } from './types.js';

const asOf = { index: 1056, time: EXAMPLE_TIME };
const zeroCounts = Object.fromEntries(FIGURES.map((f) => [f, 0]));
const noTurnaround = { count: 0, meanMs: null, p50Ms: null, p90Ms: null };

/** One row as the service renders it (src/oversight/stats-rows.ts). */
const exampleRow = {
  key: EXAMPLE_ACTORS.prescriber,
  period: EXAMPLE_DAY,
  counts: { ...zeroCounts, submitted: 42, approved: 35, warned: 6, blocked: 2, overrideRequested: 5, overridden: 4, rejected: 2, cancelled: 1, claimed: 36, reviewApproved: 35, refused: 1, returned: 1, dispensed: 33, partiallyDispensed: 1, delivered: 20, deliveryFailed: 1, collected: 12 },
  overrideReasons: { 'chronic-stable-patient': 3, monitored: 1 },
  deliveryFailureReasons: { 'patient-unreachable': 1 },
  refusalReasons: { interaction: 1 },
  returnReasons: { 'out-of-stock': 1 },
  cancelReasons: { 'clinical-change': 1 },
  turnaround: {
    ...Object.fromEntries(TURNAROUNDS.map((m) => [m, noTurnaround])),
    submitToCheck: { count: 42, meanMs: 0, p50Ms: 0, p90Ms: 0 },
    submitToClaim: { count: 36, meanMs: 2_712_000, p50Ms: 1_863_094, p90Ms: 6_099_223 },
    submitToDispense: { count: 34, meanMs: 4_051_000, p50Ms: 3_288_941, p90Ms: 8_865_299 },
    dispenseToDelivered: { count: 20, meanMs: 9_380_000, p50Ms: 8_865_299, p90Ms: 15_656_011 },
  },
};

const patient = exampleHex256('patient pseudonym');
const exampleAlerts: Alert[] = [
  {
    id: 'doctor-shopping-1052-3f9a1c2e',
    kind: 'doctor-shopping',
    time: EXAMPLE_TIME,
    subject: { kind: 'patient', id: patient },
    summary: '3 prescribers wrote benzodiazepine prescriptions for one patient within 30 days',
    details: { drugClass: 'benzodiazepine', prescribers: ['dr-li', 'dr-wang', 'dr-zhou'], prescriptions: 3, windowDays: 30, threshold: 3 },
    entries: [812, 944, 1052],
  },
  {
    id: 'trace-code-reuse-1049',
    kind: 'trace-code-reuse',
    time: EXAMPLE_TIME - 60_000,
    subject: { kind: 'traceCode', id: '81234567890123456789' },
    summary: 'a dispensing presented a traceability code that was already dispensed',
    details: { codes: ['81234567890123456789'], pharmacistId: EXAMPLE_ACTORS.pharmacist, pharmacyId: 'ph-lixia-3', prescriptionId: 'rx-hosp-jinan-1-20260105-000123', firstDispensed: [{ code: '81234567890123456789', index: 733, prescriptionId: 'rx-hosp-jinan-1-20260104-000077' }] },
    entries: [733, 1049],
  },
];
const nextCursor = Buffer.from(JSON.stringify(['a', 1])).toString('base64url');

export function oversightPaths(): Record<string, Partial<Record<'get' | 'post', OperationObject>>> {
  const statsExample = {
    asOf,
    by: 'prescriber',
    period: 'day',
    from: '2025-12-07',
    to: EXAMPLE_DAY,
    utcOffset: '+08:00',
    rows: [exampleRow],
    next: Buffer.from(JSON.stringify([EXAMPLE_DAY, EXAMPLE_ACTORS.prescriber])).toString('base64url'),
  };
  const summaryExample = {
    asOf,
    total: 2,
    kinds: { ...Object.fromEntries(ALERT_KINDS.map((k) => [k, { count: 0, latest: null }])), 'doctor-shopping': { count: 1, latest: EXAMPLE_TIME }, 'trace-code-reuse': { count: 1, latest: EXAMPLE_TIME - 60_000 } },
  };
  const since = param('since', 'query', z.string(), 'Only alerts raised at or after this: ms since the epoch, or a date YYYY-MM-DD (00:00 in the projection’s UTC offset).', '2026-01-01', false);
  const who = 'Signed read by a regulator or an operator; any other role gets 403 AUTH_ROLE_FORBIDDEN.';
  return {
    '/v1/oversight/stats': {
      get: {
        operationId: 'getOversightStats',
        tags: ['oversight'],
        summary: 'Prescription-review (处方点评) figures by dimension and period',
        description: `${who} One row per key and period: every figure (docs/OVERSIGHT.md §2 defines each), coded reasons, and turnarounds (count, mean, p50 and p90 from log-scale histograms, ±4.5 %). Periods are days, ISO weeks (named by their Monday) or months (by their 1st) in the projection’s fixed UTC offset (\`utcOffset\`). Rows are ordered by period, then key; at most \`limit\` (default and maximum ${STATS_PAGE_MAX}) per page, continue with \`cursor=<next>\`. A range spans at most ${MAX_PERIODS.day} days, ${MAX_PERIODS.week} weeks or ${MAX_PERIODS.month} months. \`asOf\` is the last log index (and its time) the figures include; everything the log held when the request arrived is included.`,
        security: SIGNED_READ,
        parameters: [
          param('by', 'query', z.enum(DIMENSIONS), 'The dimension: `total` (one key, `all`), `prescriber`, `institution`, `drugClass` (classes of the active rule set; `unclassified` when no line is in one), `rule` (check-result rule ids). Default `total`.', 'prescriber', false),
          param('period', 'query', z.enum(GRAINS), 'The period: `day` (default), `week` or `month`.', 'day', false),
          param('from', 'query', z.string(), `First day, YYYY-MM-DD (widened to the start of its period). Default: ${DEFAULT_PERIODS.day} days, ${DEFAULT_PERIODS.week} weeks or ${DEFAULT_PERIODS.month} months back from \`to\`.`, '2025-12-07', false),
          param('to', 'query', z.string(), 'Last day, YYYY-MM-DD, inclusive. Default: the day of the latest entry.', EXAMPLE_DAY, false),
          param('key', 'query', z.string().min(1).max(256), 'Only this key (a prescriber id, institution id, class id or rule id).', EXAMPLE_ACTORS.prescriber, false),
          param('limit', 'query', z.string(), `Rows per page, 1 to ${STATS_PAGE_MAX}.`, '100', false),
          param('cursor', 'query', z.string(), 'The `next` of the previous page.', statsExample.next, false),
        ],
        responses: { '200': { description: 'A page of rows.', content: json('OversightStats', { example: statsExample }) }, ...errors(400, 401, 403, 500, 503) },
      },
    },
    '/v1/oversight/alerts': {
      get: {
        operationId: 'getOversightAlerts',
        tags: ['oversight'],
        summary: 'Alerts for regulators, newest first',
        description: `${who} Each alert has a stable id, its kind, the log time of the entry that raised it, a pseudonymous subject (prescriber id, patient pseudonym, traceability code or key id), a summary without personal data, figures in \`details\`, and the log indexes of the entries behind it (read them with GET /v1/log/entries). Kinds and thresholds: docs/OVERSIGHT.md §4. At most \`limit\` (default ${ALERTS_PAGE_DEFAULT}, maximum ${ALERTS_PAGE_MAX}) per page; continue with \`cursor=<next>\`.`,
        security: SIGNED_READ,
        parameters: [
          param('kind', 'query', z.enum(ALERT_KINDS), 'Only this kind.', 'doctor-shopping', false),
          since,
          param('limit', 'query', z.string(), `Alerts per page, 1 to ${ALERTS_PAGE_MAX}.`, '50', false),
          param('cursor', 'query', z.string(), 'The `next` of the previous page.', nextCursor, false),
        ],
        responses: { '200': { description: 'A page of alerts.', content: json('OversightAlerts', { example: { asOf, alerts: exampleAlerts } }) }, ...errors(400, 401, 403, 500, 503) },
      },
    },
    '/v1/oversight/alerts/summary': {
      get: {
        operationId: 'getOversightAlertSummary',
        tags: ['oversight'],
        summary: 'How many alerts of each kind, and the latest’s time',
        description: `${who} Every kind is listed, with 0 and null when it never fired.`,
        security: SIGNED_READ,
        parameters: [since],
        responses: { '200': { description: 'Counts per kind.', content: json('OversightAlertSummary', { example: summaryExample }) }, ...errors(400, 401, 403, 500, 503) },
      },
    },
  };
}
