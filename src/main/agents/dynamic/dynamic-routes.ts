/**
 * REST routes of DynamicAgents, mounted beside the original routes (at / on the REST port, under
 * /api on the dashboard). `GET /agents` (the list) is the original's and is not touched here.
 *
 *   POST   /agents                    {name, code, language?, description?, config?, capabilities?, …} → 201
 *   POST   /agents/validate           {code, language?} → {ok, diagnostics, exports}
 *   GET    /agents/:name              summary + spec
 *   GET    /agents/:name/code         {name, code, language, version, versions[]}  (?version=n: that version)
 *   GET    /agents/:name/versions     [{version, created_at, note}]
 *   GET    /agents/:name/versions/:n  {name, version, code, language, created_at, note}
 *   PUT    /agents/:name/code         {code, language?} → hot-swap
 *   POST   /agents/:name/rollback     {version}
 *   POST   /agents/:name/tasks        {payload, timeout_ms?} → {result}
 *   DELETE /agents/:name
 *
 * Errors are `{error, detail}`; refused code has `detail.diagnostics` with line/column; a failed
 * task has `kind` (timeout → 504, crash / out_of_memory → 502, stopped → 503, …).
 */
import { z } from 'zod';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createAgentRequestSchema, rollbackRequestSchema, taskRequestSchema, updateCodeRequestSchema } from '../../../shared/rest.js';
import { AskError, toError } from '../../core/errors.js';
import { HttpError } from '../../server/http-error.js';
import type { RoutePlugin } from '../../server/http-app.js';
import { validateBody } from '../../server/validate-body.js';
import { agentTuningSchema, TUNING_KEYS } from './agent-config.js';
import type { DynamicAgentService } from './dynamic-agent-service.js';
import { DynamicAgentError, STATUS_OF } from './errors.js';

/** The shared create body, plus the manifest fields and options a spawn block can also give. */
export const createAgentBodySchema = createAgentRequestSchema.extend({
  kind: z.enum(['dynamic', 'manual']).optional(),
  input_schema: z.unknown().optional(),
  output_schema: z.unknown().optional(),
  /** Topics where it may publish retained messages beyond its own namespace. */
  retained: z.array(z.string()).max(200).optional(),
  poll_interval: z.number().positive().max(86_400).optional(),
  /** Secret values for `agent.env`. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
  replace: z.boolean().optional(),
});

const validateRequestSchema = z.object({ code: z.string(), language: z.enum(['javascript', 'typescript']).optional() });

type NameParams = { Params: { name: string } };

/** ERROR kinds of a task → HTTP status. */
const TASK_STATUS: Record<string, number> = { not_found: 404, bad_input: 400, timeout: 504, overflow: 503, stopped: 503, crash: 502, out_of_memory: 502, bad_code: 502 };

export function dynamicAgentRoutes(service: DynamicAgentService): RoutePlugin {
  return async (app: FastifyInstance) => {
    app.post('/agents', async (req, reply) => {
      const body = validateBody(createAgentBodySchema, req.body);
      const { tuning, config } = splitConfig(body.config ?? {});
      if (body.poll_interval !== undefined) tuning.poll_interval = body.poll_interval;
      const result = await guard(() =>
        service.create({
          name: body.name,
          code: body.code,
          ...(body.language ? { language: body.language } : {}),
          ...(body.kind ? { kind: body.kind } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.capabilities ? { capabilities: body.capabilities } : {}),
          ...(body.publishes ? { publishes: body.publishes } : {}),
          ...(body.subscribes ? { subscribes: body.subscribes } : {}),
          ...(body.send_to ? { sendTo: body.send_to } : {}),
          ...(body.retained ? { retained: body.retained } : {}),
          ...(body.input_schema !== undefined ? { inputSchema: body.input_schema } : {}),
          ...(body.output_schema !== undefined ? { outputSchema: body.output_schema } : {}),
          ...(body.env ? { env: body.env } : {}),
          tuning,
          config,
          replace: body.replace ?? false,
          ...(body.node ? { node: body.node } : {}),
          source: 'rest',
        }),
      );
      return reply.status(201).send(result);
    });

    app.post('/agents/validate', async (req) => {
      const body = validateBody(validateRequestSchema, req.body);
      return service.check(body.code, body.language ?? 'javascript');
    });

    app.get<NameParams>('/agents/:name', async (req) => {
      const d = service.describe(req.params.name);
      if (!d) throw new HttpError(404, `no agent named "${req.params.name}"`);
      return d;
    });

    app.get<NameParams & { Querystring: { version?: string } }>('/agents/:name/code', async (req) => {
      const v = req.query.version;
      const version = v === undefined ? undefined : Number(v);
      if (version !== undefined && !(Number.isInteger(version) && version > 0)) throw new HttpError(400, 'version must be a positive integer');
      return guard(async () => service.code(req.params.name, version));
    });

    app.get<NameParams>('/agents/:name/versions', async (req) => guard(async () => service.code(req.params.name).versions));

    app.get<{ Params: { name: string; version: string } }>('/agents/:name/versions/:version', async (req) => {
      const version = Number(req.params.version);
      if (!(Number.isInteger(version) && version > 0)) throw new HttpError(400, 'version must be a positive integer');
      return guard(async () => service.versionCode(req.params.name, version));
    });

    app.put<NameParams>('/agents/:name/code', async (req) => {
      const body = validateBody(updateCodeRequestSchema, req.body);
      return guard(() => service.deploy(req.params.name, body.code, body.language));
    });

    app.post<NameParams>('/agents/:name/rollback', async (req) => {
      const body = validateBody(rollbackRequestSchema, req.body);
      return guard(() => service.rollback(req.params.name, body.version));
    });

    app.post<NameParams>('/agents/:name/tasks', async (req, reply) => {
      const body = validateBody(taskRequestSchema, req.body);
      try {
        return { result: await service.task(req.params.name, body.payload, body.timeout_ms ?? 60_000) };
      } catch (e) {
        return taskError(reply, e);
      }
    });

    app.delete<NameParams>('/agents/:name', async (req) => guard(() => service.remove(req.params.name)));
  };
}

/** Limits/supervision keys of a REST `config` (validated) apart from the agent's own config. */
function splitConfig(config: Record<string, unknown>): { tuning: z.infer<typeof agentTuningSchema>; config: Record<string, unknown> } {
  const picked = Object.fromEntries(Object.entries(config).filter(([k]) => (TUNING_KEYS as string[]).includes(k)));
  const tuning = validateBody(agentTuningSchema, picked);
  return { tuning, config: Object.fromEntries(Object.entries(config).filter(([k]) => !(TUNING_KEYS as string[]).includes(k))) };
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof DynamicAgentError) {
      // detail.kind is the refusal's; what failed inside the sandbox (crash, timeout…) is `cause`.
      const cause = e.detail?.kind && e.detail.kind !== e.kind ? { cause: e.detail.kind } : {};
      throw new HttpError(STATUS_OF[e.kind], e.message, { ...e.detail, kind: e.kind, ...cause });
    }
    throw e;
  }
}

function taskError(reply: FastifyReply, e: unknown): FastifyReply {
  if (e instanceof AskError) {
    const status = TASK_STATUS[e.kind] ?? 502;
    return reply.status(status).send({ error: e.payload.error, kind: e.kind, detail: { kind: e.kind, agent: e.recipient, ...(e.detail !== undefined ? { detail: e.detail } : {}) } });
  }
  throw new HttpError(500, toError(e).message);
}
