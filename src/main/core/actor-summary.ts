/**
 * One actor as the REST API and the dashboard list it (AgentSummary, src/shared/rest.ts), with the
 * fields the original monitor's `/api/actors` carried beside ours (cpu, mem, task from the last
 * heartbeat; messagesProcessed; costUsd) — its dashboard reads them. Core knows nothing of LLM
 * cost: whoever tracks it passes the actor's figures in.
 */
import type { AgentSummary } from '../../shared/rest.js';
import type { Actor } from './actor.js';
import type { ActorSystem } from './actor-system.js';

export function summarizeActor(system: ActorSystem, a: Actor, cost?: { calls: number; costUsd: number }): AgentSummary {
  const hb = system.telemetry.lastBeat.get(a.name)?.heartbeat;
  const spent = cost && cost.calls > 0 ? cost.costUsd : undefined;
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
    ...(spent !== undefined ? { cost_usd: spent } : {}),
    // The original monitor's names.
    cpu: hb?.cpu ?? null,
    mem: hb?.memory_mb ?? null,
    task: hb?.task ?? null,
    messagesProcessed: a.counters.messagesProcessed,
    costUsd: spent ?? null,
  };
}
