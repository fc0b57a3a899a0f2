/** Serves route plugins on the hub's real HTTP app (error handler, /api prefix) on an ephemeral port; closed with the hub. */
import { createActorHubApi } from '../../../hub/actor-hub-api.js';
import { createHttpApp, listenHttp, type RoutePlugin } from '../../../server/http-app.js';
import type { RecipeHub } from './recipe-hub.js';

export async function serveRoutes(hub: RecipeHub, routes: RoutePlugin[]): Promise<string> {
  const api = createActorHubApi({
    system: hub.system,
    bus: hub.broker.bus,
    persistence: hub.persistence,
    llm: hub.llm,
    costs: hub.costs,
    mqtt: { mode: 'embedded', port: hub.broker.port },
    startedAt: Date.now(),
    chat: () => Promise.reject(new Error('no chat in this test')),
  });
  const app = await createHttpApp({ hub: api, accessTokens: () => [], routes, apiPrefix: '/api' });
  const port = await listenHttp(app, '127.0.0.1', 0, '--port');
  hub.onClose(() => app.close());
  return `http://127.0.0.1:${port}/api`;
}
