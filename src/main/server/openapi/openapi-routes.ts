/**
 * GET /openapi.json and GET /docs, mounted beside the other API routes (at the REST root and under
 * /api on the dashboard). The document is built from the routes the server really serves, once,
 * at the first request (every route is registered by then).
 */
import type { FastifyInstance } from 'fastify';
import type { RoutePlugin } from '../http-app.js';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document.js';
import { listApiRoutes } from './route-inventory.js';
import { renderDocsPage } from './docs-page.js';

export function openApiRoutes(opts: { version?: string } = {}): RoutePlugin {
  return async (app: FastifyInstance) => {
    const prefix = app.prefix;
    let doc: OpenApiDocument | undefined;
    const document = () => (doc ??= buildOpenApiDocument(listApiRoutes(app, prefix), { serverUrl: prefix || '/', version: opts.version ?? process.env.npm_package_version ?? '0.1.0' }));
    app.get('/openapi.json', async () => document());
    app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(renderDocsPage(document(), `${prefix}/openapi.json`)));
  };
}
