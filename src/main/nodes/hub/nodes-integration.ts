/**
 * Remote nodes as an integration (src/main/integration) of the hub: the NodeRegistry (placements,
 * the durable command outbox, node heartbeats and alerts), its REST routes (/nodes…) and chat
 * commands (/nodes, /migrate), and location transparency both ways (core/remote-actors.ts):
 * - hub → node: the registry is the actor system's resolver for agents placed on nodes;
 * - node → anywhere: a node sends a task for an agent it does not host on `nodes/{node}/ask`
 *   (what its `agent.sendTo` does); the hub serves it when the agent is one of its code agents
 *   (dynamic, manual, catalog — core, protected, LLM and Home Assistant actors are refused),
 *   relays it to the node that hosts it (the hub asks it and answers: every answer a node gets is
 *   signed by the hub), or answers not_found. Only asks the node signed are taken (../trust/). The hub subscribes nothing under `agents/by-name/`: its
 *   own tasks to nodes do not come back to it, and the bus cannot reach its agents that way.
 * start() subscribes and re-publishes every node's desired state; drain() ends all of it before
 * the actors stop (a task still waiting for a node is answered "the hub is stopping").
 */
import type { ActorSystem } from '../../core/actor-system.js';
import type { Integration } from '../../integration/integration.js';
import { SpawnRegistry } from '../../persistence/stores/spawn-registry.js';
import type { RoutePlugin } from '../../server/http-app.js';
import { isCodeKind } from '../../agents/dynamic/service-helpers.js';
import { TaskServer, type TaskRoute } from '../node/task-server.js';
import { nodeCommands } from './node-commands.js';
import { NodeRegistry, type NodeRegistryOptions } from './node-registry.js';
import { nodeRoutes } from './node-routes.js';

export interface NodesIntegration extends Integration {
  readonly registry: NodeRegistry;
  readonly routes: readonly RoutePlugin[];
}

export function createNodesIntegration(opts: NodeRegistryOptions & { system: ActorSystem }): NodesIntegration {
  const { system } = opts;
  const registry = new NodeRegistry(opts);
  const offRemote = system.addRemote(registry.remoteActors);
  const spawned = new SpawnRegistry(opts.persistence.db);
  const tasks = new TaskServer({ bus: opts.bus, system, node: 'hub', log: (level, message) => opts.log?.(level, `nodes: tasks: ${message}`) });

  /** A node's task for `to`, an agent it does not host (see the file comment). */
  const route = (to: string): TaskRoute => {
    const placed = registry.remoteActors.resolve(to);
    if (placed) return { relay: placed };
    const actor = system.get(to);
    if (!actor) return { refuse: { error: `no agent named or with id "${to}"`, kind: 'not_found' } };
    const entry = spawned.get(actor.name);
    if (!actor.isProtected && entry && isCodeKind(entry.kind)) return { serve: actor.name };
    return { refuse: { error: `${actor.name} cannot be asked from a node: only code agents can`, kind: 'refused' } };
  };

  return {
    name: 'nodes',
    registry,
    routes: [nodeRoutes(registry, system)],
    commands: nodeCommands(registry),
    start: async () => {
      await registry.start();
      tasks.serveAsks(route, {
        open: (topic, raw, o) => registry.trust.open(topic, raw, o),
        seal: (node, topic, body) => registry.trust.seal(node, topic, body),
      });
    },
    drain: async () => {
      tasks.close();
      offRemote();
      await registry.stop();
    },
  };
}
