import { describe, expect, it } from 'vitest';
import { toInstallEvent } from './install-progress.js';

describe('toInstallEvent', () => {
  it('normalises the usual spellings', () => {
    expect(toInstallEvent('installer/progress', { job_id: 'j1', packages: ['a', 'b'], stage: 'downloading', progress: 0.5 }, 1)).toMatchObject({ key: 'j1', packages: ['a', 'b'], status: 'running', progress: 0.5 });
    expect(toInstallEvent('installer/x', { package: 'a', status: 'installed' }, 1)).toMatchObject({ key: 'a', status: 'done' });
    expect(toInstallEvent('installer/x', { recipe: 'r', error: 'E404' }, 1)).toMatchObject({ key: 'r', status: 'failed', message: 'E404' });
    expect(toInstallEvent('installer/x', { recipe: 'r', status: 'queued' }, 1)).toMatchObject({ status: 'pending' });
    expect(toInstallEvent('installer/x', { recipe: 'r', status: 'x', percent: 250 }, 1)!.progress).toBe(1);
  });

  it('reads the installer’s own payloads (nulls included) and approval requests', () => {
    const ev = toInstallEvent('installer/progress', { job_id: 'j9', agent: null, recipe: 'rss-poller', packages: ['rss-parser@3.13.0'], status: 'needs_approval', message: 'rss-parser needs your approval', timestamp: 5 }, 1);
    expect(ev).toEqual({ key: 'j9', recipe: 'rss-poller', packages: ['rss-parser@3.13.0'], status: 'approval', message: 'rss-parser needs your approval', timestamp: 5, topic: 'installer/progress' });
    expect(toInstallEvent('installer/progress', { job_id: 'j9', agent: 'weather', recipe: null, packages: ['x'], status: 'running', progress: null, message: 'npm install x' }, 1)).toMatchObject({ agent: 'weather', status: 'running' });
  });

  it('is not progress without a status or message', () => {
    expect(toInstallEvent('catalog/list', { recipes: [] }, 1)).toBeNull();
    expect(toInstallEvent('installer/x', 'text', 1)).toBeNull();
  });
});
