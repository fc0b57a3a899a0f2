/**
 * Builds the OpenAPI 3.1 document of the routes a server really serves: each route gets its entry
 * from ROUTE_DOCS (zod schemas turned into JSON Schema 2020-12, which OpenAPI 3.1 uses), or a
 * minimal entry marked `x-undocumented` when none exists, so the document never omits a route.
 */
import { z } from 'zod';
import { apiErrorSchema } from './response-schemas.js';
import { pathParams, routeKey, toOpenApiPath, type RegisteredRoute } from './route-inventory.js';
import { ROUTE_DOCS, type RouteDoc } from './route-docs.js';

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
  security: Record<string, string[]>[];
}

const TAGS: Record<string, string> = {
  hub: 'Health and metrics',
  agents: 'Agents (actors): list, inspect, message, commands — the original Wactorz routes plus tasks',
  chat: 'Chat with main',
  code: 'DynamicAgent code: create, read, hot-swap, versions, rollback',
  catalog: 'Agent recipes',
  settings: 'Hub settings',
  llm: 'LLM provider and cost',
  'home-assistant': 'Home Assistant',
  approvals: 'Approvals: capabilities an LLM or agent asked for, waiting for a person; grants and refusals',
  graph: 'The graph of agents and the activity feed (live over MQTT: system/graph, system/feed — docs/topics.md)',
  docs: 'This API reference',
  other: 'Routes without a description yet',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete s.$schema;
  return s;
}

const docsByKey = new Map(ROUTE_DOCS.map((d) => [routeKey(d.method, d.path), d]));

export function findRouteDoc(route: RegisteredRoute): RouteDoc | undefined {
  return docsByKey.get(routeKey(route.method, route.url));
}

function operation(route: RegisteredRoute, doc: RouteDoc | undefined): Operation {
  const names = pathParams(route.url);
  const parameters: Record<string, unknown>[] = names.map((name, i) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
    ...(doc?.params?.[i] ? { description: doc.params[i] } : {}),
  }));
  if (!doc) {
    return {
      summary: `${route.method} ${route.url}`,
      tags: ['other'],
      'x-undocumented': true,
      ...(parameters.length ? { parameters } : {}),
      responses: { default: errorResponse('The response') },
    };
  }
  if (doc.query) {
    const q = jsonSchema(doc.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema: rest, ...(description ? { description } : {}) });
    }
  }
  const status = String(doc.status ?? 200);
  const success = doc.responseText
    ? { description: doc.responseText.description, content: { [doc.responseText.contentType]: { schema: { type: 'string' } } } }
    : { description: 'Success', content: { 'application/json': { schema: doc.response ? jsonSchema(doc.response, 'output') : {} } } };
  const responses: Record<string, unknown> = { [status]: success };
  for (const code of [...new Set([...(doc.errors ?? []), 401])].sort()) responses[String(code)] = errorResponse(ERROR_TEXT[code] ?? 'Error');
  return {
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    operationId: operationId(route),
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } } } } : {}),
    responses,
  };
}

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request (the detail says which field and why)',
  401: 'Missing or wrong access token (when API_KEY is set or the hub binds beyond loopback)',
  403: 'Refused (e.g. a protected actor)',
  404: 'Not found',
  409: 'Conflict with the current state',
  502: 'The upstream service answered with an error',
  503: 'The upstream service is not reachable',
  504: 'The actor did not answer in time',
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function operationId(route: RegisteredRoute): string {
  const words = route.url
    .split('/')
    .filter(Boolean)
    .map((s) => (s.startsWith(':') ? `by_${s.slice(1).replace(/\(.*$/, '')}` : s.replace(/[^A-Za-z0-9]+/g, '_')));
  return [route.method.toLowerCase(), ...words].join('_');
}

export function buildOpenApiDocument(routes: RegisteredRoute[], opts: { serverUrl: string; version: string }): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const usedTags = new Set<string>();
  const sorted = [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  for (const route of sorted) {
    const doc = findRouteDoc(route);
    const op = operation(route, doc);
    (op.tags as string[]).forEach((t) => usedTags.add(t));
    (paths[toOpenApiPath(route.url)] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Wactorz REST API',
      version: opts.version,
      description:
        "The hub's REST API: the original Wactorz routes (kept as they were) and ours beside them. Errors are `{error, detail}`. When API_KEY is set, or the hub binds beyond loopback, send the token as `X-API-Key`, `Authorization: Bearer …` or `?token=`.",
    },
    servers: [{ url: opts.serverUrl }],
    tags: Object.entries(TAGS)
      .filter(([name]) => usedTags.has(name))
      .map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: { Error: jsonSchema(apiErrorSchema, 'output') },
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        bearer: { type: 'http', scheme: 'bearer' },
        queryToken: { type: 'apiKey', in: 'query', name: 'token' },
      },
    },
    // Optional: a hub on loopback without API_KEY needs no token.
    security: [{}, { apiKey: [] }, { bearer: [] }, { queryToken: [] }],
  };
}
