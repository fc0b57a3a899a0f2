/**
 * The last heartbeats on a time axis (10 minutes): a tick per heartbeat coloured by state, gaps
 * longer than 30 s shaded, and CPU as a line. A silent actor shows as an empty stretch at the right.
 */
import { useMemo } from 'react';
import type { HeartbeatPoint } from '../../stores/agents-store.js';

const WINDOW_S = 600;
const W = 600;
const H = 64;
const GAP_S = 30;

export function HeartbeatTimeline({ points, now }: { points: HeartbeatPoint[]; now: number }) {
  const nowS = now / 1000;
  const x = (t: number) => ((t - (nowS - WINDOW_S)) / WINDOW_S) * W;
  const visible = useMemo(() => points.filter((p) => p.t >= nowS - WINDOW_S - 60), [points, nowS]);
  const maxCpu = Math.max(5, ...visible.map((p) => p.cpu));
  const spark = visible.map((p) => `${x(p.t).toFixed(1)},${(H - 14 - (p.cpu / maxCpu) * (H - 26)).toFixed(1)}`).join(' ');
  const gaps: { from: number; to: number }[] = [];
  for (let i = 1; i < visible.length; i++) {
    if (visible[i]!.t - visible[i - 1]!.t > GAP_S) gaps.push({ from: visible[i - 1]!.t, to: visible[i]!.t });
  }
  const last = visible.at(-1);
  if (last && nowS - last.t > GAP_S) gaps.push({ from: last.t, to: nowS });
  return (
    <svg className="timeline" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${visible.length} heartbeats in the last 10 minutes`} data-testid="heartbeat-timeline">
      {gaps.map((g, i) => (
        <rect key={i} className="gap" x={Math.max(0, x(g.from))} y={0} width={Math.max(1, x(g.to) - Math.max(0, x(g.from)))} height={H - 12} />
      ))}
      <line className="axis" x1={0} x2={W} y1={H - 12} y2={H - 12} />
      {spark ? <polyline className="spark" points={spark} /> : null}
      {visible.map((p) => (
        <rect
          key={p.t}
          className={`tick ${p.state === 'running' ? '' : p.state === 'failed' ? 'failed' : p.state === 'paused' ? 'paused' : 'other'}`}
          x={x(p.t) - 1}
          y={H - 18}
          width={2}
          height={10}
        >
          <title>{`${new Date(p.t * 1000).toLocaleTimeString()} · ${p.state} · cpu ${p.cpu.toFixed(1)}% · ${p.memoryMb.toFixed(0)} MB`}</title>
        </rect>
      ))}
      <text x={2} y={H - 1}>
        −10 min
      </text>
      <text x={W - 2} y={H - 1} textAnchor="end">
        now
      </text>
      <text x={2} y={10}>
        cpu max {maxCpu.toFixed(0)}%
      </text>
    </svg>
  );
}
