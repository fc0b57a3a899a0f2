/**
 * What each REST route does, for the OpenAPI document: summaries, parameters, and the request and
 * response schemas (zod, from src/shared/rest.ts where the route validates with them). A route is
 * matched by method and path shape (parameter names aside), and appears in the document only when
 * the server really serves it; a served route with no entry here still appears, marked
 * undocumented.
 */
import { z } from 'zod';
import {
  actorMessageRequestSchema,
  agentCommandRequestSchema,
  chatRequestSchema,
  createAgentRequestSchema,
  rollbackRequestSchema,
  taskRequestSchema,
  tokenRotationResponseSchema,
  updateCodeRequestSchema,
} from '../../../shared/rest.js';
import { settingsPatchSchema } from '../../../shared/settings.js';
import {
  chatLogResponseSchema,
  chatsQuerySchema,
  costLimitRequestSchema,
  costLimitResponseSchema,
  costResetResponseSchema,
  historyResponseSchema,
  resetRequestSchema,
  resetResponseSchema,
} from '../../../shared/original-monitor.js';
import { graphSchema, topicMessagesSchema } from '../../../shared/graph.js';
import { FEED_KIND_NAMES, feedPageSchema } from '../../../shared/feed.js';
import {
  agentGrantSchema,
  approvalDecisionBodySchema,
  approvalListSchema,
  approvalOutcomeSchema,
  approvalSchema,
  APPROVAL_STATES,
  grantListSchema,
  refusalListSchema,
  revokeBodySchema,
} from '../../../shared/approvals.js';
import {
  agentCodeSchema,
  agentSummarySchema,
  chatResponseSchema,
  commandResultSchema,
  costSchema,
  haHistorySchema,
  haToggleSchema,
  healthSchema,
  llmInfoSchema,
  llmModelsSchema,
  messageResultSchema,
  originalConfigSchema,
  originalMetricsSchema,
} from './response-schemas.js';

export type Tag = 'hub' | 'agents' | 'chat' | 'code' | 'catalog' | 'settings' | 'llm' | 'home-assistant' | 'approvals' | 'graph' | 'docs';

export interface RouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Fastify form; parameter names may differ from the registered route's. */
  path: string;
  tag: Tag;
  summary: string;
  description?: string;
  /** Descriptions of the path parameters, in order. */
  params?: string[];
  query?: z.ZodObject;
  body?: z.ZodType;
  /** JSON response of the success status. */
  response?: z.ZodType;
  /** A non-JSON success body. */
  responseText?: { contentType: string; description: string };
  status?: number;
  /** Error statuses worth naming (401 is added to every route). */
  errors?: number[];
}

const actorParam = 'Actor id or name';
const ORIGINAL_404 =
  "Errors in the original's words: 404 `actor not found`, 403 `actor is protected` — plain text on the REST port unless Accept asks for application/json, JSON `{error}` on the dashboard.";
const agentParam = 'Agent name';

