/**
 * Remote nodes as an integration (src/main/integration) of the hub: the NodeRegistry (placements,
 * the durable command outbox, node heartbeats and alerts), registered with the actor system as the
 * resolver of agents placed on nodes (location transparency: core/remote-actors.ts), its REST
 * routes (/nodes…) and chat commands (/nodes, /migrate). start() subscribes and re-publishes every
 * node's desired state; drain() ends that before the actors stop (a task still waiting for a node
 * is answered "the hub is stopping" instead of holding an actor's stop up).
 */
import type { ActorSystem } from '../../core/actor-system.js';
import type { Integration } from '../../integration/integration.js';
import type { RoutePlugin } from '../../server/http-app.js';
import { nodeCommands } from './node-commands.js';
import { NodeRegistry, type NodeRegistryOptions } from './node-registry.js';
import { nodeRoutes } from './node-routes.js';

export interface NodesIntegration extends Integration {
  readonly registry: NodeRegistry;
  readonly routes: readonly RoutePlugin[];
}

export function createNodesIntegration(opts: NodeRegistryOptions & { system: ActorSystem }): NodesIntegration {
  const registry = new NodeRegistry(opts);
  const offRemote = opts.system.addRemote(registry.remoteActors);
  return {
    name: 'nodes',
    registry,
    routes: [nodeRoutes(registry, opts.system)],
    commands: nodeCommands(registry),
    start: () => registry.start(),
    drain: async () => {
      offRemote();
      await registry.stop();
    },
  };
}
