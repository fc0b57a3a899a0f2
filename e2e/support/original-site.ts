/**
 * Serving the original dashboard's equivalent page (original-dashboard/) the two ways its users did:
 * - from the hub itself: `prepareOriginalDashboard()` gives a folder to use as the hub's
 *   `dashboardDir` (the page and the mqtt.js browser build it loads), as the original monitor
 *   served its `static/app`;
 * - behind a reverse proxy on another origin: `startReverseProxy()` behaves like the nginx set-up
 *   of docs/compatibility.md — it serves the files and forwards `/api/`, `/ws` and `/mqtt` to the
 *   hub with `Host: $host` (the page's host name, without its port), `X-Forwarded-Host` and
 *   `X-Forwarded-Proto`, and passes the browser's Origin through. It records what the hub answered
 *   each WebSocket upgrade, so a test can tell a refusal from a page that simply did nothing.
 */
import { createReadStream } from 'node:fs';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';

const here = dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = join(here, 'original-dashboard');
const MQTT_BROWSER_BUILD = join(here, '..', '..', 'node_modules', 'mqtt', 'dist', 'mqtt.min.js');

/** A temp folder with the page and mqtt.min.js; `cleanup` removes it. */
export async function prepareOriginalDashboard(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'wactorz-original-dashboard-'));
  for (const f of await readdir(PAGE_DIR)) if (/\.(html|js|css)$/.test(f)) await cp(join(PAGE_DIR, f), join(dir, f));
  await cp(MQTT_BROWSER_BUILD, join(dir, 'mqtt.min.js'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export interface ReverseProxy {
  /** http://localhost:<port> — the page's origin (not the hub's). */
  url: string;
  origin: string;
  /** Where `/api/`, `/ws` and `/mqtt` go (the hub's dashboard URL); can change between page loads. */
  upstream: string;
  /** The hub's answer to each forwarded WebSocket upgrade, in order. */
  upgrades: { path: string; status: number }[];
  close(): Promise<void>;
}

export async function startReverseProxy(opts: { root: string; upstream: string }): Promise<ReverseProxy> {
  const sockets = new Set<Socket | Duplex>();
  const proxy: ReverseProxy = { url: '', origin: '', upstream: opts.upstream, upgrades: [], close: async () => {} };

  /** nginx: `proxy_set_header Host $host; X-Forwarded-Host $http_host; X-Forwarded-Proto $scheme`. */
  const forwardedHeaders = (req: IncomingMessage): Record<string, string | string[]> => {
    const h: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'host') h[k] = v;
    const httpHost = req.headers.host ?? 'localhost';
    h.host = httpHost.replace(/:\d+$/, '');
    h['x-forwarded-host'] = httpHost;
    h['x-forwarded-proto'] = 'http';
    return h;
  };

  const serveFile = (path: string, res: ServerResponse): void => {
    const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
    if (rel.startsWith('..') || !TYPES[extname(rel)]) {
      res.writeHead(404).end();
      return;
    }
    const stream = createReadStream(join(opts.root, rel));
    stream.on('error', () => res.writeHead(404).end());
    stream.on('open', () => {
      res.writeHead(200, { 'content-type': TYPES[extname(rel)]! });
      stream.pipe(res);
    });
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!path.startsWith('/api/')) return serveFile(path, res);
    const up = new URL(proxy.upstream);
    const upReq = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: forwardedHeaders(req) }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    upReq.on('error', () => res.writeHead(502).end());
    req.pipe(upReq);
  });

  server.on('upgrade', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/ws' && path !== '/mqtt') {
      client.destroy();
      return;
    }
    const up = new URL(proxy.upstream);
    const upstream = connect(Number(up.port), up.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    upstream.once('connect', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (const [k, v] of Object.entries(forwardedHeaders(req))) for (const value of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${value}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      // The status line of the hub's answer says whether the upgrade was taken (101) or refused.
      upstream.once('data', (first: Buffer) => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(first.toString('latin1'))?.[1] ?? 0);
        proxy.upgrades.push({ path, status });
        client.write(first);
        upstream.pipe(client);
        client.pipe(upstream);
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  proxy.url = `http://localhost:${port}`;
  proxy.origin = proxy.url;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
