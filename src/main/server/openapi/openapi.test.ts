/**
 * The OpenAPI document: the route inventory against fastify's own onRoute hook, the document
 * against every route a server registers (both directions), and a real hub serving it at
 * /openapi.json and /docs with the documented schemas matching what the routes really answer.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { createHttpApp } from '../http-app.js';
import { json } from '../../testing/http.js';
import { registerOriginalRoutes } from '../original/original-routes.js';
import type { HubApi } from '../hub-api.js';
import { openApiRoutes } from './openapi-routes.js';
import { parsePrintedRoutes, toOpenApiPath, type RegisteredRoute } from './route-inventory.js';
import type { OpenApiDocument } from './openapi-document.js';
import { agentSummarySchema, healthSchema } from './response-schemas.js';
import type { WactorzHandle } from '../../wactorz-handle.js';
import { hubTest } from '../../testing/hub-fixture.js';

const key = (r: RegisteredRoute) => `${r.method} ${r.url}`;

// The real hub of the last suite (started when it first asks for it).
const API_KEY = 'openapi-key';
hubTest.override('hubOptions', { dashboard: true, env: { API_KEY } });

/** Collects routes with fastify's onRoute hook; skip-override puts the hook in the scope it is registered in. */
function routeCollector(into: RegisteredRoute[], prefix: string): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = async (app) => {
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) if (method !== 'HEAD') into.push({ method, url: r.url.slice(prefix.length) || '/' });
    });
  };
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}

describe('route inventory (printRoutes parsed) against onRoute', () => {
  it('finds exactly the routes fastify registered, nested, with params, regex params and several methods', async () => {
    const app = Fastify();
    const registered: RegisteredRoute[] = [];
    app.addHook('onRoute', (r) => [r.method].flat().forEach((method) => registered.push({ method, url: r.url })));
    await app.register(
      async (api) => {
        for (const url of ['/actors', '/actors/:id', '/actors/:id/metrics', '/actors/:id/pause', '/agents', '/agents/:name/code', '/agents/:name/versions/:version', '/ha-map', '/ha/history/:entity_id', '/re/:n(^\\d+$)', '/geo/:lat-:lng', '/slash/', '/a/b/c/d']) {
          api.get(url, async () => 1);
        }
        api.post('/actors/:id/message', async () => 1);
        api.delete('/actors/:id', async () => 1);
        api.put('/agents/:name/code', async () => 1);
        api.route({ method: ['GET', 'POST'], url: '/multi', handler: async () => 1 });
        api.post('/only-post/:x', async () => 1);
      },
      { prefix: '/api' },
    );
    app.get('/', async () => 1);
    await app.ready();
    const parsed = parsePrintedRoutes(app.printRoutes({ commonPrefix: false }));
    expect(parsed.map(key).sort()).toEqual(registered.map(key).sort());
  });

  it('turns fastify paths into OpenAPI paths', () => {
    expect(toOpenApiPath('/actors/:id/metrics')).toBe('/actors/{id}/metrics');
    expect(toOpenApiPath('/re/:n(^\\d+$)')).toBe('/re/{n}');
    expect(toOpenApiPath('/geo/:lat-:lng')).toBe('/geo/{lat}-{lng}');
  });
});

// The HTTP layer with a stand-in hub: only route registration matters here.
const hubStub = {} as HubApi;

