/**
 * The HTTP servers: the REST interface (`--interface rest`, on `--port`) serves the API at its root;
 * the dashboard server (`--monitor-port`) serves the renderer's files at / and the same API under
 * /api/, so the page talks to its own origin — and, as the original's monitor did, its original
 * routes (original/) at the root too. MQTT over WebSocket is attached to the dashboard server's
 * upgrade event by the broker (see broker/).
 *
 * Every request first passes the request policy (request-policy.ts: Host allow-list, no cross-site
 * state changes, JSON bodies); the API then wants a token when one is configured, and an address
 * beyond loopback that keeps presenting wrong ones is throttled (net/login-throttle.ts).
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HubApi } from './hub-api.js';
import { HttpError } from './http-error.js';
import { isAuthorized, presentedToken } from './access-token.js';
import { registerOriginalRoutes } from './original/original-routes.js';
import { flavourOf, isCrossSite, wantsJson } from './original/reply-style.js';
import type { HttpMetrics } from './original/http-metrics.js';
import type { OriginalConfigDeps } from './original/config-route.js';
import { RequestPolicy } from './request-policy.js';
import { LoginThrottle } from '../net/login-throttle.js';
import type { Logger } from '../base/logger.js';
import { redact, redactDeep } from '../base/redact.js';

/** Routes that other parts of the hub add (agent code, catalog, settings…), mounted beside the original ones. */
export type RoutePlugin = FastifyPluginAsync;

export interface HttpAppOptions {
  hub: HubApi;
  /** Accepted tokens (API_KEY, the dashboard token); empty → no auth. */
  accessTokens: () => readonly string[];
  routes?: RoutePlugin[];
  /** Built renderer (index.html + assets) to serve at /; omit for the REST-only server. */
  dashboardDir?: string;
  /** Mount the API under this prefix ('' for the REST interface, '/api' for the dashboard). */
  apiPrefix: '' | '/api';
  log?: Logger<'info' | 'warning' | 'error'>;
  /** Host/Origin/body rules (default: loopback names and 127.0.0.1 only, no extra origins). */
  policy?: RequestPolicy;
  /** Failed-login throttle, shared with the broker (default: one of its own). */
  throttle?: LoginThrottle;
  /** Counts every request (wactorz_http_* on /metrics); one per hub, shared by its servers. */
  httpMetrics?: HttpMetrics;
  /** Serves the original monitor's GET /config (no secrets in it). */
  originalConfig?: OriginalConfigDeps;
  /** More of the original monitor's routes the dashboard also serves at its root (/cost, /chats, /feed…), behind the same checks. */
  rootRoutes?: RoutePlugin[];
}

