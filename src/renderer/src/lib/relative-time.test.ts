import { describe, expect, it } from 'vitest';
import { appendCapped } from './ring.js';
import { formatCost, formatDuration, relativeTime } from './relative-time.js';

describe('relativeTime', () => {
  const now = 1_000_000_000;
  it('reads naturally', () => {
    expect(relativeTime(null, now)).toBe('never');
    expect(relativeTime(now / 1000 - 1, now)).toBe('just now');
    expect(relativeTime(now / 1000 - 42, now)).toBe('42 s ago');
    expect(relativeTime(now / 1000 - 125, now)).toBe('2 min ago');
    expect(relativeTime(now / 1000 - 7200, now)).toBe('2 h ago');
    expect(relativeTime(now / 1000 - 3 * 86400, now)).toBe('3 d ago');
  });
});

describe('formatDuration / formatCost', () => {
  it('formats', () => {
    expect(formatDuration(59)).toBe('59 s');
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(formatCost(undefined)).toBe('—');
    expect(formatCost(0.0012)).toBe('$0.0012');
    expect(formatCost(0.00001)).toBe('< $0.0001');
    expect(formatCost(3.456)).toBe('$3.46');
  });
});

describe('appendCapped', () => {
  it('keeps the newest items up to the cap', () => {
    expect(appendCapped([1, 2, 3], [4, 5], 4)).toEqual([2, 3, 4, 5]);
    expect(appendCapped([1], [2, 3, 4, 5, 6], 3)).toEqual([4, 5, 6]);
    const same = [1, 2];
    expect(appendCapped(same, [], 5)).toBe(same);
  });
});
