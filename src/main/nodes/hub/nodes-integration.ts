/**
 * Remote nodes as an integration (src/main/integration) of the hub: the NodeRegistry (placements,
 * the durable command outbox, node heartbeats and alerts), its REST routes (/nodes…) and chat
 * commands (/nodes, /migrate), and location transparency both ways (core/remote-actors.ts):
 * - hub → node: the registry is the actor system's resolver for agents placed on nodes;
 * - node → hub: tasks by name (`agents/by-name/{name}/task`) for the hub's code agents are served
 *   here (what a node's `agent.sendTo` sends for a name it does not host). Only code agents
 *   (dynamic, manual, catalog) answer from other machines: core, protected, LLM and Home Assistant
 *   actors are refused. An agent on a node is left to its node (one addressed by id is forwarded
 *   under its name); a name nobody has is answered not_found — to this hub's nodes only (another
 *   hub on the same broker may have it).
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

  const route = (name: string, from: string | undefined): TaskRoute => {
    if (registry.isRemote(name)) return { ignore: true }; // its node serves it
    const placed = registry.remoteActors.resolve(name);
    if (placed) return { forward: placed }; // addressed by id: under the name its node serves
    const actor = system.get(name);
    if (actor) {
      const entry = spawned.get(actor.name);
      if (!actor.isProtected && entry && isCodeKind(entry.kind)) return { serve: true };
      return { refuse: { error: `${actor.name} cannot be asked from another machine: only code agents can`, kind: 'refused' }, tell: true };
    }
    // `from` of a node's agent is `<agent>@<node>` (node-runtime.ts).
    const node = from?.split('@')[1];
    return { refuse: { error: `no agent named or with id "${name}"`, kind: 'not_found' }, tell: node !== undefined && registry.getNode(node) !== undefined };
  };

  return {
    name: 'nodes',
    registry,
    routes: [nodeRoutes(registry, system)],
    commands: nodeCommands(registry),
    start: async () => {
      await registry.start();
      tasks.serveAll(route);
    },
    drain: async () => {
      tasks.close();
      offRemote();
      await registry.stop();
    },
  };
}
