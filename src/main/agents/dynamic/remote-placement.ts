/**
 * Code agents on remote nodes, from the DynamicAgent service's side: a request (spec-mapping.ts)
 * handed to the node registry (src/main/nodes), its answer as a DeployResult, its errors as
 * DynamicAgentErrors. Checking the code stays with the service; placement, the registry entry
 * (with `node`) and delivery are the node registry's.
 */
import { actorIdFor } from '../../core/actor-id.js';
import { toError } from '../../core/errors.js';
import type { CodeCheck } from './code-check.js';
import { DynamicAgentError, type DynamicAgentErrorDetail, type DynamicAgentErrorKind } from './errors.js';
import type { DeployResult, RemoteNodes, RemoteSpawnRequest } from './service-types.js';

/** `node` values that mean this hub. */
export const LOCAL_NODE_NAMES = ['', 'local', 'localhost', 'hub', 'main'];

export function isRemoteNode(node: string | undefined): boolean {
  return node !== undefined && !LOCAL_NODE_NAMES.includes(node.trim().toLowerCase());
}

/** Places `request` through the node registry; its refusal is a DynamicAgentError. */
export async function placeOnNode(nodes: RemoteNodes | undefined, request: RemoteSpawnRequest, check: CodeCheck, source: string, registryVersion: () => number | undefined): Promise<DeployResult> {
  if (!nodes) throw new DynamicAgentError('unavailable', `${request.name} should run on node "${request.node}", and remote nodes are not wired in this hub`);
  const r = await nodeCall('spawn', () => nodes.spawnOnNode(request, { source }));
  if (!r.ok) throw new DynamicAgentError('unavailable', r.message);
  return {
    name: request.name,
    id: actorIdFor(request.name),
    kind: request.type ?? 'dynamic',
    version: r.version ?? registryVersion() ?? 1,
    language: request.language === 'typescript' || request.language === 'ts' ? 'typescript' : 'javascript',
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
