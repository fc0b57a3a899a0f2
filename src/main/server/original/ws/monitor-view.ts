/**
 * The original monitor's view of the hub (`state` in every `/ws` frame), kept as its
 * `monitor_server.py` kept it — from MQTT (`agents/+/+`, `system/+`, `nodes/+/heartbeat`): each
 * agent's last status, heartbeat and metrics payloads, an activity feed (`spawned`, `log`, `status`,
 * `alert`, `completed`, `command`), alerts, nodes and system health.
 *
 * Differs on purpose: the agent list is the actor registry's (the original trusted MQTT and had to
 * guard against stale retained heartbeats of deleted agents); MQTT only adds the payloads and the
 * agents of remote nodes (shown while their heartbeats are fresh). Everything is bounded — any MQTT
 * client may publish `agents/<anything>/heartbeat` — and a payload is parsed only for the topics
 * the view keeps. A `spawned` entry is taken only from a core actor's topic (the hub announces
 * spawns on main's): an agent may publish in its own namespace, not fake the spawn feed.
 */
import type { AgentSummary } from '../../../../shared/rest.js';
import type { LogFeedItem, MonitorAgent, MonitorEvent, MonitorNode, MonitorState } from '../../../../shared/original-ws.js';
import { originalAgentType, spawnedSchema } from '../../../../shared/mqtt-payloads.js';
import type { Bus } from '../../../core/bus.js';

export interface MonitorSource {
  /** The actor registry, in the hub's summary shape (cpu, mem, task come from the last heartbeat). */
  agents(): readonly AgentSummary[];
  /** The hub's LLM spend in USD, deleted agents included. */
  totalCostUsd(): number;
}

export interface MonitorViewOptions {
  /** Epoch seconds (test seam). */
  now?: () => number;
}

/** The original's limits: the feed keeps 100 and sends 20, alerts keep 50 and send 10. */
const FEED_KEPT = 100;
const FEED_SENT = 20;
const ALERTS_KEPT = 50;
const ALERTS_SENT = 10;
/** A node (and an agent seen only on MQTT, i.e. on a node) counts as online this long after its last heartbeat. */
const ONLINE_S = 45;
const MAX_RECORDS = 5_000;
const MAX_NODES = 1_000;

/** `agents/{id}/{metric}` the view keeps; anything else on `agents/+/+` is ignored unparsed. */
const AGENT_METRICS = new Set(['status', 'heartbeat', 'metrics', 'logs', 'spawned', 'completed', 'alert']);

type Json = Record<string, unknown>;

interface AgentRecord {
  name?: string;
  state?: string;
  protected?: boolean;
  node?: string;
  status?: unknown;
  heartbeat?: unknown;
  metrics?: unknown;
  first_seen: number;
  last_update: number;
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function parse(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}


export class MonitorView {
  private readonly records = new Map<string, AgentRecord>();
  private readonly nodes = new Map<string, MonitorNode>();
  private logFeed: LogFeedItem[] = [];
  private alerts: Json[] = [];
  private systemHealth: Json = {};
  private readonly listeners = new Set<(event: MonitorEvent | null) => void>();
  private offs: (() => void)[] = [];
  private readonly now: () => number;

  constructor(
    private readonly bus: Bus,
    private readonly source: MonitorSource,
    opts: MonitorViewOptions = {},
  ) {
    this.now = opts.now ?? (() => Date.now() / 1000);
  }

  start(): void {
    if (this.offs.length) return;
    this.offs = [
      this.bus.subscribe('agents/+/+', (topic, payload) => this.onAgentTopic(topic, payload)),
      this.bus.subscribe('system/+', (topic, payload) => this.onSystemTopic(topic, payload)),
      this.bus.subscribe('nodes/+/heartbeat', (topic, payload) => this.onNodeHeartbeat(topic, payload)),
    ];
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
    this.listeners.clear();
  }

