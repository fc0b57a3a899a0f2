/**
 * The DynamicAgent service and approvals (src/main/approvals), said once: who asks (a person over
 * REST, main's LLM for a `<spawn>` block or the writer, the planner, an agent through the
 * catalog), what a spawn asks in a grant's terms, the input or stored config with what the gate
 * granted, and the sentence the user reads when something waits.
 *
 * For an LLM or agent every limit is set explicitly (granted or absent), so a replacement never
 * inherits limits a person approved for the agent it replaces.
 */
import { describeItems, LIMIT_KEYS, type AgentLimits, type Approval, type Asker, type GrantAsk } from '../../../shared/approvals.js';
import type { Admission, SpawnGate } from '../../approvals/approval-types.js';
import { SpawnRefusedError } from '../../approvals/spawn-caps.js';
import type { StoredConfig } from './agent-config.js';
import { DynamicAgentError } from './errors.js';
import type { CreateAgentInput, DeployResult, PendingApproval } from './service-types.js';

export const PERSON_REST: Asker = { kind: 'person', name: 'rest', via: 'rest' };

/** The asker a spawn spec's `source` implies when the caller did not say. */
export function askerFromSource(source: string): Asker {
  if (source === 'rest') return PERSON_REST;
  if (source === 'llm') return { kind: 'llm', name: 'main', via: 'spawn_block' };
  if (source === 'writer') return { kind: 'llm', name: 'main', via: 'agent_writer' };
  if (source.startsWith('planner')) return { kind: 'llm', name: 'planner', via: 'planner' };
  // Unknown: not a person (the safe reading).
  return { kind: 'llm', name: source.slice(0, 200) || 'unknown', via: 'spawn' };
}

export function askerOf(input: CreateAgentInput): Asker {
  return input.asker ?? (input.source === undefined ? PERSON_REST : askerFromSource(input.source));
}

const limitsOf = (src: Partial<Record<string, unknown>>): AgentLimits => {
  const out: AgentLimits = {};
  if (typeof src.memory_mb === 'number') out.memory_mb = src.memory_mb;
  if (typeof src.call_timeout_ms === 'number') out.call_timeout_ms = src.call_timeout_ms;
  if (src.isolation === 'dedicated' || src.isolation === 'shared') out.isolation = src.isolation;
  if (typeof src.llm_budget_usd === 'number') out.llm_budget_usd = src.llm_budget_usd;
  return out;
};

/** What a code agent's input asks for. */
export function askOfInput(input: CreateAgentInput): GrantAsk {
  return { capabilities: [...(input.capabilities ?? [])], env_names: [...(input.envNames ?? [])], limits: limitsOf(input.tuning ?? {}), send_to: [...(input.hubActors ?? [])] };
}

/** The input with what the gate granted (capabilities, secret names, limits). */
export function inputWithGrant(input: CreateAgentInput, grant: GrantAsk, asker: Asker): CreateAgentInput {
  const tuning: Record<string, unknown> = { ...(input.tuning ?? {}) };
  for (const k of LIMIT_KEYS) {
    if (grant.limits[k] !== undefined) tuning[k] = grant.limits[k];
    else if (asker.kind !== 'person') tuning[k] = undefined;
    else delete tuning[k];
  }
  return { ...input, capabilities: grant.capabilities, envNames: grant.env_names, hubActors: grant.send_to, tuning: tuning as CreateAgentInput['tuning'] };
}

/** The grant a stored config holds. */
export function grantOfConfig(cfg: StoredConfig): GrantAsk {
  return { capabilities: [...cfg.capabilities], env_names: [...cfg.env_names], limits: limitsOf(cfg), send_to: [...cfg.hub_actors] };
}

/** A stored config holding `grant` instead of its own. */
export function configWithGrant(cfg: StoredConfig, grant: GrantAsk): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cfg, capabilities: grant.capabilities, env_names: grant.env_names, hub_actors: grant.send_to };
  for (const k of LIMIT_KEYS) {
    if (grant.limits[k] === undefined) delete out[k];
    else out[k] = grant.limits[k];
  }
  return out;
}

/** How a spawn answer mentions what waits. */
export function pendingApproval(a: Approval): PendingApproval {
  const items = a.items.filter((i) => i.state === 'pending');
  const how = `approve with /approve ${a.id} (or /deny ${a.id}), or in the dashboard's Approvals view`;
  const message = a.waiting
    ? `${a.agent} waits for your approval before it runs (${describeItems(items)}): ${how}.`
    : `It runs with the safe default until you approve ${describeItems(items)}: ${how}.`;
  return { id: a.id, pending: items.map((i) => i.key), waiting: a.waiting, message };
}

/**
 * Asks approvals (the service's `gate`) what this spawn gets: caps are refused as a
 * DynamicAgentError (too_many_agents 409, rate_limited 429); undefined without a gate.
 */
export function admitSpawn(gate: SpawnGate | undefined, input: CreateAgentInput, kind: string, newName: boolean, spec?: Record<string, unknown>): Admission | undefined {
  if (!gate) return undefined;
  try {
    return gate.admit({ agent: input.name, kind, asker: askerOf(input), reason: input.description ?? '', ask: askOfInput(input), newName, ...(spec ? { spec } : {}) });
  } catch (e) {
    if (e instanceof SpawnRefusedError) throw new DynamicAgentError(e.kind, e.message, { ...e.detail });
    throw e;
  }
}

/** After a spawn succeeded: records what waits and says so in the answer and in the agent's log. */
export function settleSpawn(result: DeployResult, admission: Admission | undefined, tell: (agent: string, level: 'info' | 'warning', message: string) => void): DeployResult {
  const approval = admission?.commit();
  for (const note of admission?.notes ?? []) tell(result.name, 'warning', `clamped: ${note}`);
  if (!approval) return result;
  const pending = pendingApproval(approval);
  tell(result.name, 'warning', `waiting for approval ${approval.id} (${pending.pending.join(', ')}); running with the safe default meanwhile`);
  return { ...result, approval: pending };
}
