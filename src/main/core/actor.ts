/**
 * The Actor base class: a name, a stable id, a bounded inbox drained one message at a time by the
 * system's scheduler, lifecycle hooks (`onStart`, `handleMessage`/`handleTask`, `onStop`), and
 * send/ask. Observability (heartbeat, metrics, status, manifest, logs) is published by
 * actor-telemetry.ts; restarts are the supervisor's business.
 *
 * One message at a time: a synchronous handler returns and the next message is taken in the same
 * batch; an async handler holds the loop until its promise settles. Replies to `ask` never go
 * through the inbox (the system resolves them directly), so an actor awaiting an answer inside a
 * handler cannot deadlock on its own inbox.
 */
import type { Message, MessageType } from '../../shared/message.js';
import type { ActorKind, ActorState } from '../../shared/actor-state.js';
import type { AgentCommand } from '../../shared/mqtt-payloads.js';
import type { BusHandler, PublishOptions } from './bus.js';
import { Mailbox, type OverflowPolicy } from './mailbox.js';
import { actorIdFor } from './actor-id.js';
import { makeMessage } from './message-factory.js';
import { ActorCrashError, ProtectedActorError, TaskError, errorPayloadFrom, toError } from './errors.js';
import type { Schedulable } from './scheduler.js';
import type { ActorSystem } from './actor-system.js';
import type { PersistOptions } from '../persistence/persistence.js';
import type { LogLevel } from '../base/logger.js';

export interface ActorOptions {
  name: string;
  kind?: ActorKind;
  protected?: boolean;
  description?: string;
  capabilities?: string[];
  /** Topics this actor publishes (for its manifest). */
  publishes?: string[];
  /** Topics this actor subscribes to (for its manifest: the graph's edges). */
  subscribes?: string[];
  inputSchema?: unknown;
  outputSchema?: unknown;
  inboxCapacity?: number;
  overflow?: OverflowPolicy;
}

export interface ActorCounters {
  /** Messages its inbox accepted (the original REST's `messages_received`). */
  messagesReceived: number;
  messagesProcessed: number;
  errors: number;
  tasksCompleted: number;
  tasksFailed: number;
}

export abstract class Actor implements Schedulable {
  readonly name: string;
  readonly actorId: string;
  readonly kind: ActorKind;
  readonly isProtected: boolean;
  readonly description: string;
  readonly capabilities: readonly string[];
  readonly publishes: readonly string[];
  readonly subscribes: readonly string[];
  readonly inputSchema: unknown;
  readonly outputSchema: unknown;

  readonly counters: ActorCounters = { messagesReceived: 0, messagesProcessed: 0, errors: 0, tasksCompleted: 0, tasksFailed: 0 };
  /** Restarts of this actor's name (carried across supervisor restarts). */
  restartCount = 0;
  /** Epoch ms when the actor last started; 0 before. */
  startedAt = 0;
  /** What the actor is doing right now, for heartbeats (`task`). */
  currentTask: string | null = null;

  /** @internal scheduler bookkeeping */
  _queued = false;

  private _state: ActorState = 'created';
  private _system: ActorSystem | undefined;
  private readonly inbox: Mailbox<Message>;
  private busy = false;
  private readonly unsubscribers = new Set<() => void>();

  constructor(opts: ActorOptions) {
    this.name = opts.name;
    this.actorId = actorIdFor(opts.name);
    this.kind = opts.kind ?? 'core';
    this.isProtected = opts.protected ?? false;
    this.description = opts.description ?? '';
    this.capabilities = opts.capabilities ?? [];
    this.publishes = opts.publishes ?? [];
    this.subscribes = opts.subscribes ?? [];
    this.inputSchema = opts.inputSchema ?? null;
    this.outputSchema = opts.outputSchema ?? null;
    this.inbox = new Mailbox<Message>({
      capacity: opts.inboxCapacity,
      overflow: opts.overflow,
      // An evicted TASK still owes its asker an answer.
      onDrop: (m) => this.answerUndelivered(m, 'overflow', `${this.name}'s inbox overflowed; the task was dropped`),
    });
  }

  // ── lifecycle hooks (override) ────────────────────────────────────────────

  /** Called once per start. Long-running work must be started, not awaited. */
  protected onStart(): Promise<void> | void {}

  /** Called for every message. The default answers a TASK with `handleTask`'s result. */
  protected handleMessage(msg: Message): Promise<void> | void {
    if (msg.type === 'TASK') return this.runTask(msg);
    if (msg.type === 'COMMAND') return this.handleCommandMessage(msg);
  }

