/** A small SVG chart of one entity's recorded states: numeric as a line, on/off (and other text) as step bands. */
import { useMemo } from 'react';
import { clockTime } from '../../lib/relative-time.js';
import { buildLineChart, buildStepChart, DEFAULT_BOX, type HistoryPoint } from './chart-scale.js';

/** Seconds when ticks are under a minute apart, the day when they are a day or more apart. */
function tickLabel(ts: number, step: number): string {
  if (step < 60) return clockTime(ts);
  if (step >= 86_400) return new Date(ts * 1000).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return clockTime(ts).slice(0, 5);
}

export function HistoryChart({ points, numeric, unit, endTs }: { points: HistoryPoint[]; numeric: boolean; unit: string | null; endTs: number }) {
  const box = DEFAULT_BOX;
  const chart = useMemo(() => (numeric ? buildLineChart(points, endTs, box) : buildStepChart(points, endTs, box)), [points, numeric, endTs, box]);
  const bottom = box.height - box.padBottom;
  const tickStep = chart.xTicks.length > 1 ? chart.xTicks[1]!.ts - chart.xTicks[0]!.ts : 3_600;
  return (
    <svg
      className="history-chart"
      viewBox={`0 0 ${box.width} ${box.height}`}
      role="img"
      aria-label={`State history, ${points.length} points`}
      data-testid="history-chart"
      data-kind={chart.kind}
      data-points={chart.dots.length}
    >
      {chart.kind === 'line'
        ? chart.yTicks.map((t) => (
            <g key={`y${t.value}`}>
              <line className="grid" x1={box.padLeft} x2={box.width - box.padRight} y1={t.y} y2={t.y} />
              <text className="tick" x={box.padLeft - 6} y={t.y + 4} textAnchor="end">
                {t.value}
                {unit && t === chart.yTicks[chart.yTicks.length - 1] ? ` ${unit}` : ''}
              </text>
            </g>
          ))
        : null}
      {chart.kind === 'step'
        ? chart.bands.map((b, i) => (
            <rect key={`b${i}`} className={`band ${b.level}`} x={b.x0} y={box.padTop} width={Math.max(0, b.x1 - b.x0)} height={bottom - box.padTop}>
              <title>{`${b.state} from ${clockTime(b.ts)}`}</title>
            </rect>
          ))
        : null}
      {chart.xTicks.map((t) => (
        <text key={`x${t.ts}`} className="tick" x={t.x} y={box.height - 6} textAnchor="middle">
          {tickLabel(t.ts, tickStep)}
        </text>
      ))}
      <line className="axis" x1={box.padLeft} x2={box.width - box.padRight} y1={bottom} y2={bottom} />
      {chart.kind === 'step' ? (
        <>
          <text className="tick" x={box.padLeft - 6} y={box.padTop + 8} textAnchor="end">
            on
          </text>
          <text className="tick" x={box.padLeft - 6} y={bottom} textAnchor="end">
            off
          </text>
        </>
      ) : null}
      <path className="series" d={chart.path} />
      {chart.dots.map((d, i) => (
        <circle key={`d${i}`} className="dot" cx={d.x} cy={d.y} r={3} data-testid="history-point" data-state={d.state}>
          <title>{`${d.state}${numeric && unit ? ` ${unit}` : ''} at ${clockTime(d.ts)}`}</title>
        </circle>
      ))}
    </svg>
  );
}
