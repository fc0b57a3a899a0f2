/** Numeric samples per named series (time_series), for charts, rules and ML agents. */
import type { Database } from 'better-sqlite3';
import { fromJson, nowSeconds, toJson } from './json-column.js';

export interface Sample {
  series: string;
  /** Epoch seconds. */
  ts: number;
  value: number | null;
  attrs: Record<string, unknown> | null;
}

export interface NewSample {
  series: string;
  value: number | null;
  ts?: number;
  attrs?: Record<string, unknown> | null;
}

export interface RangeQuery {
  /** Inclusive lower bound, epoch seconds. */
  from?: number;
  /** Exclusive upper bound, epoch seconds. */
  to?: number;
  limit?: number;
}

interface Row {
  series: string;
  ts: number;
  value: number | null;
  attrs: string | null;
}

export class TimeSeries {
  constructor(private readonly db: Database) {}

  append(sample: NewSample): void {
    this.appendMany([sample]);
  }

  /** One transaction for the batch (much faster than one per sample). */
  appendMany(samples: readonly NewSample[]): void {
    const insert = this.db.prepare('INSERT INTO time_series (series, ts, value, attrs) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      const now = nowSeconds();
      for (const s of samples) {
        if (s.value !== null && !Number.isFinite(s.value)) throw new TypeError(`time_series ${s.series}: value must be a finite number or null`);
        insert.run(s.series, s.ts ?? now, s.value, s.attrs == null ? null : toJson(s.attrs, `time_series ${s.series} attrs`));
      }
    })();
  }

  /** Samples of `series` in [from, to), oldest first. */
  range(series: string, q: RangeQuery = {}): Sample[] {
    const rows = this.db
      .prepare('SELECT series, ts, value, attrs FROM time_series WHERE series = ? AND ts >= ? AND ts < ? ORDER BY ts, id LIMIT ?')
      .all(series, q.from ?? -Infinity, q.to ?? Infinity, q.limit ?? -1) as Row[];
    return rows.map((r) => ({ ...r, attrs: r.attrs === null ? null : fromJson<Record<string, unknown>>(r.attrs, `time_series ${series} attrs`) }));
  }

  latest(series: string): Sample | undefined {
    const r = this.db.prepare('SELECT series, ts, value, attrs FROM time_series WHERE series = ? ORDER BY ts DESC, id DESC LIMIT 1').get(series) as Row | undefined;
    return r && { ...r, attrs: r.attrs === null ? null : fromJson<Record<string, unknown>>(r.attrs, `time_series ${series} attrs`) };
  }

  seriesNames(): string[] {
    return (this.db.prepare('SELECT DISTINCT series FROM time_series ORDER BY series').all() as { series: string }[]).map((r) => r.series);
  }

  /** Deletes samples older than `before` (epoch seconds), all series or one. Returns how many. */
  prune(before: number, series?: string): number {
    return series === undefined
      ? this.db.prepare('DELETE FROM time_series WHERE ts < ?').run(before).changes
      : this.db.prepare('DELETE FROM time_series WHERE series = ? AND ts < ?').run(series, before).changes;
  }
}
