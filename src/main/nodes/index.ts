/**
 * Remote nodes: agents on other machines over an external MQTT broker (docs/fleet.md).
 *
 * Node side: `startNode(opts)` (node/wactorz-node.ts), run by `wactorz node …` (node-cli.ts).
 * Hub side, wired by the composition root:
 *
 *   const nodes = new NodeRegistry({ bus, persistence, system, log });
 *   system.supervise('main', () => withNodeCommands(new RemoteAwareMainActor(nodes, {…}), nodes));
 *   await system.startSupervised(); await nodes.start(); routes.push(nodeRoutes(nodes));
 *   // DynamicAgents: a spawn spec with `node` set → await nodes.spawnOnNode({ ...spec, node })
 *   // at stop: await nodes.stop();
 */
import type { MainActor } from '../agents/main/main-actor.js';
import type { NodeRegistry } from './hub/node-registry.js';
import { nodeCommands } from './hub/node-commands.js';

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
export { embeddedBrokerAuth, credentialsAccepted, type BrokerCredentials } from './hub/embedded-broker-auth.js';
export { REPLY_TOPIC_ROOT } from './hub/remote-tasks.js';
export { startNode, type NodeOptions, type RunningNode } from './node/wactorz-node.js';
export * from './protocol.js';

/** Registers /nodes and /migrate with a MainActor (call it in main's supervisor factory). */
export function withNodeCommands<M extends MainActor>(main: M, nodes: NodeRegistry): M {
  for (const cmd of nodeCommands(nodes)) main.registerCommand(cmd);
  return main;
}
