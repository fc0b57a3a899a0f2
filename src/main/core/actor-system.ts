/**
 * The ActorSystem: registry (name → actor, id → name), the scheduler that runs message loops,
 * request–reply bookkeeping for `ask`, the supervisor, commands (stop/pause/resume/delete/restart,
 * refused for protected actors), and shutdown in reverse start order.
 *
 * `ask` and `deliver` (what `Actor.send` uses) reach actors wherever they run: a name or id that no
 * local actor has goes to the registered RemoteActors resolvers (remote-actors.ts).
 */
import type { Message } from '../../shared/message.js';
import { agentCommandSchema, parsePayload, type AgentCommand } from '../../shared/mqtt-payloads.js';
import type { Bus } from './bus.js';
import type { Persistence } from '../persistence/persistence.js';
import type { Actor } from './actor.js';
import type { LogLevel } from '../base/logger.js';
import { ActorTelemetry } from './actor-telemetry.js';
import { Scheduler } from './scheduler.js';
import { StreamRegistry } from './stream-registry.js';
import { ActorTraffic } from './actor-traffic.js';
import { TypedEmitter } from './typed-emitter.js';
import { makeMessage } from './message-factory.js';
import { ActorNotFoundError, AskError, toError } from './errors.js';
import { Supervisor, type SupervisionOptions } from './supervisor.js';
import type { RemoteActors } from './remote-actors.js';

export interface ActorSystemOptions {
  bus: Bus;
  persistence: Persistence;
  /** Heartbeat + metrics period (default 10 s, as the original). */
  heartbeatMs?: number;
  /** Default `ask` timeout. */
  askTimeoutMs?: number;
  /** Per-actor grace period at shutdown. */
  stopTimeoutMs?: number;
  node?: string;
  /** The hub's own log sink (console, file). */
  onLog?: (actor: Actor, level: LogLevel, message: string) => void;
}

export type ActorSystemEvents = {
  spawned: [Actor];
  state: [Actor];
  crashed: [Actor, Error];
  /** Gave up restarting (or an unsupervised actor crashed). */
  failed: [Actor, Error];
  stopped: [Actor];
  deleted: [Actor];
};

interface PendingAsk {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  recipient: string;
}

export class ActorSystem {
  readonly bus: Bus;
  readonly persistence: Persistence;
  readonly scheduler: Scheduler;
  readonly telemetry: ActorTelemetry;
  readonly streams = new StreamRegistry();
  /** Who listens on what and who publishes (the graph of agents reads it). */
  readonly traffic = new ActorTraffic();
  readonly events = new TypedEmitter<ActorSystemEvents>((event, e) => console.error(`[wactorz] ${event} listener failed:`, e));
  readonly supervisor: Supervisor;
  /** The remote node this system runs on (undefined on the hub). */
  readonly node: string | undefined;

  private readonly actors = new Map<string, Actor>();
  private readonly idToName = new Map<string, string>();
  private readonly startOrder: string[] = [];
  private readonly pending = new Map<string, PendingAsk>();
  private readonly remotes = new Set<RemoteActors>();
  private readonly askTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private shuttingDown = false;

  constructor(opts: ActorSystemOptions) {
    this.bus = opts.bus;
    this.persistence = opts.persistence;
    this.node = opts.node;
    this.askTimeoutMs = opts.askTimeoutMs ?? 30_000;
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 5_000;
    this.scheduler = new Scheduler({}, (e) => console.error('[wactorz] scheduler error:', e));
    this.supervisor = new Supervisor({
      stopForRestart: async (name) => {
        await this.actors.get(name)?._stop('stopped');
      },
      spawnFresh: async (actor) => {
        await this.spawn(actor);
      },
      gaveUp: (name, error, restarts) => {
        const actor = this.actors.get(name);
        if (!actor) return;
        const message = `${name} keeps crashing (${restarts} restarts within the window); stopped for good: ${error.message}`;
        this.telemetry.log(actor, 'error', message);
        this.telemetry.alert(actor, message, 'critical');
        this.telemetry.beat(actor);
        this.events.emit('failed', actor, error);
      },
      note: (name, message) => {
        const actor = this.actors.get(name);
        if (actor) this.telemetry.log(actor, 'warning', message);
      },
    });
    this.telemetry = new ActorTelemetry(this.bus, { heartbeatMs: opts.heartbeatMs ?? 10_000, node: opts.node, onLog: opts.onLog }, (n) =>
      this.supervisor.isSupervised(n),
    );
    this.telemetry.start(() => this.actors.values());
  }

  // ── registry ──────────────────────────────────────────────────────────────

  get(nameOrId: string): Actor | undefined {
    return this.actors.get(nameOrId) ?? this.actors.get(this.idToName.get(nameOrId) ?? '');
  }

  /** Like `get`, but throws ActorNotFoundError. */
  require(nameOrId: string): Actor {
    const a = this.get(nameOrId);
    if (!a) throw new ActorNotFoundError(nameOrId);
    return a;
  }

  list(): Actor[] {
    return [...this.actors.values()];
  }

