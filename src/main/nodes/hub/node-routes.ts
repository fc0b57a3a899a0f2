/**
 * REST for the fleet (beside the original routes; under /api/ on the dashboard):
 *   GET    /nodes                                  → NodeInfo[] (name, online, last_seen, agents, load…)
 *   GET    /nodes/:node                            → NodeInfo & {placements}
 *   POST   /nodes/:node/agents                     {spawn spec} → 201 running | 202 queued | 422 refused
 *   DELETE /nodes/:node/agents/:agent              → stops and removes it on its node
 *   POST   /nodes/:node/agents/:agent/migrate      {to} → 200 done | 202 under way | 409 failed
 *   POST   /nodes/:node/agents/:agent/task         {payload, timeout_ms?} → {agent, node, result}
 *   POST   /nodes/:node/list                       → what the node reports it runs (its `agents` reply)
 *   POST   /nodes/:node/enroll                     {replace?} → 201 {code, command…}: the node's key, shown once
 *   POST   /nodes/:node/key/rotate                 {wait_ms?} → 200 done | 202 pending
 *   DELETE /nodes/:node/key                        → the key is forgotten: the node is refused until enrolled again
 * Like every REST route, these need the API key / dashboard token when one is set (server/).
 * `POST /agents {…, node}` (the DynamicAgent routes) ends in NodeRegistry.spawnOnNode as well.
 */
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { RoutePlugin } from '../../server/http-app.js';
import { HttpError } from '../../server/http-error.js';
import { validateBody } from '../../server/validate-body.js';
import { AskError } from '../../core/errors.js';
import type { ActorSystem } from '../../core/actor-system.js';
import { NodeRegistryError, type NodeRegistry } from './node-registry.js';
import { nodeEnrollRequestSchema, nodeKeyRotateRequestSchema, type NodeEnrollment, type NodeKeyRotation } from '../../../shared/rest.js';

type NodeParams = { Params: { node: string } };
type AgentParams = { Params: { node: string; agent: string } };

const spawnBodySchema = z.looseObject({
  name: z.string(),
  code: z.string(),
  language: z.enum(['javascript', 'typescript', 'js', 'ts']).optional(),
  type: z.string().optional(),
  description: z.string().optional(),
  capabilities: z.array(z.string()).optional(),
  publishes: z.array(z.string()).optional(),
  input_schema: z.unknown().optional(),
  output_schema: z.unknown().optional(),
  poll_interval: z.number().positive().optional(),
  env: z.array(z.string()).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  replace: z.boolean().optional(),
  state: z.record(z.string(), z.unknown()).optional(),
});
const migrateBodySchema = z.object({ to: z.string().min(1) });
const taskBodySchema = z.object({ payload: z.unknown(), timeout_ms: z.number().int().positive().max(600_000).optional() });

const STATUS: Record<NodeRegistryError['kind'], number> = { bad_input: 400, conflict: 409, not_found: 404, unavailable: 503 };

function httpError(e: unknown): never {
  if (e instanceof NodeRegistryError) throw new HttpError(STATUS[e.kind], e.message, e.detail);
  if (e instanceof AskError) throw new HttpError(e.kind === 'timeout' ? 504 : e.kind === 'not_found' ? 404 : 502, e.payload.error, { kind: e.kind });
  throw e;
}

function requirePlacedOn(nodes: NodeRegistry, node: string, agent: string): void {
  const on = nodes.nodeOf(agent);
  if (on === undefined) throw new HttpError(404, `no agent named "${agent}" runs on a node`);
  if (on !== node) throw new HttpError(404, `${agent} runs on node ${on}, not on ${node}`);
}

export function nodeRoutes(nodes: NodeRegistry, system: ActorSystem): RoutePlugin {
  return async (app: FastifyInstance) => {
    app.get('/nodes', async () => nodes.listNodes());

    app.get<NodeParams>('/nodes/:node', async (req) => {
      const info = nodes.getNode(req.params.node);
      if (!info) throw new HttpError(404, `no node named "${req.params.node}" has been seen`);
      return { ...info, placements: nodes.placements(req.params.node) };
    });

    app.post<NodeParams>('/nodes/:node/agents', async (req, reply) => {
      const body = validateBody(spawnBodySchema, req.body);
      const report = await nodes.spawnOnNode({ ...body, node: req.params.node }, { source: 'rest' }).catch(httpError);
      return reply.status(report.status === 'running' ? 201 : report.status === 'queued' ? 202 : 422).send(report);
    });

    app.delete<AgentParams>('/nodes/:node/agents/:agent', async (req) => {
      requirePlacedOn(nodes, req.params.node, req.params.agent);
      return nodes.removeFromNode(req.params.agent).catch(httpError);
    });

    app.post<AgentParams>('/nodes/:node/agents/:agent/migrate', async (req, reply) => {
      const { to } = validateBody(migrateBodySchema, req.body);
      requirePlacedOn(nodes, req.params.node, req.params.agent);
      const report = await nodes.migrate(req.params.agent, to).catch(httpError);
      return reply.status(report.status === 'done' ? 200 : report.status === 'failed' ? 409 : 202).send(report);
    });

    app.post<AgentParams>('/nodes/:node/agents/:agent/task', async (req) => {
      const { payload, timeout_ms } = validateBody(taskBodySchema, req.body);
      requirePlacedOn(nodes, req.params.node, req.params.agent);
      // The actor system reaches it wherever it runs (see core/remote-actors.ts).
      const result = await system.ask(req.params.agent, payload, timeout_ms ?? 60_000, 'rest').catch(httpError);
      return { agent: req.params.agent, node: nodes.nodeOf(req.params.agent) ?? req.params.node, result };
    });

    app.post<NodeParams>('/nodes/:node/enroll', async (req, reply) => {
      const { replace } = validateBody(nodeEnrollRequestSchema, req.body ?? {});
      const enrollment: NodeEnrollment = await nodes.enrollment.enroll(req.params.node, { replace: replace ?? false }).catch(httpError);
      // The key is in this answer only: no cache may keep it.
      return reply.status(201).header('cache-control', 'no-store').send(enrollment);
    });

    app.post<NodeParams>('/nodes/:node/key/rotate', async (req, reply) => {
      const { wait_ms } = validateBody(nodeKeyRotateRequestSchema, req.body ?? {});
      const report: NodeKeyRotation = await nodes.enrollment.rotate(req.params.node, wait_ms ?? 10_000).catch(httpError);
      return reply.status(report.status === 'done' ? 200 : 202).send(report);
    });

    app.delete<NodeParams>('/nodes/:node/key', async (req) => {
      const revoked = await nodes.enrollment.revoke(req.params.node);
      if (!revoked) throw new HttpError(404, `node ${req.params.node} is not enrolled`);
      return { node: req.params.node, revoked };
    });

    app.post<NodeParams>('/nodes/:node/list', async (req) => {
      const reply = await nodes.requestList(req.params.node);
      if (!reply) throw new HttpError(504, `node ${req.params.node} did not answer (is it online?)`);
      return reply;
    });
  };
}
