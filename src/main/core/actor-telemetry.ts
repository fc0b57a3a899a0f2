/**
 * What every actor publishes about itself, in the original's payload shapes (snake_case,
 * `timestamp` in epoch seconds): heartbeat and metrics every `heartbeatMs` (one timer for the
 * whole system, not one per actor), status on every state change, a retained manifest at start,
 * and logs. Field lists are in ARCHITECTURE.md and src/shared/mqtt-payloads.ts. Where the
 * original says something else than ours, both are sent (never renamed): heartbeat `task` is
 * "idle" when the actor does nothing (the original's word, not null), LLM usage is
 * `input_tokens`/`output_tokens` beside our `tokens_in`/`tokens_out`, and a manifest without
 * schemas says `{}` (not null).
 *
 * Final metrics (the original's `Actor.stop`): when an actor stops — stopped, deleted, crashed,
 * restarted by its supervisor, or at shutdown — one last metrics payload with `final: true` goes out
 * after its `onStop` and before its `stopped`/`failed` status, so a dashboard keeps its totals
 * (messages, tasks, LLM cost) after it is gone. It stays the last: a stopped or failed actor's
 * heartbeats go on saying its state, but no metrics follow the final one.
 */
import { topics } from '../../shared/topics.js';
import type { Alert, Heartbeat, LogEntry, Manifest, Metrics, Status } from '../../shared/mqtt-payloads.js';
import type { Bus } from './bus.js';
import type { Actor } from './actor.js';
import type { LogLevel } from '../base/logger.js';
import { CpuSampler } from './cpu-sampler.js';
import { redact } from '../base/redact.js';

const nowSeconds = (): number => Date.now() / 1000;

/** Adds the original's `input_tokens`/`output_tokens` beside our `tokens_in`/`tokens_out`. */
function withOriginalTokenNames(extras: Record<string, unknown>): Record<string, unknown> {
  const out = { ...extras };
  if (out.tokens_in !== undefined && out.input_tokens === undefined) out.input_tokens = out.tokens_in;
  if (out.tokens_out !== undefined && out.output_tokens === undefined) out.output_tokens = out.tokens_out;
  return out;
}

export interface TelemetryOptions {
  heartbeatMs: number;
  /** Remote node name, added to heartbeats when the actor runs on a node. */
  node?: string;
  /** Also echo logs here (the hub's console/log file). */
  onLog?: (actor: Actor, level: LogLevel, message: string) => void;
}

export class ActorTelemetry {
  private readonly cpu = new CpuSampler();
  private timer: NodeJS.Timeout | undefined;
  /** Epoch seconds of each actor's last heartbeat, for REST's `last_heartbeat`. */
  readonly lastHeartbeat = new Map<string, number>();
  /** Each actor's last heartbeat and how many it sent (REST's cpu/mem/task and `heartbeats`). */
  readonly lastBeat = new Map<string, { heartbeat: Heartbeat; count: number }>();

  constructor(
    private readonly bus: Bus,
    private readonly opts: TelemetryOptions,
    private readonly isSupervised: (name: string) => boolean,
  ) {}

  /** Starts the shared heartbeat tick over `actors()`. */
  start(actors: () => Iterable<Actor>): void {
    this.timer = setInterval(() => {
      for (const a of actors()) {
        if (a.state === 'running' || a.state === 'paused' || a.state === 'failed') this.beat(a);
      }
    }, this.opts.heartbeatMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Heartbeat + metrics for one actor (at start, on the tick, and on request). */
  beat(a: Actor): void {
    const sample = this.cpu.sample();
    const ts = nowSeconds();
    const hb: Heartbeat = {
      actor_id: a.actorId,
      name: a.name,
      timestamp: ts,
      state: a.state,
      cpu: sample.cpu,
      memory_mb: sample.memory_mb,
      task: a.currentTask ?? 'idle',
      protected: a.isProtected,
      inbox_size: a.inboxSize,
      kind: a.kind,
      ...(this.opts.node ? { node: this.opts.node } : {}),
      ...withOriginalTokenNames(a.heartbeatExtras()),
    };
    this.lastHeartbeat.set(a.name, ts);
    this.lastBeat.set(a.name, { heartbeat: hb, count: (this.lastBeat.get(a.name)?.count ?? 0) + 1 });
    this.bus.publish(topics.agent(a.actorId, 'heartbeat'), hb);
    // A stopped or failed actor sent its final metrics when it stopped (finalMetrics): nothing after it.
    if (a.state !== 'stopped' && a.state !== 'failed') this.bus.publish(topics.agent(a.actorId, 'metrics'), this.metrics(a));
  }

  /** The last metrics payload of an actor that is stopping (`final: true`, the original's field). */
  finalMetrics(a: Actor): void {
    this.bus.publish(topics.agent(a.actorId, 'metrics'), { ...this.metrics(a), final: true } satisfies Metrics);
  }

  metrics(a: Actor): Metrics {
    return {
      actor_id: a.actorId,
      messages_processed: a.counters.messagesProcessed,
      errors: a.counters.errors,
      uptime: a.uptimeSeconds,
      tasks_completed: a.counters.tasksCompleted,
      tasks_failed: a.counters.tasksFailed,
      restart_count: a.restartCount,
      inbox_size: a.inboxSize,
      ...withOriginalTokenNames(a.metricsExtras()),
    };
  }

  status(a: Actor): void {
    const s: Status = {
      actor_id: a.actorId,
      name: a.name,
      state: a.state,
      protected: a.isProtected,
      uptime: a.uptimeSeconds,
      messages_processed: a.counters.messagesProcessed,
      restart_count: a.restartCount,
      supervised: this.isSupervised(a.name),
      kind: a.kind,
      timestamp: nowSeconds(),
    };
    this.bus.publish(topics.agent(a.actorId, 'status'), s);
  }

  manifest(a: Actor): void {
    const m: Manifest = {
      name: a.name,
      actor_id: a.actorId,
      description: a.description,
      publishes: [...a.publishes],
      subscribes: [...a.subscribes],
      capabilities: [...a.capabilities],
      input_schema: a.inputSchema ?? {},
      output_schema: a.outputSchema ?? {},
      timestamp: nowSeconds(),
      kind: a.kind,
      ...a.manifestExtras(),
    };
    this.bus.publish(topics.agent(a.actorId, 'manifest'), m, { retain: true, qos: 1 });
  }

  /** Removes the retained manifest (an empty retained message clears it on the broker). */
  clearManifest(a: Actor): void {
    this.bus.publish(topics.agent(a.actorId, 'manifest'), '', { retain: true, qos: 1 });
  }

  log(a: Actor, level: LogLevel, text: string): void {
    const message = redact(text); // on MQTT and in the hub's log: no credentials from a URL
    const entry: LogEntry = { type: level, message, timestamp: nowSeconds() };
    this.bus.publish(topics.agent(a.actorId, 'logs'), entry);
    this.opts.onLog?.(a, level, message);
  }

  alert(a: Pick<Actor, 'actorId' | 'name'>, message: string, severity: Alert['severity'], resolved = false): void {
    const alert: Alert = { actor_id: a.actorId, name: a.name, message: redact(message), severity, timestamp: nowSeconds(), ...(resolved ? { resolved } : {}) };
    this.bus.publish(topics.agent(a.actorId, 'alert'), alert);
  }
}
