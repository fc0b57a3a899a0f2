/**
 * Tasks to agents in another process, by name, over MQTT — from the hub to agents on nodes, and
 * from a node to agents on the hub or on other nodes: published on `agents/by-name/{name}/task` as
 * `{payload, reply_to, correlation_id, task_id, from}` (QoS 1) and answered on this process's reply
 * topic (`wactorz/replies/hub-{instance}`, `wactorz/replies/node-{name}/{instance}`). A task
 * without an answer is published again (same `task_id`, so it runs once) every `retryMs` until its
 * deadline: a broker restart or a migration in between delays it, it does not lose or duplicate it.
 * Between a node and the hub both ways are signed (trust/): `seal` signs each publish (a resend is
 * signed afresh, with a new sequence number), `openReply` checks who signed a reply and
 * `mayAnswer` whether that one may answer for the agent; a reply that fails is refused (logged by
 * the check) and the task waits for the real one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { topics } from '../../shared/topics.js';
import type { Bus } from '../core/bus.js';
import { AskError } from '../core/errors.js';
import { parsePayload } from '../../shared/mqtt-payloads.js';
import { taskReplySchema, type TaskReply } from '../../shared/node-protocol.js';

export interface RemoteTasksOptions {
  bus: Bus;
  /** Resend an unanswered task this often (default 5 s). */
  retryMs?: number;
  /** Start of the reply topic, completed by a random instance id: `wactorz/replies/hub-` (default) or `wactorz/replies/node-<name>/`. */
  replyPrefix?: string;
  /** Publish every task on this topic, naming the agent in `to` (a node: `nodes/<name>/ask`, routed by the hub), instead of `agents/by-name/{name}/task`. */
  via?: string;
  log?: (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;
  /** Signs a task as it is published (a node's tasks to the hub). */
  seal?: (topic: string, message: Record<string, unknown>) => unknown;
  /** Checks a reply's signature; `node` is who signed it. Without it replies are taken as they are. */
  openReply?: (topic: string, raw: Buffer) => { ok: true; node: string; body: Record<string, unknown> } | { ok: false; error: string };
  /** Whether a reply signed by `node` may answer a task for `name` (default: any signer). */
  mayAnswer?: (name: string, node: string) => boolean;
}

interface Pending {
  name: string;
  message: Record<string, unknown>;
  timeoutMs: number;
  deadline: number;
  nextSend: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** Prefix of every hub's reply topic. */
export const REPLY_TOPIC_ROOT = 'wactorz/replies';

export class RemoteTasks {
  /** This process's reply topic (one per start: stale replies of a previous run are not ours). */
  readonly replyTopic: string;
  private readonly pending = new Map<string, Pending>();
  private readonly retryMs: number;
  private off: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: RemoteTasksOptions) {
    this.retryMs = opts.retryMs ?? 5_000;
    this.replyTopic = `${opts.replyPrefix ?? `${REPLY_TOPIC_ROOT}/hub-`}${randomBytes(6).toString('hex')}`;
  }

  /** Subscribes the reply topic (and waits for the broker to confirm it when connected). */
  async start(): Promise<void> {
    if (this.off) return;
    this.off = this.opts.bus.subscribe(this.replyTopic, (topic, raw) => this.onReply(topic, raw));
    this.timer = setInterval(() => this.sweep(), Math.max(50, Math.min(this.retryMs, 1_000)));
    this.timer.unref();
    await Promise.race([this.opts.bus.ready(), new Promise((r) => setTimeout(r, 5_000).unref())]);
  }

  stop(): void {
    this.off?.();
    this.off = undefined;
    clearInterval(this.timer);
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new AskError(p.name, { error: `${this.opts.replyPrefix ? 'the node' : 'the hub'} is stopping`, kind: 'stopped' }));
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends `payload` to the agent `name` wherever it runs; resolves with its RESULT, rejects with AskError. */
  ask<T = unknown>(name: string, payload: unknown, timeoutMs = 60_000, from = 'hub'): Promise<T> {
    const id = randomUUID();
    const message = { ...this.to(name), payload, reply_to: this.replyTopic, correlation_id: id, task_id: id, from };
    return new Promise<T>((resolve, reject) => {
      const t = Date.now();
      this.pending.set(id, { name, message, timeoutMs, deadline: t + timeoutMs, nextSend: t + this.retryMs, resolve: resolve as (v: unknown) => void, reject });
      this.send(name, message);
    });
  }

  /** Sends `payload` to `name` without waiting for (or asking for) an answer; QoS 1, run once. */
  tell(name: string, payload: unknown, from = 'hub'): boolean {
    const id = randomUUID();
    this.send(name, { ...this.to(name), payload, task_id: id, from });
    return true;
  }

  private send(name: string, message: Record<string, unknown>): void {
    const topic = this.topicFor(name);
    this.opts.bus.publish(topic, this.opts.seal ? this.opts.seal(topic, message) : message, { qos: 1 });
  }

  private topicFor(name: string): string {
    return this.opts.via ?? topics.taskByName(name);
  }

  private to(name: string): { to?: string } {
    return this.opts.via ? { to: name } : {};
  }

  private onReply(topic: string, raw: Buffer): void {
    let signer: string | undefined;
    let r: { ok: true; value: TaskReply } | { ok: false; error: string };
    if (this.opts.openReply) {
      const m = this.opts.openReply(topic, raw);
      if (!m.ok) return; // refused and logged by the check
      signer = m.node;
      const v = taskReplySchema.safeParse(m.body);
      r = v.success ? { ok: true, value: v.data } : { ok: false, error: v.error.message };
    } else r = parsePayload(taskReplySchema, raw);
    if (!r.ok) {
      this.opts.log?.('warning', `ignored a malformed task reply: ${r.error}`);
      return;
    }
    const id = r.value.correlation_id;
    const p = id === null ? undefined : this.pending.get(id);
    if (!p || id === null) return; // answered already (a resent task answered twice), or timed out
    if (signer !== undefined && this.opts.mayAnswer && !this.opts.mayAnswer(p.name, signer)) {
      this.opts.log?.('warning', `refused a reply for ${p.name} signed by node ${signer}: ${p.name} does not run there`);
      return;
    }
    this.pending.delete(id);
    if (r.value.ok) p.resolve(r.value.result ?? null);
    else p.reject(new AskError(p.name, { error: r.value.error?.error ?? 'failed', kind: r.value.error?.kind ?? 'error' }));
  }

  private sweep(): void {
    const t = Date.now();
    for (const [id, p] of this.pending) {
      if (t >= p.deadline) {
        this.pending.delete(id);
        p.reject(new AskError(p.name, { error: `no answer from ${p.name} within ${p.timeoutMs} ms (is its node online?)`, kind: 'timeout' }));
      } else if (t >= p.nextSend) {
        p.nextSend = t + this.retryMs;
        this.send(p.name, p.message);
      }
    }
  }
}
