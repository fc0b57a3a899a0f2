/**
 * One actor as the REST API and the dashboard list it (AgentSummary, src/shared/rest.ts). Core
 * knows nothing of LLM cost: whoever tracks it passes the actor's figures in.
 */
import type { AgentSummary } from '../../shared/rest.js';
import type { Actor } from './actor.js';
import type { ActorSystem } from './actor-system.js';

export function summarizeActor(system: ActorSystem, a: Actor, cost?: { calls: number; costUsd: number }): AgentSummary {
  return {
    id: a.actorId,
    name: a.name,
    state: a.state,
    protected: a.isProtected,
    kind: a.kind,
    last_heartbeat: system.lastHeartbeat(a.name),
    inbox_size: a.inboxSize,
    restart_count: a.restartCount,
    messages_processed: a.counters.messagesProcessed,
    ...(a.description ? { description: a.description } : {}),
    ...(cost && cost.calls > 0 ? { cost_usd: cost.costUsd } : {}),
  };
}
