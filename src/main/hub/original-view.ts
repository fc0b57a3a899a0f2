/**
 * The original Wactorz's view of an actor, computed from ours: the RESTInterface's
 * `/actors/{id}/metrics` fields and its Prometheus families (`actor_name=` labels). (The fields its
 * monitor's `/api/actors` carries — cpu, mem, task, messagesProcessed, costUsd — are part of every
 * AgentSummary: core/actor-summary.ts.) Added beside our own fields and families, never instead of them. Kept apart from
 * actor-hub-api.ts so the contract with the original lives in one place.
 */
import type { OriginalActorMetrics } from '../../shared/rest.js';
import type { ActorSystem } from '../core/actor-system.js';
import type { Actor } from '../core/actor.js';
import type { CostTracker } from '../llm/cost-tracker.js';
import type { PromSample } from '../server/prometheus.js';

export function originalMetrics(system: ActorSystem, costs: CostTracker, a: Actor): OriginalActorMetrics {
  const beat = system.telemetry.lastBeat.get(a.name);
  const cost = costs.forAgent(a.name);
  return {
    messages_received: a.counters.messagesReceived,
    messages_processed: a.counters.messagesProcessed,
    messages_failed: a.counters.errors,
    heartbeats: beat?.count ?? 0,
    last_message_at: Math.trunc(beat?.heartbeat.timestamp ?? 0),
    restart_count: a.restartCount,
    llm_input_tokens: cost.inputTokens,
    llm_output_tokens: cost.outputTokens,
    llm_cost_usd: cost.costUsd,
    cost_usd: cost.costUsd,
    cpu: beat?.heartbeat.cpu ?? null,
    mem: beat?.heartbeat.memory_mb ?? null,
    task: beat?.heartbeat.task ?? null,
  };
}

const STATES = ['running', 'paused', 'stopped', 'failed'] as const;

/**
 * Every actor family of `/metrics`: the original's (wactorz_actors_total, wactorz_actor_up,
 * …_messages_processed_total{actor_name}, wactorz_llm_cost_usd_total{actor_name}…) and ours
 * (wactorz_actors{state}, inbox size, restarts_total, tokens by direction). Series that both had
 * carry `actor_name` beside our `actor` and `actor_id`. LLM series are per agent that ever spent,
 * deleted ones included, so their sum is the hub's total (it survives restarts, see
 * llm/cost-store.ts).
 */
export function actorFamilies(system: ActorSystem, costs: CostTracker, nowMs = Date.now()): PromSample[] {
  const actors = system.list();
  const byName = (pick: (a: Actor) => number) => actors.map((a) => ({ labels: { actor_name: a.name }, value: pick(a) }));
  const both = (pick: (a: Actor) => number) => actors.map((a) => ({ labels: { actor_name: a.name, actor: a.name, actor_id: a.actorId }, value: pick(a) }));
  const snap = costs.snapshot();
  const perAgent = (pick: (s: (typeof snap.agents)[string]) => number) => Object.entries(snap.agents).map(([name, s]) => ({ labels: { actor_name: name }, value: pick(s) }));
  const stateCounts = new Map<string, number>();
  for (const a of actors) stateCounts.set(a.state, (stateCounts.get(a.state) ?? 0) + 1);
  const heartbeatAge = (a: Actor) => {
    const ts = system.lastHeartbeat(a.name);
    return ts ? Math.max(0, nowMs / 1000 - ts) : 0;
  };
  const total = snap.total;
  return [
    // The original's families.
    { name: 'wactorz_actors_total', help: 'Number of actors currently registered.', type: 'gauge', values: [{ labels: {}, value: actors.length }] },
    { name: 'wactorz_actors_by_state', help: 'Number of registered actors grouped by actor state.', type: 'gauge', values: [...stateCounts].sort().map(([state, n]) => ({ labels: { state }, value: n })) },
    { name: 'wactorz_actor_info', help: 'Static labels describing each registered actor.', type: 'gauge', values: actors.map((a) => ({ labels: { actor_name: a.name, actor_class: a.constructor.name, protected: String(a.isProtected), kind: a.kind }, value: 1 })) },
    { name: 'wactorz_actor_up', help: 'Whether an actor is currently running.', type: 'gauge', values: byName((a) => (a.state === 'running' ? 1 : 0)) },
    { name: 'wactorz_actor_state', help: 'Actor state as a labelled gauge for PromQL filtering.', type: 'gauge', values: actors.map((a) => ({ labels: { actor_name: a.name, state: a.state }, value: 1 })) },
    { name: 'wactorz_actor_messages_processed_total', help: 'Messages processed by each actor.', type: 'counter', values: both((a) => a.counters.messagesProcessed) },
    { name: 'wactorz_actor_errors_total', help: 'Errors recorded by each actor.', type: 'counter', values: both((a) => a.counters.errors) },
    { name: 'wactorz_actor_tasks_completed_total', help: 'Tasks completed by each actor.', type: 'counter', values: both((a) => a.counters.tasksCompleted) },
    { name: 'wactorz_actor_tasks_failed_total', help: 'Tasks failed by each actor.', type: 'counter', values: both((a) => a.counters.tasksFailed) },
    { name: 'wactorz_actor_restart_count', help: 'Supervisor restart count for each actor.', type: 'gauge', values: byName((a) => a.restartCount) },
    { name: 'wactorz_actor_uptime_seconds', help: 'Actor uptime in seconds.', type: 'gauge', values: byName((a) => a.uptimeSeconds) },
    { name: 'wactorz_actor_heartbeat_age_seconds', help: 'Seconds since the actor last emitted a heartbeat.', type: 'gauge', values: byName(heartbeatAge) },
    { name: 'wactorz_llm_input_tokens_total', help: 'Total LLM input tokens consumed by each actor.', type: 'counter', values: perAgent((s) => s.inputTokens) },
    { name: 'wactorz_llm_output_tokens_total', help: 'Total LLM output tokens produced by each actor.', type: 'counter', values: perAgent((s) => s.outputTokens) },
    { name: 'wactorz_llm_cost_usd_total', help: 'Total LLM cost in USD for each actor.', type: 'counter', values: perAgent((s) => s.costUsd) },
    // Ours.
    { name: 'wactorz_actors', help: 'Actors by state', type: 'gauge', values: STATES.map((s) => ({ labels: { state: s }, value: stateCounts.get(s) ?? 0 })) },
    { name: 'wactorz_actor_restarts_total', help: 'Supervisor restarts per actor', type: 'counter', values: both((a) => a.restartCount) },
    { name: 'wactorz_actor_inbox_size', help: 'Messages waiting per actor', type: 'gauge', values: both((a) => a.inboxSize) },
    { name: 'wactorz_llm_tokens_total', help: 'LLM tokens', type: 'counter', values: [{ labels: { direction: 'in' }, value: total.inputTokens }, { labels: { direction: 'out' }, value: total.outputTokens }] },
    { name: 'wactorz_process_resident_memory_bytes', help: 'Hub RSS', type: 'gauge', values: [{ labels: {}, value: process.memoryUsage.rss() }] },
  ];
}
