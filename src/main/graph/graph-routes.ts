/**
 * The graph over REST (mounted at / on the REST port, under /api on the dashboard):
 *
 *   GET /graph                     → {agents, edges, nodes} (src/shared/graph.ts)
 *   GET /graph/messages?topic=t    → {topic, messages[]}: the topic's recent messages, newest first
 *
 * Both only read, and both sit behind the API's token guard and the request policy like every
 * route; a page of another origin is refused outright (only the dashboard, same-origin, and
 * scripts without a browser's signals call them), so a site the user visits cannot learn the
 * hub's agents or read their messages even where the hub needs no token (loopback).
 */
import { z } from 'zod';
import type { RoutePlugin } from '../server/http-app.js';
import { HttpError } from '../server/http-error.js';
import { isCrossSite } from '../server/original/reply-style.js';
import type { GraphService } from './graph-service.js';

export const topicQuerySchema = z.object({
  topic: z
    .string()
    .min(1)
    .max(1_000)
    .refine((t) => !t.includes('+') && !t.includes('#') && !t.includes('\u0000'), 'a topic, not a filter (no + or #)'),
});

export function graphRoutes(graph: GraphService): RoutePlugin {
  return async (app) => {
    // Encapsulated: the hook guards this plugin's routes only.
    app.addHook('onRequest', async (req, reply) => {
      if (isCrossSite(req)) return reply.status(403).send({ error: 'cross-site request refused', detail: 'a page of another origin may not read the graph' });
    });
    app.get('/graph', async () => graph.graph());
    app.get('/graph/messages', async (req) => {
      const q = topicQuerySchema.safeParse(req.query);
      if (!q.success) throw new HttpError(400, 'invalid query', q.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      return graph.recent(q.data.topic);
    });
  };
}
