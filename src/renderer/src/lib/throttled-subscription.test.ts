import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { subscribeThrottled } from './throttled-subscription.js';

describe('subscribeThrottled', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = (ms = 250) => {
    const store = createStore<{ n: number; other: number }>(() => ({ n: 0, other: 0 }));
    const shown: number[] = [];
    const stop = subscribeThrottled(store, (s) => s.n, ms, 0, (v) => shown.push(v), () => Date.now());
    return { store, shown, stop };
  };

  it('shows the first change at once and then at most once per interval, ending on the last value', () => {
    const { store, shown } = setup(250);
    store.setState({ n: 1 });
    expect(shown).toEqual([1]);
    // 60 changes a second for one second: about 4 renders, not 60.
    for (let i = 2; i <= 61; i++) {
      vi.advanceTimersByTime(1000 / 60);
      store.setState({ n: i });
    }
    vi.advanceTimersByTime(300);
    expect(shown.length).toBeLessThanOrEqual(6);
    expect(shown.at(-1)).toBe(61);
  });

  it('ignores changes outside the selection', () => {
    const { store, shown } = setup();
    store.setState({ other: 5 });
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual([]);
  });

  it('catches a change made before it subscribed, and stops reporting once unsubscribed', () => {
    const store = createStore<{ n: number }>(() => ({ n: 7 }));
    const shown: number[] = [];
    const stop = subscribeThrottled(store, (s) => s.n, 250, 0, (v) => shown.push(v));
    expect(shown).toEqual([7]);
    store.setState({ n: 8 });
    stop();
    vi.advanceTimersByTime(1000);
    store.setState({ n: 9 });
    expect(shown).toEqual([7]);
  });
});
