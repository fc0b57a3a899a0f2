import { describe, expect, it } from 'vitest';
import { computeWindow, isAtBottom } from './virtual-window.js';

describe('computeWindow', () => {
  it('renders only the rows in view plus overscan', () => {
    const w = computeWindow(1000, 400, 20, 10_000, 5);
    expect(w.start).toBe(45);
    expect(w.end).toBe(50 + 21 + 5);
    expect(w.offsetTop).toBe(45 * 20);
    expect(w.totalHeight).toBe(200_000);
  });

  it('clamps at both ends', () => {
    expect(computeWindow(-50, 400, 20, 10, 5)).toMatchObject({ start: 0, end: 10 });
    const w = computeWindow(1e9, 400, 20, 100, 2);
    expect(w.end).toBe(100);
    expect(w.start).toBeGreaterThan(70);
  });

  it('handles an empty list', () => {
    expect(computeWindow(0, 400, 20, 0)).toEqual({ start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
  });
});

describe('isAtBottom', () => {
  it('allows a little slack', () => {
    expect(isAtBottom(598, 400, 1000)).toBe(true);
    expect(isAtBottom(500, 400, 1000)).toBe(false);
  });
});
