/**
 * Statistics and alerts for regulators (处方点评和监管), from the oversight projection
 * (docs/OVERSIGHT.md). Signed reads by regulators and operators only:
 *   GET /v1/oversight/stats?by&period&from&to&key&limit&cursor   counters by dimension and period
 *   GET /v1/oversight/alerts?kind&since&limit&cursor            alerts, newest first
 *   GET /v1/oversight/alerts/summary?since                      alert counts per kind
 * Each answer says what it is as of (`asOf`: the last folded log index and its time); the
 * projection folds everything the log holds right before answering.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RxError } from '../core/errors.js';
import { readsAllEntries } from '../domain/registry/authorization.js';
import { ALERT_KINDS, DIMENSIONS, FIGURES, SUBJECT_KINDS, TURNAROUNDS, type AlertKind, type Figure, type Turnaround } from '../oversight/oversight-model.js';
import type { OversightPosition } from '../oversight/oversight-queries.js';
import type { OversightReader } from '../oversight/oversight-service.js';
import { DAY_MS, GRAINS, formatDayNumber, formatUtcOffset, localDayNumber, parseDayName, periodCount, periodStartDay, type Grain } from '../oversight/periods.js';
import { parseRequestPart } from './parse-request.js';
import type { ReadAuthenticator } from './read-auth.js';

/**
 * Batches a read folds before answering. Normally the projection is a batch or two behind and a
 * read answers with everything; during a rebuild (after a settings change) a read answers at
 * once with the `asOf` reached, instead of holding the event loop, and every append, for the
 * whole refold.
 */
const READ_CATCH_UP_BATCHES = 4;

export interface OversightRoutesOptions {
  readonly readAuth: ReadAuthenticator;
  readonly oversight: OversightReader;
  /** Minutes east of UTC of the projection's periods, for default ranges and `since` dates. */
  readonly utcOffsetMinutes: number;
}

/** Most rows in one page of statistics, and the default. */
export const STATS_PAGE_MAX = 1000;
/** Most alerts in one page, and the default page size. */
export const ALERTS_PAGE_MAX = 500;
export const ALERTS_PAGE_DEFAULT = 100;
/** The longest range one query may span, in periods of each grain (a page is still at most STATS_PAGE_MAX rows). */
export const MAX_PERIODS: Readonly<Record<Grain, number>> = { day: 366, week: 260, month: 120 };
/** The range when `from` is not given: this many periods ending with `to`. */
export const DEFAULT_PERIODS: Readonly<Record<Grain, number>> = { day: 30, week: 12, month: 12 };

const DateParam = z.string().refine((s) => parseDayName(s) !== undefined, 'a calendar date YYYY-MM-DD');
const LimitParam = (max: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/, 'a positive decimal integer')
    .transform(Number)
    .pipe(z.number().max(max, `at most ${max}`));
const CursorParam = z.string().regex(/^[A-Za-z0-9_-]{1,1024}$/, 'a cursor from `next`');

export const StatsQuerySchema = z
  .strictObject({
    by: z.enum(DIMENSIONS).default('total'),
    period: z.enum(GRAINS).default('day'),
    from: DateParam.optional(),
    to: DateParam.optional(),
    key: z.string().min(1).max(256).optional(),
    limit: LimitParam(STATS_PAGE_MAX).optional(),
    cursor: CursorParam.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && q.from > q.to) ctx.addIssue({ code: 'custom', message: '`from` must not be after `to`', path: ['from'] });
  });

export const AlertsQuerySchema = z.strictObject({
  kind: z.enum(ALERT_KINDS).optional(),
  since: z.union([z.string().regex(/^(0|[1-9][0-9]{0,15})$/, 'ms since the epoch or a date YYYY-MM-DD'), DateParam]).optional(),
  limit: LimitParam(ALERTS_PAGE_MAX).optional(),
  cursor: CursorParam.optional(),
});

export const AlertSummaryQuerySchema = z.strictObject({ since: AlertsQuerySchema.shape.since });

const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new RxError('REQUEST_INVALID', 'not a cursor this endpoint issued', { paths: ['query.cursor'] });
  }
}

const StatsCursor = z.tuple([z.string().max(16), z.string().max(256)]);
const AlertsCursor = z.tuple([z.literal('a'), z.number().int().min(1)]);

const asOf = (p: OversightPosition) => ({ index: p.size - 1, time: p.time });

