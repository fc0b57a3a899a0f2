/**
 * The original Wactorz REST routes, kept as they were so its scripts keep working. An actor can be
 * named by id or by name. Served at the root of the REST port and under /api/ on the dashboard.
 */
import type { FastifyInstance } from 'fastify';
import { actorMessageRequestSchema, agentCommandRequestSchema, type ChatResponse } from '../../shared/rest.js';
import type { HubApi } from './hub-api.js';
import { HttpError, notFound } from './http-error.js';
import { validateBody } from './validate-body.js';
import { registerChatRoute } from './chat-route.js';

type IdParams = { Params: { id: string } };

export async function registerOriginalRoutes(app: FastifyInstance, hub: HubApi): Promise<void> {
  app.get('/health', async () => hub.health());

  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return hub.prometheusMetrics();
  });

  const list = async () => hub.listAgents();
  app.get('/agents', list);
  app.get('/actors', list);

  app.get<IdParams>('/actors/:id', async (req) => hub.getAgent(req.params.id) ?? Promise.reject(notFound(`actor ${req.params.id}`)));

  app.get<IdParams>('/actors/:id/metrics', async (req) => {
    const m = hub.agentMetrics(req.params.id);
    if (!m) throw notFound(`actor ${req.params.id}`);
    return m;
  });

  app.post<IdParams>('/actors/:id/message', async (req) => {
    const agent = hub.getAgent(req.params.id);
    if (!agent) throw notFound(`actor ${req.params.id}`);
    const { content } = validateBody(actorMessageRequestSchema, req.body);
    const result = await hub.sendMessage(agent.name, content);
    return { status: 'sent', actor: agent.name, result };
  });

  for (const command of ['pause', 'resume'] as const) {
    app.post<IdParams>(`/actors/:id/${command}`, async (req) => runCommand(hub, req.params.id, command));
  }
  app.delete<IdParams>('/actors/:id', async (req) => runCommand(hub, req.params.id, 'delete'));

  app.post('/agents/command', async (req) => {
    const { target, command } = validateBody(agentCommandRequestSchema, req.body);
    return runCommand(hub, target, command);
  });

  registerChatRoute(app, hub);
}

async function runCommand(hub: HubApi, idOrName: string, command: Parameters<HubApi['command']>[1]) {
  const agent = hub.getAgent(idOrName);
  if (!agent) throw notFound(`actor ${idOrName}`);
  const outcome = await hub.command(agent.name, command);
  if (!outcome.ok) throw new HttpError(outcome.message.includes('protected') ? 403 : 409, outcome.message);
  return { status: 'ok', actor: agent.name, command, message: outcome.message };
}

export type { ChatResponse };