  /** The RESULT payload for a TASK; throw TaskError for a specific ERROR kind. */
  protected handleTask(_payload: unknown, _msg: Message): Promise<unknown> | unknown {
    throw new TaskError(`${this.name} does not handle tasks`, 'not_found');
  }

  protected onStop(): Promise<void> | void {}

  /** Extra heartbeat fields (LLM agents add tokens and cost). */
  heartbeatExtras(): Record<string, unknown> {
    return {};
  }

  /** Extra metrics fields. */
  metricsExtras(): Record<string, unknown> {
    return {};
  }

  /** Extra manifest fields (a DynamicAgent's declared contract: subscribes, triggers_when…). */
  manifestExtras(): Record<string, unknown> {
    return {};
  }

  // ── state ─────────────────────────────────────────────────────────────────

  get state(): ActorState {
    return this._state;
  }

  get inboxSize(): number {
    return this.inbox.size;
  }

  get uptimeSeconds(): number {
    return this.startedAt ? (Date.now() - this.startedAt) / 1000 : 0;
  }

  protected get system(): ActorSystem {
    if (!this._system) throw new Error(`${this.name} is not spawned in an ActorSystem`);
    return this._system;
  }

  /** @internal */
  _setState(state: ActorState): void {
    if (state === this._state) return;
    this._state = state;
    this._system?._stateChanged(this);
  }

  // ── messaging ─────────────────────────────────────────────────────────────

  /** Sends a message; false when the recipient is unknown or its inbox refused it. */
  send(recipient: string, type: MessageType, payload: unknown, extra?: Partial<Message>): boolean {
    const msg = makeMessage(type, this.name, recipient, payload);
    if (extra) Object.assign(msg, extra);
    return this.system.deliver(msg);
  }

  /** TASK → RESULT. Rejects with AskError on an ERROR answer, a timeout, or an undeliverable task. */
  ask<T = unknown>(recipient: string, payload: unknown, timeoutMs?: number): Promise<T> {
    return this.system.ask<T>(recipient, payload, timeoutMs, this.name);
  }

  /** Answers `msg` (a TASK) with a RESULT. */
  reply(msg: Message, payload: unknown): void {
    this._answerTask(msg, 'RESULT', payload);
  }

  replyError(msg: Message, error: unknown): void {
    this._answerTask(msg, 'ERROR', errorPayloadFrom(error));
  }

  private _answerTask(msg: Message, type: 'RESULT' | 'ERROR', payload: unknown): void {
    const to = msg.replyTo ?? msg.sender;
    if (!to) return;
    const out = makeMessage(type, this.name, to, payload);
    out.correlationId = msg.correlationId ?? msg.id;
    this._system?.deliver(out);
  }

  // ── bus, persistence, logs ────────────────────────────────────────────────

  publish(topic: string, payload: unknown, opts?: PublishOptions): void {
    this.system.traffic.published(this, topic);
    this.system.bus.publish(topic, payload, opts);
  }

  /** Subscribes on the bus; unsubscribed automatically when the actor stops. */
  subscribe(pattern: string, handler: BusHandler): () => void {
    const off = this.system.bus.subscribe(pattern, (topic, payload) => {
      try {
        handler(topic, payload);
      } catch (e) {
        this.counters.errors++;
        this.log('error', `subscriber for ${pattern} threw: ${toError(e).message}`);
      }
    });
    const release = this.system.traffic.subscribed(this.name, pattern);
    const unsubscribe = () => {
      if (this.unsubscribers.delete(unsubscribe)) {
        off();
        release();
      }
    };
    this.unsubscribers.add(unsubscribe);
    return unsubscribe;
  }

  log(level: LogLevel, message: string): void {
    this._system?.telemetry.log(this, level, message);
  }

  persist(key: string, value: unknown, opts?: PersistOptions): Promise<void> {
    return this.system.persistence.persist(this.name, key, value, opts);
  }

  recall<T = unknown>(key: string): Promise<T | undefined> {
    return this.system.persistence.recall<T>(this.name, key);
  }

  /** Fails the actor: its supervisor decides whether it restarts. */
  crash(reason: unknown): void {
    this._system?._actorCrashed(this, toError(reason));
  }

  // ── runtime internals (called by ActorSystem and Scheduler) ───────────────

  /** @internal */
  _attach(system: ActorSystem): void {
    this._system = system;
  }

  /** @internal Queues a message; false when the inbox refused it. */
  _enqueue(msg: Message): boolean {
    if (this._state === 'stopped' || this._state === 'failed' || this._state === 'stopping') return false;
    if (!this.inbox.push(msg)) return false;
    this.counters.messagesReceived++;
    if (!this.busy && this._state === 'running') this._system?.scheduler.wake(this);
    return true;
  }

