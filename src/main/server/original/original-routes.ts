/**
 * The original Wactorz REST routes — its RESTInterface's on the REST port, its monitor server's
 * under /api/ on the dashboard port — with the original's status codes, bodies and error words
 * (reply-style.ts), so its scripts, its dashboard and Prometheus scrapes keep working. Our fields
 * sit beside the original's (never renamed). An actor can be named by id or by name.
 *
 *   GET    /health                     {status: "ok", …ours}
 *   GET    /metrics                    Prometheus text: the original's families + ours + HTTP + process
 *   GET    /actors, /agents            [{id, name, state, protected, cpu, mem, task, messagesProcessed, costUsd, …ours}]
 *   GET    /actors/{id}                one of those; 404 `actor not found`
 *   GET    /actors/{id}/metrics        messages_received, messages_processed, messages_failed, heartbeats,
 *                                      last_message_at, restart_count, llm_input_tokens, llm_output_tokens,
 *                                      llm_cost_usd, cpu, mem, task, …ours
 *   POST   /actors/{id}/message        {content} → {status: "sent", actor, result}; 400 `No content provided`
 *   POST   /actors/{id}/pause|resume   {status: "pausing"|"resuming", …}; 403 `actor is protected`
 *   DELETE /actors/{id}                text `stopping` (JSON when asked for); 403, 404
 *   POST   /agents/command             {target, command} → {ok: true, …}; 400 `Invalid command`
 *   POST   /chat                       {message, agent_name?} → {status: "sent", agent, response}; 400 `No message provided`
 *   GET    /config                     the original monitor's runtime config (config-route.ts)
 *
 * Differs on purpose (docs/compatibility.md): `/actors/{id}/message` waits for the actor's answer
 * and returns it as `result` (the original only queued the task); `/agents/command` also takes
 * delete and restart, and answers 404/403 for an unknown or protected target (the original said
 * ok regardless).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AGENT_COMMANDS } from '../../../shared/mqtt-payloads.js';
import type { AgentSummary, ChatResponse } from '../../../shared/rest.js';
import type { AgentCommandName, HubApi } from '../hub-api.js';
import { HttpError } from '../http-error.js';
import { registerChatRoute } from '../chat-route.js';
import type { HttpMetrics } from './http-metrics.js';
import { registerOriginalConfigRoute, type OriginalConfigDeps } from './config-route.js';
import { isJsonObject, originalErrors, provided, wantsJson, type ApiFlavour } from './reply-style.js';

type IdParams = { Params: { id: string } };

export interface OriginalRoutesOptions {
  flavour: ApiFlavour;
  /** Adds the HTTP and process families to /metrics. */
  httpMetrics?: HttpMetrics;
  /** GET /config, the original monitor's runtime config. */
  config?: OriginalConfigDeps;
}

const LIFECYCLE_STATUS = { pause: 'pausing', resume: 'resuming', delete: 'stopping', stop: 'stopping', restart: 'restarting' } as const;

export async function registerOriginalRoutes(app: FastifyInstance, hub: HubApi, opts: OriginalRoutesOptions): Promise<void> {
  const errors = originalErrors(opts.flavour);
  const find = (idOrName: string): AgentSummary => {
    const a = hub.getAgent(idOrName);
    if (!a) throw errors.actorNotFound(idOrName);
    return a;
  };

  app.get('/health', async () => hub.health());

  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return hub.prometheusMetrics() + (opts.httpMetrics ? await opts.httpMetrics.render() : '');
  });

  const list = async () => hub.listAgents();
  app.get('/agents', list);
  app.get('/actors', list);

  app.get<IdParams>('/actors/:id', async (req) => find(req.params.id));

  app.get<IdParams>('/actors/:id/metrics', async (req) => {
    const m = hub.agentMetrics(req.params.id);
    if (!m) throw errors.actorNotFound(req.params.id);
    return m;
  });

  app.post<IdParams>('/actors/:id/message', async (req) => {
    const agent = find(req.params.id);
    if (!isJsonObject(req.body)) throw errors.notAnObject();
    const content = req.body.content;
    if (!provided(content)) throw errors.noContent();
    const result = await hub.sendMessage(agent.name, content);
    return { status: 'sent', actor: agent.name, result };
  });

  // The original's protected actors ignore stop, pause and delete.
  const lifecycle = async (idOrName: string, command: AgentCommandName) => {
    const agent = find(idOrName);
    if (agent.protected && (command === 'stop' || command === 'pause' || command === 'delete')) throw errors.actorProtected(agent.name);
    const outcome = await hub.command(agent.name, command);
    if (!outcome.ok) {
      if (outcome.message.includes('protected')) throw errors.actorProtected(agent.name);
      throw new HttpError(409, `${command} was refused`, outcome.message);
    }
    return { status: LIFECYCLE_STATUS[command] ?? 'ok', actor: agent.name, command, message: outcome.message };
  };

  app.post<IdParams>('/actors/:id/pause', async (req) => lifecycle(req.params.id, 'pause'));
  app.post<IdParams>('/actors/:id/resume', async (req) => lifecycle(req.params.id, 'resume'));

  // The original answered DELETE with the text `stopping` (its monitor: `stopping (<how>)`).
  app.delete<IdParams>('/actors/:id', async (req, reply: FastifyReply) => {
    const r = await lifecycle(req.params.id, 'delete');
    if (wantsJson(req)) return r;
    return reply.type('text/plain; charset=utf-8').send(opts.flavour === 'rest' ? 'stopping' : `stopping (deleted ${r.actor})`);
  });

  app.post('/agents/command', async (req) => {
    if (!isJsonObject(req.body)) throw errors.notAnObject();
    const { target, command } = req.body;
    if (typeof target !== 'string' || !target || typeof command !== 'string' || !(AGENT_COMMANDS as readonly string[]).includes(command)) {
      throw errors.invalidCommand(`target: an actor's id or name; command: one of ${AGENT_COMMANDS.join(', ')}`);
    }
    const r = await lifecycle(target, command as AgentCommandName);
    return { ok: true, ...r, status: 'ok' };
  });

  registerChatRoute(app, hub, errors);
  if (opts.config) registerOriginalConfigRoute(app, opts.config);
}

export type { ChatResponse };