  /** Registers a resolver for actors that run elsewhere (see remote-actors.ts); returns its removal. */
  addRemote(remote: RemoteActors): () => void {
    this.remotes.add(remote);
    return () => this.remotes.delete(remote);
  }

  /** The resolver (and the actor's name there) for a name or id no local actor has. */
  private remote(nameOrId: string): { via: RemoteActors; name: string } | undefined {
    for (const via of this.remotes) {
      const name = via.resolve(nameOrId);
      if (name !== undefined) return { via, name };
    }
    return undefined;
  }

  /** Starts an actor under its name (replacing a stopped or failed one of that name). */
  async spawn<A extends Actor>(actor: A): Promise<A> {
    if (this.shuttingDown) throw new Error('the actor system is shutting down');
    const existing = this.actors.get(actor.name);
    if (existing && existing !== actor && existing.state !== 'stopped' && existing.state !== 'failed') {
      throw new Error(`an actor named "${actor.name}" is already running`);
    }
    actor._attach(this);
    this.actors.set(actor.name, actor);
    this.idToName.set(actor.actorId, actor.name);
    const i = this.startOrder.indexOf(actor.name);
    if (i >= 0) this.startOrder.splice(i, 1);
    this.startOrder.push(actor.name);
    this.telemetry.manifest(actor);
    try {
      await actor._start();
    } catch (e) {
      const err = toError(e);
      this.telemetry.log(actor, 'error', `failed to start: ${err.message}`);
      await this.crashed(actor, err);
      if (!this.supervisor.isSupervised(actor.name)) throw err;
      return actor;
    }
    this.telemetry.beat(actor);
    this.events.emit('spawned', actor);
    return actor;
  }

  /** Registers a factory with the supervisor (spawned by `startSupervised` or `spawnSupervised`). */
  supervise(name: string, factory: () => Actor, opts?: SupervisionOptions): this {
    this.supervisor.supervise(name, factory, opts);
    return this;
  }

  /** Spawns every supervised actor that is not running, in the order they were supervised. */
  async startSupervised(): Promise<void> {
    for (const name of this.supervisor.names()) {
      const a = this.actors.get(name);
      if (!a || a.state === 'stopped' || a.state === 'failed') await this.spawn(this.supervisor.create(name));
    }
  }

  async spawnSupervised(name: string, factory: () => Actor, opts?: SupervisionOptions): Promise<Actor> {
    this.supervise(name, factory, opts);
    return this.spawn(this.supervisor.create(name));
  }

  /** Stops an actor (it stays registered, in state `stopped`). */
  async stop(nameOrId: string): Promise<void> {
    const actor = this.require(nameOrId);
    await actor._stop('stopped');
    this.telemetry.beat(actor);
    this.events.emit('stopped', actor);
  }

  /** Stops and forgets an actor: registry, supervision and retained manifest. */
  async remove(nameOrId: string): Promise<void> {
    const actor = this.require(nameOrId);
    this.supervisor.unsupervise(actor.name);
    await actor._stop('stopped');
    this.telemetry.beat(actor);
    this.telemetry.clearManifest(actor);
    this.actors.delete(actor.name);
    this.idToName.delete(actor.actorId);
    const i = this.startOrder.indexOf(actor.name);
    if (i >= 0) this.startOrder.splice(i, 1);
    this.events.emit('deleted', actor);
  }

  // ── messaging ─────────────────────────────────────────────────────────────

  /** Delivers a message: answers to `ask` resolve directly, everything else goes to the inbox. */
  deliver(msg: Message): boolean {
    if ((msg.type === 'RESULT' || msg.type === 'ERROR') && msg.correlationId !== undefined) {
      const p = this.pending.get(msg.correlationId);
      if (p) {
        this.pending.delete(msg.correlationId);
        clearTimeout(p.timer);
        if (msg.type === 'RESULT') p.resolve(msg.payload);
        else p.reject(new AskError(p.recipient, normaliseError(msg.payload)));
        return true;
      }
    }
    const actor = this.get(msg.recipient);
    if (actor) return actor._enqueue(msg);
    const remote = msg.type === 'TASK' ? this.remote(msg.recipient) : undefined;
    if (!remote) return false;
    if (msg.replyTo === undefined) return remote.via.tell(remote.name, msg.payload, msg.sender);
    // The sender wants the answer as a message (RESULT or ERROR, with the task's correlation id).
    const answer = (type: 'RESULT' | 'ERROR', payload: unknown): void => {
      const out = makeMessage(type, remote.name, msg.replyTo!, payload);
      out.correlationId = msg.correlationId ?? msg.id;
      this.deliver(out);
    };
    remote.via.ask(remote.name, msg.payload, this.askTimeoutMs, msg.sender).then(
      (result) => answer('RESULT', result),
      (e: unknown) => answer('ERROR', e instanceof AskError ? e.payload : { error: toError(e).message, kind: 'error' }),
    );
    return true;
  }

