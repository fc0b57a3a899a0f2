/** A local HTTP server for tests: records every request (webhooks) and serves what a test sets (feeds, JSON APIs). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reach into bodies field by field
  json: any;
}

export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

export interface HttpReceiver {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: ReceivedRequest[];
  /** Serves `route` (or what `route(req)` returns) on `path` for every method. */
  route(path: string, route: Route | ((req: ReceivedRequest) => Route)): void;
  /** Resolves once `count` requests (to `path`, if given) have arrived. */
  waitFor(count: number, path?: string, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const routes = new Map<string, Route | ((req: ReceivedRequest) => Route)>();
  const waiters = new Set<() => void>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const path = (req.url ?? '/').split('?')[0]!;
      const r: ReceivedRequest = { method: req.method ?? 'GET', path, headers, body, json };
      requests.push(r);
      const handler = routes.get(path);
      const out = typeof handler === 'function' ? handler(r) : (handler ?? { status: 204, body: '' });
      res.writeHead(out.status ?? 200, out.headers ?? {});
      res.end(out.body);
      for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    route(path, route) {
      routes.set(path, route);
    },
    waitFor(count, path, timeoutMs = 20_000) {
      const matching = (): ReceivedRequest[] => requests.filter((r) => path === undefined || r.path === path);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = matching();
          if (m.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${count} request(s)${path ? ` to ${path}` : ''}; got ${matching().length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
