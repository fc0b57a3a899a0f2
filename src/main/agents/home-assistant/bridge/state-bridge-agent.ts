/**
 * HomeAssistantStateBridgeAgent ('home-assistant-state-bridge'): streams HA state_changed events
 * to MQTT so pipeline agents can react to the home — `homeassistant/state_changes` (flat, default)
 * or `homeassistant/state_changes/{domain}/{entity_id}` — with the original's payload
 * `{type, entity_id, domain, new_state, old_state, context, timestamp}`, and records each change
 * as time series in SQLite for the dashboard's chart.
 *
 * After HA comes back from a restart it compares HA's states with the last ones it published and
 * publishes what changed meanwhile (`resynced: true`), so subscribers do not miss a lamp that was
 * switched while HA was away.
 */
import type { Message } from '../../../../shared/message.js';
import type { HaStateChange } from '../../../../shared/mqtt-payloads.js';
import { Actor } from '../../../core/actor.js';
import { TaskError } from '../../../core/errors.js';
import { type HaState, type HaStateChangedData, domainOf } from '../client/ha-schemas.js';
import type { HaConnection } from '../ha-connection.js';
import { type StateBridgeOptions, bridgeFilter, defaultBridgeOptions, stateTopic } from './bridge-options.js';
import type { HaStateHistory } from './state-history.js';

export const STATE_BRIDGE_NAME = 'home-assistant-state-bridge';

export interface StateBridgeDeps {
  connection: HaConnection | null;
  notConfiguredReason?: string;
  /** Where history goes; null/absent: not recorded. */
  history?: HaStateHistory | null;
  options?: Partial<StateBridgeOptions>;
  name?: string;
}

/** What goes on the wire: the shared schema's fields plus the original's extras. */
export type BridgePayload = HaStateChange & { type: 'home_assistant_state_change'; context: unknown; timestamp: number; resynced?: boolean };

export class HomeAssistantStateBridgeAgent extends Actor {
  private readonly opts: StateBridgeOptions;
  private readonly passes: (entityId: string) => boolean;
  private readonly lastKnown = new Map<string, HaState>();
  private baselineLoaded = false;
  private readonly offs: Array<() => void> = [];
  private pruneTimer: NodeJS.Timeout | undefined;
  private eventsSeen = 0;
  private eventsPublished = 0;
  private resyncPublished = 0;
  private lastEventAt = 0;
  private lastError = '';

  constructor(private readonly deps: StateBridgeDeps) {
    const opts = { ...defaultBridgeOptions(), ...deps.options };
    super({
      name: deps.name ?? STATE_BRIDGE_NAME,
      description: 'Bridges Home Assistant state_changed events to MQTT topics and records state history.',
      capabilities: ['ha_state_bridge', 'mqtt_publisher'],
      publishes: [opts.perEntity ? `${opts.baseTopic}/{domain}/{entity_id}` : opts.baseTopic],
      outputSchema: {
        type: "'home_assistant_state_change'",
        entity_id: 'full entity id (domain.name)',
        domain: 'light, sensor, switch…',
        new_state: 'HA state object, or null when the entity was removed',
        old_state: 'HA state object, or null when it appeared',
        context: 'HA event context',
        timestamp: 'epoch seconds when the bridge published it',
      },
    });
    this.opts = opts;
    this.passes = bridgeFilter(opts);
  }

  protected override onStart(): void {
    const conn = this.deps.connection;
    if (!conn) {
      this.lastError = this.deps.notConfiguredReason ?? 'Home Assistant is not configured';
      this.log('warning', `${this.lastError} — not bridging state changes`);
      return;
    }
    conn.start();
    this.offs.push(
      conn.ws.onStateChanged((d, ev) => this.onStateChanged(d, ev.context)),
      conn.ws.onStatus((status, err) => {
        if (status === 'connected') void this.resync();
        else if (err) this.lastError = err.message;
      }),
    );
    if (conn.ws.connected) void this.resync();
    if (this.deps.history && this.opts.recordHistory) {
      this.prune();
      this.pruneTimer = setInterval(() => this.prune(), 6 * 3600_000);
      this.pruneTimer.unref();
    }
    this.currentTask = 'watching state_changed';
  }

  protected override onStop(): void {
    for (const off of this.offs.splice(0)) off();
    clearInterval(this.pruneTimer);
  }

  protected override handleTask(payload: unknown, _msg: Message): unknown {
    const p = payload as Record<string, unknown> | string | undefined;
    const command = typeof p === 'string' ? p : (p?.action ?? p?.command ?? p?.text);
    if (typeof command === 'string' && command.trim().toLowerCase() === 'status') {
      const status = this.status();
      return { result: this.describe(status), ...status };
    }
    throw new TaskError("I forward Home Assistant state changes onto MQTT; the only task I understand is 'status'.", 'bad_input');
  }

