/**
 * One running version of one agent: a QuickJS engine (its own WebAssembly instance and memory) on
 * a sandbox worker of the pool, shared with other agents or its own. It speaks the worker protocol
 * (batched both ways: one postMessage per burst, for all the engines of a worker), routes the
 * agent's requests to its HostBridge, enforces a last-resort deadline on the worker, and reports a
 * fatal failure once. What the worker says about this engine alone — moved (overrun), reset
 * (poisoned), hogging — goes to the SandboxedAgent that owns it.
 */
import { SandboxError, type SandboxErrorKind } from './errors.js';
import { HostBridge } from './host-bridge.js';
import { enginePoolConfig, needsOwnWorker, placeEngine, releaseEngine } from './engine-pool.js';
import type { EngineClient, EngineWorker, WorkerKind, WorkerMessage } from './engine-worker.js';
import type { PositionMap } from './source-map.js';
import type { AgentExports, AgentHost, SandboxLimits } from './types.js';

export type HookName = 'setup' | 'handleTask' | 'process' | 'cleanup';

export interface InstanceOptions {
  name: string;
  actorId: string;
  js: string;
  /** For TypeScript: maps `agent.js` positions to the source's (`agent.ts`). */
  map?: PositionMap;
  limits: SandboxLimits;
  host: AgentHost;
  state: Record<string, unknown>;
  intervalSeconds: number;
  env: Record<string, string>;
  modules: Record<string, string>;
  /** The agent reported a changed state / interval. */
  onState: (state: Record<string, unknown>, intervalSeconds: number) => void;
  /** The instance died (after start): out of memory, engine failure, wedged. */
  onFatal: (error: SandboxError) => void;
  /** Where to run: a shared worker, or one of its own. */
  isolation: WorkerKind;
  /**
   * A turn on a shared worker overran its CPU slice and was rolled back: the engine is gone, these
   * calls (started in that turn, nothing of them left the engine) can run elsewhere.
   */
  onMove: (replay: ReplayCall[], redeliver: [number, string, string][]) => void;
  /** The engine was dropped because the host could not read what it left (a spinning getter): replace it. */
  onReset: (error: SandboxError) => void;
  /** The agent keeps using whole slices while neighbours wait. */
  onHog: () => void;
}

/** A call to run again on the agent's next engine (its promise is the caller's). */
export interface ReplayCall {
  fn: HookName;
  payload: unknown;
  resolve: (v: unknown) => void;
  reject: (e: SandboxError) => void;
}

/** Loading overran the CPU slice of a shared worker: load again on a worker of its own. */
export class NeedsOwnWorker extends Error {}

/** How long past a call's deadline the worker may stay silent before it is considered wedged (the pool's `wedgedGraceMs`). */
const wedgedGrace = (): number => enginePoolConfig().wedgedGraceMs;
/** Subscription messages queued for the agent beyond which new ones are dropped. */
const MAX_QUEUED_DELIVERIES = 1_000;

interface PendingCall {
  fn: HookName;
  payload: unknown;
  resolve: (v: unknown) => void;
  reject: (e: SandboxError) => void;
  /** When the worker must have answered by (its deadline + grace). */
  wedgedAt: number;
}

export class SandboxInstance implements EngineClient {
  exports: AgentExports = { setup: false, handleTask: false, process: false, cleanup: false };
  /** The worker this engine runs on (shared with other agents, or its own). */
  worker!: EngineWorker;
  private engineId = 0;
  private readonly bridge: HostBridge;
  private readonly calls = new Map<number, PendingCall>();
  private nextCallId = 1;
  private queuedDeliveries = 0;
  private droppedDeliveries = 0;
  private dead: SandboxError | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private loaded: { resolve: (e: AgentExports) => void; reject: (e: SandboxError) => void } | undefined;

  private constructor(private readonly opts: InstanceOptions) {
    this.bridge = new HostBridge(opts.host, opts.name, (sub, topic, payload) => this.deliver(sub, topic, payload));
  }

  get name(): string {
    return this.opts.name;
  }

  get isolation(): WorkerKind {
    return this.worker.kind;
  }

  onWorkerMessage(msg: WorkerMessage): void {
    // Parts of these messages were written by the agent's code (results, state, errors): a
    // malformed one takes this agent down, never the hub.
    try {
      this.onMessage(msg);
    } catch (e) {
      this.die('crash', `the agent's engine sent a malformed message: ${(e as Error).message}`);
    }
  }

  onWorkerGone(kind: SandboxErrorKind, message: string): void {
    this.engineId = 0;
    // Only the agent that stalled the thread is told `timeout`: it must not share a worker again.
    if (kind === 'timeout') needsOwnWorker(this.opts.name);
    this.die(kind, message);
  }

