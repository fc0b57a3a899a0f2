import { describe, expect, it } from 'vitest';
import { buildLineChart, buildStepChart, linearScale, niceTicks, stateLevel, timeDomain, timeTicks, valueDomain, type ChartBox, type HistoryPoint } from './chart-scale.js';

const box: ChartBox = { width: 110, height: 60, padLeft: 10, padRight: 0, padTop: 10, padBottom: 0 };
const p = (ts: number, state: string, value: number | null = Number.isNaN(Number(state)) ? null : Number(state)): HistoryPoint => ({ ts, state, value });

describe('scales and ticks', () => {
  it('maps a domain onto a range, inverted for y', () => {
    const y = linearScale(0, 10, 100, 0);
    expect([y(0), y(5), y(10)]).toEqual([100, 50, 0]);
    expect(linearScale(3, 3, 0, 100)(3)).toBe(50);
  });

  it('picks round steps', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(20.3, 22.9, 4)).toEqual([20.5, 21, 21.5, 22, 22.5]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });

  it('widens a flat or a tight value range', () => {
    expect(valueDomain([21.5, 21.5])).toEqual([20.5, 22.5]);
    const [lo, hi] = valueDomain([10, 20]);
    expect(lo).toBeLessThan(10);
    expect(hi).toBeGreaterThan(20);
    expect(valueDomain([])).toEqual([0, 1]);
  });

  it('spans first point to now, at least a minute', () => {
    expect(timeDomain([p(1000, '1')], 1010)).toEqual([950, 1010]);
    expect(timeDomain([p(1000, '1'), p(2000, '2')], 3000)).toEqual([1000, 3000]);
  });

  it('puts time ticks on round clock times', () => {
    const ticks = timeTicks(1000, 4600, (v) => v, 5);
    expect(ticks.map((t) => t.ts)).toEqual([1800, 2700, 3600, 4500]);
  });
});

describe('line chart', () => {
  it('scales numeric points into the box and holds the last value until now', () => {
    const c = buildLineChart([p(0, '10'), p(50, '20'), p(100, '15')], 100, box);
    // x: 0..100 → 10..110; y: 9.5..20.5 → 60..10
    expect(c.dots.map((d) => d.x)).toEqual([10, 60, 110]);
    expect(c.dots[0]!.y).toBeGreaterThan(c.dots[2]!.y);
    expect(c.dots[1]!.y).toBeLessThan(c.dots[2]!.y);
    for (const d of c.dots) {
      expect(d.y).toBeGreaterThanOrEqual(10);
      expect(d.y).toBeLessThanOrEqual(60);
    }
    expect(c.path.startsWith('M10,')).toBe(true);
    expect(c.path.split('L')).toHaveLength(3);
    expect(c.yTicks.length).toBeGreaterThan(1);
  });

  it('skips points without a value and draws nothing for none', () => {
    const c = buildLineChart([p(0, 'unavailable', null), p(100, '3')], 200, box);
    expect(c.dots.map((d) => d.value)).toEqual([3]);
    expect(c.path).toMatch(/^M[\d.]+,[\d.]+ L110,[\d.]+$/);
    expect(buildLineChart([], 100, box).path).toBe('');
  });
});

describe('step chart', () => {
  it('holds each state until the next one, the last until now', () => {
    const c = buildStepChart([p(0, 'off'), p(40, 'on'), p(70, 'off')], 100, box);
    expect(c.bands.map((b) => [b.x0, b.x1, b.level])).toEqual([
      [10, 50, 'off'],
      [50, 80, 'on'],
      [80, 110, 'off'],
    ]);
    // high (padTop) while on, low (height - padBottom) while off
    expect(c.dots.map((d) => d.y)).toEqual([60, 10, 60]);
    expect(c.path).toBe('M10,60 L50,60 L50,10 L80,10 L80,60 L110,60');
  });

  it('knows on-like, off-like and unknown states', () => {
    expect(['on', 'open', 'unlocked', 'off', 'locked', 'unavailable', 'unknown'].map(stateLevel)).toEqual(['on', 'on', 'on', 'off', 'off', 'unknown', 'unknown']);
  });
});