  /** Called with what changed (null for a heartbeat); returns a function that unsubscribes. */
  onChange(fn: (event: MonitorEvent | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Adds an activity entry (the `/ws` server logs commands here, as the original did). */
  addLog(entry: { type: string; agent_id?: string; timestamp?: number; [field: string]: unknown }): void {
    this.logFeed.unshift({ ...entry, timestamp: entry.timestamp ?? this.now() });
    if (this.logFeed.length > FEED_KEPT) this.logFeed.length = FEED_KEPT;
  }

  /** Empties the activity feed and the alerts (POST /api/reset without an agent, as the original). */
  clearActivity(): void {
    this.logFeed = [];
    this.alerts = [];
  }

  /** Drops what MQTT said about an agent (after a delete, so a late heartbeat does not bring it back as a node agent). */
  forget(agentId: string): void {
    this.records.delete(agentId);
  }

  snapshot(): MonitorState {
    const now = this.now();
    const live = this.source.agents();
    const liveIds = new Set(live.map((a) => a.id));
    const agents: MonitorAgent[] = live.map((a) => this.fromRegistry(a, now));
    for (const [id, rec] of this.records) {
      if (liveIds.has(id)) continue;
      if (rec.node && now - rec.last_update < ONLINE_S) agents.push(fromRecord(id, rec));
      else this.records.delete(id);
    }
    const nodes = [...this.nodes.values()].map((n) => ({ ...n, online: now - n.last_seen < ONLINE_S }));
    return {
      agents,
      nodes,
      alerts: this.alerts.slice(0, ALERTS_SENT),
      log_feed: this.logFeed.slice(0, FEED_SENT),
      system_health: this.systemHealth,
      total_cost_usd: Math.round(this.source.totalCostUsd() * 1e6) / 1e6,
      total_messages: agents.reduce((n, a) => n + a.messages_processed, 0),
    };
  }

  // ── MQTT ──────────────────────────────────────────────────────────────────

  private emit(event: MonitorEvent | null): void {
    for (const fn of this.listeners) fn(event);
  }

  private onAgentTopic(topic: string, payload: Buffer): void {
    const [, agentId, metric] = topic.split('/');
    if (!agentId || !metric || agentId === 'by-name' || !AGENT_METRICS.has(metric)) return;
    const data = parse(payload);
    const now = this.now();
    switch (metric) {
      case 'status': {
        const rec = this.record(agentId, now);
        rec.status = data;
        if (isObject(data)) {
          rec.name = str(data.name) ?? rec.name;
          rec.state = str(data.state) ?? rec.state;
          if (typeof data.protected === 'boolean') rec.protected = data.protected;
        }
        this.addLog({ type: 'status', agent_id: agentId, status: data, timestamp: now });
        break;
      }
      case 'heartbeat': {
        const rec = this.record(agentId, now);
        rec.heartbeat = data;
        if (isObject(data)) {
          rec.name = str(data.name) ?? rec.name;
          rec.state = str(data.state) ?? rec.state;
          rec.node = str(data.node) || rec.node;
        }
        this.emit(null);
        return;
      }
      case 'metrics':
        this.record(agentId, now).metrics = data;
        break;
      case 'logs':
        // Our log payloads carry the level as `type`; the feed's entry type stays `log` (the level is kept as `level`).
        this.addLog({ ...(isObject(data) ? data : { message: String(data) }), type: 'log', level: isObject(data) ? data.type : undefined, agent_id: agentId, timestamp: now });
        break;
      case 'spawned': {
        // Said by the hub alone (core/spawn-announcer.ts, on main's topic): an agent may publish in
        // its own namespace, but not put "X spawned Y" in the feed.
        const spawned = spawnedSchema.safeParse(data);
        if (!spawned.success || !this.source.agents().some((a) => a.id === agentId && a.kind === 'core')) return;
        this.addLog({ ...spawned.data, type: 'spawned', agent_id: agentId, timestamp: now });
        break;
      }
      case 'completed':
        this.addLog({ type: 'completed', agent_id: agentId, timestamp: now });
        break;
      case 'alert': {
        const name = (isObject(data) ? str(data.name) : undefined) ?? this.records.get(agentId)?.name ?? agentId.slice(0, 8);
        const severity = (isObject(data) ? str(data.severity) : undefined) ?? 'warning';
        this.alerts.unshift(isObject(data) ? { ...data, agent_id: agentId, name } : { agent_id: agentId, name });
        if (this.alerts.length > ALERTS_KEPT) this.alerts.length = ALERTS_KEPT;
        const message = (isObject(data) ? str(data.message) : undefined) ?? `${name} unresponsive (${severity})`;
        this.addLog({ type: 'alert', agent_id: agentId, name, severity, message, timestamp: now });
        break;
      }
    }
    this.emit({ type: 'agent', agent_id: agentId, metric, data });
  }

  private onSystemTopic(topic: string, payload: Buffer): void {
    const subtype = topic.slice('system/'.length);
    if (subtype !== 'health' && subtype !== 'alerts') return;
    const data = parse(payload);
    if (subtype === 'health') this.systemHealth = isObject(data) ? data : {};
    else {
      this.alerts.unshift(isObject(data) ? data : { message: String(data) });
      if (this.alerts.length > ALERTS_KEPT) this.alerts.length = ALERTS_KEPT;
    }
    this.emit({ type: 'system', subtype, data });
  }

  private onNodeHeartbeat(topic: string, payload: Buffer): void {
    const node = topic.split('/')[1]!;
    const data = parse(payload);
    if (!isObject(data)) return;
    if (!this.nodes.has(node) && this.nodes.size >= MAX_NODES) return;
    const agents = Array.isArray(data.agents) ? data.agents.filter((a): a is string => typeof a === 'string') : [];
    this.nodes.set(node, { node, agents, last_seen: this.now(), online: true, node_id: str(data.node_id) ?? '' });
    this.emit({ type: 'node', node_name: node, data });
  }

  private record(agentId: string, now: number): AgentRecord {
    let rec = this.records.get(agentId);
    if (!rec) {
      if (this.records.size >= MAX_RECORDS) this.prune(now);
      rec = { first_seen: now, last_update: now };
      this.records.set(agentId, rec);
    }
    rec.last_update = now;
    return rec;
  }

  /** Keeps the registry's agents and the fresh node agents; the rest was noise or is gone. */
  private prune(now: number): void {
    const live = new Set(this.source.agents().map((a) => a.id));
    for (const [id, rec] of this.records) if (!live.has(id) && !(rec.node && now - rec.last_update < ONLINE_S)) this.records.delete(id);
    // Still full (a flood of fresh node heartbeats): the oldest go, a tenth at once so a flood costs one pass per 500.
    for (const id of this.records.keys()) {
      if (this.records.size < MAX_RECORDS * 0.9) break;
      if (!live.has(id)) this.records.delete(id);
    }
  }

  private fromRegistry(a: AgentSummary, now: number): MonitorAgent {
    let rec = this.records.get(a.id);
    if (!rec) {
      rec = { first_seen: now, last_update: now };
      this.records.set(a.id, rec);
    }
    const metrics = isObject(rec.metrics) ? rec.metrics : {};
    const cost = a.cost_usd ?? num(metrics.cost_usd);
    const input = num(metrics.input_tokens);
    const output = num(metrics.output_tokens);
    const node = a.node ?? rec.node;
    return {
      agent_id: a.id,
      name: a.name,
      state: a.state,
      protected: a.protected,
      cpu: a.cpu ?? null,
      mem: a.mem ?? null,
      task: a.task ?? null,
      messages_processed: a.messages_processed,
      ...(cost !== undefined ? { cost_usd: cost } : {}),
      ...(input !== undefined ? { input_tokens: input } : {}),
      ...(output !== undefined ? { output_tokens: output } : {}),
      ...(node ? { node } : {}),
      agent_type: originalAgentType(a.name, a.kind),
      ...(rec.status !== undefined ? { status: rec.status } : {}),
      ...(rec.heartbeat !== undefined ? { heartbeat: rec.heartbeat } : {}),
      ...(rec.metrics !== undefined ? { metrics: rec.metrics } : {}),
      first_seen: rec.first_seen,
      last_update: rec.last_update,
    };
  }
}

/** An agent known only from MQTT (it runs on a node): the fields as the original took them from its payloads. */
function fromRecord(id: string, rec: AgentRecord): MonitorAgent {
  const hb = isObject(rec.heartbeat) ? rec.heartbeat : {};
  const metrics = isObject(rec.metrics) ? rec.metrics : {};
  const cost = num(metrics.cost_usd);
  const input = num(metrics.input_tokens);
  const output = num(metrics.output_tokens);
  return {
    agent_id: id,
    name: rec.name ?? id.slice(0, 8),
    state: rec.state ?? 'unknown',
    protected: rec.protected ?? false,
    cpu: num(hb.cpu) ?? null,
    mem: num(hb.memory_mb) ?? null,
    task: str(hb.task) ?? null,
    messages_processed: Math.max(0, Math.trunc(num(metrics.messages_processed) ?? 0)),
    ...(cost !== undefined ? { cost_usd: cost } : {}),
    ...(input !== undefined ? { input_tokens: input } : {}),
    ...(output !== undefined ? { output_tokens: output } : {}),
    ...(rec.node ? { node: rec.node } : {}),
    ...(rec.status !== undefined ? { status: rec.status } : {}),
    ...(rec.heartbeat !== undefined ? { heartbeat: rec.heartbeat } : {}),
    ...(rec.metrics !== undefined ? { metrics: rec.metrics } : {}),
    first_seen: rec.first_seen,
    last_update: rec.last_update,
  };
}
