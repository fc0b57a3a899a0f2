/**
 * The spawn spec and the service's inputs, mapped once. A code agent is described three ways:
 * - a spec in the original's snake_case (`<spawn>` blocks, the planner, a node's spawn command):
 *   limits and supervision (`memory_mb`, `max_restarts`…) ride inside `config`, `poll_interval`
 *   beside it, secret names in `env`;
 * - a CreateAgentInput (the service's own): `tuning` apart from `config`, `envNames`;
 * - the spawn registry's stored config (agent-config.ts).
 * The hub's `<spawn>` path, a node applying the hub's command, the hub placing an agent on a node
 * and the node registry recording it all go through these functions, so they cannot drift apart.
 */
import { omitKeys } from './service-helpers.js';
import { readStoredConfig, TUNING_KEYS, type StoredConfig } from './agent-config.js';
import type { AgentLanguage } from './sandbox/index.js';
import type { CodeAgentKind, CodeSpec, CreateAgentInput, RemoteSpawnRequest } from './service-types.js';

type Tuning = NonNullable<CreateAgentInput['tuning']>;

/** `config` split into the limits/supervision the service applies and the agent's own configuration. */
function splitConfig(config: Readonly<Record<string, unknown>> = {}): { tuning: Tuning; config: Record<string, unknown> } {
  const tuning: Record<string, number | string> = {};
  for (const k of TUNING_KEYS) if (typeof config[k] === 'number' || (k === 'isolation' && (config[k] === 'shared' || config[k] === 'dedicated'))) tuning[k] = config[k];
  return { tuning, config: omitKeys({ ...config }, Object.keys(tuning)) };
}

/** The service's input for a code spec (`dynamic` unless it says `manual`). */
export function createInputFromSpec(spec: CodeSpec, extra: Pick<CreateAgentInput, 'source' | 'install' | 'replace' | 'node' | 'asker'> = {}): CreateAgentInput {
  const { tuning, config } = splitConfig(spec.config);
  if (spec.poll_interval !== undefined) tuning.poll_interval = spec.poll_interval;
  const kind: CodeAgentKind = spec.type === 'manual' ? 'manual' : 'dynamic';
  return {
    name: spec.name,
    code: spec.code ?? '',
    language: spec.language ?? 'javascript',
    kind,
    description: spec.description ?? '',
    capabilities: [...(spec.capabilities ?? [])],
    ...(spec.publishes ? { publishes: [...spec.publishes] } : {}),
    ...(spec.subscribes ? { subscribes: [...spec.subscribes] } : {}),
    ...(spec.send_to ? { sendTo: [...spec.send_to] } : {}),
    ...(spec.retained ? { retained: [...spec.retained] } : {}),
    ...(spec.hub_actors ? { hubActors: [...spec.hub_actors] } : {}),
    inputSchema: spec.input_schema,
    outputSchema: spec.output_schema,
    tuning,
    envNames: [...(spec.env ?? [])],
    config,
    ...(extra.install ? { install: extra.install } : {}),
    ...(extra.replace !== undefined ? { replace: extra.replace } : {}),
    ...(extra.node ? { node: extra.node } : {}),
    ...(extra.source ? { source: extra.source } : {}),
    ...(extra.asker ? { asker: extra.asker } : {}),
  };
}

/** What the spawn registry keeps for an input (merged over the previous entry's config, if any). */
export function storedConfigFrom(input: CreateAgentInput, previous?: StoredConfig): StoredConfig {
  return readStoredConfig({
    ...(previous ?? {}),
    description: input.description ?? previous?.description ?? '',
    capabilities: input.capabilities ?? previous?.capabilities ?? [],
    publishes: input.publishes ?? previous?.publishes ?? [],
    // A new agent declares (none: nothing beyond its own namespace); a replaced one keeps what it had.
    subscribes: input.subscribes ?? (previous ? previous.subscribes : []),
    send_to: input.sendTo ?? previous?.send_to ?? [],
    hub_actors: input.hubActors ?? previous?.hub_actors ?? [],
    retained: input.retained ?? previous?.retained ?? [],
    ...(input.inputSchema !== undefined ? { input_schema: input.inputSchema } : {}),
    ...(input.outputSchema !== undefined ? { output_schema: input.outputSchema } : {}),
    ...(input.tuning ?? {}),
    ...(input.env ? { env: input.env } : {}),
    ...(input.envNames ? { env_names: input.envNames } : {}),
    ...(input.config ? { config: input.config } : {}),
    ...(input.install ? { install: input.install } : {}),
    source: input.source ?? previous?.source ?? 'unknown',
  });
}

/** A code spec from what the spawn registry keeps (limits back inside `config`). */
export function specFromStored(entry: { name: string; kind: string; code: string | null; language: string | null }, cfg: StoredConfig): CodeSpec & { code: string; language: AgentLanguage } {
  const config: Record<string, unknown> = { ...cfg.config };
  for (const k of TUNING_KEYS) if (k !== 'poll_interval' && cfg[k] !== undefined) config[k] = cfg[k];
  return {
    name: entry.name,
    type: entry.kind === 'manual' ? 'manual' : 'dynamic',
    code: entry.code ?? '',
    language: entry.language === 'typescript' ? 'typescript' : 'javascript',
    description: cfg.description,
    capabilities: cfg.capabilities,
    publishes: cfg.publishes,
    ...(cfg.subscribes ? { subscribes: cfg.subscribes } : {}),
    send_to: cfg.send_to,
    hub_actors: cfg.hub_actors,
    ...(cfg.retained.length ? { retained: cfg.retained } : {}),
    ...(cfg.input_schema !== undefined ? { input_schema: cfg.input_schema } : {}),
    ...(cfg.output_schema !== undefined ? { output_schema: cfg.output_schema } : {}),
    ...(cfg.poll_interval !== undefined ? { poll_interval: cfg.poll_interval } : {}),
    env: cfg.env_names,
    config,
  };
}

/** The node registry's request for a new code agent on `node`. */
export function remoteRequestFromInput(input: CreateAgentInput, node: string): RemoteSpawnRequest {
  const { poll_interval, ...limits } = input.tuning ?? {};
  return {
    name: input.name,
    node,
    code: input.code,
    language: input.language ?? 'javascript',
    type: input.kind === 'manual' ? 'manual' : 'dynamic',
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.capabilities ? { capabilities: input.capabilities } : {}),
    ...(input.publishes ? { publishes: input.publishes } : {}),
    ...(input.subscribes ? { subscribes: input.subscribes } : {}),
    ...(input.sendTo ? { send_to: input.sendTo } : {}),
    ...(input.retained?.length ? { retained: input.retained } : {}),
    // Always said (even empty): a node grants hub actors exactly as its hub decided.
    ...(input.hubActors ? { hub_actors: input.hubActors } : {}),
    ...(input.inputSchema !== undefined ? { input_schema: input.inputSchema } : {}),
    ...(input.outputSchema !== undefined ? { output_schema: input.outputSchema } : {}),
    ...(poll_interval !== undefined ? { poll_interval } : {}),
    ...(input.envNames?.length ? { env: input.envNames } : {}),
    config: { ...(input.config ?? {}), ...limits },
    replace: input.replace ?? false,
  };
}

/** New code for an agent placed on a node: the same spec, replacing it (the node registry stores a new version). */
export function remoteRedeployRequest(entry: { name: string; kind: string; node: string; config: Record<string, unknown> }, code: string, language: AgentLanguage): RemoteSpawnRequest {
  return { ...specFromStored({ ...entry, code, language }, readStoredConfig(entry.config)), node: entry.node, replace: true };
}
