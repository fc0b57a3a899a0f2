/**
 * The live graph of agents: gathers what the hub knows (its actors and their subscriptions from
 * the actor system, remote nodes from the fleet, agents heard on the bus, traffic counted from the
 * hub's `#` subscription and its actors' publishes), builds the graph once a second
 * (graph-model.ts), and publishes it for the dashboard so that no view ever polls:
 * - `system/graph/delta` — what changed since the last one (one more `seq`), at most once a tick;
 * - `system/graph` (retained) — the whole graph with its `seq`, at start and then at most every
 *   `snapshotMs` while it changes, so a dashboard that connects (or missed a delta) catches up.
 * `graph()` answers GET /api/graph from the same model (built at most every 250 ms).
 *
 * States: the actor's own; `silent` for a running or paused agent whose heartbeats stopped for
 * `silentAfterMs`, or whose node is offline.
 */
import { actorIdFor } from '../core/actor-id.js';
import type { Actor } from '../core/actor.js';
import type { ActorSystem } from '../core/actor-system.js';
import type { Logger } from '../base/logger.js';
import { toError } from '../core/errors.js';
import { topics } from '../../shared/topics.js';
import { diffGraph, GRAPH_AGENT_STATES, type Graph, type GraphAgentState, type GraphDeltaMessage, type GraphNode, type GraphSnapshotMessage, type TopicMessages } from '../../shared/graph.js';
import type { NodeInfo } from '../../shared/rest.js';
import { BusAgents, type BusAgentsOptions } from './bus-agents.js';
import { buildGraph, declaredTopic, type AgentFacts } from './graph-model.js';
import { TrafficCounter, type TrafficCounterOptions } from './traffic-counter.js';

/** The fleet as the graph needs it (NodeRegistry is one). */
export interface NodesSource {
  listNodes(): NodeInfo[];
}

export interface GraphServiceOptions {
  system: ActorSystem;
  nodes?: NodesSource;
  log?: Logger;
  /** How often the graph is rebuilt and a delta sent (default 1 s). */
  tickMs?: number;
  /** Least time between retained snapshots (default 5 s). */
  snapshotMs?: number;
  /** A running agent without a heartbeat for this long is `silent` (default 60 s, as the dashboard). */
  silentAfterMs?: number;
  maxEdges?: number;
  counter?: TrafficCounterOptions;
  busAgents?: BusAgentsOptions;
  now?: () => number;
}

const STATES = new Set<string>(GRAPH_AGENT_STATES);
const LIVE = new Set(['running', 'paused', 'starting']);

function asState(s: string | undefined): GraphAgentState {
  return s && STATES.has(s) ? (s as GraphAgentState) : 'running';
}

/** Declared subscriptions: the security work adds `subscribes` to actors; until then there are none. */
function declaredSubscribes(a: Actor): readonly string[] {
  const s = (a as { subscribes?: unknown }).subscribes;
  return Array.isArray(s) ? s.filter((x): x is string => typeof x === 'string') : [];
}

export class GraphService {
  readonly counter: TrafficCounter;
  readonly busAgents: BusAgents;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private offBus: (() => void) | undefined;
  private last: Graph = { agents: [], edges: [], nodes: [] };
  private lastBuiltMs = -Infinity;
  private seq = 0;
  private snapshotSeq = -1;
  private lastSnapshotMs = -Infinity;
  /** Messages delivered before the `#` subscription was ready are retained replays, not traffic. */
  private counting = false;

  constructor(private readonly opts: GraphServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.counter = new TrafficCounter({ now: this.now, ...opts.counter });
    this.busAgents = new BusAgents({ now: this.now, ...opts.busAgents });
  }

  async start(): Promise<void> {
    if (this.offBus) return;
    const { system } = this.opts;
    const bus = system.bus;
    this.offBus = bus.subscribe('#', (topic, payload) => {
      if (this.counting) this.counter.observed(topic, payload);
    });
    this.busAgents.start(bus, (id) => system.get(id) !== undefined);
    system.traffic.setTap((publisher, topic) => this.counter.tapped(publisher.actorId, topic));
    // Not awaited: an external broker that is down must not hold the hub's start (it serves REST
    // and reconnects); counting begins once the subscription is in place.
    void bus.ready().then(
      () => {
        if (this.offBus) this.counting = true;
      },
      () => {},
    );
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 1_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.opts.system.traffic.setTap(undefined);
    this.offBus?.();
    this.offBus = undefined;
    this.busAgents.stop();
  }

  /** The graph now (GET /api/graph). */
  graph(): Graph {
    if (this.now() - this.lastBuiltMs >= 250) this.rebuild();
    return this.last;
  }

