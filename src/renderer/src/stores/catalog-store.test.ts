import { describe, expect, it } from 'vitest';
import type { InstallEvent } from '../connection/install-progress.js';
import { reduceInstalls } from './catalog-store.js';

const ev = (p: Partial<InstallEvent>): InstallEvent => ({ key: 'k', packages: [], status: 'running', message: '', timestamp: 1, topic: 'installer/x', ...p });

describe('reduceInstalls', () => {
  it('follows one job from start to finish', () => {
    let jobs = reduceInstalls([], [ev({ recipe: 'rss', packages: ['rss-parser'], message: 'resolving', progress: 0.1 })]);
    jobs = reduceInstalls(jobs, [ev({ message: 'downloading', progress: 0.6 })]);
    jobs = reduceInstalls(jobs, [ev({ status: 'done', message: 'installed' })]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ recipe: 'rss', packages: ['rss-parser'], status: 'done', progress: 1, history: ['resolving', 'downloading', 'installed'] });
  });

  it('keeps separate jobs apart, newest first', () => {
    const jobs = reduceInstalls([], [ev({ key: 'a' }), ev({ key: 'b' })]);
    expect(jobs.map((j) => j.key)).toEqual(['b', 'a']);
  });
});
