/**
 * Home Assistant state history as time series in SQLite (the shared `time_series` table, series
 * `ha:<entity_id>`): numeric states go in `value`, everything else in `attrs` (`{state}`), so a
 * temperature charts as a line and a door as a step of on/off. Queries serve the dashboard chart.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { HaState } from '../client/ha-schemas.js';

export interface HaHistoryPoint {
  /** Epoch seconds. */
  ts: number;
  /** The numeric state, or null for a non-numeric one (see `state`). */
  value: number | null;
  /** The raw state string ('on', 'unavailable', '21.5'…). */
  state: string;
}

export interface HaHistory {
  entity_id: string;
  /** True when every non-unavailable point is numeric (chart as a line). */
  numeric: boolean;
  unit: string | null;
  points: HaHistoryPoint[];
}

export interface HaHistoryQuery {
  /** Epoch seconds, inclusive (default: 24 h before `until`). */
  since?: number;
  /** Epoch seconds, inclusive (default: now). */
  until?: number;
  /** At most this many points, the most recent ones (default 1000). */
  limit?: number;
  /** Averages numeric points into buckets of this many seconds (for long ranges). */
  bucketSeconds?: number;
}

const NUMERIC = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
export const seriesOf = (entityId: string): string => `ha:${entityId}`;

/** The numeric value of a state string, or null ('on', 'unavailable', '' are not numbers). */
export function numericState(state: string): number | null {
  if (!NUMERIC.test(state.trim())) return null;
  const n = Number(state);
  return Number.isFinite(n) ? n : null;
}

export class HaStateHistory {
  private readonly insert: Statement<[string, number, number | null, string]>;
  private readonly select: Statement<[string, number, number, number]>;
  private readonly selectBucketed: Statement<[{ bucket: number; series: string; since: number; until: number; limit: number }]>;
  private readonly deleteBefore: Statement<[number]>;

  constructor(private readonly db: Database) {
    this.insert = db.prepare('INSERT INTO time_series (series, ts, value, attrs) VALUES (?, ?, ?, ?)');
    this.select = db.prepare(
      'SELECT ts, value, attrs FROM (SELECT ts, value, attrs, id FROM time_series WHERE series = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?) ORDER BY ts ASC, id ASC',
    );
    // Numeric buckets: the average value at the bucket's start; the attrs of the bucket's last row.
    this.selectBucketed = db.prepare(
      `SELECT ts, value, attrs FROM (
         SELECT CAST(ts / @bucket AS INTEGER) * @bucket AS ts, AVG(value) AS value, MAX(attrs) AS attrs
         FROM time_series WHERE series = @series AND ts >= @since AND ts <= @until
         GROUP BY CAST(ts / @bucket AS INTEGER) ORDER BY 1 DESC LIMIT @limit
       ) ORDER BY ts ASC`,
    );
    this.deleteBefore = db.prepare("DELETE FROM time_series WHERE series LIKE 'ha:%' AND ts < ?");
  }

  /** Records a state (null = the entity was removed). `ts` defaults to the state's last_updated, else now. */
  record(entityId: string, state: HaState | null, ts?: number): void {
    const at = ts ?? (state?.last_updated ? Date.parse(state.last_updated) / 1000 : NaN);
    const when = Number.isFinite(at) ? at : Date.now() / 1000;
    const raw = state?.state ?? 'removed';
    const value = numericState(raw);
    const unit = state?.attributes.unit_of_measurement;
    const attrs: Record<string, unknown> = { state: raw };
    if (typeof unit === 'string') attrs.unit = unit;
    this.insert.run(seriesOf(entityId), when, value, JSON.stringify(attrs));
  }

  query(entityId: string, q: HaHistoryQuery = {}): HaHistory {
    const until = q.until ?? Date.now() / 1000;
    const since = q.since ?? until - 24 * 3600;
    const limit = Math.max(1, Math.min(q.limit ?? 1000, 10_000));
    type Row = { ts: number; value: number | null; attrs: string | null };
    const rows: Row[] =
      q.bucketSeconds && q.bucketSeconds > 0
        ? (this.selectBucketed.all({ bucket: q.bucketSeconds, series: seriesOf(entityId), since, until, limit }) as Row[])
        : (this.select.all(seriesOf(entityId), since, until, limit) as Row[]);
    let unit: string | null = null;
    let numeric = rows.length > 0;
    const points = rows.map((r) => {
      const attrs = parseAttrs(r.attrs);
      if (typeof attrs.unit === 'string') unit = attrs.unit;
      // A bucket's state is its average; a single row keeps the state HA reported.
      const bucketed = Boolean(q.bucketSeconds) && r.value !== null;
      const state = !bucketed && typeof attrs.state === 'string' ? attrs.state : r.value !== null ? String(r.value) : '';
      if (r.value === null && state !== 'unavailable' && state !== 'unknown' && state !== 'removed') numeric = false;
      return { ts: r.ts, value: r.value, state };
    });
    return { entity_id: entityId, numeric, unit, points };
  }

  /** Deletes HA history older than `beforeEpochSeconds`; returns the number of rows removed. */
  prune(beforeEpochSeconds: number): number {
    return this.deleteBefore.run(beforeEpochSeconds).changes;
  }
}

function parseAttrs(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
