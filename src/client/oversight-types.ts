/** What the SDK's oversight reads send and answer (docs/OVERSIGHT.md §5). Types only: nothing here runs. */
import type { Alert, AlertKind, Dimension } from '../oversight/oversight-model.js';
import type { Grain } from '../oversight/periods.js';
import type { StatsRow } from '../oversight/stats-rows.js';

export type { Alert, AlertKind, StatsRow };

export interface OversightAsOf {
  /** The last log index the answer includes. */
  readonly index: number;
  /** Its log time (ms). */
  readonly time: number | null;
}

export interface OversightStatsParams {
  readonly by?: Dimension;
  readonly period?: Grain;
  /** YYYY-MM-DD. */
  readonly from?: string;
  readonly to?: string;
  readonly key?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface OversightStats {
  readonly asOf: OversightAsOf;
  readonly by: Dimension;
  readonly period: Grain;
  readonly from: string;
  readonly to: string;
  readonly utcOffset: string;
  readonly rows: readonly StatsRow[];
  readonly next?: string;
}

export interface OversightAlertsParams {
  readonly kind?: AlertKind;
  /** ms since the epoch, or YYYY-MM-DD. */
  readonly since?: number | string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface OversightAlerts {
  readonly asOf: OversightAsOf;
  /** Newest first. */
  readonly alerts: readonly Alert[];
  readonly next?: string;
}

export interface OversightAlertSummary {
  readonly asOf: OversightAsOf;
  readonly total: number;
  readonly kinds: Readonly<Record<AlertKind, { readonly count: number; readonly latest: number | null }>>;
}
