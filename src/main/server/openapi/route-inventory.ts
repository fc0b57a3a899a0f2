/**
 * Which routes a fastify server really serves. Fastify has no public route list, and an `onRoute`
 * hook sees only the routes registered after it; the router's own printout (`printRoutes`) covers
 * every route, so it is parsed here. Its tree prints each node's path piece, indented four
 * characters per level, with the node's methods in parentheses. Wildcard routes (`*`), which it
 * prints without their prefix and OpenAPI cannot describe, are left out.
 */
import type { FastifyInstance } from 'fastify';

export interface RegisteredRoute {
  method: string;
  /** As registered, with fastify params: /actors/:id/metrics. */
  url: string;
}

export function parsePrintedRoutes(tree: string): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const pathAt: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)(?:├── |└── )(.*?)(?: \(([A-Z]+(?:, [A-Z]+)*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const url = (depth > 0 ? (pathAt[depth - 1] ?? '') : '') + m[2]!;
    pathAt[depth] = url;
    pathAt.length = depth + 1;
    if (!m[3] || url.includes('*')) continue;
    for (const method of m[3].split(', ')) routes.push({ method, url });
  }
  return routes;
}

/**
 * The API routes of `app` under `prefix` ('' or '/api'), prefix removed, without the HEAD twin
 * fastify adds to every GET.
 */
export function listApiRoutes(app: FastifyInstance, prefix: string): RegisteredRoute[] {
  const all = parsePrintedRoutes(app.printRoutes({ commonPrefix: false }));
  const gets = new Set(all.filter((r) => r.method === 'GET').map((r) => r.url));
  const seen = new Set<string>();
  const out: RegisteredRoute[] = [];
  for (const r of all) {
    if (r.method === 'HEAD' && gets.has(r.url)) continue;
    if (prefix && r.url !== prefix && !r.url.startsWith(`${prefix}/`)) continue;
    const url = r.url.slice(prefix.length) || '/';
    const key = `${r.method} ${url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, url });
  }
  return out;
}

/** `/actors/:id` → `/actors/{id}`; `/re/:n(^\d+$)` → `/re/{n}`; `/geo/:lat-:lng` → `/geo/{lat}-{lng}`. */
export function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}');
}

/** The parameter names of a fastify path, in order. */
export function pathParams(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

/** A key that ignores parameter names: `/agents/:name/code` and `/agents/:id/code` are one route. */
export function routeKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, ':')}`;
}
