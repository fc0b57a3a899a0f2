/**
 * Serves `agents/by-name/{name}/task` for the agents a node hosts: one QoS 1 subscription per
 * agent (so only the node that hosts an agent receives its tasks, and a migrated agent's tasks
 * follow it), the envelope read by readTaskEnvelope, the task asked of the local actor, and the
 * outcome published on the task's `reply_to` (QoS 1). A redelivered `task_id` runs once.
 */
import { topics } from '../../../shared/topics.js';
import type { Bus } from '../../core/bus.js';
import type { ActorSystem } from '../../core/actor-system.js';
import { AskError, toError } from '../../core/errors.js';
import { readTaskEnvelope, type TaskReply } from '../../../shared/node-protocol.js';
import { TaskDedup, type TaskOutcome } from './task-dedup.js';

export interface TaskServerOptions {
  bus: Bus;
  system: ActorSystem;
  node: string;
  /** How long a task may take (default 120 s). */
  taskTimeoutMs?: number;
  /** How long a task waits for its agent to be running (restoring after a restart…), default 30 s. */
  startWaitMs?: number;
  log: (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;
}

export class TaskServer {
  private readonly subscriptions = new Map<string, () => void>();
  private readonly dedup = new TaskDedup();
  private closed = false;

  constructor(private readonly opts: TaskServerOptions) {}

  /** Serves exactly `names` from now on. */
  sync(names: Iterable<string>): void {
    if (this.closed) return;
    const wanted = new Set(names);
    for (const [name, off] of this.subscriptions) {
      if (!wanted.has(name)) {
        off();
        this.subscriptions.delete(name);
      }
    }
    for (const name of wanted) {
      if (this.subscriptions.has(name)) continue;
      this.subscriptions.set(name, this.opts.bus.subscribe(topics.taskByName(name), (_t, raw) => this.onTask(name, raw)));
    }
  }

  close(): void {
    this.closed = true;
    for (const off of this.subscriptions.values()) off();
    this.subscriptions.clear();
  }

  private onTask(name: string, raw: Buffer): void {
    const read = readTaskEnvelope(raw);
    if (!read.ok) {
      this.opts.log('warning', `task for ${name} ignored: ${read.error}`);
      return;
    }
    const env = read.envelope;
    const { outcome } = this.dedup.run(env.taskId, () => this.runTask(name, env.task, env.from));
    void outcome.then((o) => {
      if (!env.replyTo || this.closed) return;
      const reply: TaskReply = {
        correlation_id: env.correlationId ?? null,
        task_id: env.taskId ?? null,
        ok: o.ok,
        ...(o.ok ? { result: o.result ?? null } : { error: o.error ?? { error: 'failed' } }),
        agent: name,
        node: this.opts.node,
        timestamp: Date.now() / 1000,
      };
      this.opts.bus.publish(env.replyTo, reply, { qos: 1 });
    });
  }

  private async runTask(name: string, task: unknown, from: string | undefined): Promise<TaskOutcome> {
    try {
      await this.waitRunning(name);
      const result = await this.opts.system.ask(name, task, this.opts.taskTimeoutMs ?? 120_000, from ?? 'mqtt');
      return { ok: true, result };
    } catch (e) {
      if (e instanceof AskError) return { ok: false, error: { error: e.payload.error, kind: e.kind } };
      return { ok: false, error: { error: toError(e).message, kind: 'error' } };
    }
  }

  /** Resolves once `name` runs (at once when it does); rejects with a not_found AskError after the wait. */
  private waitRunning(name: string): Promise<void> {
    const running = (): boolean => this.opts.system.get(name)?.state === 'running';
    if (running()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        offSpawned();
        offState();
        clearTimeout(timer);
      };
      const check = (): void => {
        if (running()) {
          done();
          resolve();
        }
      };
      const offSpawned = this.opts.system.events.on('spawned', check);
      const offState = this.opts.system.events.on('state', check);
      const timer = setTimeout(() => {
        done();
        reject(new AskError(name, { error: `${name} is not running on node ${this.opts.node}`, kind: 'not_found' }));
      }, this.opts.startWaitMs ?? 30_000);
    });
  }
}