export const ROUTE_DOCS: RouteDoc[] = [
  // The original Wactorz routes.
  { method: 'GET', path: '/health', tag: 'hub', summary: 'Hub health: uptime, actors, LLM, MQTT, persistence', response: healthSchema },
  { method: 'GET', path: '/metrics', tag: 'hub', summary: 'Prometheus metrics', responseText: { contentType: 'text/plain; version=0.0.4', description: 'Prometheus text exposition' } },
  { method: 'GET', path: '/agents', tag: 'agents', summary: 'List agents', response: z.array(agentSummarySchema) },
  { method: 'GET', path: '/actors', tag: 'agents', summary: 'List actors (same as GET /agents)', response: z.array(agentSummarySchema) },
  { method: 'GET', path: '/actors/:id', tag: 'agents', summary: 'One actor', description: ORIGINAL_404, params: [actorParam], response: agentSummarySchema, errors: [404] },
  { method: 'GET', path: '/actors/:id/metrics', tag: 'agents', summary: "An actor's metrics (ours and the original's fields)", params: [actorParam], response: originalMetricsSchema, errors: [404] },
  {
    method: 'POST',
    path: '/actors/:id/message',
    tag: 'agents',
    summary: 'Send a TASK to an actor and wait for its RESULT',
    description: '400 `No content provided` (on the dashboard: `content required`) when `content` is missing or empty.',
    params: [actorParam],
    body: actorMessageRequestSchema,
    response: messageResultSchema,
    errors: [400, 404, 504],
  },
  { method: 'POST', path: '/actors/:id/pause', tag: 'agents', summary: 'Pause an actor (protected actors refuse): {status: "pausing"}', description: ORIGINAL_404, params: [actorParam], response: commandResultSchema, errors: [403, 404, 409] },
  { method: 'POST', path: '/actors/:id/resume', tag: 'agents', summary: 'Resume a paused actor: {status: "resuming"}', params: [actorParam], response: commandResultSchema, errors: [404, 409] },
  {
    method: 'DELETE',
    path: '/actors/:id',
    tag: 'agents',
    summary: 'Stop and delete an actor (protected actors refuse)',
    description: `The original's text \`stopping\`; JSON (status "stopping") when Accept asks for application/json. ${ORIGINAL_404}`,
    params: [actorParam],
    responseText: { contentType: 'text/plain', description: '`stopping`' },
    errors: [403, 404, 409],
  },
  { method: 'POST', path: '/agents/command', tag: 'agents', summary: 'Run a command on an actor: stop, pause, resume, delete, restart → {ok: true, …}', description: '400 `Invalid command` for an unknown command or a missing target.', body: agentCommandRequestSchema, response: commandResultSchema, errors: [400, 403, 404, 409] },
  {
    method: 'GET',
    path: '/actors/:id/history',
    tag: 'chat',
    summary: "An agent's visible conversation: its user and assistant turns, oldest first (the newest 1 000)",
    description: 'By id or name; [] for an agent without an LLM conversation, as the original.',
    params: [actorParam],
    response: historyResponseSchema,
  },
  { method: 'GET', path: '/chats', tag: 'chat', summary: 'The chat log, newest first: every turn main answered, from every interface (the newest 10 000 kept)', query: chatsQuerySchema, response: chatLogResponseSchema, errors: [400] },
  {
    method: 'POST',
    path: '/reset',
    tag: 'hub',
    summary: "Clear stored data by the original's scopes: chat, state, metrics, logs, all (spawns: 501)",
    description:
      'chat: the chat log and LLM conversations; state: what unprotected agents persisted; metrics: LLM cost per agent and in total (not the spend-limit counters: POST /cost/reset); logs: the /ws feed and alerts. `agent` limits it to one agent by name. Running agents keep running. 400 `scope must be one of [...]`; 403 `actor is protected` for a protected agent\'s state. Every /ws client gets a `reset` frame.',
    body: resetRequestSchema,
    response: resetResponseSchema,
    errors: [400, 403, 404, 501],
  },
  { method: 'GET', path: '/config', tag: 'hub', summary: "The original monitor's runtime config (Home Assistant URL, MQTT and /ws URLs, LLM); never a secret", response: originalConfigSchema },
  {
    method: 'POST',
    path: '/chat',
    tag: 'chat',
    summary: 'Chat with main (or agent_name)',
    description:
      '`@name …` goes to that agent, `/cmd` is a command. With `?stream=1` or `Accept: text/event-stream` the reply streams as Server-Sent Events: `data: {"chunk": "…"}` per piece, then `event: done` with the whole response (or `event: error`).',
    query: z.object({ stream: z.enum(['1', 'true']).optional().describe('Stream the reply as Server-Sent Events') }),
    body: chatRequestSchema,
    response: chatResponseSchema,
    errors: [400],
  },

  // DynamicAgent code, versions and tasks.
  {
    method: 'POST',
    path: '/agents',
    tag: 'code',
    summary: 'Create and spawn an agent from code',
    description: 'Also accepts the spawn-block fields (`kind`, `input_schema`, `output_schema`, `publishes`, `poll_interval`, `env`, `replace`). Code that does not compile is refused with 400 and `detail.diagnostics` (line, column).',
    body: createAgentRequestSchema,
    status: 201,
    errors: [400, 409, 503],
  },
  {
    method: 'POST',
    path: '/agents/validate',
    tag: 'code',
    summary: 'Check code without deploying it: diagnostics and the exports found',
    body: z.object({ code: z.string(), language: z.enum(['javascript', 'typescript']).optional() }),
    errors: [400],
  },
  { method: 'GET', path: '/agents/:name', tag: 'code', summary: 'A dynamic agent: summary and spawn spec', params: [agentParam], errors: [404] },
  { method: 'DELETE', path: '/agents/:name', tag: 'code', summary: 'Stop and delete a dynamic agent (its code versions are kept)', params: [agentParam], errors: [403, 404] },
  {
    method: 'GET',
    path: '/agents/:name/code',
    tag: 'code',
    summary: "An agent's current code (or ?version=n) and its versions",
    params: [agentParam],
    query: z.object({ version: z.coerce.number().int().positive().optional() }),
    response: agentCodeSchema,
    errors: [404],
  },
  { method: 'PUT', path: '/agents/:name/code', tag: 'code', summary: 'Validate and hot-swap the code (previous version kept)', params: [agentParam], body: updateCodeRequestSchema, errors: [400, 404] },
  { method: 'GET', path: '/agents/:name/versions', tag: 'code', summary: "An agent's stored code versions", params: [agentParam], errors: [404] },
  { method: 'GET', path: '/agents/:name/versions/:version', tag: 'code', summary: 'The code of one stored version', params: [agentParam, 'Version number'], errors: [404] },
  { method: 'POST', path: '/agents/:name/rollback', tag: 'code', summary: 'Roll back to a stored version', params: [agentParam], body: rollbackRequestSchema, errors: [400, 404] },
  {
    method: 'POST',
    path: '/agents/:name/tasks',
    tag: 'agents',
    summary: 'Send a TASK to an agent and wait for its RESULT',
    description: 'A failed task answers `{error, detail}` with its kind: timeout → 504, crash or out of memory → 502, stopped → 503.',
    params: [agentParam],
    body: taskRequestSchema,
    response: z.object({ result: z.unknown().describe("The agent's RESULT payload") }),
    errors: [400, 404, 502, 503, 504],
  },

  // Catalog.
  { method: 'GET', path: '/catalog', tag: 'catalog', summary: 'The recipes in catalogue_agents/' },
  {
    method: 'POST',
    path: '/catalog/:recipe/spawn',
    tag: 'catalog',
    summary: 'Spawn an agent from a recipe',
    params: ['Recipe name'],
    body: z.object({ name: z.string().optional(), config: z.record(z.string(), z.unknown()).optional() }),
    errors: [400, 404, 409],
  },

  // Settings.
  { method: 'GET', path: '/settings', tag: 'settings', summary: 'Hub settings (secrets only as "set or not")' },
  { method: 'PUT', path: '/settings', tag: 'settings', summary: 'Change settings (a secret: a new value, or null to clear it)', body: settingsPatchSchema, errors: [400] },
  {
    method: 'POST',
    path: '/auth/token/rotate',
    tag: 'settings',
    summary: 'Replace the dashboard token with a new one (the old one stops working at once)',
    description: 'Needs the current token. MQTT sessions that logged in with the old token are closed. 409 when the hub has no dashboard token (loopback with only API_KEY).',
    response: tokenRotationResponseSchema,
    errors: [409],
  },

  // LLM and cost.
  { method: 'GET', path: '/llm', tag: 'llm', summary: 'The LLM in use, or what to set', response: llmInfoSchema },
  { method: 'GET', path: '/llm/models', tag: 'llm', summary: 'Models of the provider (Ollama: installed ones)', query: z.object({ provider: z.string().optional() }), response: llmModelsSchema, errors: [502, 503] },
  {
    method: 'GET',
    path: '/cost',
    tag: 'llm',
    summary: "LLM tokens and cost, in total and per agent, with the spend limit (the original's get_global_cost_info()) beside",
    description: 'The limit comes from LLM_COST_LIMIT_USD / LLM_COST_LIMIT_PERIOD or POST /cost/limit (which wins). Periods are UTC days, ISO weeks and months.',
    response: costSchema,
  },
  {
    method: 'POST',
    path: '/cost/limit',
    tag: 'llm',
    summary: 'Set the spend limit (0: none) and its period; kept across restarts, wins over LLM_COST_LIMIT_USD',
    description: 'Past the limit every LLM call of the hub is refused (an LlmError `cost_limit`, and an alert) until the period rolls over, the limit is raised or the totals are reset. 400 `period must be daily, weekly, or monthly`.',
    body: costLimitRequestSchema,
    response: costLimitResponseSchema,
    errors: [400],
  },
  { method: 'POST', path: '/cost/reset', tag: 'llm', summary: "Zero the spend counters of every period and the all-time one (the limit stays); the original's {ok, …get_global_cost_info()}", response: costResetResponseSchema },

  // Home Assistant.
  { method: 'GET', path: '/ha/status', tag: 'home-assistant', summary: 'Home Assistant connection status, or why it is not configured' },
  { method: 'GET', path: '/ha-map', tag: 'home-assistant', summary: "The home map: areas, devices, entities, and the original's payload (type, devices…) beside them", errors: [404, 502] },
  {
    method: 'GET',
    path: '/ha/entities',
    tag: 'home-assistant',
    summary: 'Entities with their state',
    query: z.object({ domain: z.string().optional(), area: z.string().optional() }),
    errors: [400, 404, 502],
  },
  {
    method: 'GET',
    path: '/ha/history/:entity_id',
    tag: 'home-assistant',
    summary: "An entity's state history",
    params: ['Entity id, e.g. light.kitchen'],
    query: z.object({
      since: z.coerce.number().optional().describe('Epoch seconds'),
      until: z.coerce.number().optional().describe('Epoch seconds'),
      limit: z.coerce.number().int().positive().max(10_000).optional(),
      bucket: z.coerce.number().int().positive().optional().describe('Seconds per averaged point'),
    }),
    response: haHistorySchema,
    errors: [400, 404],
  },
  { method: 'POST', path: '/ha/entities/:entity_id/toggle', tag: 'home-assistant', summary: 'Toggle a light, switch, fan…', params: ['Entity id'], response: haToggleSchema, errors: [400, 404, 502] },

  // Approvals (issue 12 item 6): what an LLM or agent asked beyond the safe default.
  {
    method: 'GET',
    path: '/approvals',
    tag: 'approvals',
    summary: 'Approvals, newest first, with the pending count',
    query: z.object({ state: z.enum(APPROVAL_STATES).optional(), agent: z.string().optional(), limit: z.coerce.number().int().min(1).max(2_000).optional() }),
    response: approvalListSchema,
    errors: [400],
  },
  { method: 'GET', path: '/approvals/refusals', tag: 'approvals', summary: 'Refusals for audit: denials, revocations, spawn caps, what agent code was refused', query: z.object({ agent: z.string().optional(), limit: z.coerce.number().int().min(1).max(2_000).optional() }), response: refusalListSchema, errors: [400] },
  { method: 'GET', path: '/approvals/:id', tag: 'approvals', summary: 'One approval', params: ['Approval id (ap-…)'], response: approvalSchema, errors: [404] },
  { method: 'POST', path: '/approvals/:id/approve', tag: 'approvals', summary: 'Approve items (all pending ones when `items` is absent); the agent restarts with them', params: ['Approval id, or an agent name (its pending approvals)'], body: approvalDecisionBodySchema, response: approvalOutcomeSchema, errors: [400, 404, 409, 503] },
  { method: 'POST', path: '/approvals/:id/deny', tag: 'approvals', summary: 'Deny items (all pending ones when `items` is absent); recorded for audit', params: ['Approval id, or an agent name'], body: approvalDecisionBodySchema, response: approvalOutcomeSchema, errors: [400, 404, 409, 503] },
  { method: 'GET', path: '/grants', tag: 'approvals', summary: "Every agent's grant: what it holds, what can be revoked, whether it awaits review", response: grantListSchema },
  { method: 'POST', path: '/grants/:agent/revoke', tag: 'approvals', summary: 'Take items back from an agent (it restarts without them)', params: ['Agent name'], body: revokeBodySchema, response: agentGrantSchema, errors: [400, 404] },
  { method: 'POST', path: '/grants/:agent/reviewed', tag: 'approvals', summary: 'Mark an agent kept at upgrade as reviewed', params: ['Agent name'], response: z.object({ agent: z.string(), reviewed: z.boolean() }), errors: [404] },

  // The graph of agents and the activity feed (src/main/graph, src/main/feed).
  {
    method: 'GET',
    path: '/graph',
    tag: 'graph',
    summary: 'The graph of agents: agents (by node), wires between publishers and subscribers with messages per second, remote nodes',
    description:
      'Wires come from declared contracts (`publishes`, `subscribes`), live subscriptions (the hub\'s agents and what nodes report) and observed traffic; a publisher the hub cannot name is `external`. `rate` is messages per second over the last 10 s; `state` is the actor\'s, or `silent` when its heartbeats stopped or its node is offline. The same graph is retained on MQTT `system/graph` and updated by `system/graph/delta`. A page of another origin is refused (403).',
    response: graphSchema,
    errors: [403],
  },
  {
    method: 'GET',
    path: '/graph/messages',
    tag: 'graph',
    summary: "A topic's recent messages (a wire's traffic), newest first",
    description: 'At most 8 per topic, each cut to a 1 KB preview (`truncated`). `from` is the publishing agent when the hub saw it publish. 400 for a filter (+, #).',
    query: z.object({ topic: z.string().describe('The topic (not a filter)') }),
    response: topicMessagesSchema,
    errors: [400, 403],
  },
  {
    method: 'GET',
    path: '/feed',
    tag: 'graph',
    summary: 'The activity feed: spawned, stopped, failed, deleted, deployed, approvals, alerts, nodes online/offline, installs — newest first',
    description: 'Live on MQTT `system/feed` (batches) and `system/feed/recent` (retained, the newest 50). Page with `before` (an event id) while `more` is true.',
    query: z.object({
      kind: z.string().optional().describe(`Comma-separated kinds: ${FEED_KIND_NAMES.join(', ')}`),
      subject: z.string().optional().describe('Only events about this agent, node or package'),
      q: z.string().optional().describe('Text search'),
      before: z.string().optional().describe('An event id: only older events'),
      limit: z.coerce.number().int().min(1).max(500).optional().describe('Default 100'),
    }),
    response: feedPageSchema,
    errors: [400, 403],
  },

  // This document.
  { method: 'GET', path: '/openapi.json', tag: 'docs', summary: 'This OpenAPI 3.1 document', responseText: { contentType: 'application/json', description: 'OpenAPI 3.1 document' } },
  { method: 'GET', path: '/docs', tag: 'docs', summary: 'The API reference as a web page', responseText: { contentType: 'text/html', description: 'HTML page' } },
];
