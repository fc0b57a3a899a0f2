/**
 * The history chart's geometry, kept apart from React so it can be tested: linear scales, "nice"
 * ticks, a line path for numeric states and step bands for on/off (and other text) states.
 */

export interface HistoryPoint {
  /** Epoch seconds. */
  ts: number;
  value: number | null;
  state: string;
}

export interface ChartBox {
  width: number;
  height: number;
  /** Room for the axes' labels. */
  padLeft: number;
  padRight: number;
  padTop: number;
  padBottom: number;
}

export const DEFAULT_BOX: ChartBox = { width: 640, height: 200, padLeft: 48, padRight: 12, padTop: 10, padBottom: 24 };

export type Scale = (v: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Round tick values covering [min, max], about `count` of them, step 1/2/5 × 10^n. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  if (min > max) [min, max] = [max, min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  // Nearest of 1, 2, 5, 10 (geometric midpoints as the thresholds, as d3 does).
  const step = (norm >= Math.sqrt(50) ? 10 : norm >= Math.sqrt(10) ? 5 : norm >= Math.sqrt(2) ? 2 : 1) * mag;
  const out: number[] = [];
  const first = Math.ceil(min / step - 1e-9) * step;
  for (let v = first; v <= max + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

/** The y domain for values: their range, widened a little (and by ±1 for a flat line) so nothing sits on the border. */
export function valueDomain(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  return [lo, hi];
}

/** The time domain: first point to `endTs` (now), at least one minute wide. */
export function timeDomain(points: readonly HistoryPoint[], endTs: number): [number, number] {
  if (points.length === 0) return [endTs - 60, endTs];
  const t0 = points[0]!.ts;
  const t1 = Math.max(endTs, points[points.length - 1]!.ts);
  return t1 - t0 < 60 ? [t1 - 60, t1] : [t0, t1];
}

export interface LineChart {
  kind: 'line';
  path: string;
  dots: { x: number; y: number; ts: number; value: number; state: string }[];
  yTicks: { y: number; value: number }[];
  xTicks: { x: number; ts: number }[];
}

export interface Band {
  x0: number;
  x1: number;
  state: string;
  level: 'on' | 'off' | 'unknown';
  ts: number;
}

export interface StepChart {
  kind: 'step';
  bands: Band[];
  /** The step line over the bands: high while on. */
  path: string;
  dots: { x: number; y: number; ts: number; state: string }[];
  xTicks: { x: number; ts: number }[];
}

const ON = new Set(['on', 'open', 'home', 'unlocked', 'playing', 'detected', 'heat', 'cool', 'active', 'true', 'above_horizon']);
const UNKNOWN = new Set(['unavailable', 'unknown', '']);

export function stateLevel(state: string): Band['level'] {
  const s = state.toLowerCase();
  if (UNKNOWN.has(s)) return 'unknown';
  return ON.has(s) ? 'on' : 'off';
}

const TIME_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/** Ticks on round clock times (every 5 min, every hour…), about `count` of them. */
export function timeTicks(t0: number, t1: number, x: Scale, count = 5): { x: number; ts: number }[] {
  if (!(t1 > t0)) return [];
  const want = (t1 - t0) / Math.max(1, count);
  const step = TIME_STEPS.find((s) => s >= want) ?? Math.ceil(want / 604800) * 604800;
  const out: { x: number; ts: number }[] = [];
  for (let ts = Math.ceil(t0 / step) * step; ts <= t1; ts += step) out.push({ x: fmt(x(ts)), ts });
  return out;
}

const fmt = (n: number) => Number(n.toFixed(2));

/** Numeric states as a line (points without a value are skipped, and break nothing). */
export function buildLineChart(points: readonly HistoryPoint[], endTs: number, box: ChartBox = DEFAULT_BOX): LineChart {
  const numeric = points.filter((p): p is HistoryPoint & { value: number } => p.value !== null && Number.isFinite(p.value));
  const [t0, t1] = timeDomain(numeric, endTs);
  const [v0, v1] = valueDomain(numeric.map((p) => p.value));
  const x = linearScale(t0, t1, box.padLeft, box.width - box.padRight);
  const y = linearScale(v0, v1, box.height - box.padBottom, box.padTop);
  const dots = numeric.map((p) => ({ x: fmt(x(p.ts)), y: fmt(y(p.value)), ts: p.ts, value: p.value, state: p.state }));
  // The last value holds until now.
  const tail = dots.length > 0 && endTs > dots[dots.length - 1]!.ts ? ` L${fmt(x(t1))},${dots[dots.length - 1]!.y}` : '';
  const path = dots.length === 0 ? '' : dots.map((d, i) => `${i === 0 ? 'M' : 'L'}${d.x},${d.y}`).join(' ') + tail;
  return {
    kind: 'line',
    path,
    dots,
    yTicks: niceTicks(v0, v1, 4).map((value) => ({ y: fmt(y(value)), value })),
    xTicks: timeTicks(t0, t1, x, 5),
  };
}

/** Text states as bands: each state holds from its point to the next (the last to `endTs`). */
export function buildStepChart(points: readonly HistoryPoint[], endTs: number, box: ChartBox = DEFAULT_BOX): StepChart {
  const [t0, t1] = timeDomain(points, endTs);
  const x = linearScale(t0, t1, box.padLeft, box.width - box.padRight);
  const high = box.padTop;
  const low = box.height - box.padBottom;
  const yOf = (level: Band['level']) => (level === 'on' ? high : level === 'off' ? low : (high + low) / 2);
  const bands: Band[] = points.map((p, i) => {
    const next = points[i + 1]?.ts ?? t1;
    return { x0: fmt(x(p.ts)), x1: fmt(x(Math.max(p.ts, next))), state: p.state, level: stateLevel(p.state), ts: p.ts };
  });
  let path = '';
  for (const [i, b] of bands.entries()) {
    const yy = yOf(b.level);
    path += `${i === 0 ? 'M' : ' L'}${b.x0},${yy} L${b.x1},${yy}`;
  }
  return {
    kind: 'step',
    bands,
    path,
    dots: bands.map((b) => ({ x: b.x0, y: yOf(b.level), ts: b.ts, state: b.state })),
    xTicks: timeTicks(t0, t1, x, 5),
  };
}
