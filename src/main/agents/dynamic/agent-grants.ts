/**
 * The DynamicAgent service's side of grants (src/main/grants): what a code agent asks for, from
 * its stored config (capabilities, publishes, subscribes, send_to, retained, env names, limits),
 * planned by the service's policy before the agent is tried out, committed once it runs; what an
 * actor placed from a stored config (llm, ha_actuator) is on record as asking for; and the grant
 * fields of a node's spawn spec — a node grants exactly what its hub sent.
 */
import type { Logger } from '../../base/logger.js';
import { actorIdFor } from '../../core/actor-id.js';
import type { GrantStore } from '../../grants/grant-store.js';
import { commitSpawnGrant, originOfSource, planSpawnGrant, type SpawnGrantPlan, type SpawnGrantPolicy } from '../../grants/spawn-grants.js';
import { HA_ACTUATOR_CAPABILITY, LLM_CAPABILITY, type GrantParts, type GrantPartsInput } from '../../../shared/grants.js';
import type { StoredConfig } from './agent-config.js';
import type { CreateAgentInput } from './service-types.js';

/** Works out a code agent's grant (nothing stored). */
export function planCodeGrant(grants: GrantStore, input: CreateAgentInput, cfg: StoredConfig, policy?: SpawnGrantPolicy): SpawnGrantPlan {
  const limits: GrantPartsInput['limits'] = {
    ...(cfg.memory_mb !== undefined ? { memory_mb: cfg.memory_mb } : {}),
    ...(cfg.call_timeout_ms !== undefined ? { call_timeout_ms: cfg.call_timeout_ms } : {}),
    ...(cfg.isolation ? { isolation: cfg.isolation } : {}),
  };
  const asked: GrantPartsInput = { capabilities: cfg.capabilities, publishes: cfg.publishes, subscribes: cfg.subscribes, retained: cfg.retained, send_to: cfg.send_to, env_names: cfg.env_names, limits };
  const ask = {
    agent: { id: actorIdFor(input.name), name: input.name },
    asked,
    origin: input.origin ?? originOfSource(input.source),
    source: input.source ?? 'rest',
    reason: cfg.description,
    ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
  };
  return planSpawnGrant(grants, ask, policy);
}

/** Stores a planned grant; says in the log what was refused and what waits for a person. */
export function commitCodeGrant(grants: GrantStore, plan: SpawnGrantPlan, log: Logger): void {
  const out = commitSpawnGrant(grants, plan);
  const name = plan.ask.agent.name;
  for (const r of out.refused) log('warning', `${name} asked for ${r.part} ${r.value}, which is not granted: ${r.reason}`);
  if (out.request) log('info', `${name}: part of what it asked for waits for a person's approval (request ${out.request.id})`);
}

/** The grant fields of a node's spawn spec: exactly what the hub grants. */
export function grantFields(g: GrantParts): { capabilities: string[]; publishes: string[]; subscribes: string[]; send_to: string[]; retained: string[]; env: string[] } {
  return { capabilities: g.capabilities, publishes: g.publishes, subscribes: g.subscribes, send_to: g.send_to, retained: g.retained, env: g.env_names };
}

/** What an actor placed from a stored config (llm, ha_actuator…) is on record as asking for. */
export function placedAsk(kind: string, cfg: StoredConfig): GrantPartsInput {
  const spec = cfg.spec && typeof cfg.spec === 'object' ? (cfg.spec as Record<string, unknown>) : {};
  const topics = Array.isArray(spec.mqtt_topics) ? spec.mqtt_topics.filter((t): t is string => typeof t === 'string') : [];
  if (kind === 'ha_actuator') return { capabilities: [HA_ACTUATOR_CAPABILITY], subscribes: topics };
  if (kind === 'llm') return { capabilities: [...new Set([LLM_CAPABILITY, ...cfg.capabilities])] };
  return { capabilities: cfg.capabilities, publishes: cfg.publishes, subscribes: cfg.subscribes };
}
