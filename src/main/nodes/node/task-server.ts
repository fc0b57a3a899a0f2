/**
 * Serves `agents/by-name/{name}/task`: the envelope read by readTaskEnvelope, the task asked of the
 * local actor, and the outcome published on the task's `reply_to` (QoS 1). A redelivered `task_id`
 * runs once. Two ways to subscribe:
 * - a node: `sync(names)`, one QoS 1 subscription per agent it hosts (so only the node that hosts
 *   an agent receives its tasks, and a migrated agent's tasks follow it);
 * - the hub: `serveAsks(route, trust)`, the tasks nodes send for agents they do not host
 *   (`nodes/{node}/ask`, naming the agent in `to`, signed by that node — anything else is refused),
 *   each routed: served here, relayed to the node that hosts the agent (the hub asks it and
 *   answers, so every reply a node gets is signed by the hub), or refused with a reply.
 * Replies are signed when `sealReply` is given (a node signs all its replies; readers that do not
 * check ignore the `auth` member).
 */
import { topics } from '../../../shared/topics.js';
import type { Bus } from '../../core/bus.js';
import type { ActorSystem } from '../../core/actor-system.js';
import { AskError, toError } from '../../core/errors.js';
import { nodeAskSchema, nodeTopics, parseNodeTopic, readTaskEnvelope, readTaskEnvelopeValue, type TaskEnvelope, type TaskReply } from '../../../shared/node-protocol.js';
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
  /** Signs a reply before it is published on `topic`. */
  sealReply?: (topic: string, reply: TaskReply) => unknown;
}

/** What the hub does with a node's task for `to` (see serveAsks): run here, ask the node that hosts it, or refuse. */
export type TaskRoute = { serve: string } | { relay: string } | { refuse: { error: string; kind: string } };

/** How the hub checks nodes' asks and signs its answers (HubFleetTrust). */
export interface AskTrust {
  open(topic: string, raw: Buffer, opts: { node: string; kind: string }): { ok: true; body: Record<string, unknown> } | { ok: false; error: string };
  seal(node: string, topic: string, body: Record<string, unknown>): unknown;
}

type Seal = (topic: string, reply: TaskReply) => unknown;

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
  serveAsks(route: (to: string, node: string) => TaskRoute, trust: AskTrust): void {
    if (this.closed || this.wildcard) return;
    this.wildcard = this.opts.bus.subscribe(nodeTopics.allAsks, (topic, raw) => {
      const node = parseNodeTopic(topic)?.node ?? '';
      const m = trust.open(topic, raw, { node, kind: 'ask' });
      if (!m.ok) return; // refused and logged by the check
      const read = readTaskEnvelopeValue(m.body);
      const ask = nodeAskSchema.safeParse(m.body);
      if (!read.ok || !ask.success) {
        this.opts.log('warning', `ask from node ${node} ignored: ${read.ok ? 'no "to"' : read.error}`);
        return;
      }
      // Answers go to the asking node only, signed for it.
      const seal: Seal = (t, reply) => trust.seal(node, t, reply);
      if (read.envelope.replyTo && !read.envelope.replyTo.startsWith(`wactorz/replies/node-${node}/`)) {
        this.opts.log('warning', `ask from node ${node} ignored: it asks for the answer on ${read.envelope.replyTo}, not on its own reply topic`);
        return;
      }
      const r = route(ask.data.to, node);
      if ('refuse' in r) this.reply(ask.data.to, read.envelope, { ok: false, error: r.refuse }, seal);
      else if ('relay' in r) this.run(r.relay, read.envelope, read.envelope.from ?? `node:${node}`, seal, false);
      else this.run(r.serve, read.envelope, remoteSender(read.envelope.from), seal, true);
    });
  }

  close(): void {
    this.closed = true;
    this.wildcard?.();
    for (const off of this.subscriptions.values()) off();
    this.subscriptions.clear();
  }

  private onTask(name: string, raw: Buffer): void {
    const read = readTaskEnvelope(raw);
    if (!read.ok) {
      this.opts.log('warning', `task for ${name} ignored: ${read.error}`);
      return;
    }
    this.run(name, read.envelope, read.envelope.from ?? 'mqtt', this.opts.sealReply, true);
  }

  /** Runs a task once per task id (`local`: wait for the agent to be running here first) and replies. */
  private run(name: string, env: TaskEnvelope, from: string, seal: Seal | undefined, local: boolean): void {
    const { outcome } = this.dedup.run(env.taskId, () => this.runTask(name, env.task, from, local));
    void outcome.then((o) => this.reply(name, env, o, seal));
  }

  private reply(name: string, env: TaskEnvelope, o: TaskOutcome, seal: Seal | undefined = this.opts.sealReply): void {
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
    this.opts.bus.publish(env.replyTo, seal ? seal(env.replyTo, reply) : reply, { qos: 1 });
  }

  private async runTask(name: string, task: unknown, from: string, local: boolean): Promise<TaskOutcome> {
    try {
      if (local) await this.waitRunning(name);
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
