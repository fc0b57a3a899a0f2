/**
 * REST for pipelines:
 *   GET    /pipelines        → {pipelines: [{id, description, request, summary, agents: [{name, role, type, recipe?, state}], topics, enabled, created_at, updated_at}]}
 *   GET    /pipelines/:id    → one, with its plan
 *   POST   /pipelines        {text} → 201 {result, pipeline} | {result, needs_clarification} (plans and spawns, like a chat request)
 *   DELETE /pipelines/:id    → {id, removed: [agent names]}
 */
import { z } from 'zod';
import type { RoutePlugin } from '../../server/http-app.js';
import { HttpError } from '../../server/http-error.js';
import { validateBody } from '../../server/validate-body.js';
import { PlannerError, type PlannerService } from './planner-service.js';

const STATUS: Record<PlannerError['kind'], number> = { bad_plan: 422, spawn_failed: 422, unavailable: 503, not_found: 404, needs_approval: 409, rate_limited: 429, too_many_agents: 409 };

const createBody = z.object({ text: z.string().trim().min(1).max(4_000), dry_run: z.boolean().optional() });

export function pipelineRoutes(planner: () => PlannerService | undefined): RoutePlugin {
  return async (app) => {
    const get = (): PlannerService => {
      const p = planner();
      if (!p) throw new HttpError(503, 'the planner is not running');
      return p;
    };

    app.get('/pipelines', async () => ({ pipelines: await get().list() }));

    app.get<{ Params: { id: string } }>('/pipelines/:id', async (req) => {
      const p = (await get().list()).find((x) => x.id === req.params.id);
      if (!p) throw new HttpError(404, `no pipeline named "${req.params.id}"`);
      return p;
    });

    app.post('/pipelines', async (req, reply) => {
      const body = validateBody(createBody, req.body);
      try {
        const r = await get().handle(body.text, { dryRun: body.dry_run ?? false });
        return reply.status(r.pipeline ? 201 : 200).send(r);
      } catch (e) {
        if (e instanceof PlannerError) throw new HttpError(STATUS[e.kind], e.message, { kind: e.kind, ...(e.detail && typeof e.detail === 'object' ? e.detail : {}) });
        throw e;
      }
    });

    app.delete<{ Params: { id: string } }>('/pipelines/:id', async (req) => {
      try {
        return await get().remove(req.params.id);
      } catch (e) {
        if (e instanceof PlannerError) throw new HttpError(STATUS[e.kind], e.message);
        throw e;
      }
    });
  };
}
