/**
 * The activity feed's backlog over REST (at / on the REST port, under /api on the dashboard):
 *
 *   GET /feed?kind=spawned,alert&subject=name&q=text&before=<id>&limit=100 → {events, more} (newest first)
 *
 * Read-only, behind the token guard and the request policy; a page of another origin is refused
 * outright (the feed quotes alerts and agent names: not for other sites to read).
 */
import { feedQuerySchema } from '../../shared/feed.js';
import type { RoutePlugin } from '../server/http-app.js';
import { HttpError } from '../server/http-error.js';
import { isCrossSite } from '../server/original/reply-style.js';
import type { FeedPublisher } from './feed-publisher.js';

export function feedRoutes(feed: FeedPublisher): RoutePlugin {
  return async (app) => {
    app.get('/feed', async (req, reply) => {
      if (isCrossSite(req)) return reply.status(403).send({ error: 'cross-site request refused', detail: 'a page of another origin may not read the activity feed' });
      const q = feedQuerySchema.safeParse(req.query);
      if (!q.success) throw new HttpError(400, 'invalid query', q.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      return feed.query(q.data);
    });
  };
}
