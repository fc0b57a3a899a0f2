/** The HTTP routes' view of the hub (HubApi), implemented over the actor system and main. */
import type { HealthResponse } from '../../shared/rest.js';
import type { Metrics } from '../../shared/mqtt-payloads.js';
import type { ActorSystem } from '../core/actor-system.js';
import type { Actor } from '../core/actor.js';
import { AskError, toError } from '../core/errors.js';
import type { CostTracker } from '../llm/cost-tracker.js';
import type { LlmProvider } from '../llm/provider.js';
import type { Bus } from '../core/bus.js';
import type { Persistence } from '../persistence/persistence.js';
import type { AgentCommandName, CommandOutcome, HubApi } from '../server/hub-api.js';
import { HttpError } from '../server/http-error.js';
import { formatPrometheus } from '../server/prometheus.js';
import type { ChatResult } from '../../shared/chat.js';
import { summarizeActor } from '../core/actor-summary.js';

export interface ActorHubApiDeps {
  system: ActorSystem;
  bus: Bus;
  persistence: Persistence;
  llm: LlmProvider;
  costs: CostTracker;
  mqtt: { mode: 'embedded' | 'external'; port: number };
  startedAt: number;
  /** Asks main to process chat with streaming; provided by the composition root. */
  chat: (text: string, ctx: { interface: string; user?: string; onChunk?: (chunk: string) => void }) => Promise<ChatResult>;
}

export function createActorHubApi(d: ActorHubApiDeps): HubApi {
  const { system, costs } = d;
  return {
    health(): HealthResponse {
      return {
        status: 'ok',
        uptime: (Date.now() - d.startedAt) / 1000,
        actors: system.list().length,
        llm: { provider: d.llm.name, model: d.llm.model || null, configured: d.llm.configured },
        mqtt: { mode: d.mqtt.mode, state: d.bus.state, port: d.mqtt.port },
        persistence: { ephemeral: d.persistence.ephemeralBackend() },
      };
    },
    listAgents: () => system.list().map((a) => summarizeActor(system, a, costs.forAgent(a.name))),
    getAgent: (k) => {
      const a = system.get(k);
      return a ? summarizeActor(system, a, costs.forAgent(a.name)) : undefined;
    },
    agentMetrics: (k): Metrics | undefined => {
      const a = system.get(k);
      return a ? system.telemetry.metrics(a) : undefined;
    },
    async sendMessage(k, content, timeoutMs) {
      try {
        return await system.ask(k, content, timeoutMs ?? 60_000);
      } catch (e) {
        throw askToHttp(e);
      }
    },
    async command(k, command: AgentCommandName): Promise<CommandOutcome> {
      try {
        return { ok: true, message: await system.command(k, command) };
      } catch (e) {
        return { ok: false, message: toError(e).message };
      }
    },
    async chat(message, { agentName, interface: iface, onChunk }) {
      const text = agentName ? `@${agentName} ${message}` : message;
      const r = await d.chat(text, { interface: iface, onChunk });
      return { agent: r.agent, response: r.reply };
    },
    prometheusMetrics: () => prometheus(system, costs),
  };
}

/** An ask failure as an HTTP error: not found 404, timeout 504, bad input 400, otherwise 502. */
export function askToHttp(e: unknown): HttpError {
  if (!(e instanceof AskError)) return new HttpError(500, toError(e).message);
  const status = e.kind === 'not_found' ? 404 : e.kind === 'timeout' ? 504 : e.kind === 'bad_input' ? 400 : e.kind === 'overflow' ? 503 : 502;
  return new HttpError(status, e.payload.error, { kind: e.kind, ...(e.detail !== undefined ? { detail: e.detail } : {}) });
}

function prometheus(system: ActorSystem, costs: CostTracker): string {
  const actors = system.list();
  const per = (pick: (a: Actor) => number) => actors.map((a) => ({ labels: { actor: a.name, actor_id: a.actorId }, value: pick(a) }));
  const total = costs.total();
  return formatPrometheus([
    { name: 'wactorz_actors', help: 'Actors by state', type: 'gauge', values: ['running', 'paused', 'stopped', 'failed'].map((s) => ({ labels: { state: s }, value: actors.filter((a) => a.state === s).length })) },
    { name: 'wactorz_actor_messages_processed_total', help: 'Messages handled per actor', type: 'counter', values: per((a) => a.counters.messagesProcessed) },
    { name: 'wactorz_actor_errors_total', help: 'Errors per actor', type: 'counter', values: per((a) => a.counters.errors) },
    { name: 'wactorz_actor_tasks_completed_total', help: 'Tasks completed per actor', type: 'counter', values: per((a) => a.counters.tasksCompleted) },
    { name: 'wactorz_actor_tasks_failed_total', help: 'Tasks failed per actor', type: 'counter', values: per((a) => a.counters.tasksFailed) },
    { name: 'wactorz_actor_restarts_total', help: 'Supervisor restarts per actor', type: 'counter', values: per((a) => a.restartCount) },
    { name: 'wactorz_actor_inbox_size', help: 'Messages waiting per actor', type: 'gauge', values: per((a) => a.inboxSize) },
    { name: 'wactorz_llm_tokens_total', help: 'LLM tokens', type: 'counter', values: [{ labels: { direction: 'in' }, value: total.inputTokens }, { labels: { direction: 'out' }, value: total.outputTokens }] },
    { name: 'wactorz_llm_cost_usd_total', help: 'LLM cost in USD', type: 'counter', values: [{ labels: {}, value: total.costUsd }] },
    { name: 'wactorz_process_resident_memory_bytes', help: 'Hub RSS', type: 'gauge', values: [{ labels: {}, value: process.memoryUsage.rss() }] },
  ]);
}

