/**
 * The restore queue on its own: the window, registry order, on-demand first, progress, failures,
 * stop. Each agent's start is a promise the test settles, so every step is observed in order (the
 * service's tests run it over a real SQLite file and real sandboxes: restore.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { RestoreProgress } from '../../../shared/mqtt-payloads.js';
import { restoreProgressSchema } from '../../../shared/mqtt-payloads.js';
import { RestoreQueue, type RestoreOutcome } from './restore-queue.js';

/** A queue whose starts wait for the test: `started` in start order, `finish(name)` settles one. */
function controlled(names: string[], concurrency: number) {
  const started: string[] = [];
  const pending = new Map<string, { resolve: (o: RestoreOutcome) => void; reject: (e: Error) => void }>();
  const progress: RestoreProgress[] = [];
  let clock = 1_000_000;
  const queue = new RestoreQueue(names, {
    concurrency,
    now: () => (clock += 10),
    start: (name) =>
      new Promise<RestoreOutcome>((resolve, reject) => {
        started.push(name);
        pending.set(name, { resolve, reject });
      }),
    onProgress: (p) => progress.push(p),
  });
  /** Settles one start and lets the queue react (its callbacks run on the next microtasks). */
  const finish = async (name: string, outcome: RestoreOutcome | Error = 'restored'): Promise<void> => {
    const p = pending.get(name)!;
    pending.delete(name);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
    await Promise.resolve();
    await Promise.resolve();
  };
  return { queue, started, progress, finish, running: () => [...pending.keys()] };
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `a${i}`);

describe('RestoreQueue', () => {
  it('starts a window at a time, in registry order, and reports every step', async () => {
    const q = controlled(names(5), 2);
    void q.queue.run();
    expect(q.started).toEqual(['a0', 'a1']);
    expect(q.progress.at(-1)).toMatchObject({ state: 'restoring', total: 5, restored: 0, failed: 0, pending: 5, finished_at: null });
    await q.finish('a1');
    expect(q.started).toEqual(['a0', 'a1', 'a2']);
    expect(q.running()).toEqual(['a0', 'a2']);
    expect(q.progress.at(-1)).toMatchObject({ state: 'restoring', restored: 1, pending: 4 });
    for (const n of ['a0', 'a2', 'a3']) await q.finish(n);
    expect(q.started).toEqual(names(5));
    await q.finish('a4', new Error('setup threw'));
    await q.queue.finished;
    const last = q.progress.at(-1)!;
    expect(last).toMatchObject({ state: 'done', total: 5, restored: 4, failed: 1, pending: 0 });
    expect(last.finished_at).toBeGreaterThan(last.started_at);
    // Every report is a valid system/restore payload and adds up.
    for (const p of q.progress) {
      expect(restoreProgressSchema.safeParse(p).success).toBe(true);
      expect(p.restored + p.failed + p.pending).toBe(p.total);
    }
    expect(q.progress.filter((p) => p.state === 'done')).toHaveLength(1);
    expect(q.queue.report()).toEqual({ restored: ['a0', 'a1', 'a2', 'a3'], failed: [{ name: 'a4', error: 'setup threw' }], pending: [] });
  });

  it('an agent asked for while it waits starts next, and its waiter learns when it is back', async () => {
    const q = controlled(names(6), 1);
    void q.queue.run();
    expect(q.started).toEqual(['a0']);
    let back = false;
    void q.queue.promote('a5')!.then(() => (back = true));
    await q.finish('a0');
    expect(q.started).toEqual(['a0', 'a5']);
    expect(q.queue.isPending('a5')).toBe(true);
    expect(back).toBe(false);
    await q.finish('a5');
    expect(back).toBe(true);
    expect(q.queue.isPending('a5')).toBe(false);
    expect(q.queue.promote('a5')).toBeUndefined();
    expect(q.queue.promote('not-in-this-restore')).toBeUndefined();
    expect(q.started).toEqual(['a0', 'a5', 'a1']);
  });

  it('an agent that was already running counts as back; a name listed twice is restored once', async () => {
    const q = controlled(['x', 'y', 'x'], 4);
    void q.queue.run();
    expect(q.started).toEqual(['x', 'y']);
    await q.finish('x', 'skipped');
    await q.finish('y');
    await q.queue.finished;
    expect(q.progress.at(-1)).toMatchObject({ state: 'done', total: 2, restored: 2 });
    expect(q.queue.report().restored).toEqual(['y']);
  });

  it('stop() starts nothing more: what waits is left pending for the next start', async () => {
    const q = controlled(names(4), 1);
    void q.queue.run();
    q.queue.stop();
    await q.finish('a0');
    await q.queue.finished;
    expect(q.started).toEqual(['a0']);
    expect(q.queue.report()).toEqual({ restored: ['a0'], failed: [], pending: ['a1', 'a2', 'a3'] });
    expect(q.progress.at(-1)).toMatchObject({ state: 'done', restored: 1, pending: 3 });
  });

  it('nothing to restore: done at once', async () => {
    const q = controlled([], 4);
    await q.queue.run();
    expect(q.progress.at(-1)).toMatchObject({ state: 'done', total: 0, pending: 0 });
  });
});