  /** @internal */
  async _start(): Promise<void> {
    this._setState('starting');
    this.startedAt = Date.now();
    this.subscribe(`agents/${this.actorId}/commands`, (_t, raw) => this._system?._commandFromBus(this, raw));
    await this.onStart();
    if (this._state !== 'starting') return; // stopped or crashed during onStart
    this._setState('running');
    if (this.inbox.size > 0) this._system?.scheduler.wake(this);
  }

  /** @internal Stops the actor: pending TASKs get an ERROR, subscriptions end, onStop runs, the final metrics go out. */
  async _stop(finalState: 'stopped' | 'failed' = 'stopped'): Promise<void> {
    if (this._state === 'stopped' || this._state === 'failed') return;
    this._setState('stopping');
    for (const off of [...this.unsubscribers]) off();
    for (const m of this.inbox.drainAll()) this.answerUndelivered(m, 'stopped', `${this.name} stopped before handling the task`);
    try {
      await this.onStop();
    } catch (e) {
      this.log('error', `onStop failed: ${toError(e).message}`);
    }
    // After onStop (its last LLM call or task counted), before the stopped/failed status — the original's order.
    this._system?.telemetry.finalMetrics(this);
    this._setState(finalState);
  }

  /** @internal */
  _pause(): void {
    if (this._state === 'running') this._setState('paused');
  }

  /** @internal */
  _resume(): void {
    if (this._state !== 'paused') return;
    this._setState('running');
    if (this.inbox.size > 0 && !this.busy) this._system?.scheduler.wake(this);
  }

  /** @internal Handles up to `max` messages; stops early at an async handler. */
  _runBatch(max: number): number {
    let n = 0;
    while (n < max && !this.busy && this._state === 'running') {
      const msg = this.inbox.shift();
      if (msg === undefined) break;
      n++;
      this.counters.messagesProcessed++;
      let result: Promise<void> | void;
      try {
        result = this.handleMessage(msg);
      } catch (e) {
        this.onHandlerError(msg, e);
        continue;
      }
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        this.busy = true;
        (result as Promise<void>).then(this.afterAsync, (e: unknown) => {
          this.onHandlerError(msg, e);
          this.afterAsync();
        });
      }
    }
    if (!this.busy && this.inbox.size > 0 && this._state === 'running') this._system?.scheduler.wake(this);
    return n;
  }

  private readonly afterAsync = (): void => {
    this.busy = false;
    if (this.inbox.size > 0 && this._state === 'running') this._system?.scheduler.wake(this);
  };

  private onHandlerError(msg: Message, e: unknown): void {
    this.counters.errors++;
    if (e instanceof ActorCrashError) {
      this.crash(e);
      return;
    }
    this.log('error', `handling ${msg.type} from ${msg.sender} failed: ${toError(e).message}`);
  }

  private async runTask(msg: Message): Promise<void> {
    const previous = this.currentTask;
    this.currentTask = describeTask(msg.payload);
    try {
      const result = await this.handleTask(msg.payload, msg);
      this.counters.tasksCompleted++;
      this.reply(msg, result);
    } catch (e) {
      this.counters.tasksFailed++;
      this.counters.errors++;
      this.replyError(msg, e);
      if (e instanceof ActorCrashError) this.crash(e);
      else this.log('warning', `task from ${msg.sender} failed: ${toError(e).message}`);
    } finally {
      this.currentTask = previous;
    }
  }

  private async handleCommandMessage(msg: Message): Promise<void> {
    const command = (msg.payload as Partial<AgentCommand> | undefined)?.command;
    if (!command) return;
    try {
      await this.system.command(this.name, command);
      this.reply(msg, { ok: true });
    } catch (e) {
      this.replyError(msg, e);
    }
  }

  private answerUndelivered(m: Message, kind: string, error: string): void {
    if (m.type === 'TASK') this._answerTask(m, 'ERROR', { error, kind });
  }

  /** @internal Used by the system to refuse destructive commands on protected actors. */
  _assertMayBe(operation: string): void {
    if (this.isProtected) throw new ProtectedActorError(this.name, operation);
  }
}

function describeTask(payload: unknown): string {
  if (payload && typeof payload === 'object') {
    const p = payload as Record<string, unknown>;
    const label = p.action ?? p.kind ?? p.type ?? p.command;
    if (typeof label === 'string') return label;
  }
  return 'task';
}