export async function createHttpApp(opts: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024, forceCloseConnections: true });

  const httpMetrics = opts.httpMetrics;
  if (httpMetrics) app.addHook('onResponse', async (req, reply) => httpMetrics.observe(req.method, req.routeOptions.url, reply.statusCode, reply.elapsedTime));

  app.setErrorHandler((e, req, reply) => {
    const err = e instanceof Error ? e : new Error(String(e));
    if (err instanceof HttpError) {
      // The original REST interface's plain-text errors, for clients that did not ask for JSON.
      if (err.opts.text && !wantsJson(req)) return reply.status(err.statusCode).type('text/plain; charset=utf-8').send(redact(err.message));
      return reply.status(err.statusCode).send(redactDeep({ error: err.message, ...(err.detail !== undefined ? { detail: err.detail } : {}) }));
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) opts.log?.('error', `HTTP ${status}: ${err.stack ?? err.message}`);
    const error = status === 400 && (err as { code?: string }).code?.startsWith('FST_ERR_CTP') ? 'invalid JSON body' : status >= 500 ? 'internal error' : err.message;
    return reply.status(status).send({ error: redact(error), detail: redact(err.message) });
  });

  const policy = opts.policy ?? new RequestPolicy({ bindHost: '127.0.0.1' });
  const throttle = opts.throttle ?? new LoginThrottle();
  app.addHook('onRequest', async (req, reply) => {
    const refusal = policy.checkRequest(req.raw);
    if (refusal) {
      opts.log?.('warning', `refused ${req.method} ${req.url.split('?')[0]} from ${req.raw.socket.remoteAddress ?? '?'}: ${refusal.error} (${refusal.detail})`);
      return reply.status(refusal.status).send({ error: refusal.error, detail: refusal.detail });
    }
  });

  // Every API route, wherever it is mounted, passes this guard ("Unauthorized" is the original's
  // word); an address that keeps presenting wrong tokens is throttled.
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    const accepted = opts.accessTokens();
    if (accepted.length === 0) return;
    const peer = req.raw.socket.remoteAddress;
    const wait = throttle.retryAfterMs(peer);
    if (wait > 0) {
      return reply
        .status(429)
        .header('retry-after', String(Math.ceil(wait / 1000)))
        .send({ error: 'too many failed logins', detail: `try again in ${Math.ceil(wait / 1000)} s` });
    }
    if (!isAuthorized(req.raw, accepted)) {
      if (presentedToken(req.raw) !== undefined && throttle.fail(peer)) opts.log?.('warning', `failed logins from ${peer}: throttled`);
      return reply.status(401).send({ error: 'Unauthorized', detail: 'send the access token as X-API-Key or Authorization: Bearer' });
    }
  };
  const original = { flavour: flavourOf(opts.apiPrefix), httpMetrics: opts.httpMetrics, config: opts.originalConfig };

  await app.register(
    async (api) => {
      api.addHook('onRequest', guard);
      await registerOriginalRoutes(api, opts.hub, original);
      for (const routes of opts.routes ?? []) await api.register(routes);
      api.setNotFoundHandler((req, reply) => reply.status(404).send({ error: 'not found', detail: `${req.method} ${req.url}` }));
    },
    { prefix: opts.apiPrefix },
  );
  // The original monitor also answered its routes without /api (/health, /actors…, /chat, /config,
  // /metrics, /cost, /chats, /feed…); the dashboard's own views are hash routes, so these root paths are free. Only
  // scripts use them: a page of another origin is refused outright (the dashboard calls /api/).
  if (opts.apiPrefix === '/api' && opts.dashboardDir) {
    await app.register(async (root) => {
      root.addHook('onRequest', async (req, reply) => {
        if (isCrossSite(req)) return reply.status(403).send({ error: 'cross-site request refused', detail: 'a page of another origin may not call the hub' });
      });
      root.addHook('onRequest', guard);
      await registerOriginalRoutes(root, opts.hub, original);
      for (const routes of opts.rootRoutes ?? []) await root.register(routes);
    });
  }

  const dir = opts.dashboardDir;
  if (dir) {
    if (existsSync(join(dir, 'index.html'))) {
      await app.register(fastifyStatic, { root: dir, prefix: '/', wildcard: false, index: ['index.html'] });
      // Client-side routes (e.g. /agents/foo) get the app shell.
      app.setNotFoundHandler((req, reply) =>
        req.method === 'GET' && !req.url.startsWith('/api/') ? reply.sendFile('index.html') : reply.status(404).send({ error: 'not found', detail: req.url }),
      );
    } else {
      app.get('/', async (_req, reply) =>
        reply.type('text/plain').send(`The dashboard is not built (${dir} has no index.html). Run \`npm run build\` and restart.`),
      );
    }
  }
  return app;
}

/** Listens, turning "port in use" into a message that names the flag to change. */
export async function listenHttp(app: FastifyInstance, host: string, port: number, flag: string): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      throw Object.assign(new Error(`Port ${port} on ${host} is already in use — choose another with ${flag} <port>.`), { code: 'EADDRINUSE' });
    }
    throw e;
  }
  const addr = app.server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}
