/**
 * REST for approvals and grants (at / on the REST port, under /api on the dashboard; documented in
 * server/openapi/route-docs.ts). Every route is the user's: with API_KEY or a dashboard
 * token set they need it like any route; a web page on another origin is refused by the hub's
 * request policy before it gets here; agent code has no way to REST unless a person granted it
 * `fetch_local` (and then it still needs the key).
 *
 *   GET  /approvals                     ?state=pending|approved|denied|partial|cancelled &agent= → {approvals, pending}
 *   GET  /approvals/refusals            ?agent= &limit= → {refusals}   (denials, revocations, spawn caps)
 *   GET  /approvals/:id                 → the approval
 *   POST /approvals/:id/approve         {items?} → {approvals, approved, denied, message}   (:id may be an agent's name)
 *   POST /approvals/:id/deny            {items?} → same
 *   GET  /grants                        → {grants}
 *   POST /grants/:agent/revoke          {items} → the agent's grant
 *   POST /grants/:agent/reviewed        → {agent, reviewed}
 */
import { z } from 'zod';
import { APPROVAL_STATES, approvalDecisionBodySchema, revokeBodySchema } from '../../shared/approvals.js';
import type { RoutePlugin } from '../server/http-app.js';
import { HttpError } from '../server/http-error.js';
import { validateBody } from '../server/validate-body.js';
import { APPROVAL_STATUS, ApprovalError } from './approval-types.js';
import type { Approvals } from './approvals-service.js';

const listQuery = z.object({ state: z.enum(APPROVAL_STATES).optional(), agent: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(2_000).optional() });
const refusalQuery = z.object({ agent: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(2_000).optional() });

/** Who decided, as recorded: REST has only the user's credentials to go by. */
const BY_REST = 'rest';

export function approvalRoutes(approvals: Approvals): RoutePlugin {
  return async (app) => {
    app.get('/approvals', async (req) => {
      const q = query(listQuery, req.query);
      return { approvals: approvals.list({ ...(q.state ? { state: q.state } : {}), ...(q.agent ? { agent: q.agent } : {}), ...(q.limit ? { limit: q.limit } : {}) }), pending: approvals.pendingCount() };
    });

    app.get('/approvals/refusals', async (req) => {
      const q = query(refusalQuery, req.query);
      return { refusals: approvals.refusals({ ...(q.agent ? { agent: q.agent } : {}), ...(q.limit ? { limit: q.limit } : {}) }) };
    });

    app.get<{ Params: { id: string } }>('/approvals/:id', async (req) => {
      const a = approvals.get(req.params.id);
      if (!a) throw new HttpError(404, `no approval "${req.params.id}"`);
      return a;
    });

    for (const decision of ['approve', 'deny'] as const) {
      app.post<{ Params: { id: string } }>(`/approvals/:id/${decision}`, async (req) => {
        const body = validateBody(approvalDecisionBodySchema, req.body);
        return guard(() => approvals.decide(req.params.id, decision, body.items ?? [], BY_REST));
      });
    }

    app.get('/grants', async () => guard(async () => ({ grants: approvals.grants() })));

    app.post<{ Params: { agent: string } }>('/grants/:agent/revoke', async (req) => {
      const body = validateBody(revokeBodySchema, req.body);
      return guard(() => approvals.revoke(req.params.agent, body.items, BY_REST));
    });

    app.post<{ Params: { agent: string } }>('/grants/:agent/reviewed', async (req) => guard(async () => ({ agent: req.params.agent, reviewed: approvals.markReviewed(req.params.agent) })));
  };
}

function query<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw ?? {});
  if (!r.success) throw new HttpError(400, 'invalid query', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data;
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ApprovalError) throw new HttpError(APPROVAL_STATUS[e.kind], e.message, { kind: e.kind });
    throw e;
  }
}