export const oversightRoutes: FastifyPluginAsync<OversightRoutesOptions> = async (app, options) => {
  const { readAuth, oversight, utcOffsetMinutes } = options;

  /** Regulators and operators only: the figures cover every prescriber and patient. */
  const authorize = (request: FastifyRequest) => {
    const reader = readAuth.authenticate(request);
    if (!readsAllEntries(reader)) throw new RxError('AUTH_ROLE_FORBIDDEN', 'oversight is read by regulators and operators', { paths: ['headers.signature-input'] });
  };
  /** `since` as ms: a date means 00:00 of that day in the projection's offset. */
  const sinceMs = (since: string | undefined): number | undefined => {
    if (since === undefined) return undefined;
    const day = parseDayName(since);
    return day === undefined ? Number(since) : day * DAY_MS - utcOffsetMinutes * 60_000;
  };

  app.get('/v1/oversight/stats', async (request) => {
    authorize(request);
    const q = parseRequestPart(StatsQuerySchema, request.query, 'query');
    return oversight.readAsOf(READ_CATCH_UP_BATCHES, (position, reads) => {
      const today = localDayNumber(position.time ?? 0, utcOffsetMinutes);
      const toDay = q.to === undefined ? today : parseDayName(q.to)!;
      const fromDay = q.from === undefined ? periodStartDay(toDay, q.period) - periodSpanDays(q.period, DEFAULT_PERIODS[q.period] - 1, toDay) : parseDayName(q.from)!;
      if (q.to === undefined && q.from !== undefined && fromDay > toDay) throw new RxError('REQUEST_INVALID', '`from` is after the latest figures', { paths: ['query.from'] });
      if (periodCount(fromDay, toDay, q.period) > MAX_PERIODS[q.period]) {
        throw new RxError('REQUEST_INVALID', `at most ${MAX_PERIODS[q.period]} ${q.period}s per query`, { paths: ['query.to'] });
      }
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, StatsCursor);
      const page = reads.stats({
        by: q.by,
        grain: q.period,
        from: formatDayNumber(periodStartDay(fromDay, q.period)),
        to: formatDayNumber(toDay),
        limit: q.limit ?? STATS_PAGE_MAX,
        ...(q.key === undefined ? {} : { key: q.key }),
        ...(after === undefined ? {} : { after: { period: after[0], key: after[1] } }),
      });
      return {
        asOf: asOf(position),
        by: q.by,
        period: q.period,
        from: formatDayNumber(periodStartDay(fromDay, q.period)),
        to: formatDayNumber(toDay),
        utcOffset: formatUtcOffset(utcOffsetMinutes),
        rows: page.rows,
        ...(page.next === undefined ? {} : { next: encodeCursor([page.next.period, page.next.key]) }),
      };
    });
  });

  app.get('/v1/oversight/alerts', async (request) => {
    authorize(request);
    const q = parseRequestPart(AlertsQuerySchema, request.query, 'query');
    const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor, AlertsCursor)[1];
    const since = sinceMs(q.since);
    return oversight.readAsOf(READ_CATCH_UP_BATCHES, (position, reads) => {
      const page = reads.alerts({
        limit: q.limit ?? ALERTS_PAGE_DEFAULT,
        ...(q.kind === undefined ? {} : { kind: q.kind }),
        ...(since === undefined ? {} : { since }),
        ...(before === undefined ? {} : { before }),
      });
      return { asOf: asOf(position), alerts: page.alerts, ...(page.next === undefined ? {} : { next: encodeCursor(['a', page.next]) }) };
    });
  });

  app.get('/v1/oversight/alerts/summary', async (request) => {
    authorize(request);
    const q = parseRequestPart(AlertSummaryQuerySchema, request.query, 'query');
    return oversight.readAsOf(READ_CATCH_UP_BATCHES, (position, reads) => {
      const kinds = reads.alertSummary(sinceMs(q.since));
      return { asOf: asOf(position), total: Object.values(kinds).reduce((n, k) => n + k.count, 0), kinds };
    });
  });
};

/** Days from the start of the period `back` periods before the one containing `day`, to the start of that one. */
function periodSpanDays(grain: Grain, back: number, day: number): number {
  if (grain === 'day') return back;
  if (grain === 'week') return back * 7;
  const start = new Date(periodStartDay(day, 'month') * DAY_MS);
  const earlier = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - back, 1) / DAY_MS;
  return periodStartDay(day, 'month') - earlier;
}

// ---------------------------------------------------------------------------------------------
// Response shapes (the OpenAPI document's components, and what the tests hold live answers to).

const AsOfSchema = z.strictObject({ index: z.number().int().min(-1), time: z.number().int().nullable() });
const ReasonCounts = z.record(z.string(), z.number().int().min(0));
const TurnaroundSchema = z.strictObject({ count: z.number().int().min(0), meanMs: z.number().int().nullable(), p50Ms: z.number().int().nullable(), p90Ms: z.number().int().nullable() });

export const StatsRowSchema = z.strictObject({
  key: z.string(),
  period: z.string(),
  counts: z.strictObject(Object.fromEntries(FIGURES.map((f) => [f, z.number().int().min(0)])) as Record<Figure, z.ZodNumber>),
  overrideReasons: ReasonCounts,
  deliveryFailureReasons: ReasonCounts,
  refusalReasons: ReasonCounts,
  returnReasons: ReasonCounts,
  cancelReasons: ReasonCounts,
  turnaround: z.strictObject(Object.fromEntries(TURNAROUNDS.map((m) => [m, TurnaroundSchema])) as Record<Turnaround, typeof TurnaroundSchema>),
});

export const OversightStatsSchema = z.strictObject({
  asOf: AsOfSchema,
  by: z.enum(DIMENSIONS),
  period: z.enum(GRAINS),
  from: z.string(),
  to: z.string(),
  utcOffset: z.string(),
  rows: z.array(StatsRowSchema),
  next: z.string().optional(),
});

export const AlertSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  time: z.number().int(),
  subject: z.strictObject({ kind: z.enum(SUBJECT_KINDS), id: z.string() }),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  entries: z.array(z.number().int().min(0)),
});

export const OversightAlertsSchema = z.strictObject({ asOf: AsOfSchema, alerts: z.array(AlertSchema), next: z.string().optional() });

const KindSummarySchema = z.strictObject({ count: z.number().int().min(0), latest: z.number().int().nullable() });
export const OversightAlertSummarySchema = z.strictObject({
  asOf: AsOfSchema,
  total: z.number().int().min(0),
  kinds: z.strictObject(Object.fromEntries(ALERT_KINDS.map((k) => [k, KindSummarySchema])) as Record<AlertKind, typeof KindSummarySchema>),
});
