/**
 * The hub's HTTP servers, for the composition root: the dashboard server (`--monitor-port`: the
 * renderer at /, the API under /api/, the integrations' WebSocket endpoints such as MQTT's /mqtt)
 * and, with `--interface rest`, the REST server (the API at its root, on `--port`). Both mount the
 * original routes (HubApi) and every integration's routes behind the same access tokens. Each
 * server goes on the teardown stack as soon as it exists.
 */
import type { IncomingMessage } from 'node:http';
import type { WactorzConfig } from '../config/config.js';
import type { Teardown } from '../core/teardown.js';
import type { WebSocketEndpoint } from '../integration/integration.js';
import { isAuthorized } from '../server/access-token.js';
import { createHttpApp, listenHttp, type RoutePlugin } from '../server/http-app.js';
import type { HubApi } from '../server/hub-api.js';
import { defaultDashboardDir } from './dashboard-dir.js';
import type { HubLogger } from './logger.js';

export interface HttpServersOptions {
  config: Pick<WactorzConfig, 'host' | 'monitorPort' | 'restPort' | 'interface' | 'dashboardDir'>;
  hub: HubApi;
  /** API_KEY and the dashboard token (empty: no auth). */
  tokens: readonly string[];
  routes: RoutePlugin[];
  webSockets: WebSocketEndpoint[];
  teardown: Teardown;
  log: HubLogger;
}

export async function startHttpServers(o: HttpServersOptions): Promise<{ dashboardUrl: string | null; restUrl: string | null }> {
  const { config, hub, tokens, routes, teardown } = o;
  const log = (level: 'info' | 'warning' | 'error', message: string): void => o.log(level, `http: ${message}`);
  const authorize = (req: IncomingMessage): boolean => isAuthorized(req, tokens);

  let dashboardUrl: string | null = null;
  if (config.monitorPort !== null) {
    const app = await createHttpApp({ hub, accessTokens: () => tokens, apiPrefix: '/api', dashboardDir: config.dashboardDir ?? defaultDashboardDir(), routes, log });
    teardown.add('dashboard server', () => app.close());
    const port = await listenHttp(app, config.host, config.monitorPort, '--monitor-port');
    for (const ws of o.webSockets) teardown.add(`WebSocket ${ws.path}`, ws.attach(app.server, authorize));
    dashboardUrl = urlFor(config.host, port);
  }

  let restUrl: string | null = null;
  if (config.interface === 'rest') {
    const rest = await createHttpApp({ hub, accessTokens: () => tokens, apiPrefix: '', routes, log });
    teardown.add('REST server', () => rest.close());
    restUrl = urlFor(config.host, await listenHttp(rest, config.host, config.restPort, '--port'));
  }
  return { dashboardUrl, restUrl };
}

function urlFor(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
