/**
 * The activity feed for the hub: the public API, an integration (src/main/integration). The
 * composition root:
 *
 *   const feed = createFeed({ system, nodes: nodes.registry, log });
 *   host.add(feed);   // routes: GET /feed; it listens from supervise() on — before any actor
 *                     // starts, so the core actors' spawns and every restored agent are in it
 *   // a part that has news of its own (approvals): feed.publisher.publish({kind, subject, text, detail})
 *   // stop(): stops listening, sends what is batched, closes
 */
import type { Integration } from '../integration/integration.js';
import type { RoutePlugin } from '../server/http-app.js';
import type { ActorSystem } from '../core/actor-system.js';
import type { Logger } from '../base/logger.js';
import { FeedPublisher, type FeedPublisherOptions } from './feed-publisher.js';
import { feedRoutes } from './feed-routes.js';
import { FeedSources, type FeedNodes } from './feed-sources.js';

export interface FeedPart extends Integration {
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
    // Listening is not an actor, but it must begin before the first actor starts (supervise() is
    // the host's step before that); start() does it for a host-less caller and is a no-op after.
    supervise: () => sources.start(),
    start: () => sources.start(),
    stop: () => {
      sources.stop();
      publisher.close();
    },
  };
}

export { FeedPublisher, type FeedPublisherOptions } from './feed-publisher.js';
export { FeedSources, type FeedNodes } from './feed-sources.js';
