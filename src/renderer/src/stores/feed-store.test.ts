import { beforeEach, describe, expect, it } from 'vitest';
import type { FeedEvent } from '../../../shared/feed.js';
import { routeMessages } from '../connection/topic-router.js';
import { matchesFeed, MAX_FEED_EVENTS, mergeFeed, useFeedStore } from './feed-store.js';

const ev = (n: number, over: Partial<FeedEvent> = {}): FeedEvent => ({ id: `r-${n}`, timestamp: 1_000 + n, kind: 'spawned', subject: { type: 'agent', name: `a${n}` }, text: `a${n} spawned`, detail: {}, ...over }) as FeedEvent;
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('feed store', () => {
  beforeEach(() => {
    useFeedStore.getState().reset();
    useFeedStore.getState().setFilters({ kinds: [], search: '' });
  });

  it('holds the retained window and live batches newest first, each event once', () => {
    const u = routeMessages([
      { topic: 'system/feed/recent', payload: enc({ events: [ev(2), ev(1)], more: true }) },
      { topic: 'system/feed', payload: enc({ events: [ev(2), ev(3)], skipped: 0 }) },
    ]);
    useFeedStore.getState().applyUpdate(u);
    expect(useFeedStore.getState().events.map((e) => e.id)).toEqual(['r-3', 'r-2', 'r-1']);
    expect(useFeedStore.getState().more).toBe(true);
    useFeedStore.getState().addOlder([ev(0)], false);
    expect(useFeedStore.getState().events.map((e) => e.id)).toEqual(['r-3', 'r-2', 'r-1', 'r-0']);
  });

  it('is bounded, and filters by kind and text', () => {
    const many = Array.from({ length: MAX_FEED_EVENTS + 10 }, (_, i) => ev(i));
    expect(mergeFeed([], many)).toHaveLength(MAX_FEED_EVENTS);
    expect(mergeFeed([], many)[0]!.id).toBe(`r-${MAX_FEED_EVENTS + 9}`);
    const alert = ev(5, { kind: 'alert', text: 'too hot', detail: { severity: 'warning' } } as Partial<FeedEvent>);
    expect(matchesFeed(alert, { kinds: ['alert'], search: '' })).toBe(true);
    expect(matchesFeed(alert, { kinds: ['spawned'], search: '' })).toBe(false);
    expect(matchesFeed(alert, { kinds: [], search: 'HOT' })).toBe(true);
    expect(matchesFeed(alert, { kinds: [], search: 'a5' })).toBe(true);
  });

  it('refuses an event whose detail does not fit its kind', () => {
    const u = routeMessages([{ topic: 'system/feed', payload: enc({ events: [{ ...ev(1), kind: 'deployed', detail: {} }] }) }]);
    expect(u.rejected).toHaveLength(1);
    expect(u.feedEvents).toEqual([]);
  });
});
