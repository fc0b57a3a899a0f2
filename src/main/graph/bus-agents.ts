/**
 * Agents the hub learns of from the bus rather than from its own actor system: agents on remote
 * nodes, and agents of other processes that speak the protocol (the original's Python agents, a
 * test's simulated load). Read from their heartbeats (name, kind, node, state, when last heard),
 * their retained manifests (declared `publishes` and `subscribes`), and the nodes' heartbeats
 * (each hosted agent's live subscriptions).
 *
 * Everything is validated with the shared schemas and bounded: at most `maxAgents` agents (the
 * ones silent longest go first when pruning), entries silent past `forgetAfterMs` forgotten.
 */
import { heartbeatSchema, manifestSchema, parsePayload } from '../../shared/mqtt-payloads.js';
import { nodeHeartbeatSchema, parseNodeTopic } from '../../shared/node-protocol.js';
import { parseAgentTopic, topics } from '../../shared/topics.js';
import type { Bus } from '../core/bus.js';

export interface HeardAgent {
  name: string;
  kind: string;
  node: string | null;
  state: string;
  /** Epoch ms (this hub's clock) of the last heartbeat. */
  lastSeenMs: number;
}

export interface Declared {
  publishes: string[];
  subscribes: string[];
}

export interface BusAgentsOptions {
  /** Agents remembered at most (default 2 000). */
  maxAgents?: number;
  /** An agent not heard from for this long is forgotten (default 10 minutes). */
  forgetAfterMs?: number;
  now?: () => number;
}

export class BusAgents {
  readonly heard = new Map<string, HeardAgent>();
  readonly declared = new Map<string, Declared>();
  /** node → agent name → its live subscriptions. */
  readonly nodeSubscriptions = new Map<string, Record<string, string[]>>();
  private offs: (() => void)[] = [];
  private readonly maxAgents: number;
  private readonly forgetAfterMs: number;
  private readonly now: () => number;

  constructor(opts: BusAgentsOptions = {}) {
    this.maxAgents = opts.maxAgents ?? 2_000;
    this.forgetAfterMs = opts.forgetAfterMs ?? 600_000;
    this.now = opts.now ?? Date.now;
  }

  /** `isLocal(id)`: the hub's own actors are known better from the actor system; their heartbeats are skipped. */
  start(bus: Bus, isLocal: (actorId: string) => boolean): void {
    if (this.offs.length) return;
    this.offs.push(
      bus.subscribe(topics.allAgents('heartbeat'), (topic, raw) => {
        const t = parseAgentTopic(topic);
        if (!t || isLocal(t.actorId)) return;
        const r = parsePayload(heartbeatSchema, raw);
        if (!r.ok || r.value.actor_id !== t.actorId) return;
        if (!this.heard.has(t.actorId) && this.heard.size >= this.maxAgents) return;
        const hb = r.value;
        this.heard.set(t.actorId, { name: hb.name, kind: hb.kind ?? 'unknown', node: hb.node ?? null, state: hb.state, lastSeenMs: this.now() });
      }),
      bus.subscribe(topics.allAgents('manifest'), (topic, raw) => {
        const t = parseAgentTopic(topic);
        if (!t || isLocal(t.actorId)) return;
        if (raw.length === 0) {
          this.declared.delete(t.actorId); // a cleared retained manifest: the agent was removed
          return;
        }
        const r = parsePayload(manifestSchema, raw);
        if (!r.ok || r.value.actor_id !== t.actorId) return;
        if (!this.declared.has(t.actorId) && this.declared.size >= this.maxAgents) return;
        this.declared.set(t.actorId, { publishes: r.value.publishes.slice(0, 100), subscribes: (r.value.subscribes ?? []).slice(0, 100) });
      }),
      bus.subscribe(topics.node('+', 'heartbeat'), (topic, raw) => {
        const t = parseNodeTopic(topic);
        if (!t) return;
        const r = parsePayload(nodeHeartbeatSchema, raw);
        if (!r.ok || r.value.node !== t.node) return;
        if (!this.nodeSubscriptions.has(t.node) && this.nodeSubscriptions.size >= 256) return;
        this.nodeSubscriptions.set(t.node, r.value.subscriptions ?? {});
      }),
    );
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /** Forgets agents silent past the limit (and their declarations). */
  prune(): void {
    const cutoff = this.now() - this.forgetAfterMs;
    for (const [id, a] of this.heard) {
      if (a.lastSeenMs < cutoff) {
        this.heard.delete(id);
        this.declared.delete(id);
      }
    }
  }
}
