/**
 * The hub's HTTP servers, for the composition root: the dashboard server (`--monitor-port`: the
 * renderer at /, the API under /api/, the integrations' WebSocket endpoints such as MQTT's /mqtt)
 * and, with `--interface rest`, the REST server (the API at its root, on `--port`). Both mount the
 * original routes (HubApi) and every integration's routes behind the same network edges (tokens,
 * Host/Origin policy, login throttle). Each server goes on the teardown stack as soon as it exists.
 */
import type { WactorzConfig } from '../config/config.js';
import type { Teardown } from '../core/teardown.js';
import type { Logger } from '../base/logger.js';
import type { WebSocketEndpoint } from '../integration/integration.js';
import { createHttpApp, listenHttp, type HttpAppOptions, type RoutePlugin } from '../server/http-app.js';
import type { HubApi } from '../server/hub-api.js';
import type { NetworkEdges } from '../server/network-edges.js';
import { refuseUnclaimedUpgrades } from '../server/unclaimed-upgrades.js';
import { defaultDashboardDir } from './dashboard-dir.js';

export interface HttpServersOptions extends Pick<HttpAppOptions, 'httpMetrics' | 'originalConfig' | 'rootRoutes'> {
  config: Pick<WactorzConfig, 'host' | 'monitorPort' | 'restPort' | 'interface' | 'dashboardDir'>;
  hub: HubApi;
  edges: Pick<NetworkEdges, 'tokens' | 'policy' | 'throttle' | 'mqttUpgrade' | 'tokenUpgrade'>;
  routes: RoutePlugin[];
  webSockets: WebSocketEndpoint[];
  teardown: Teardown;
  log: Logger;
}

export async function startHttpServers(o: HttpServersOptions): Promise<{ dashboardUrl: string | null; restUrl: string | null }> {
  const { config, edges, teardown } = o;
  const common = {
    hub: o.hub,
    accessTokens: () => edges.tokens.list(),
    policy: edges.policy,
    throttle: edges.throttle,
    routes: o.routes,
    ...(o.httpMetrics ? { httpMetrics: o.httpMetrics } : {}),
    ...(o.originalConfig ? { originalConfig: o.originalConfig } : {}),
    log: (level: 'info' | 'warning' | 'error', message: string): void => o.log(level, `http: ${message}`),
  };

  let dashboardUrl: string | null = null;
  if (config.monitorPort !== null) {
    const app = await createHttpApp({ ...common, apiPrefix: '/api', dashboardDir: config.dashboardDir ?? defaultDashboardDir(), ...(o.rootRoutes ? { rootRoutes: o.rootRoutes } : {}) });
    teardown.add('dashboard server', () => app.close());
    const port = await listenHttp(app, config.host, config.monitorPort, '--monitor-port');
    // Host and Origin for every upgrade; the access token too unless the protocol logs in itself.
    for (const ws of o.webSockets) teardown.add(`WebSocket ${ws.path}`, ws.attach(app.server, ws.ownLogin ? edges.mqttUpgrade : edges.tokenUpgrade));
    // Each endpoint takes only its path: any other upgrade gets a 404 here.
    if (o.webSockets.length) teardown.add('unclaimed upgrades', refuseUnclaimedUpgrades(app.server, o.webSockets.map((ws) => ws.path)));
    dashboardUrl = urlFor(config.host, port);
  }

  let restUrl: string | null = null;
  if (config.interface === 'rest') {
    const rest = await createHttpApp({ ...common, apiPrefix: '' });
    teardown.add('REST server', () => rest.close());
    restUrl = urlFor(config.host, await listenHttp(rest, config.host, config.restPort, '--port'));
  }
  return { dashboardUrl, restUrl };
}

function urlFor(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