  /** The topic's recent messages, newest first (GET /api/graph/messages). */
  recent(topic: string): TopicMessages {
    return {
      topic,
      messages: this.counter.recent(topic).map((m) => {
        const truncated = m.bytes > m.preview.length;
        const text = m.preview.toString('utf8');
        let payload: unknown = text;
        if (!truncated) {
          try {
            payload = JSON.parse(text);
          } catch {
            payload = text;
          }
        }
        return { timestamp: m.at, from: m.from, bytes: m.bytes, payload, truncated };
      }),
    };
  }

  /** Rebuilds, sends a delta when something changed, and a snapshot when one is due. Public for tests. */
  tick(): void {
    try {
      this.counter.tick();
      this.busAgents.prune();
      const prev = this.last;
      this.rebuild();
      const delta = diffGraph(prev, this.last);
      const nowMs = this.now();
      if (delta) {
        this.seq++;
        const msg: GraphDeltaMessage = { seq: this.seq, timestamp: nowMs / 1000, ...delta };
        this.opts.system.bus.publish(topics.systemGraphDelta, msg);
      }
      if (this.snapshotSeq !== this.seq && nowMs - this.lastSnapshotMs >= (this.opts.snapshotMs ?? 5_000)) {
        const snap: GraphSnapshotMessage = { seq: this.seq, timestamp: nowMs / 1000, graph: this.last };
        this.opts.system.bus.publish(topics.systemGraph, snap, { retain: true });
        this.snapshotSeq = this.seq;
        this.lastSnapshotMs = nowMs;
      }
    } catch (e) {
      this.opts.log?.('error', `graph: ${toError(e).message}`);
    }
  }

  private rebuild(): void {
    this.last = buildGraph({ agents: this.facts(), rates: this.counter.rates(), nodes: this.nodeList(), ...(this.opts.maxEdges ? { maxEdges: this.opts.maxEdges } : {}) });
    this.lastBuiltMs = this.now();
  }

  private nodeList(): GraphNode[] {
    return (this.opts.nodes?.listNodes() ?? []).map((n) => ({ name: n.name, online: n.online })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every agent with its declarations and subscriptions: the hub's, the nodes', then those only heard on the bus. */
  private facts(): AgentFacts[] {
    const { system } = this.opts;
    const nowMs = this.now();
    const silentAfter = this.opts.silentAfterMs ?? 60_000;
    const out: AgentFacts[] = [];
    const seen = new Set<string>();

    for (const a of system.list()) {
      const beat = system.lastHeartbeat(a.name);
      const silent = LIVE.has(a.state) && beat !== null && nowMs - beat * 1000 > silentAfter;
      const agent = { id: a.actorId, name: a.name, kind: a.kind, node: null, state: silent ? 'silent' : asState(a.state) } as const;
      out.push({
        agent,
        publishes: a.publishes.map((p) => declaredTopic(p, agent)),
        listens: [...system.traffic.patternsOf(a.name), ...declaredSubscribes(a)],
        local: true,
      });
      seen.add(a.actorId);
    }

    const { heard, declared, nodeSubscriptions } = this.busAgents;
    for (const n of this.opts.nodes?.listNodes() ?? []) {
      for (const name of new Set([...n.agents, ...n.placed])) {
        const id = actorIdFor(name);
        if (seen.has(id)) continue;
        seen.add(id);
        const hb = heard.get(id);
        const reported = n.agent_states[name] ?? hb?.state ?? 'stopped';
        const state = !n.online && LIVE.has(reported) ? 'silent' : asState(reported);
        const agent = { id, name, kind: hb?.kind && hb.kind !== 'unknown' ? hb.kind : 'dynamic', node: n.name, state } as const;
        const d = declared.get(id);
        out.push({
          agent,
          publishes: (d?.publishes ?? []).map((p) => declaredTopic(p, agent)),
          listens: [...(nodeSubscriptions.get(n.name)?.[name] ?? []), ...(d?.subscribes ?? [])],
          local: false,
        });
      }
    }

    for (const [id, hb] of heard) {
      if (seen.has(id) || system.get(id)) continue;
      seen.add(id);
      const silent = LIVE.has(hb.state) && nowMs - hb.lastSeenMs > silentAfter;
      const agent = { id, name: hb.name, kind: hb.kind, node: hb.node, state: silent ? 'silent' : asState(hb.state) } as const;
      const d = declared.get(id);
      out.push({
        agent,
        publishes: (d?.publishes ?? []).map((p) => declaredTopic(p, agent)),
        listens: [...(hb.node ? (nodeSubscriptions.get(hb.node)?.[hb.name] ?? []) : []), ...(d?.subscribes ?? [])],
        local: false,
      });
    }
    return out;
  }
}
