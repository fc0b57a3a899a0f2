/**
 * Serves `agents/by-name/{name}/task`: the envelope read by readTaskEnvelope, the task asked of the
 * local actor, and the outcome published on the task's `reply_to` (QoS 1). A redelivered `task_id`
 * runs once. Two ways to subscribe:
 * - a node: `sync(names)`, one QoS 1 subscription per agent it hosts (so only the node that hosts
 *   an agent receives its tasks, and a migrated agent's tasks follow it);
 * - the hub: `serveAsks(route)`, the tasks nodes send for agents they do not host
 *   (`nodes/{node}/ask`, naming the agent in `to`), each routed: served here, forwarded to the
 *   node that hosts the agent (`agents/by-name/{name}/task`, the envelope untouched: that node
 *   replies to the asker directly), or refused with a reply.
 */
import { topics } from '../../../shared/topics.js';
import type { Bus } from '../../core/bus.js';
import type { ActorSystem } from '../../core/actor-system.js';
import { AskError, toError } from '../../core/errors.js';
import { parsePayload } from '../../../shared/mqtt-payloads.js';
import { nodeAskSchema, nodeTopics, parseNodeTopic, readTaskEnvelope, type TaskEnvelope, type TaskReply } from '../../../shared/node-protocol.js';
import { TaskDedup, type TaskOutcome } from './task-dedup.js';

export interface TaskServerOptions {
  bus: Bus;
  system: ActorSystem;
  /** Where it serves (the reply's `node`): a node's name, or `hub`. */
  node: string;
  /** How long a task may take (default 120 s). */
  taskTimeoutMs?: number;
  /** How long a task waits for its agent to be running (restoring after a restart…), default 30 s. */
  startWaitMs?: number;
  log: (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;
}

/** What the hub does with a node's task for `to` (see serveAsks). */
export type TaskRoute = { serve: string } | { forward: string } | { refuse: { error: string; kind: string } };

/** A node's task's sender, as the hub's actor sees it: never the name of a local actor (`:` is not allowed in names). */
export function remoteSender(from: string | undefined): string {
  return `mqtt:${from ?? 'anonymous'}`;
}

export class TaskServer {
  private readonly subscriptions = new Map<string, () => void>();
  private wildcard: (() => void) | undefined;
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

  /** Serves the tasks nodes send for agents they do not host (the hub; see the file comment). */
  serveAsks(route: (to: string, node: string) => TaskRoute): void {
    if (this.closed || this.wildcard) return;
    this.wildcard = this.opts.bus.subscribe(nodeTopics.allAsks, (topic, raw) => {
      const node = parseNodeTopic(topic)?.node ?? '';
      const read = readTaskEnvelope(raw);
      const ask = read.ok ? parsePayload(nodeAskSchema, raw) : undefined;
      if (!read.ok || !ask?.ok) {
        this.opts.log('warning', `ask from node ${node} ignored: ${read.ok ? ask?.ok === false ? ask.error : 'no "to"' : read.error}`);
        return;
      }
      const r = route(ask.value.to, node);
      if ('forward' in r) this.opts.bus.publish(topics.taskByName(r.forward), raw, { qos: 1 });
      else if ('refuse' in r) this.reply(ask.value.to, read.envelope, { ok: false, error: r.refuse });
      else this.onTask(r.serve, raw, remoteSender);
    });
  }

  close(): void {
    this.closed = true;
    this.wildcard?.();
    for (const off of this.subscriptions.values()) off();
    this.subscriptions.clear();
  }

  private onTask(name: string, raw: Buffer, sender: (from: string | undefined) => string = (from) => from ?? 'mqtt'): void {
    const read = readTaskEnvelope(raw);
    if (!read.ok) {
      this.opts.log('warning', `task for ${name} ignored: ${read.error}`);
      return;
    }
    const env = read.envelope;
    const { outcome } = this.dedup.run(env.taskId, () => this.runTask(name, env.task, sender(env.from)));
    void outcome.then((o) => this.reply(name, env, o));
  }

  private reply(name: string, env: TaskEnvelope, o: TaskOutcome): void {
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
  }

  private async runTask(name: string, task: unknown, from: string): Promise<TaskOutcome> {
    try {
      await this.waitRunning(name);
      const result = await this.opts.system.ask(name, task, this.opts.taskTimeoutMs ?? 120_000, from);
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
