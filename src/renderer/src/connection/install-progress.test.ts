import { describe, expect, it } from 'vitest';
import { toInstallEvent } from './install-progress.js';

describe('toInstallEvent', () => {
  it('normalises the usual spellings', () => {
    expect(toInstallEvent('installer/progress', { job_id: 'j1', packages: ['a', 'b'], stage: 'downloading', progress: 0.5 }, 1)).toMatchObject({ key: 'j1', packages: ['a', 'b'], status: 'running', progress: 0.5 });
    expect(toInstallEvent('installer/x', { package: 'a', status: 'installed' }, 1)).toMatchObject({ key: 'a', status: 'done' });
    expect(toInstallEvent('installer/x', { recipe: 'r', error: 'E404' }, 1)).toMatchObject({ key: 'r', status: 'failed', message: 'E404' });
    expect(toInstallEvent('installer/x', { recipe: 'r', status: 'awaiting approval' }, 1)).toMatchObject({ status: 'pending' });
    expect(toInstallEvent('installer/x', { recipe: 'r', status: 'x', percent: 250 }, 1)!.progress).toBe(1);
  });

  it('is not progress without a status or message', () => {
    expect(toInstallEvent('catalog/list', { recipes: [] }, 1)).toBeNull();
    expect(toInstallEvent('installer/x', 'text', 1)).toBeNull();
  });
});
