import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const low = (): number => 0;
const high = (): number => 0.999_999;

describe('backoffDelay', () => {
  it('grows by the factor from the initial delay up to the cap', () => {
    const s = { initialMs: 100, maxMs: 1_000 };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, s))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect([0, 1, 2].map((n) => backoffDelay(n, { initialMs: 1_000, maxMs: 30_000, factor: 3 }))).toEqual([1_000, 3_000, 9_000]);
  });

  it('stays finite and capped for any attempt, and a zero initial delay stays zero', () => {
    expect(backoffDelay(10_000, { initialMs: 100, maxMs: 5_000 })).toBe(5_000);
    expect(backoffDelay(10_000, { initialMs: 0, maxMs: 5_000 })).toBe(0);
    expect(backoffDelay(-3, { initialMs: 100, maxMs: 5_000 })).toBe(100);
  });

  it('spreads ±ratio with `both`, never past the cap', () => {
    const s = { initialMs: 1_000, maxMs: 10_000, jitter: { ratio: 0.2, direction: 'both' as const } };
    expect(backoffDelay(0, s, low)).toBe(800);
    expect(backoffDelay(0, s, high)).toBe(1_200);
    expect(backoffDelay(10, s, high)).toBe(10_000);
  });

  it('only shortens with `down`: between (1 - ratio) and 1 of the schedule', () => {
    const s = { initialMs: 400, maxMs: 8_000, jitter: { ratio: 0.5, direction: 'down' as const } };
    expect(backoffDelay(0, s, low)).toBe(400);
    expect(backoffDelay(0, s, high)).toBe(200);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, s);
      expect(d).toBeGreaterThanOrEqual(1_600);
      expect(d).toBeLessThanOrEqual(3_200);
    }
  });
});
