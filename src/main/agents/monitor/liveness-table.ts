/**
 * What MonitorAgent knows about every actor it has heard of, and the decisions it takes from that:
 * pure bookkeeping (no bus, no timers; time is passed in), so the rules are easy to read and test.
 *
 * Rules
 * - Every heartbeat or status from an actor counts as a sign of life (`observe`).
 * - An actor not heard of for more than `warnMs` raises a warning, for more than `criticalMs` a
 *   critical alert — once each; the first sign of life afterwards resolves it (severity info).
 * - Stopped on purpose (state `stopped`, or manifest cleared = deleted) → never alerted; an alert
 *   that was open is resolved, and a deleted actor is forgotten.
 * - State `failed` (crashed and not restarted, or the supervisor gave up) → no silence alerts and
 *   no alert on the bus (the actor system already published a critical one when it failed); it is
 *   reported once per failure, as a `failed` event, for main. A check that finds it still failed
 *   does it, so a crash the supervisor restarts quickly (state `failed` for a moment) stays quiet.
 */
import type { ActorState } from '../../../shared/actor-state.js';
import type { Alert, SystemHealth } from '../../../shared/mqtt-payloads.js';

export type AlertLevel = 'ok' | 'warning' | 'critical';

export interface LivenessThresholds {
  warnMs: number;
  criticalMs: number;
}

export interface WatchedActor {
  actorId: string;
  name: string;
  state: ActorState;
  protected: boolean;
  /** Epoch ms of the last heartbeat/status received; null when only known from the registry. */
  lastSeen: number | null;
  /** Epoch ms silence is measured from (the last sign of life, or when the actor became known). */
  since: number;
  level: AlertLevel;
  /** The current failure has been reported. */
  failedReported: boolean;
}

export interface LivenessEvent {
  /** raise: newly silent (warning/critical); resolve: back, stopped or deleted; failed: report once. */
  kind: 'raise' | 'resolve' | 'failed';
  actor: Readonly<WatchedActor>;
  severity: Alert['severity'];
  message: string;
}

export interface Observation {
  actorId: string;
  name: string;
  state: ActorState;
  protected?: boolean;
}

export class LivenessTable {
  private readonly actors = new Map<string, WatchedActor>();

  constructor(private readonly thresholds: LivenessThresholds) {}

  get size(): number {
    return this.actors.size;
  }

  get(actorId: string): Readonly<WatchedActor> | undefined {
    return this.actors.get(actorId);
  }

  /**
   * Records an actor known without a sign of life yet (from the local registry at start): silence
   * is measured from `lastSeen` when given, else from now. Does nothing for a known actor.
   */
  know(o: Observation, lastSeen: number | null, now: number): void {
    if (this.actors.has(o.actorId)) return;
    this.actors.set(o.actorId, {
      actorId: o.actorId,
      name: o.name,
      state: o.state,
      protected: o.protected ?? false,
      lastSeen,
      since: lastSeen ?? now,
      level: 'ok',
      failedReported: false,
    });
  }

  /** A heartbeat or status arrived. Returns the resolve event when the actor was alerting. */
  observe(o: Observation, now: number): LivenessEvent | undefined {
    let a = this.actors.get(o.actorId);
    if (!a) {
      a = { actorId: o.actorId, name: o.name, state: o.state, protected: false, lastSeen: now, since: now, level: 'ok', failedReported: false };
      this.actors.set(o.actorId, a);
    }
    const silentMs = now - a.since;
    a.name = o.name;
    a.state = o.state;
    if (o.protected !== undefined) a.protected = o.protected;
    a.lastSeen = now;
    a.since = now;
    if (o.state !== 'failed') a.failedReported = false;
    if (a.level === 'ok') return undefined;
    a.level = 'ok';
    const message =
      o.state === 'stopped'
        ? `${a.name} was stopped; no longer watched`
        : `${a.name} is responding again (silent for ${seconds(silentMs)} s)`;
    return { kind: 'resolve', actor: { ...a }, severity: 'info', message };
  }

  /** The actor was deleted on purpose (its retained manifest was cleared): forget it. */
  forget(actorId: string): LivenessEvent | undefined {
    const a = this.actors.get(actorId);
    if (!a) return undefined;
    this.actors.delete(actorId);
    if (a.level === 'ok') return undefined;
    return { kind: 'resolve', actor: { ...a, level: 'ok' }, severity: 'info', message: `${a.name} was deleted; no longer watched` };
  }

  /** The periodic check: new silence alerts and failures to report. */
  check(now: number): LivenessEvent[] {
    const events: LivenessEvent[] = [];
    const { warnMs, criticalMs } = this.thresholds;
    for (const a of this.actors.values()) {
      if (a.state === 'stopped') continue;
      if (a.state === 'failed') {
        if (!a.failedReported) {
          a.failedReported = true;
          events.push({ kind: 'failed', actor: { ...a }, severity: 'critical', message: `${a.name} has failed and is not running (see its alert and logs)` });
        }
        continue;
      }
      const silentMs = now - a.since;
      let level: AlertLevel = 'ok';
      if (silentMs > criticalMs) level = 'critical';
      else if (silentMs > warnMs) level = 'warning';
      if (level === 'ok' || rank(level) <= rank(a.level)) continue;
      a.level = level;
      const heard = a.lastSeen === null ? 'has not sent a heartbeat since the monitor started' : 'has not sent a heartbeat';
      events.push({ kind: 'raise', actor: { ...a }, severity: level, message: `${a.name} ${heard} for ${seconds(silentMs)} s (unresponsive)` });
    }
    return events;
  }

  /** The `system/health` document. */
  health(now: number): SystemHealth {
    let running = 0;
    let paused = 0;
    let stopped = 0;
    let failed = 0;
    let degraded = 0;
    const actors: SystemHealth['actors'] = [];
    for (const a of this.actors.values()) {
      if (a.state === 'running') running++;
      else if (a.state === 'paused') paused++;
      else if (a.state === 'stopped') stopped++;
      else if (a.state === 'failed') failed++;
      if (a.level !== 'ok') degraded++;
      actors.push({
        actor_id: a.actorId,
        name: a.name,
        state: a.state,
        last_seen: a.lastSeen === null ? null : a.lastSeen / 1000,
        alert: a.level === 'ok' ? null : a.level,
        silent_s: a.state === 'stopped' ? null : Math.max(0, (now - a.since) / 1000),
        protected: a.protected,
      });
    }
    actors.sort((x, y) => x.name.localeCompare(y.name));
    return { timestamp: now / 1000, total_actors: this.actors.size, running, paused, stopped, failed, degraded, actors };
  }
}

function rank(level: AlertLevel): number {
  return level === 'critical' ? 2 : level === 'warning' ? 1 : 0;
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
