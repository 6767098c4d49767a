/** What the oversight projection answers: the shapes behind GET /v1/oversight/*. */
import type { Alert, AlertKind, Dimension } from './oversight-model.js';
import type { Grain } from './periods.js';
import type { StatsRow } from './stats-rows.js';

export interface StatsQuery {
  readonly by: Dimension;
  readonly grain: Grain;
  /** Period names (first days), inclusive. */
  readonly from: string;
  readonly to: string;
  readonly key?: string;
  /** Continue after this (period, key). */
  readonly after?: { readonly period: string; readonly key: string };
  readonly limit: number;
}

export interface StatsPage {
  readonly rows: StatsRow[];
  readonly next?: { readonly period: string; readonly key: string };
}

export interface AlertsQuery {
  readonly kind?: AlertKind;
  /** Only alerts at or after this log time (ms). */
  readonly since?: number;
  /** Continue with alerts older than this position (from `next`). */
  readonly before?: number;
  readonly limit: number;
}

export interface AlertsPage {
  /** Newest first. */
  readonly alerts: Alert[];
  readonly next?: number;
}

export type AlertSummary = Record<AlertKind, { readonly count: number; readonly latest: number | null }>;

export interface OversightPosition {
  /** Entries folded: the next index to fold. */
  readonly size: number;
  /** Log time of the last folded entry (null before the first). */
  readonly time: number | null;
}

/** The reads the HTTP routes make. */
export interface OversightReads {
  stats(query: StatsQuery): StatsPage;
  alerts(query: AlertsQuery): AlertsPage;
  alertSummary(since?: number): AlertSummary;
}
