/**
 * Code agents on remote nodes, from the DynamicAgent service's side: the request the node registry
 * (src/main/nodes) gets for a create or a redeploy, and its answer as a DeployResult. Checking the
 * code stays with the service; placement, the registry entry (with `node`) and delivery are the
 * node registry's.
 */
import { actorIdFor } from '../../core/actor-id.js';
import { toError } from '../../core/errors.js';
import type { SpawnEntry } from '../../persistence/stores/spawn-registry.js';
import type { AgentLanguage } from './sandbox/index.js';
import type { CodeCheck } from './code-check.js';
import { readStoredConfig } from './agent-config.js';
import { DynamicAgentError, type DynamicAgentErrorDetail, type DynamicAgentErrorKind } from './errors.js';
import type { CreateAgentInput, DeployResult, RemoteNodes, RemoteSpawnRequest } from './service-types.js';
import { omitKeys } from './service-helpers.js';

/** `node` values that mean this hub. */
export const LOCAL_NODE_NAMES = ['', 'local', 'localhost', 'hub', 'main'];

export function isRemoteNode(node: string | undefined): boolean {
  return node !== undefined && !LOCAL_NODE_NAMES.includes(node.trim().toLowerCase());
}

/** The node registry's request for a new code agent. */
export function remoteCreateRequest(input: CreateAgentInput, node: string): RemoteSpawnRequest {
  return {
    name: input.name,
    node,
    code: input.code,
    language: input.language ?? 'javascript',
    type: input.kind === 'manual' ? 'manual' : 'dynamic',
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.capabilities ? { capabilities: input.capabilities } : {}),
    ...(input.publishes ? { publishes: input.publishes } : {}),
    ...(input.inputSchema !== undefined ? { input_schema: input.inputSchema } : {}),
    ...(input.outputSchema !== undefined ? { output_schema: input.outputSchema } : {}),
    ...(input.tuning?.poll_interval !== undefined ? { poll_interval: input.tuning.poll_interval } : {}),
    ...(input.envNames?.length ? { env: input.envNames } : {}),
    config: { ...(input.config ?? {}), ...omitKeys(input.tuning ?? {}, ['poll_interval']) },
    replace: input.replace ?? false,
  };
}

/** New code for a placed agent: the same spec, replacing it (the node registry stores a new version). */
export function remoteRedeployRequest(entry: SpawnEntry, code: string, language: AgentLanguage): RemoteSpawnRequest {
  const cfg = readStoredConfig(entry.config);
  const tuning = Object.fromEntries(Object.entries(cfg).filter(([k, v]) => ['memory_mb', 'call_timeout_ms', 'max_restarts', 'restart_delay_ms'].includes(k) && v !== undefined));
  return {
    name: entry.name,
    node: entry.node,
    code,
    language,
    type: entry.kind === 'manual' ? 'manual' : 'dynamic',
    description: cfg.description,
    capabilities: cfg.capabilities,
    publishes: cfg.publishes,
    ...(cfg.input_schema !== undefined ? { input_schema: cfg.input_schema } : {}),
    ...(cfg.output_schema !== undefined ? { output_schema: cfg.output_schema } : {}),
    ...(cfg.poll_interval !== undefined ? { poll_interval: cfg.poll_interval } : {}),
    env: cfg.env_names,
    config: { ...cfg.config, ...tuning },
    replace: true,
  };
}

/** Places `request` through the node registry; its refusal is a DynamicAgentError. */
export async function placeOnNode(nodes: RemoteNodes | undefined, request: RemoteSpawnRequest, check: CodeCheck, source: string, registryVersion: () => number | undefined): Promise<DeployResult> {
  if (!nodes) throw new DynamicAgentError('unavailable', `${request.name} should run on node "${request.node}", and remote nodes are not wired in this hub`);
  const r = await nodeCall('spawn', () => nodes.spawnOnNode(request, { source }));
  if (!r.ok) throw new DynamicAgentError('unavailable', r.message);
  return {
    name: request.name,
    id: actorIdFor(request.name),
    kind: request.type,
    version: r.version ?? registryVersion() ?? 1,
    language: request.language,
    state: r.status,
    exports: check.exports,
    diagnostics: check.diagnostics,
    node: request.node,
    message: r.message,
  };
}

/** A node registry call, its errors as DynamicAgentErrors of the same kind. */
export async function nodeCall<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const err = toError(e) as Error & { kind?: unknown; detail?: unknown };
    const kind = typeof err.kind === 'string' && ['bad_input', 'conflict', 'not_found', 'unavailable'].includes(err.kind) ? (err.kind as DynamicAgentErrorKind) : 'unavailable';
    const detail = err.detail && typeof err.detail === 'object' ? (err.detail as DynamicAgentErrorDetail) : undefined;
    throw new DynamicAgentError(kind === 'bad_input' && detail?.diagnostics ? 'bad_code' : kind, `${what} on a node: ${err.message}`, detail);
  }
}
