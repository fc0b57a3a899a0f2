/**
 * The hub's core actors as an integration (src/main/integration): main (the orchestrator every
 * interface talks to), monitor (heartbeat watchdog) and io (MQTT chat gateway), protected and
 * supervised in that order, plus the LLM routes (/llm, /llm/models) and the API's OpenAPI
 * document. Main gets what other
 * integrations contribute — the DynamicAgent hooks and their chat commands — when it is (re)built,
 * so the list of integrations decides what /help shows.
 *
 * `askMain` is the one chat entry point of every interface (REST, CLI, bots): a chat TASK to main
 * (src/shared/chat.ts), its chunks streamed to `onChunk`.
 */
import { randomUUID } from 'node:crypto';
import type { ChatResult, ChatTask } from '../../shared/chat.js';
import type { ActorSystem } from '../core/actor-system.js';
import type { ChatCommand, Integration } from '../integration/integration.js';
import type { CostTracker } from '../llm/cost-tracker.js';
import type { LlmProvider } from '../llm/provider.js';
import type { ChatLog } from '../persistence/stores/chat-log.js';
import type { MainAgentHooks } from '../agents/dynamic/main-hooks.js';
import { MainActor } from '../agents/main/main-actor.js';
import { MonitorAgent, type MonitorTiming } from '../agents/monitor/monitor-agent.js';
import { IOAgent } from '../agents/io/io-agent.js';
import { openApiRoutes } from '../server/openapi/openapi-routes.js';
import { llmRoutes } from './llm-routes.js';

export interface CoreIntegrationOptions {
  /** The hub's provider (switchable at run time: `summary` is read afresh). Main bills its own calls. */
  llm: LlmProvider & { readonly summary: string };
  costs: CostTracker;
  monitor: MonitorTiming;
  /** DynamicAgents for main (`<spawn>` blocks, the agent writer), read when main is built. */
  agents?: () => MainAgentHooks | undefined;
  /** Chat commands of the other integrations (the host's), read when main is built. */
  commands?: () => readonly ChatCommand[];
  /** Where main writes every chat turn (GET /api/chats). */
  chatLog?: ChatLog;
}

export function createCoreIntegration(o: CoreIntegrationOptions): Integration {
  const { llm, costs } = o;
  return {
    name: 'core',
    supervise(system) {
      // The supervision tree, as the original's build_system(): factories are called fresh on each restart.
      system
        .supervise('main', () => new MainActor({ llm, llmSummary: () => llm.summary, costs, agents: o.agents?.(), commands: o.commands?.() ?? [], ...(o.chatLog ? { chatLog: o.chatLog } : {}) }), { maxRestarts: 10 })
        .supervise('monitor', () => new MonitorAgent(o.monitor), { maxRestarts: 10 })
        .supervise('io', () => new IOAgent(), { maxRestarts: 10 });
    },
    routes: [llmRoutes({ llm, llmSummary: () => llm.summary }), openApiRoutes()],
  };
}

/**
 * Chat with main as `interface` (default `api`) on behalf of `user`; chunks go to `onChunk` as they
 * come. `announce: false` when the interface shows the reply itself (main posts no MQTT copy).
 */
export async function askMain(system: ActorSystem, text: string, ctx: { interface?: string; user?: string; onChunk?: (chunk: string) => void; announce?: boolean }): Promise<ChatResult> {
  const messageId = randomUUID();
  const close = ctx.onChunk ? system.streams.open(messageId, ctx.onChunk) : () => {};
  try {
    const iface = ctx.interface ?? 'api';
    const task: ChatTask = { kind: 'chat', text, from: ctx.user ?? iface, interface: iface, message_id: messageId, ...(ctx.announce === false ? { announce: false } : {}) };
    return await system.ask<ChatResult>('main', task, 600_000);
  } finally {
    close();
  }
}
