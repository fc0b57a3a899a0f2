/**
 * The activity feed for the hub: the public API (shaped as an integration: name, routes, start,
 * stop). The composition root:
 *
 *   const feed = createFeed({ system, nodes, log });
 *   routes.push(...feed.routes);   // GET /feed
 *   feed.start();                  // before the actors start, so their spawns are in it
 *   // a part that has news of its own (approvals): feed.publisher.publish({kind, subject, text, detail})
 *   // at stop: feed.stop()
 */
import type { RoutePlugin } from '../server/http-app.js';
import type { ActorSystem } from '../core/actor-system.js';
import type { Logger } from '../base/logger.js';
import { FeedPublisher, type FeedPublisherOptions } from './feed-publisher.js';
import { feedRoutes } from './feed-routes.js';
import { FeedSources, type FeedNodes } from './feed-sources.js';

export interface FeedPart {
  readonly name: 'feed';
  readonly publisher: FeedPublisher;
  readonly sources: FeedSources;
  readonly routes: RoutePlugin[];
  start(): void;
  stop(): void;
}

export interface CreateFeedOptions extends Omit<FeedPublisherOptions, 'bus'> {
  system: ActorSystem;
  nodes?: FeedNodes;
  log?: Logger;
  presenceMs?: number;
}

export function createFeed(opts: CreateFeedOptions): FeedPart {
  const { system, nodes, presenceMs, ...pub } = opts;
  const publisher = new FeedPublisher({ ...pub, bus: system.bus });
  const sources = new FeedSources({ system, feed: publisher, ...(nodes ? { nodes } : {}), ...(presenceMs ? { presenceMs } : {}), ...(opts.now ? { now: opts.now } : {}) });
  return {
    name: 'feed',
    publisher,
    sources,
    routes: [feedRoutes(publisher)],
    start: () => sources.start(),
    stop: () => {
      sources.stop();
      publisher.close();
    },
  };
}

export { FeedPublisher, type FeedPublisherOptions } from './feed-publisher.js';
export { FeedSources, type FeedNodes } from './feed-sources.js';