describe('the document covers every registered route', () => {
  for (const prefix of ['', '/api'] as const) {
    it(`on a server with the API at "${prefix || '/'}", in both directions`, async () => {
      const fromPlugins: RegisteredRoute[] = [];
      const extra: FastifyPluginAsync = async (app) => {
        app.get('/experimental/:thing', async () => ({ ok: true })); // not in ROUTE_DOCS
        app.get('/agents/:id/code', async () => ({})); // documented, under another parameter name
        app.post('/catalog/:recipe/spawn', async () => ({}));
      };
      const dir = mkdtempSync(join(tmpdir(), 'wz-openapi-dash-'));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>dashboard</title>');
      const app = await createHttpApp({ hub: hubStub, accessTokens: () => [], apiPrefix: prefix, routes: [routeCollector(fromPlugins, prefix), extra, openApiRoutes({ version: '9.9.9' })], ...(prefix ? { dashboardDir: dir } : {}) });
      try {
        // The original routes are registered before any plugin: their inventory comes from a probe app.
        const probe = Fastify();
        const originals: RegisteredRoute[] = [];
        probe.addHook('onRoute', (r) => [r.method].flat().forEach((method) => method !== 'HEAD' && originals.push({ method, url: r.url })));
        await registerOriginalRoutes(probe, hubStub, { flavour: prefix ? 'monitor' : 'rest' });
        await probe.close();
        const expected = [...originals, ...fromPlugins].map(key).sort();
        expect(expected).toContain('GET /experimental/:thing');

        const res = await app.inject({ method: 'GET', url: `${prefix}/openapi.json` });
        expect(res.statusCode).toBe(200);
        const doc = res.json() as OpenApiDocument;
        expect(doc.openapi).toBe('3.1.0');
        expect(doc.info.version).toBe('9.9.9');
        expect(doc.servers).toEqual([{ url: prefix || '/' }]);
        const inDoc = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
        expect(inDoc).toEqual(expected.map((k) => k.replace(/:([A-Za-z0-9_]+)/g, '{$1}')).sort());

        const experimental = doc.paths['/experimental/{thing}']!.get as Record<string, unknown>;
        expect(experimental['x-undocumented']).toBe(true);
        const code = doc.paths['/agents/{id}/code']!.get as { summary: string; parameters: { name: string; in: string }[] };
        expect(code.summary).toMatch(/current code/);
        expect(code.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id', 'query:version']);
        // Static dashboard files are not API routes.
        expect(Object.keys(doc.paths).some((p) => p.includes('index.html'))).toBe(false);
      } finally {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('a real hub serves /openapi.json and /docs', () => {
  let hub: WactorzHandle;
  const get = (url: string) => fetch(url, { headers: { 'x-api-key': API_KEY } });
  let doc: OpenApiDocument;

  hubTest.beforeAll(async ({ hub: started }) => {
    hub = started.handle;
    doc = (await (await get(`${hub.restUrl}/openapi.json`)).json()) as OpenApiDocument;
  }, 60_000);

  const op = (path: string, method: string) => doc.paths[path]?.[method] as Record<string, unknown> | undefined;

  it('documents every original route with its schemas', () => {
    const originals: [string, string][] = [
      ['/health', 'get'], ['/metrics', 'get'], ['/agents', 'get'], ['/actors', 'get'], ['/actors/{id}', 'get'], ['/actors/{id}/metrics', 'get'],
      ['/actors/{id}/message', 'post'], ['/actors/{id}/pause', 'post'], ['/actors/{id}/resume', 'post'], ['/actors/{id}', 'delete'],
      ['/agents/command', 'post'], ['/chat', 'post'], ['/openapi.json', 'get'], ['/docs', 'get'],
    ];
    for (const [path, method] of originals) {
      expect(op(path, method), `${method} ${path}`).toBeDefined();
      expect(op(path, method)!['x-undocumented'], `${method} ${path}`).toBeUndefined();
    }
    const chat = op('/chat', 'post') as { requestBody: { content: { 'application/json': { schema: { required: string[]; properties: Record<string, unknown> } } } }; parameters: { name: string }[] };
    expect(chat.requestBody.content['application/json'].schema.required).toEqual(['message']);
    expect(Object.keys(chat.requestBody.content['application/json'].schema.properties)).toEqual(['message', 'agent_name']);
    expect(chat.parameters.map((p) => p.name)).toEqual(['stream']);
    const command = op('/agents/command', 'post') as { requestBody: { content: { 'application/json': { schema: { properties: { command: { enum: string[] } } } } } } };
    expect(command.requestBody.content['application/json'].schema.properties.command.enum).toEqual(['stop', 'pause', 'resume', 'delete', 'restart']);
    expect(doc.components.securitySchemes).toMatchObject({ apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } });
  });

  it('documents the routes mounted beside them (LLM, Home Assistant, settings)', () => {
    for (const [path, method] of [['/llm', 'get'], ['/cost', 'get'], ['/ha/status', 'get'], ['/ha/history/{entity_id}', 'get'], ['/settings', 'put'], ['/graph', 'get'], ['/graph/messages', 'get'], ['/feed', 'get'], ['/cost/limit', 'post'], ['/cost/reset', 'post'], ['/actors/{id}/history', 'get'], ['/chats', 'get'], ['/reset', 'post']] as const) {
      expect(op(path, method), `${method} ${path}`).toBeDefined();
      expect(op(path, method)!['x-undocumented'], `${method} ${path}`).toBeUndefined();
    }
  });

  it("matches what the routes answer (the documented response schemas parse the hub's answers)", async () => {
    const health = await (await get(`${hub.restUrl}/health`)).json();
    expect(healthSchema.safeParse(health).success).toBe(true);
    const agents = await json(get(`${hub.restUrl}/agents`));
    expect(z.array(agentSummarySchema).safeParse(agents).success).toBe(true);
    const documented = (op('/agents', 'get') as { responses: { 200: { content: { 'application/json': { schema: { type: string; items: { required: string[] } } } } } } }).responses[200];
    expect(documented.content['application/json'].schema.type).toBe('array');
    for (const field of documented.content['application/json'].schema.items.required) expect(agents[0]).toHaveProperty(field);
  });

  it('serves the same document under /api on the dashboard, and requires the token', async () => {
    const dash = (await (await get(`${hub.dashboardUrl}/api/openapi.json`)).json()) as OpenApiDocument;
    expect(dash.servers).toEqual([{ url: '/api' }]);
    expect(Object.keys(dash.paths).sort()).toEqual(Object.keys(doc.paths).sort());
    expect((await fetch(`${hub.restUrl}/openapi.json`)).status).toBe(401);
  });

  it('renders /docs as a self-contained page listing the routes', async () => {
    const res = await get(`${hub.restUrl}/docs`);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/<script|https?:\/\/(?!json-schema)/);
    for (const path of ['/actors/{id}/message', '/chat', '/agents/command']) expect(html).toContain(`<code>${path}</code>`);
    expect(html).toContain('href="/openapi.json"');
  });
});
