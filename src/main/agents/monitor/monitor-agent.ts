/**
 * MonitorAgent ('monitor', protected): the heartbeat watchdog. It listens to every actor's
 * `agents/+/heartbeat` and `agents/+/status` on the bus (so actors on remote nodes are watched too),
 * checks every `checkMs` who has gone silent, and publishes `system/health` every `healthMs`.
 *
 * - silent > `warnMs` → warning, > `criticalMs` → critical: published on `agents/{id}/alert` and
 *   sent to main as a COMMAND `{kind:'alert', event:'raise', alert}` (monitor-alert.ts);
 * - back again → the same with `resolved: true`, severity info (event 'resolve');
 * - stopped (state `stopped`) or deleted (retained manifest cleared) on purpose → never alerted;
 * - failed → reported to main once (event 'failed'), never on the bus: the actor system already
 *   published a critical alert when the actor failed or its supervisor gave up.
 *
 * A TASK `{action:'health'}` answers with the `system/health` document. Malformed heartbeats and
 * statuses are logged and dropped. The rules themselves are in liveness-table.ts.
 */
import { z } from 'zod';
import { Actor } from '../../core/actor.js';
import { TaskError } from '../../core/errors.js';
import { topics, parseAgentTopic } from '../../../shared/topics.js';
import { alertSchema, heartbeatSchema, parsePayload, statusSchema, type Alert, type SystemHealth } from '../../../shared/mqtt-payloads.js';
import { wactorzConfigSchema, type WactorzConfig } from '../../config/config.js';
import { LivenessTable, type LivenessEvent, type Observation } from './liveness-table.js';
import type { MonitorAlertMessage } from './monitor-alert.js';

export interface MonitorAgentOptions {
  /** How often silence is checked (default: config timing.monitorCheckMs, 15 s). */
  checkMs?: number;
  /** Silent longer than this → warning (default: timing.monitorWarnMs, 60 s). */
  warnMs?: number;
  /** Silent longer than this → critical (default: timing.monitorCriticalMs, 120 s). */
  criticalMs?: number;
  /** How often `system/health` is published (default: timing.healthMs, 15 s). */
  healthMs?: number;
  /** The actor alerts are sent to (default 'main'); it may be absent. */
  alertRecipient?: string;
}

export type MonitorTiming = Required<Omit<MonitorAgentOptions, 'alertRecipient'>>;

const CONFIG_TIMING = wactorzConfigSchema.shape.timing.parse(undefined);

/** The monitor's options from the hub configuration's `timing`. */
export function monitorTimingFromConfig(timing: WactorzConfig['timing']): MonitorTiming {
  return { checkMs: timing.monitorCheckMs, warnMs: timing.monitorWarnMs, criticalMs: timing.monitorCriticalMs, healthMs: timing.healthMs };
}

export const DEFAULT_MONITOR_TIMING: MonitorTiming = monitorTimingFromConfig(CONFIG_TIMING);

const monitorTaskSchema = z.object({ action: z.literal('health') });

export class MonitorAgent extends Actor {
  readonly timing: MonitorTiming;
  private readonly alertRecipient: string;
  private readonly table: LivenessTable;
  private timers: NodeJS.Timeout[] = [];

