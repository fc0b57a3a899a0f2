/**
 * The activity feed: events newest first (the retained recent window, live batches, and older
 * pages read with GET /api/feed), each once (by id), at most MAX_FEED_EVENTS. The filters live
 * here, not in the view, so a search survives switching views (the original's lesson).
 */
import { create } from 'zustand';
import type { FeedEvent, FeedKind } from '../../../shared/feed.js';
import type { DashboardUpdate } from '../connection/topic-router.js';

export const MAX_FEED_EVENTS = 1_000;

export interface FeedFilters {
  /** Kinds shown; empty = all. */
  kinds: FeedKind[];
  search: string;
}

interface FeedState {
  /** Newest first. */
  events: FeedEvent[];
  /** Older events exist on the hub beyond the oldest held. */
  more: boolean;
  filters: FeedFilters;
  applyUpdate(u: Pick<DashboardUpdate, 'feedEvents' | 'feedRecent'>): void;
  /** Adds a page read from GET /api/feed (older events). */
  addOlder(events: FeedEvent[], more: boolean): void;
  setFilters(f: Partial<FeedFilters>): void;
  reset(): void;
}

/** Merges `incoming` into `held` (both newest first by id order), once each, capped. */
export function mergeFeed(held: readonly FeedEvent[], incoming: readonly FeedEvent[]): FeedEvent[] {
  if (incoming.length === 0) return held as FeedEvent[];
  const seen = new Set(held.map((e) => e.id));
  const fresh = incoming.filter((e) => !seen.has(e.id) && (seen.add(e.id), true));
  if (fresh.length === 0) return held as FeedEvent[];
  const all = [...fresh, ...held].sort((a, b) => b.timestamp - a.timestamp || byIdDesc(a.id, b.id));
  return all.length > MAX_FEED_EVENTS ? all.slice(0, MAX_FEED_EVENTS) : all;
}

/** Ids are "<run>-<n>": within a run, a larger n is newer. */
function byIdDesc(a: string, b: string): number {
  const na = Number(a.slice(a.lastIndexOf('-') + 1));
  const nb = Number(b.slice(b.lastIndexOf('-') + 1));
  return Number.isFinite(na) && Number.isFinite(nb) ? nb - na : b.localeCompare(a);
}

export function matchesFeed(e: FeedEvent, f: FeedFilters): boolean {
  if (f.kinds.length > 0 && !f.kinds.includes(e.kind)) return false;
  const q = f.search.trim().toLowerCase();
  return !q || e.text.toLowerCase().includes(q) || e.subject.name.toLowerCase().includes(q);
}

export const useFeedStore = create<FeedState>((set, get) => ({
  events: [],
  more: false,
  filters: { kinds: [], search: '' },
  applyUpdate(u) {
    if (u.feedEvents.length === 0 && u.feedRecent.length === 0) return;
    let { events, more } = get();
    for (const page of u.feedRecent) {
      if (events.length === 0) more = page.more;
      events = mergeFeed(events, page.events);
    }
    events = mergeFeed(events, [...u.feedEvents].reverse());
    if (events !== get().events || more !== get().more) set({ events, more });
  },
  addOlder(older, more) {
    set((st) => ({ events: mergeFeed(st.events, older), more }));
  },
  setFilters(f) {
    set((st) => ({ filters: { ...st.filters, ...f } }));
  },
  reset() {
    set({ events: [], more: false });
  },
}));
