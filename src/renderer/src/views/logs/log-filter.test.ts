import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../stores/logs-store.js';
import { ALL_LEVELS, filterLogs } from './log-filter.js';

const lines: LogLine[] = [
  { seq: 1, actorId: 'a', level: 'debug', type: 'debug', message: 'tick', timestamp: 1 },
  { seq: 2, actorId: 'a', level: 'info', type: 'info', message: 'Connected to broker', timestamp: 2 },
  { seq: 3, actorId: 'b', level: 'error', type: 'error', message: 'broker refused', timestamp: 3 },
];

describe('filterLogs', () => {
  it('returns the same array when nothing filters', () => {
    expect(filterLogs(lines, new Set(ALL_LEVELS), '')).toBe(lines);
  });

  it('filters by level and by words (case-insensitive), including agent names', () => {
    expect(filterLogs(lines, new Set(['info', 'error'] as const), '').map((l) => l.seq)).toEqual([2, 3]);
    expect(filterLogs(lines, new Set(ALL_LEVELS), 'BROKER').map((l) => l.seq)).toEqual([2, 3]);
    expect(filterLogs(lines, new Set(ALL_LEVELS), 'beta', (id) => (id === 'b' ? 'beta' : 'alpha')).map((l) => l.seq)).toEqual([3]);
  });
});
