/**
 * What nodes send the hub — heartbeats, command acks, migration results, agent lists — taken only
 * when the node on the topic signed it (HubFleetTrust: each sequence number once per kind) and when
 * it parses; anything else is logged and dropped, never thrown into the bus. Each message is handed
 * to the part that owns its effect (presence, outbox, placements, migrations); the registry is then
 * told something changed, so callers waiting for an answer re-check. Also here: asking a node for
 * its agents, since the answer arrives as one of these messages.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Bus } from '../../core/bus.js';
import { toError } from '../../core/errors.js';
import {
  commandAckSchema,
  migrateResultSchema,
  nodeAgentsSchema,
  nodeHeartbeatSchema,
  nodeTopics,
  parseNodeTopic,
  type CommandAck,
  type NodeAgents,
} from '../../../shared/node-protocol.js';
import type { HubFleetTrust } from '../trust/hub-fleet-trust.js';
import type { CommandDelivery } from './command-delivery.js';
import type { CommandOutbox, OutboxCommand } from './command-outbox.js';
import type { NodeMigrations } from './node-migrations.js';
import type { NodePresence } from './node-presence.js';
import type { NodeRegistryLogger } from './node-registry-types.js';
import type { NodeStore } from './node-store.js';
import type { NodeWatch } from './node-watch.js';

export interface NodeInboxDeps {
  bus: Bus;
  trust: HubFleetTrust;
  store: NodeStore;
  outbox: CommandOutbox;
  presence: NodePresence;
  delivery: CommandDelivery;
  migrations: NodeMigrations;
  watch: NodeWatch;
  publishDesired(node: string): void;
  /** Something changed: waiters re-check (node-changes.ts). */
  notify(): void;
  log: NodeRegistryLogger;
}

export class NodeInbox {
  private readonly listWaiters = new Map<string, (reply: NodeAgents) => void>();

  constructor(private readonly d: NodeInboxDeps) {}

  /** Subscribes to every node's messages; returns the unsubscribers. */
  subscribe(): (() => void)[] {
    const offs: (() => void)[] = [];
    // Only what the node on the topic signed, each sequence number once per kind.
    const on = (pattern: string, handler: (node: string, body: Record<string, unknown>) => void): void => {
      offs.push(
        this.d.bus.subscribe(pattern, (topic, raw) => {
          const t = parseNodeTopic(topic);
          if (!t) return;
          try {
            const m = this.d.trust.open(topic, raw, { node: t.node, kind: t.kind });
            if (m.ok) handler(t.node, m.body);
          } catch (e) {
            this.d.log('error', `nodes: handling ${topic} failed: ${toError(e).message}`);
          }
        }),
      );
    };
    on(nodeTopics.allHeartbeats, (node, body) => this.onHeartbeat(node, body));
    on(nodeTopics.allAcks, (node, body) => this.onAck(node, body));
    on(nodeTopics.allMigrateResults, (node, body) => this.onMigrateResult(node, body));
    on(nodeTopics.allAgentLists, (node, body) => this.onAgentList(node, body));
    return offs;
  }

  /** Asks a node for its agents (`list` → `agents`); undefined when it does not answer in time. */
  async requestList(node: string, timeoutMs = 10_000): Promise<NodeAgents | undefined> {
    if (!this.d.trust.keys.enrolled(node)) return undefined;
    const commandId = randomUUID();
    const reply = new Promise<NodeAgents | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.listWaiters.delete(commandId);
        resolve(undefined);
      }, timeoutMs);
      this.listWaiters.set(commandId, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    this.d.delivery.send(node, 'list', { command_id: commandId });
    return reply;
  }

  private onHeartbeat(node: string, body: Record<string, unknown>): void {
    const r = parseBody(nodeHeartbeatSchema, body);
    if (!r.ok || r.value.node !== node) {
      this.d.log('warning', `nodes: ignored a malformed heartbeat from ${node}: ${r.ok ? 'node name differs from the topic' : r.error}`);
      return;
    }
    const cameOnline = this.d.presence.record(r.value);
    this.d.watch.seen(node);
    if (cameOnline) {
      this.d.log('info', `nodes: ${node} is online (${r.value.agents.length} agents)`);
      // Back (or new): it may have missed what was published while it was away.
      if (this.d.store.placements(node).length > 0 || this.d.outbox.pending(node).length > 0) this.d.publishDesired(node);
      this.d.delivery.pump(node, true);
    }
    this.d.notify();
  }

  private onAck(node: string, body: Record<string, unknown>): void {
    const r = parseBody(commandAckSchema, body);
    if (!r.ok) {
      this.d.log('warning', `nodes: ignored a malformed ack from ${node}: ${r.error}`);
      return;
    }
    const ack: CommandAck = r.value;
    const cmd = this.d.outbox.ack(ack.command_id, ack.ok, ack.error);
    if (cmd && cmd.node !== node) this.d.log('warning', `nodes: ${node} acknowledged a command for ${cmd.node}`);
    if (!cmd) {
      if (!ack.ok && ack.kind === 'desired_state') this.d.log('warning', `nodes: ${node} applied its desired state with errors: ${ack.error ?? ''}`);
      return;
    }
    if (cmd.kind === 'spawn') this.onSpawnAck(cmd, ack);
    this.d.migrations.onAck(cmd, ack);
    this.d.delivery.pump(node);
    this.d.notify();
  }

  private onSpawnAck(cmd: OutboxCommand, ack: CommandAck): void {
    // Its retained copy was for a node that was away; it has it now.
    if (cmd.retain) this.d.bus.publish(nodeTopics.command(cmd.node, 'spawn'), '', { retain: true, qos: 1 });
    const name = String(cmd.payload.name);
    const placed = this.d.store.confirm(name, cmd.commandId, ack.ok, ack.error);
    if (!ack.ok) this.d.log('warning', `nodes: ${cmd.node} refused ${name}: ${ack.error ?? ''}`);
    // The state it moved in with is on the node now: the retained desired state need not carry it.
    if (placed && ack.ok && cmd.payload.state) this.d.publishDesired(cmd.node);
  }

  private onMigrateResult(node: string, body: Record<string, unknown>): void {
    const r = parseBody(migrateResultSchema, body);
    if (!r.ok || r.value.node !== node) {
      this.d.log('warning', `nodes: ignored a malformed migrate_result from ${node}: ${r.ok ? 'node name differs from the topic' : r.error}`);
      return;
    }
    this.d.migrations.onResult(r.value);
  }

  private onAgentList(node: string, body: Record<string, unknown>): void {
    const r = parseBody(nodeAgentsSchema, body);
    if (!r.ok || !r.value.command_id || r.value.node !== node) return;
    this.listWaiters.get(r.value.command_id)?.(r.value);
    this.listWaiters.delete(r.value.command_id);
  }
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; error: string } {
  const r = schema.safeParse(body);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ') };
}