  status(): Record<string, unknown> {
    const conn = this.deps.connection;
    return {
      configured: Boolean(conn),
      /** HA's states were read once (the baseline later changes are compared with). */
      baseline_loaded: this.baselineLoaded,
      connected: conn?.connected ?? false,
      connection: conn?.ws.status ?? 'not_configured',
      events_seen: this.eventsSeen,
      events_published: this.eventsPublished,
      resync_published: this.resyncPublished,
      last_event_at: this.lastEventAt,
      last_error: this.lastError,
      dropped_malformed: conn?.ws.droppedMessages ?? 0,
      output_topic: this.opts.perEntity ? `${this.opts.baseTopic}/{domain}/{entity_id}` : this.opts.baseTopic,
      per_entity_topics: this.opts.perEntity,
      domain_filter: this.opts.domains,
      entity_filter: this.opts.entities,
      exclude_filter: this.opts.exclude,
      recording_history: Boolean(this.deps.history && this.opts.recordHistory),
    };
  }

  private describe(s: Record<string, unknown>): string {
    if (!s.configured) return `I forward Home Assistant state changes onto MQTT, but ${this.lastError}.`;
    const trouble = s.connected ? '' : ` Not connected right now: ${String(s.last_error || s.connection)}.`;
    return `I forward Home Assistant state changes onto ${String(s.output_topic)}: ${String(s.events_published)} published so far.${trouble}`;
  }

  private onStateChanged(d: HaStateChangedData, context: unknown): void {
    this.eventsSeen++;
    if (!this.passes(d.entity_id)) return;
    if (d.new_state) this.lastKnown.set(d.entity_id, d.new_state);
    else this.lastKnown.delete(d.entity_id);
    this.emit(d.entity_id, d.new_state, d.old_state, context ?? d.new_state?.context ?? {}, false);
  }

  private emit(entityId: string, newState: HaState | null, oldState: HaState | null, context: unknown, resynced: boolean): void {
    const now = Date.now() / 1000;
    const payload: BridgePayload = { type: 'home_assistant_state_change', entity_id: entityId, domain: domainOf(entityId), new_state: newState, old_state: oldState, context, timestamp: now };
    if (resynced) payload.resynced = true;
    this.publish(stateTopic(this.opts, entityId), payload);
    this.eventsPublished++;
    if (resynced) this.resyncPublished++;
    this.lastEventAt = now;
    this.record(entityId, newState);
  }

  private record(entityId: string, state: HaState | null): void {
    if (!this.deps.history || !this.opts.recordHistory) return;
    try {
      this.deps.history.record(entityId, state);
    } catch (e) {
      this.lastError = `could not record history: ${(e as Error).message}`;
      this.log('error', this.lastError);
    }
  }

  /** First connect: remember HA's states (and record them once). After a reconnect: publish what changed while away. */
  private async resync(): Promise<void> {
    const conn = this.deps.connection;
    if (!conn || this.state === 'stopped' || this.state === 'stopping') return;
    let states: HaState[];
    try {
      states = await conn.ws.getStates();
    } catch (e) {
      this.lastError = `could not read states after connecting: ${(e as Error).message}`;
      this.log('warning', this.lastError);
      return;
    }
    this.lastError = '';
    const first = !this.baselineLoaded;
    this.baselineLoaded = true;
    const seen = new Set<string>();
    let changed = 0;
    for (const s of states) {
      if (!this.passes(s.entity_id)) continue;
      seen.add(s.entity_id);
      const prev = this.lastKnown.get(s.entity_id);
      if (first) {
        if (!prev) {
          this.lastKnown.set(s.entity_id, s);
          this.record(s.entity_id, s);
        }
        continue;
      }
      if (prev && !isNewer(s, prev)) continue;
      if (prev && prev.state === s.state && JSON.stringify(prev.attributes) === JSON.stringify(s.attributes)) {
        this.lastKnown.set(s.entity_id, s);
        continue;
      }
      this.lastKnown.set(s.entity_id, s);
      this.emit(s.entity_id, s, prev ?? null, s.context ?? {}, true);
      changed++;
    }
    if (!first) {
      for (const [id, prev] of [...this.lastKnown]) {
        if (seen.has(id)) continue;
        this.lastKnown.delete(id);
        this.emit(id, null, prev, {}, true);
        changed++;
      }
      if (changed > 0) this.log('info', `published ${changed} state change(s) that happened while Home Assistant was away`);
    }
  }

  private prune(): void {
    try {
      const removed = this.deps.history?.prune(Date.now() / 1000 - this.opts.historyDays * 86_400) ?? 0;
      if (removed > 0) this.log('info', `pruned ${removed} HA history rows older than ${this.opts.historyDays} days`);
    } catch (e) {
      this.log('error', `could not prune HA history: ${(e as Error).message}`);
    }
  }
}

/** True when `a` is a later state than `b` (by last_updated; unknown timestamps count as newer). */
function isNewer(a: HaState, b: HaState): boolean {
  const ta = a.last_updated ? Date.parse(a.last_updated) : NaN;
  const tb = b.last_updated ? Date.parse(b.last_updated) : NaN;
  if (Number.isNaN(ta) || Number.isNaN(tb)) return true;
  return ta > tb;
}
