/**
 * What the tray shows, computed from what the bus says: agents (from heartbeats and status
 * changes), active alerts (from `agents/+/alert` until resolved) and the bus connection. Plain
 * data in, plain data out — no Electron, no timers — so it is tested under Node.
 */
import type { Alert, Heartbeat, Status } from '../../shared/mqtt-payloads.js';
import type { ActorState } from '../../shared/actor-state.js';

export type TrayState = 'ok' | 'alert' | 'offline';
/** The bus's state, or `starting`/`stopped` while the hub itself is not up. */
export type HubConnection = 'connected' | 'reconnecting' | 'offline' | 'starting' | 'stopped';

export interface AgentInfo {
  actorId: string;
  name: string;
  state: ActorState;
  kind: string | undefined;
  /** When we last heard from it (ms, local clock). */
  lastSeenMs: number;
}

export interface ActiveAlert {
  actorId: string;
  name: string;
  message: string;
  severity: 'warning' | 'critical';
  /** Epoch seconds, as published. */
  timestamp: number;
}

export type AlertChange = 'raised' | 'escalated' | 'repeated' | 'resolved' | 'ignored';

export interface HubSnapshot {
  connection: HubConnection;
  trayState: TrayState;
  /** Agents alive (not stopped) and heard from within the staleness window. */
  agentCount: number;
  dynamicAgents: AgentInfo[];
  /** Newest first. */
  activeAlerts: ActiveAlert[];
  /** Approvals waiting for a person (`system/approvals`). */
  approvalsPending: number;
}

export interface HubStatusOptions {
  now?: () => number;
  /** An agent not heard from for this long is no longer counted (default 5 min: MonitorAgent alerts long before). */
  staleMs?: number;
  /** At most this many alerts are kept (oldest dropped). */
  maxAlerts?: number;
}

const GONE_STATES: ReadonlySet<ActorState> = new Set(['stopped']);

export class HubStatus {
  private readonly agents = new Map<string, AgentInfo>();
  private readonly alerts = new Map<string, ActiveAlert>();
  private connection: HubConnection = 'starting';
  private approvalsPending = 0;
  private readonly now: () => number;
  private readonly staleMs: number;
  private readonly maxAlerts: number;

  constructor(opts: HubStatusOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.staleMs = opts.staleMs ?? 5 * 60_000;
    this.maxAlerts = opts.maxAlerts ?? 50;
  }

  setConnection(state: HubConnection): void {
    this.connection = state;
    // A new hub (restart) re-announces its agents; what we knew of the old one is gone.
    if (state === 'stopped' || state === 'starting') {
      this.agents.clear();
      this.alerts.clear();
      this.approvalsPending = 0;
    }
  }

  /** What the hub knows right now (its actor list), so the tray is right before the first heartbeat. */
  seed(agents: ReadonlyArray<{ actorId: string; name: string; state: ActorState; kind?: string }>): void {
    for (const a of agents) this.track(a.actorId, a.name, a.state, a.kind);
  }

  onHeartbeat(hb: Heartbeat): void {
    this.track(hb.actor_id, hb.name, hb.state, hb.kind);
  }

  onStatus(st: Status): void {
    this.track(st.actor_id, st.name, st.state, st.kind);
  }

  /** Records an alert; says what changed so the caller can decide to notify. */
  onAlert(a: Alert): AlertChange {
    if (a.resolved) return this.alerts.delete(a.actor_id) ? 'resolved' : 'ignored';
    if (a.severity === 'info') return 'ignored';
    const prev = this.alerts.get(a.actor_id);
    this.alerts.delete(a.actor_id); // re-insert: Map order is recency
    this.alerts.set(a.actor_id, { actorId: a.actor_id, name: a.name, message: a.message, severity: a.severity, timestamp: a.timestamp });
    while (this.alerts.size > this.maxAlerts) this.alerts.delete(this.alerts.keys().next().value as string);
    if (!prev) return 'raised';
    return prev.severity === 'warning' && a.severity === 'critical' ? 'escalated' : 'repeated';
  }

  /** The hub's count of approvals waiting for a person (every `system/approvals` event carries it). */
  setApprovalsPending(n: number): void {
    this.approvalsPending = n;
  }

  /** The name an actor announced, for messages that carry only its id. */
  agentName(actorId: string): string | undefined {
    return this.agents.get(actorId)?.name;
  }

  /** "Dismiss alerts" from the tray: for alerts an agent raised itself and will never resolve. */
  dismissAlerts(): void {
    this.alerts.clear();
  }

  snapshot(): HubSnapshot {
    const now = this.now();
    const live = [...this.agents.values()].filter((a) => now - a.lastSeenMs <= this.staleMs && !GONE_STATES.has(a.state));
    const activeAlerts = [...this.alerts.values()].reverse();
    return {
      connection: this.connection,
      trayState: trayStateOf(this.connection, activeAlerts.length),
      agentCount: live.length,
      dynamicAgents: live.filter((a) => a.kind === 'dynamic').sort((a, b) => a.name.localeCompare(b.name)),
      activeAlerts,
      approvalsPending: this.approvalsPending,
    };
  }

  private track(actorId: string, name: string, state: ActorState, kind: string | undefined): void {
    const prev = this.agents.get(actorId);
    this.agents.set(actorId, { actorId, name, state, kind: kind ?? prev?.kind, lastSeenMs: this.now() });
    // A stopped (deleted) agent's alerts have nobody left to resolve them.
    if (GONE_STATES.has(state)) this.alerts.delete(actorId);
  }
}

/** offline beats alert beats ok: with the bus down, the alert list may be stale. */
export function trayStateOf(connection: HubConnection, activeAlertCount: number): TrayState {
  if (connection !== 'connected') return 'offline';
  return activeAlertCount > 0 ? 'alert' : 'ok';
}
