/** The HTTP routes' view of the hub (HubApi), implemented over the actor system and main. */
import type { HealthResponse } from '../../shared/rest.js';
import type { ChatResult } from '../../shared/chat.js';
import type { RestoreProgress } from '../../shared/mqtt-payloads.js';
import type { ActorSystem } from '../core/actor-system.js';
import { AskError, toError } from '../core/errors.js';
import type { CostTracker } from '../llm/cost-tracker.js';
import type { LlmProvider } from '../llm/provider.js';
import type { Bus } from '../core/bus.js';
import type { Persistence } from '../persistence/persistence.js';
import type { AgentCommandName, CommandOutcome, HubApi } from '../server/hub-api.js';
import { HttpError } from '../server/http-error.js';
import { formatPrometheus } from '../server/prometheus.js';
import { summarizeActor } from '../core/actor-summary.js';
import { actorFamilies, originalMetrics } from './original-view.js';

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
  /** How far restoring the registered agents is (the DynamicAgent service). */
  restore?: () => RestoreProgress;
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
        ...(d.restore ? { restore: d.restore() } : {}),
      };
    },
    listAgents: () => system.list().map((a) => summarizeActor(system, a, costs.forAgent(a.name))),
    getAgent: (k) => {
      const a = system.get(k);
      return a ? summarizeActor(system, a, costs.forAgent(a.name)) : undefined;
    },
    agentMetrics: (k) => {
      const a = system.get(k);
      return a ? { ...system.telemetry.metrics(a), ...originalMetrics(system, costs, a) } : undefined;
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
    prometheusMetrics: () => formatPrometheus(actorFamilies(system, costs)),
  };
}

/** An ask failure as an HTTP error: not found 404, timeout 504, bad input 400, otherwise 502. */
export function askToHttp(e: unknown): HttpError {
  if (!(e instanceof AskError)) return new HttpError(500, toError(e).message);
  const status = e.kind === 'not_found' ? 404 : e.kind === 'timeout' ? 504 : e.kind === 'bad_input' ? 400 : e.kind === 'overflow' ? 503 : 502;
  return new HttpError(status, e.payload.error, { kind: e.kind, ...(e.detail !== undefined ? { detail: e.detail } : {}) });
}