  /** Spawns the worker and loads the module; rejects with `bad_code` (line/column) when it does not load. */
  static async start(opts: InstanceOptions): Promise<SandboxInstance> {
    const instance = new SandboxInstance(opts);
    const placed = await placeEngine(instance, { name: opts.name, memoryMb: opts.limits.memoryMb, isolation: opts.isolation });
    instance.worker = placed.worker;
    instance.engineId = placed.engineId;
    const loaded = new Promise<AgentExports>((resolve, reject) => (instance.loaded = { resolve, reject }));
    const loadDeadline = setTimeout(
      () => instance.die('timeout', `loading did not finish within ${opts.limits.callTimeoutMs} ms`),
      opts.limits.callTimeoutMs + wedgedGrace() + 5_000,
    );
    instance.post({
      t: 'load',
      code: opts.js,
      modules: opts.modules,
      callTimeoutMs: opts.limits.callTimeoutMs,
      meta: { name: opts.name, actorId: opts.actorId, state: opts.state, interval: opts.intervalSeconds, env: opts.env },
    });
    try {
      instance.exports = await loaded;
      return instance;
    } catch (e) {
      await instance.terminate();
      throw e;
    } finally {
      clearTimeout(loadDeadline);
    }
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Runs a hook; resolves with its JSON result, rejects with a SandboxError. */
  call(fn: HookName, payload?: unknown): Promise<unknown> {
    if (this.dead) return Promise.reject(this.stoppedError(fn));
    let payloadJson: string | undefined;
    if (payload !== undefined) {
      try {
        payloadJson = JSON.stringify(payload);
      } catch (e) {
        return Promise.reject(new SandboxError('crash', `${fn}: the payload is not JSON (${(e as Error).message})`, { agent: this.opts.name, phase: fn, fatal: false }));
      }
    }
    const id = this.nextCallId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { fn, payload, resolve, reject, wedgedAt: Date.now() + this.opts.limits.callTimeoutMs + wedgedGrace() });
      this.armWatchdog();
      this.postCall(id, fn, payloadJson);
    });
  }

  /** Resolves once no call is in flight (or the instance is dead). */
  async drain(): Promise<void> {
    while (this.calls.size > 0 && !this.dead) await new Promise((r) => setTimeout(r, 5));
  }

  /** Drops this engine (never its worker: neighbours keep running). */
  async terminate(): Promise<void> {
    this.die('stopped', 'the agent was stopped');
  }

  /**
   * The worker answers every call by its deadline, even a spinning one (the engine is interrupted).
   * Silence well past it means the worker itself is stuck: kill it. One timer for the oldest call.
   */
  private armWatchdog(): void {
    if (this.watchdog || this.calls.size === 0 || this.dead) return;
    const oldest = this.calls.values().next().value!;
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      const first = this.calls.values().next().value;
      if (first && first.wedgedAt <= Date.now()) {
        // Every call is answered by its deadline unless the thread itself is stuck: the worker goes.
        const detail = `${first.fn} gave no answer ${wedgedGrace()} ms past its ${this.opts.limits.callTimeoutMs} ms limit`;
        this.worker.wedged(this.opts.name, detail);
        this.die('timeout', `the agent stopped responding (${detail})`);
        return;
      }
      this.armWatchdog();
    }, Math.max(0, oldest.wedgedAt - Date.now()));
    this.watchdog.unref();
  }

  /**
   * Subscription messages a rolled-back turn had taken: delivered again to this (next) engine. Its
   * setup subscribed again in the same order, so the subscription ids match; an id it no longer
   * has is ignored by the guest.
   */
  redeliver(messages: [number, string, string][]): void {
    for (const [sub, topic, json] of messages) {
      if (this.dead || typeof sub !== 'number' || typeof topic !== 'string' || typeof json !== 'string') continue;
      this.queuedDeliveries++;
      this.post({ t: 'deliver', sub, topic, json });
    }
  }

  private deliver(sub: number, topic: string, payload: unknown): void {
    if (this.dead) return;
    if (this.queuedDeliveries >= MAX_QUEUED_DELIVERIES) {
      if (this.droppedDeliveries++ === 0) this.opts.host.log('warning', `${this.opts.name} is not keeping up with its subscriptions: dropping messages`);
      return;
    }
    let json: string;
    try {
      json = JSON.stringify(payload ?? null);
    } catch {
      json = JSON.stringify(String(payload));
    }
    this.queuedDeliveries++;
    this.post({ t: 'deliver', sub, topic, json });
  }

  /** Calls made in the same tick travel together (EngineWorker.call): one message for the engine. */
  private postCall(id: number, fn: HookName, payloadJson: string | undefined): void {
    if (this.dead || !this.engineId) return;
    this.worker.call(this.engineId, id, fn, payloadJson);
  }

  /** Straight into the worker's message of this tick (one postMessage per tick for all its engines). */
  private post(msg: Record<string, unknown>): void {
    if (this.dead || !this.engineId) return;
    this.worker.post(this.engineId, msg);
  }

  private onMessage(msg: WorkerMessage): void {
    switch (msg.t) {
      case 'loaded':
        this.loaded?.resolve(msg.exports);
        this.loaded = undefined;
        break;
      case 'load_failed': {
        const mapped = msg.line ? this.opts.map?.(msg.line, msg.column ?? 1) : undefined;
        if (mapped) Object.assign(msg, mapped);
        const where = msg.line ? ` at line ${msg.line}${msg.column ? `, column ${msg.column}` : ''}` : '';
        const err = new SandboxError(msg.kind, `the code does not load${where}: ${msg.message}`, {
          agent: this.opts.name,
          phase: 'load',
          fatal: false,
          diagnostics: [{ message: msg.message, line: msg.line ?? 1, column: msg.column ?? 1, severity: 'error' }],
        });
        this.loaded?.reject(err);
        this.loaded = undefined;
        break;
      }
      case 'done':
        this.settle(msg);
        break;
      case 'results': {
        // Three columns (worker/guest-prelude.mjs collect): ids, one status digit each, the values.
        const ids = String(msg.ids).split(',');
        const values: unknown = JSON.parse(msg.json);
        if (!Array.isArray(values) || values.length !== ids.length || String(msg.st).length !== ids.length) throw new Error('results are not three columns of one length');
        for (let i = 0; i < ids.length; i++) {
          const id = Number(ids[i]);
          const status = msg.st[i];
          if (status === '0') this.settle({ a: msg.a, t: 'done', id, ok: false, json: JSON.stringify(values[i] ?? null) });
          else this.resolveCall(id, status === '1' ? values[i] : undefined);
        }
        break;
      }
      case 'host':
        this.onHostRequest(msg);
        break;
      case 'state': {
        const snapshot: unknown = JSON.parse(msg.json);
        const [state, interval] = Array.isArray(snapshot) ? snapshot : [];
        if (state && typeof state === 'object' && !Array.isArray(state) && typeof interval === 'number' && interval > 0 && Number.isFinite(interval)) {
          this.opts.onState(state as Record<string, unknown>, interval);
        }
        break;
      }
      case 'ack':
        this.queuedDeliveries = Math.max(0, this.queuedDeliveries - msg.n);
        if (this.queuedDeliveries === 0 && this.droppedDeliveries > 0) {
          this.opts.host.log('warning', `${this.opts.name} dropped ${this.droppedDeliveries} subscription message(s) while busy`);
          this.droppedDeliveries = 0;
        }
        break;
      case 'fatal':
        this.die(msg.kind, msg.message);
        break;
      case 'reset':
        this.onResetMessage(msg.kind, msg.message);
        break;
      case 'overrun':
        this.onOverrun(msg.phase, msg.replay, msg.lost, Array.isArray(msg.redeliver) ? msg.redeliver : []);
        break;
      case 'hog':
        this.opts.onHog();
        break;
    }
  }

  /** The engine is gone (rolled back); the calls of its last turn go to the owner to run elsewhere. */
  private onOverrun(phase: string, replayIds: number[], lostIds: number[], redeliver: [number, string, string][]): void {
    if (this.dead) return;
    const replay: ReplayCall[] = [];
    for (const id of replayIds) {
      const call = this.calls.get(id);
      if (!call) continue;
      this.calls.delete(id);
      replay.push({ fn: call.fn, payload: call.payload, resolve: call.resolve, reject: call.reject });
    }
    for (const id of lostIds) {
      const call = this.calls.get(id);
      if (!call) continue;
      this.calls.delete(id);
      call.reject(
        new SandboxError('timeout', `${call.fn} was stopped: the agent used more than its CPU slice on a shared worker (in ${phase}) and its engine was moved; calls started before that turn cannot follow`, {
          agent: this.opts.name,
          phase: call.fn,
          fatal: false,
        }),
      );
    }
    if (this.loaded) {
      this.loaded.reject(new NeedsOwnWorker(`${this.opts.name}: loading used more than the CPU slice of a shared worker`) as unknown as SandboxError);
      this.loaded = undefined;
    }
    this.die('stopped', 'moved to another worker');
    if (phase !== 'load') this.opts.onMove(replay, redeliver);
  }

  private onResetMessage(kind: SandboxErrorKind, message: string): void {
    if (this.dead) return;
    const error = new SandboxError(kind, message, { agent: this.opts.name, phase: 'runtime', fatal: false });
    for (const [id, call] of this.calls) {
      this.calls.delete(id);
      call.reject(new SandboxError(kind, `${call.fn}: ${message}`, { agent: this.opts.name, phase: call.fn, fatal: false }));
    }
    this.die('stopped', message);
    this.opts.onReset(error);
  }

  private resolveCall(id: number, value: unknown): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    call.resolve(value);
  }

  private settle(msg: Extract<WorkerMessage, { t: 'done' }>): void {
    const call = this.calls.get(msg.id);
    if (!call) return;
    this.calls.delete(msg.id);
    if (msg.ok) {
      call.resolve(msg.json === '' ? undefined : JSON.parse(msg.json));
      return;
    }
    const parsed: unknown = JSON.parse(msg.json);
    const raw = (parsed && typeof parsed === 'object' ? parsed : { message: String(parsed) }) as Record<string, unknown>;
    const info = {
      name: typeof raw.name === 'string' ? raw.name : undefined,
      message: typeof raw.message === 'string' ? raw.message : String(raw.message ?? ''),
      stack: typeof raw.stack === 'string' ? raw.stack : undefined,
    };
    const kind: SandboxErrorKind = msg.kind ?? 'crash';
    const text = kind === 'crash' && !msg.kind ? `${call.fn} threw ${info.name ?? 'Error'}: ${info.message}` : info.message || kind;
    const stack = info.stack ? this.relocate(info.stack) : undefined;
    const where = firstGuestFrame(stack);
    call.reject(
      new SandboxError(kind, where ? `${text} (${where})` : text, {
        agent: this.opts.name,
        phase: call.fn,
        fatal: kind === 'out_of_memory',
        ...(stack ? { stack } : {}),
      }),
    );
  }

  private onHostRequest(msg: Extract<WorkerMessage, { t: 'host' }>): void {
    const id = msg.id;
    if (id === undefined) {
      this.bridge.send(msg.method, msg.args);
      return;
    }
    this.bridge.request(msg.method, msg.args).then(
      (value) => {
        let json: string;
        try {
          json = value === undefined ? '' : JSON.stringify(value);
        } catch {
          json = JSON.stringify(String(value));
        }
        this.post({ t: 'reply', id, ok: true, json });
      },
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        const kind = (e as { kind?: unknown }).kind;
        this.post({ t: 'reply', id, ok: false, json: JSON.stringify({ name: e.name, message: e.message, kind: typeof kind === 'string' ? kind : undefined }) });
      },
    );
  }

  /** `agent.js:L:C` → `agent.ts:L:C` of the source, for TypeScript agents. */
  private relocate(text: string): string {
    const map = this.opts.map;
    if (!map) return text;
    return text.replace(/agent\.js:(\d+):(\d+)/g, (whole, l: string, c: string) => {
      const p = map(Number(l), Number(c));
      return p ? `agent.ts:${p.line}:${p.column}` : whole;
    });
  }

  private stoppedError(fn: string): SandboxError {
    const cause = this.dead;
    if (cause && cause.kind !== 'stopped') return new SandboxError(cause.kind, `${fn}: the agent is down (${cause.message})`, { agent: this.opts.name, phase: fn, fatal: true });
    return new SandboxError('stopped', `${fn}: the agent was stopped`, { agent: this.opts.name, phase: fn, fatal: true });
  }

  /** Marks the instance dead (first cause wins), fails everything in flight, kills the worker. */
  private die(kind: SandboxErrorKind, message: string): void {
    if (this.dead) return;
    const error = new SandboxError(kind, message, { agent: this.opts.name, phase: 'runtime', fatal: true });
    this.dead = error;
    this.bridge.close();
    clearTimeout(this.watchdog);
    for (const [id, call] of this.calls) {
      call.reject(new SandboxError(kind, kind === 'stopped' ? `${call.fn}: the agent was stopped` : `${call.fn}: ${message}`, { agent: this.opts.name, phase: call.fn, fatal: true }));
      this.calls.delete(id);
    }
    if (this.loaded) {
      this.loaded.reject(new SandboxError(kind, `the code does not load: ${message}`, { agent: this.opts.name, phase: 'load', fatal: true }));
      this.loaded = undefined;
    }
    if (this.engineId) releaseEngine(this.worker, this.engineId);
    this.engineId = 0;
    if (kind !== 'stopped') this.opts.onFatal(error);
  }
}

/** `agent.js:L:C` (or `agent.ts:…`) of the innermost frame of the agent's own code. */
function firstGuestFrame(stack: string | undefined): string | undefined {
  const m = stack ? /agent\.(js|ts):(\d+):(\d+)/.exec(stack) : null;
  return m ? `agent.${m[1]}:${m[2]}:${m[3]}` : undefined;
}
