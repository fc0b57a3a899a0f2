/**
 * Delivery of the hub's commands to nodes, over the durable outbox (command-outbox.ts): per node,
 * only the oldest unacknowledged command is on the wire — sent once, again when forced (the node or
 * the broker is back), or after `commandRetryMs` without an ack while the node is online. Each
 * node's desired state (every agent placed there) is published retained, with a growing revision.
 * Everything is signed for its node when it is sent (HubFleetTrust), so a command queued before a
 * key rotation goes out with the key in use then; nothing is sent to a node that is not enrolled
 * (its commands wait in the outbox).
 */
import { randomUUID } from 'node:crypto';
import type { Bus } from '../../core/bus.js';
import { nodeTopics, type DesiredState, type NodeCommandKind, type SpawnCommand } from '../../../shared/node-protocol.js';
import type { CommandOutbox } from './command-outbox.js';
import type { NodeStore } from './node-store.js';
import type { HubFleetTrust } from '../trust/hub-fleet-trust.js';

export interface CommandDeliveryDeps {
  bus: Bus;
  outbox: CommandOutbox;
  store: NodeStore;
  trust: HubFleetTrust;
  online(node: string): boolean;
  commandRetryMs: number;
}

export class CommandDelivery {
  constructor(private readonly d: CommandDeliveryDeps) {}

  /** Writes a command to the outbox, then sends it if it is the node's next. */
  enqueue(node: string, kind: string, payload: Record<string, unknown> & { command_id: string }, retain = false): void {
    this.d.outbox.add(node, kind, payload, retain);
    this.pump(node);
  }

  /** Sends `node`'s oldest unacknowledged command when it is due (see the file comment). */
  pump(node: string, force = false): void {
    const head = this.d.outbox.head(node);
    if (!head) return;
    const sinceSentMs = head.lastSentAt === null ? Infinity : Date.now() - head.lastSentAt * 1000;
    if (head.lastSentAt !== null && !force && !(this.d.online(node) && sinceSentMs >= this.d.commandRetryMs)) return;
    if (this.send(node, head.kind as NodeCommandKind, head.payload, { retain: head.retain })) this.d.outbox.markSent(head.commandId);
  }

  /** Signs and publishes a command (QoS 1) for `node`; false when the node is not enrolled. */
  send(node: string, kind: NodeCommandKind, payload: Record<string, unknown>, opts: { retain?: boolean } = {}): boolean {
    const topic = nodeTopics.command(node, kind);
    const signed = this.d.trust.seal(node, topic, payload);
    if (!signed) return false;
    this.d.bus.publish(topic, signed, { qos: 1, retain: opts.retain ?? false });
    return true;
  }

  /** Periodic: every node's head command again when it is due. */
  retry(): void {
    for (const n of this.d.outbox.nodesWithPending()) this.pump(n);
  }

  /** Publishes `node`'s desired state (retained): every agent placed there. */
  publishDesired(node: string): void {
    const agents: SpawnCommand[] = this.d.store.placements(node).map((p) => ({
      ...p.spec,
      command_id: p.commandId,
      issued_at: p.issuedAt,
      ...(p.state ? { state: p.state } : {}),
    }));
    if (!this.d.trust.keys.enrolled(node)) return;
    const desired: DesiredState = { command_id: randomUUID(), revision: this.d.store.nextRevision(), timestamp: Date.now() / 1000, agents };
    this.send(node, 'desired_state', desired, { retain: true });
  }

  /** Desired states again for every node, and every waiting command (at start, the broker back). */
  resync(): void {
    const nodes = new Set([...this.d.store.knownNodes().map((n) => n.name), ...this.d.store.placements().map((p) => p.node)]);
    for (const n of nodes) this.publishDesired(n);
    for (const n of this.d.outbox.nodesWithPending()) this.pump(n, true);
  }
}
