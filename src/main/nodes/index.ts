/**
 * Remote nodes: agents on other machines over an external MQTT broker (docs/fleet.md).
 *
 * Node side: `startNode(opts)` (node/wactorz-node.ts), run by `wactorz node …` (node-cli.ts).
 * Hub side, an integration the composition root adds:
 *
 *   const nodes = createNodesIntegration({ bus, persistence, system, log });
 *   host.add(nodes);   // agents placed on nodes answer ask/send like local ones; /nodes routes;
 *                      // /nodes and /migrate in chat; start() resyncs the fleet
 *   // DynamicAgents: a spawn spec with `node` set → nodes.registry.spawnOnNode({ ...spec, node })
 */

export {
  NodeRegistry,
  NodeRegistryError,
  type NodeRegistryOptions,
  type RemoteSpawnInput,
  type RemoteSpawnReport,
  type MigrationReport,
  type NodeInfo,
  type PlacementInfo,
} from './hub/node-registry.js';
export { nodeRoutes } from './hub/node-routes.js';
export { nodeCommands } from './hub/node-commands.js';
export { createNodesIntegration, type NodesIntegration } from './hub/nodes-integration.js';
export { REPLY_TOPIC_ROOT, RemoteTasks } from './remote-tasks.js';
export { startNode, type NodeOptions, type RunningNode } from './node/wactorz-node.js';
export * from '../../shared/node-protocol.js';
export * from './protocol.js';