  constructor(opts: MonitorAgentOptions = {}) {
    super({
      name: 'monitor',
      kind: 'core',
      protected: true,
      description: 'Heartbeat watchdog: alerts when an actor goes silent, publishes system/health',
      capabilities: ['health', 'alerts'],
      publishes: [topics.allAgents('alert'), topics.systemHealth],
      inputSchema: { type: 'object', properties: { action: { const: 'health' } }, required: ['action'] },
    });
    const timing = { ...DEFAULT_MONITOR_TIMING, ...definedOnly(opts) };
    for (const [k, v] of Object.entries(timing)) {
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`MonitorAgent ${k} must be a positive number of ms, got ${String(v)}`);
    }
    if (timing.criticalMs < timing.warnMs) throw new RangeError(`MonitorAgent criticalMs (${timing.criticalMs}) must not be below warnMs (${timing.warnMs})`);
    this.timing = timing;
    this.alertRecipient = opts.alertRecipient ?? 'main';
    this.table = new LivenessTable(timing);
  }

  /** The `system/health` document as of now. */
  health(): SystemHealth {
    return this.table.health(Date.now());
  }

  protected override onStart(): void {
    const now = Date.now();
    // Actors of this process that beat before the monitor subscribed are watched from the start.
    for (const a of this.system.list()) {
      const last = this.system.lastHeartbeat(a.name);
      this.table.know({ actorId: a.actorId, name: a.name, state: a.state, protected: a.isProtected }, last === null ? null : last * 1000, now);
    }
    this.subscribe(topics.allAgents('heartbeat'), (topic, raw) => this.onSignOfLife(topic, raw, 'heartbeat'));
    this.subscribe(topics.allAgents('status'), (topic, raw) => this.onSignOfLife(topic, raw, 'status'));
    this.subscribe(topics.allAgents('manifest'), (topic, raw) => this.onManifest(topic, raw));
    this.timers.push(
      setInterval(() => this.guard('check', () => this.check()), this.timing.checkMs),
      setInterval(() => this.guard('health', () => this.publishHealth()), this.timing.healthMs),
    );
    for (const t of this.timers) t.unref();
    this.publishHealth();
  }

  protected override onStop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  protected override handleTask(payload: unknown): unknown {
    const task = monitorTaskSchema.safeParse(payload);
    if (!task.success) throw new TaskError(`monitor understands {"action":"health"}; got ${JSON.stringify(payload) ?? String(payload)}`, 'bad_input');
    return this.health();
  }

  // ── bus input ─────────────────────────────────────────────────────────────

  private onSignOfLife(topic: string, raw: Buffer, what: 'heartbeat' | 'status'): void {
    const parsed = what === 'heartbeat' ? parsePayload(heartbeatSchema, raw) : parsePayload(statusSchema, raw);
    if (!parsed.ok) {
      this.log('warning', `dropped a malformed ${what} on ${topic}: ${parsed.error}`);
      return;
    }
    const idInTopic = parseAgentTopic(topic)?.actorId;
    if (idInTopic !== parsed.value.actor_id) {
      this.log('warning', `dropped a ${what} on ${topic}: its actor_id is ${parsed.value.actor_id}`);
      return;
    }
    const o: Observation = { actorId: parsed.value.actor_id, name: parsed.value.name, state: parsed.value.state, protected: parsed.value.protected };
    const event = this.table.observe(o, Date.now());
    if (event) this.report(event);
  }

  /** An empty retained manifest means the actor was deleted on purpose. */
  private onManifest(topic: string, raw: Buffer): void {
    if (raw.length !== 0) return;
    const id = parseAgentTopic(topic)?.actorId;
    if (!id) return;
    const event = this.table.forget(id);
    if (event) this.report(event);
  }

  // ── periodic work ─────────────────────────────────────────────────────────

  private check(): void {
    for (const event of this.table.check(Date.now())) this.report(event);
  }

  private publishHealth(): void {
    this.publish(topics.systemHealth, this.health());
  }

  private report(event: LivenessEvent): void {
    const alert: Alert = {
      actor_id: event.actor.actorId,
      name: event.actor.name,
      message: event.message,
      severity: event.severity,
      timestamp: Date.now() / 1000,
      ...(event.kind === 'resolve' ? { resolved: true } : {}),
      source: 'monitor',
    };
    alertSchema.parse(alert); // our own output keeps the contract
    if (event.kind !== 'failed') this.publish(topics.agent(event.actor.actorId, 'alert'), alert);
    this.log(event.severity === 'info' ? 'info' : 'warning', event.message);
    const message: MonitorAlertMessage = { kind: 'alert', event: event.kind, alert };
    // main may not exist (tests, a hub without it): an undelivered alert is still on the bus and in the logs.
    if (!this.send(this.alertRecipient, 'COMMAND', message)) this.log('debug', `alert not delivered to ${this.alertRecipient}: ${event.message}`);
  }

  private guard(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.log('error', `${what} failed: ${(e as Error).message}`);
    }
  }
}

function definedOnly(opts: MonitorAgentOptions): Partial<MonitorTiming> {
  const out: Partial<MonitorTiming> = {};
  for (const k of ['checkMs', 'warnMs', 'criticalMs', 'healthMs'] as const) if (opts[k] !== undefined) out[k] = opts[k];
  return out;
}
