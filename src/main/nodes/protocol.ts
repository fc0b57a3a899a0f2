/**
 * The Node side of the remote-node protocol. The contract itself (schemas, types, topics, the task
 * envelope) is src/shared/node-protocol.ts, read by the hub, the node and the dashboard alike.
 */
import { actorIdFor } from '../core/actor-id.js';
import { nodeActorName } from '../../shared/node-protocol.js';

/** The stable actor id of the pseudo-actor that stands for a node in alerts (`node:{name}`). */
export function nodeActorId(node: string): string {
  return actorIdFor(nodeActorName(node));
}
