/**
 * REST for the catalog (mounted at the root of the REST interface and under /api on the dashboard):
 *   GET  /catalog                     → {recipes: [summary…], problems: [{recipe, error}]}
 *   GET  /catalog/:recipe             → summary + code
 *   POST /catalog/:recipe/spawn       {name?, config?, capabilities?, replace?} → 201 {status: 'spawned', name, agent, id, recipe, version, installed, message}
 *   POST /catalog/reload              → {recipes, problems}
 *   GET  /timeseries                  → {series: [...]}
 *   GET  /timeseries/:series?from&to&limit → {series, samples: [{ts, value, attrs}]}
 * A spawn through REST is a person's request: the recipe's declared packages are approved and
 * installed, and optional capabilities may be granted.
 */
import { z } from 'zod';
import type { Database } from 'better-sqlite3';
import type { RoutePlugin } from '../../server/http-app.js';
import { HttpError } from '../../server/http-error.js';
import { validateBody } from '../../server/validate-body.js';
import { TimeSeries } from '../../persistence/stores/time-series.js';
import type { CatalogService } from './catalog-service.js';
import { CATALOG_STATUS, CatalogError } from './catalog-errors.js';
import { recipeSummary } from './recipe-loader.js';

const spawnBody = z.object({
  name: z.string().trim().min(1).max(63).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  capabilities: z.array(z.string().min(1)).max(20).optional(),
  replace: z.boolean().optional(),
});

const rangeQuery = z.object({
  from: z.coerce.number().optional(),
  to: z.coerce.number().optional(),
  limit: z.coerce.number().int().positive().max(100_000).default(10_000),
});

export interface CatalogRouteDeps {
  catalog: CatalogService;
  /** The hub's SQLite handle (time series). */
  db: Database;
}

export function catalogRoutes(deps: CatalogRouteDeps): RoutePlugin {
  return async (app) => {
    const { catalog } = deps;
    const series = new TimeSeries(deps.db);

    app.get('/catalog', async () => ({ recipes: catalog.summaries(), problems: catalog.problems }));

    app.post('/catalog/reload', async () => {
      const { recipes, problems } = catalog.reload();
      return { recipes, problems };
    });

    app.get<{ Params: { recipe: string } }>('/catalog/:recipe', async (req) => {
      const recipe = asHttp(() => catalog.require(req.params.recipe));
      return { ...recipeSummary(recipe), code: recipe.code };
    });

    app.post<{ Params: { recipe: string } }>('/catalog/:recipe/spawn', async (req, reply) => {
      const body = validateBody(spawnBody, req.body);
      try {
        const result = await catalog.spawn(req.params.recipe, body, 'user');
        return reply.status(201).send(result);
      } catch (e) {
        throw toHttp(e);
      }
    });

    app.get('/timeseries', async () => ({ series: series.seriesNames() }));

    app.get<{ Params: { series: string } }>('/timeseries/:series', async (req) => {
      const q = rangeQuery.safeParse(req.query);
      if (!q.success) throw new HttpError(400, 'invalid query', q.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      const samples = series.range(req.params.series, { ...(q.data.from !== undefined ? { from: q.data.from } : {}), ...(q.data.to !== undefined ? { to: q.data.to } : {}), limit: q.data.limit });
      return { series: req.params.series, samples: samples.map((s) => ({ ts: s.ts, value: s.value, attrs: s.attrs })) };
    });
  };
}

function toHttp(e: unknown): unknown {
  if (e instanceof CatalogError) {
    const detail = Array.isArray(e.detail) ? { kind: e.kind, issues: e.detail } : e.detail && typeof e.detail === 'object' ? { kind: e.kind, ...e.detail } : { kind: e.kind };
    return new HttpError(CATALOG_STATUS[e.kind], e.message, detail);
  }
  return e;
}

function asHttp<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toHttp(e);
  }
}
