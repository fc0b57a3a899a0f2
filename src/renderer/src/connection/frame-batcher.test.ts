import { describe, expect, it, vi } from 'vitest';
import { animationFrameScheduler, FrameBatcher, type FrameScheduler } from './frame-batcher.js';

/** A scheduler whose "frame" the test fires by hand. */
function manualScheduler() {
  const pending: (() => void)[] = [];
  let requested = 0;
  const scheduler: FrameScheduler = {
    schedule(cb) {
      requested++;
      pending.push(cb);
      return () => {
        const i = pending.indexOf(cb);
        if (i !== -1) pending.splice(i, 1);
      };
    },
  };
  return {
    scheduler,
    get requested() {
      return requested;
    },
    frame() {
      const cbs = pending.splice(0);
      for (const cb of cbs) cb();
    },
  };
}

describe('FrameBatcher', () => {
  it('hands over everything pushed before a frame in one batch, in order', () => {
    const s = manualScheduler();
    const batches: number[][] = [];
    const b = new FrameBatcher<number>((items) => batches.push(items), s.scheduler);
    for (let i = 0; i < 1000; i++) b.push(i);
    expect(batches).toEqual([]);
    expect(s.requested).toBe(1); // one frame requested for the whole burst
    s.frame();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(1000);
    expect(batches[0]![999]).toBe(999);
    b.push(1000);
    s.frame();
    expect(batches).toEqual([batches[0], [1000]]);
  });

  it('flushes early when the queue reaches its cap', () => {
    const s = manualScheduler();
    const sizes: number[] = [];
    const b = new FrameBatcher<number>((items) => sizes.push(items.length), s.scheduler, 100);
    for (let i = 0; i < 250; i++) b.push(i);
    expect(sizes).toEqual([100, 100]);
    s.frame();
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('drops everything after dispose', () => {
    const s = manualScheduler();
    const got: number[][] = [];
    const b = new FrameBatcher<number>((items) => got.push(items), s.scheduler);
    b.push(1);
    b.dispose();
    b.push(2);
    s.frame();
    expect(got).toEqual([]);
    expect(b.pending).toBe(0);
  });

  it('flushes on a timer where there are no animation frames (Node, background tabs)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const got: number[][] = [];
      const b = new FrameBatcher<number>((items) => got.push(items), animationFrameScheduler);
      b.push(1);
      b.push(2);
      vi.advanceTimersByTime(99);
      expect(got).toEqual([]);
      vi.advanceTimersByTime(1); // the 100 ms fallback
      expect(got).toEqual([[1, 2]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