  /** Sends a TASK and waits for its RESULT. `from` names the asker (interfaces use 'external'). */
  ask<T = unknown>(to: string, payload: unknown, timeoutMs?: number, from = 'external'): Promise<T> {
    const actor = this.get(to);
    if (!actor) {
      const remote = this.remote(to);
      if (remote) return remote.via.ask(remote.name, payload, timeoutMs ?? this.askTimeoutMs, from) as Promise<T>;
      return Promise.reject(new AskError(to, { error: `no actor named or with id "${to}"`, kind: 'not_found' }));
    }
    const msg = makeMessage('TASK', from, actor.name, payload);
    msg.replyTo = from;
    msg.correlationId = msg.id;
    const ms = timeoutMs ?? this.askTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msg.id);
        reject(new AskError(actor.name, { error: `no answer from ${actor.name} within ${ms} ms`, kind: 'timeout' }));
      }, ms);
      this.pending.set(msg.id, { resolve: resolve as (v: unknown) => void, reject, timer, recipient: actor.name });
      if (!actor._enqueue(msg)) {
        this.pending.delete(msg.id);
        clearTimeout(timer);
        const kind = actor.state === 'running' || actor.state === 'paused' ? 'overflow' : 'stopped';
        reject(new AskError(actor.name, { error: kind === 'overflow' ? `${actor.name}'s inbox is full` : `${actor.name} is ${actor.state}`, kind }));
      }
    });
  }

  // ── commands ──────────────────────────────────────────────────────────────

  /** stop | pause | resume | delete | restart. Protected actors refuse stop, pause and delete. */
  async command(nameOrId: string, command: AgentCommand['command']): Promise<string> {
    const actor = this.require(nameOrId);
    switch (command) {
      case 'stop':
        actor._assertMayBe('stop');
        await this.stop(actor.name);
        return `${actor.name} stopped`;
      case 'pause':
        actor._assertMayBe('pause');
        actor._pause();
        return `${actor.name} paused`;
      case 'resume':
        actor._resume();
        return `${actor.name} resumed`;
      case 'delete':
        actor._assertMayBe('delete');
        await this.remove(actor.name);
        return `${actor.name} deleted`;
      case 'restart':
        if (!this.supervisor.isSupervised(actor.name)) throw new Error(`${actor.name} is not supervised and cannot be restarted`);
        await this.supervisor.restartNow(actor.name);
        return `${actor.name} restarted`;
    }
  }

  /** @internal `agents/{id}/commands` from the bus. */
  _commandFromBus(actor: Actor, raw: Buffer): void {
    const parsed = parsePayload(agentCommandSchema, raw);
    if (!parsed.ok) {
      this.telemetry.log(actor, 'warning', `ignored a malformed command: ${parsed.error}`);
      return;
    }
    this.command(actor.name, parsed.value.command).then(
      (msg) => this.telemetry.log(actor, 'info', msg),
      (e: unknown) => this.telemetry.log(actor, 'warning', toError(e).message),
    );
  }

  // ── failures ──────────────────────────────────────────────────────────────

  /** @internal */
  _actorCrashed(actor: Actor, error: Error): void {
    void this.crashed(actor, error);
  }

  private async crashed(actor: Actor, error: Error): Promise<void> {
    if (actor.state === 'failed' || this.shuttingDown || this.actors.get(actor.name) !== actor) return;
    this.telemetry.log(actor, 'error', `crashed: ${error.message}`);
    await actor._stop('failed');
    this.events.emit('crashed', actor, error);
    if (!this.supervisor.isSupervised(actor.name)) {
      this.telemetry.alert(actor, `${actor.name} crashed: ${error.message}`, 'critical');
      this.telemetry.beat(actor);
      this.events.emit('failed', actor, error);
      return;
    }
    this.supervisor.onFailure(actor.name, error);
  }

  /** @internal */
  _stateChanged(actor: Actor): void {
    if (this.actors.get(actor.name) !== actor) return;
    this.telemetry.status(actor);
    this.events.emit('state', actor);
  }

  // ── shutdown ──────────────────────────────────────────────────────────────

  /** Stops every actor in reverse start order (each within the grace period), then the timers. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.supervisor.close();
    for (const name of [...this.startOrder].reverse()) {
      const actor = this.actors.get(name);
      if (!actor) continue;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        actor._stop('stopped'),
        new Promise<void>((r) => (timer = setTimeout(r, this.stopTimeoutMs))),
      ]);
      clearTimeout(timer);
    }
    this.telemetry.stop();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new AskError(p.recipient, { error: 'the actor system shut down', kind: 'stopped' }));
      this.pending.delete(id);
    }
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Epoch seconds of an actor's last heartbeat, or null. */
  lastHeartbeat(name: string): number | null {
    return this.telemetry.lastHeartbeat.get(name) ?? null;
  }
}

function normaliseError(payload: unknown): { error: string; kind?: string; detail?: unknown } {
  if (payload && typeof payload === 'object' && typeof (payload as { error?: unknown }).error === 'string') {
    return payload as { error: string; kind?: string };
  }
  return { error: typeof payload === 'string' ? payload : 'error', kind: 'error', detail: payload };
}
