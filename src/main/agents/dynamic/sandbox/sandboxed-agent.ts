/**
 * The stable handle the DynamicAgent actor holds: one agent across engine instances. It owns what
 * must outlive an instance — the code, the last state the agent reported, the process loop, the
 * crash listeners, where it should run — and swaps instances for hot-swap, restart, reset and moves:
 * - reset(): a fresh engine from the current code and last state (setup again if it had run),
 *   for this agent alone — its worker and neighbours are untouched;
 * - a turn that overran its CPU slice on a shared worker was rolled back by the worker: the agent
 *   moves to a worker of its own and the calls of that turn run there; with no dedicated worker
 *   free, the engine is reset in place and those calls fail with a clear `timeout`;
 * - an agent that keeps using whole slices while neighbours wait moves the same way, between
 *   calls (as a hot-swap to the same code);
 * - the host unable to read a result (a getter that spins) resets the engine automatically.
 */
import { SandboxError, formatDiagnostics } from './errors.js';
import { dedicatedAvailable, enginePoolConfig, noteFailure } from './engine-pool.js';
import type { WorkerKind } from './engine-worker.js';
import { NeedsOwnWorker, SandboxInstance, type HookName, type ReplayCall } from './sandbox-instance.js';
import type { PositionMap } from './source-map.js';
import { transpileAgentCode } from './transpile.js';
import {
  DEFAULT_LIMITS,
  type SandboxPlacement,
  type AgentExports,
  type AgentLanguage,
  type SandboxLimits,
  type SandboxStatus,
  type SandboxedAgent,
  type SandboxedAgentOptions,
} from './types.js';

/** Process ticks never come closer than this, whatever `agent.interval` says. */
const MIN_INTERVAL_SECONDS = 0.05;
const DEFAULT_INTERVAL_SECONDS = 5;

/** Spawns the agent's engine and loads its code (setup is a separate step). Rejects with `bad_code`. */
export async function createSandboxedAgent(opts: SandboxedAgentOptions): Promise<SandboxedAgent> {
  const agent = new SandboxedAgentImpl(opts);
  await agent.start();
  return agent;
}

class SandboxedAgentImpl implements SandboxedAgent {
  readonly name: string;
  private readonly actorId: string;
  private readonly limits: SandboxLimits;
  private code: CompiledCode;
  private current: SandboxInstance | undefined;
  /** The version being hot-swapped in: its state reports wait until it is accepted. */
  private candidate: { instance: SandboxInstance; state?: Record<string, unknown>; interval?: number } | undefined;
  private statusValue: SandboxStatus = 'loaded';
  private stateValue: Record<string, unknown>;
  private interval: number;
  /** Set while a hot-swap or restart replaces the instance: new calls wait for it. */
  private gate: Promise<void> | undefined;
  private loop: { timer: NodeJS.Timeout | undefined; active: boolean } = { timer: undefined, active: false };
  private readonly crashListeners = new Set<(e: SandboxError) => void>();
  /** Where the next engine goes; becomes 'dedicated' once the agent has shown it needs it. */
  private isolation: WorkerKind;

  constructor(private readonly opts: SandboxedAgentOptions) {
    this.isolation = opts.isolation ?? 'shared';
    this.name = opts.name;
    this.actorId = opts.actorId ?? opts.name;
    this.limits = { ...DEFAULT_LIMITS, ...definedOnly(opts.limits ?? {}) };
    if (!(this.limits.memoryMb >= 4) || !(this.limits.callTimeoutMs >= 10)) {
      throw new RangeError(`sandbox limits too small: memoryMb ≥ 4 and callTimeoutMs ≥ 10 (got ${this.limits.memoryMb}, ${this.limits.callTimeoutMs})`);
    }
    this.code = compile(opts.code, opts.language ?? 'javascript', opts.name);
    this.stateValue = opts.initialState ?? {};
    this.interval = opts.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
  }

  get status(): SandboxStatus {
    return this.statusValue;
  }
  get exports(): AgentExports {
    return this.current?.exports ?? { setup: false, handleTask: false, process: false, cleanup: false };
  }
  get state(): Record<string, unknown> {
    return this.stateValue;
  }
  get intervalSeconds(): number {
    return this.interval;
  }
  get placement(): SandboxPlacement | undefined {
    const c = this.current;
    return c?.alive ? { worker: c.worker.id, kind: c.worker.kind } : undefined;
  }

  async start(): Promise<void> {
    this.current = await this.spawn(this.code);
  }

  async setup(): Promise<void> {
    await this.invoke('setup');
    if (this.statusValue === 'loaded') this.statusValue = 'running';
  }

  /** Not `async`: the instance's promise is handed back as is (two promises and four microtask hops fewer per task). */
  handleTask(payload: unknown): Promise<unknown> {
    return this.invoke('handleTask', payload);
  }

  async runProcessTick(): Promise<void> {
    if (!this.current?.exports.process) return;
    await this.invoke('process');
  }

  startProcessLoop(): void {
    if (this.loop.active) return;
    this.loop.active = true;
    const tick = async (): Promise<void> => {
      this.loop.timer = undefined;
      if (!this.loop.active) return;
      if (this.statusValue === 'running' && this.current?.exports.process) {
        try {
          await this.runProcessTick();
        } catch (e) {
          const err = e as SandboxError;
          if (!err.fatal) this.opts.host.log('error', `process failed: ${err.message}`);
        }
      }
      if (this.loop.active) this.loop.timer = setTimeout(() => void tick(), Math.max(MIN_INTERVAL_SECONDS, this.interval) * 1000);
    };
    void tick();
  }

  stopProcessLoop(): void {
    this.loop.active = false;
    if (this.loop.timer) clearTimeout(this.loop.timer);
    this.loop.timer = undefined;
  }

  async hotSwap(code: string, language: AgentLanguage = 'javascript'): Promise<void> {
    this.assertNotTerminated('hot-swap');
    await this.swapIn(compile(code, language, this.name));
  }

  /** The new version (or the same code on a new worker) is set up beside the old, then replaces it. */
  private async swapIn(compiled: CompiledCode): Promise<void> {
    await this.exclusive(async () => {
      const old = this.current;
      await old?.drain();
      let next: SandboxInstance | undefined;
      try {
        next = await this.spawn(compiled);
        this.candidate = { instance: next };
        await next.call('setup');
      } catch (e) {
        this.candidate = undefined;
        await next?.terminate();
        throw refused(this.name, e);
      }
      // Accepted: the new version becomes current with the state its setup left.
      const accepted = this.candidate;
      this.candidate = undefined;
      this.current = next;
      this.code = compiled;
      if (accepted?.state) this.applyState(accepted.state, accepted.interval ?? this.interval);
      this.statusValue = 'running';
      if (old?.alive) {
        if (old.exports.cleanup) await old.call('cleanup').catch((e: Error) => this.opts.host.log('warning', `cleanup of the previous version failed: ${e.message}`));
        await old.terminate();
      }
    });
  }

  async cleanup(): Promise<void> {
    if (!this.current?.exports.cleanup) return;
    await this.invoke('cleanup');
  }

  async restart(): Promise<void> {
    this.assertNotTerminated('restart');
    await this.exclusive(async () => {
      await this.current?.terminate();
      this.current = undefined;
      this.statusValue = 'loaded';
      this.current = await this.spawn(this.code);
    });
    await this.setup();
  }

  async reset(): Promise<void> {
    this.assertNotTerminated('reset');
    await this.replaceEngine([], [], undefined);
  }

  /**
   * A fresh engine (current code, last state) replaces the current one, on a worker of its own when
   * `move` says so and one is free; setup runs again if the agent had been set up; then `replay`.
   */
  private async replaceEngine(replay: ReplayCall[], redeliver: [number, string, string][], move: 'dedicated' | undefined, why?: string): Promise<void> {
    await this.exclusive(async () => {
      const wasRunning = this.statusValue === 'running';
      const moving = move === 'dedicated' && this.isolation !== 'dedicated' && dedicatedAvailable();
      if (moving) this.isolation = 'dedicated';
      await this.current?.terminate();
      this.current = undefined;
      if (move && !moving) {
        const slice = enginePoolConfig().sliceMs;
        const reason = this.isolation === 'dedicated' ? 'its engine was reset' : `no worker of its own is free (at most ${enginePoolConfig().dedicatedMax}): its engine was reset`;
        for (const call of replay.splice(0)) {
          call.reject(new SandboxError('timeout', `${call.fn} was stopped: it ran longer than the ${slice} ms CPU slice of a shared worker and ${reason}`, { agent: this.name, phase: call.fn, fatal: false }));
        }
      }
      try {
        this.current = await this.spawn(this.code);
        this.statusValue = wasRunning ? 'loaded' : this.statusValue;
        if (wasRunning && !replay.some((c) => c.fn === 'setup')) {
          await this.current.call('setup');
          this.statusValue = 'running';
        }
      } catch (e) {
        const err = e instanceof SandboxError ? e : new SandboxError('crash', String(e), { agent: this.name, phase: 'setup', fatal: true });
        for (const call of replay.splice(0)) call.reject(err);
        if (!this.current?.alive && this.statusValue !== 'terminated') this.markCrashed(new SandboxError(err.kind, `${this.name} could not be brought back: ${err.message}`, { ...err.detail, fatal: true }));
        return;
      }
      if (moving) this.opts.host.log('info', `${this.name} moved to a sandbox worker of its own: ${why ?? 'it needs more CPU than a shared worker gives one agent'}`);
      const instance = this.current;
      instance.redeliver(redeliver);
      for (const call of replay) {
        instance.call(call.fn, call.payload).then(
          (v) => {
            if (call.fn === 'setup') this.statusValue = 'running';
            call.resolve(v);
          },
          call.reject,
        );
      }
    });
  }

  async terminate(): Promise<void> {
    this.stopProcessLoop();
    this.statusValue = 'terminated';
    await Promise.all([this.current?.terminate(), this.candidate?.instance.terminate()]);
  }

  onCrash(listener: (error: SandboxError) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /** A call to the current instance; while a hot-swap or restart holds the gate, after it. Never throws: a failure is the promise's. */
  private invoke(fn: HookName, payload?: unknown): Promise<unknown> {
    if (this.gate) return this.invokeAfterGate(fn, payload);
    try {
      return this.callCurrent(fn, payload);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private async invokeAfterGate(fn: HookName, payload?: unknown): Promise<unknown> {
    while (this.gate) await this.gate;
    return this.callCurrent(fn, payload);
  }

  private callCurrent(fn: HookName, payload?: unknown): Promise<unknown> {
    this.assertNotTerminated(fn);
    const instance = this.current;
    if (!instance || !instance.alive) {
      throw new SandboxError('crash', `${fn}: ${this.name} is down — restart it`, { agent: this.name, phase: fn, fatal: true });
    }
    return instance.call(fn, payload);
  }

  /** Runs `work` while new calls wait (hot-swap, restart). */
  private async exclusive(work: () => Promise<void>): Promise<void> {
    while (this.gate) await this.gate;
    let open!: () => void;
    this.gate = new Promise<void>((r) => (open = r));
    try {
      await work();
    } finally {
      this.gate = undefined;
      open();
    }
  }

  private async spawn(code: CompiledCode): Promise<SandboxInstance> {
    try {
      return await this.spawnOn(code, this.isolation);
    } catch (e) {
      if (!(e instanceof NeedsOwnWorker)) throw e;
      if (!dedicatedAvailable()) {
        throw new SandboxError('timeout', `the code does not load: loading takes longer than the ${enginePoolConfig().sliceMs} ms CPU slice of a shared worker and no worker of its own is free`, {
          agent: this.name,
          phase: 'load',
          fatal: false,
        });
      }
      this.isolation = 'dedicated';
      this.opts.host.log('info', `${this.name} runs on a sandbox worker of its own: loading its code takes more than a shared worker's CPU slice`);
      return this.spawnOn(code, 'dedicated');
    }
  }

  private spawnOn(code: CompiledCode, isolation: WorkerKind): Promise<SandboxInstance> {
    let self: SandboxInstance | undefined;
    const started = SandboxInstance.start({
      isolation,
      name: this.name,
      actorId: this.actorId,
      js: code.js,
      ...(code.map ? { map: code.map } : {}),
      limits: this.limits,
      host: this.opts.host,
      state: this.stateValue,
      intervalSeconds: this.interval,
      env: this.opts.env ?? {},
      modules: this.opts.modules ?? {},
      onState: (state, interval) => {
        if (self && this.candidate?.instance === self) Object.assign(this.candidate, { state, interval });
        else if (self && self === this.current) this.applyState(state, interval);
      },
      onFatal: (error) => {
        if (!self || self !== this.current) return;
        noteFailure(this.name);
        this.markCrashed(error);
      },
      onMove: (replay, redeliver) => {
        if (!self || self !== this.current) {
          for (const call of replay) call.reject(new SandboxError('timeout', `${call.fn} ran longer than the CPU slice of a shared worker`, { agent: this.name, phase: call.fn, fatal: false }));
          return;
        }
        void this.replaceEngine(replay, redeliver, 'dedicated', `a stretch of its code ran longer than the ${enginePoolConfig().sliceMs} ms CPU slice of a shared worker (it ran again there)`);
      },
      onReset: (error) => {
        if (!self || self !== this.current) return;
        this.opts.host.log('warning', `${this.name}: ${error.message}`);
        void this.replaceEngine([], [], undefined);
      },
      onHog: () => {
        if (!self || self !== this.current || this.isolation === 'dedicated' || !dedicatedAvailable()) return;
        void this.moveBetweenCalls().catch((e: Error) => this.opts.host.log('warning', `${this.name} could not move to a worker of its own: ${e.message}`));
      },
    });
    return started.then(async (instance) => {
      // Terminated while the engine was starting (a reset or move racing a stop): it must not outlive the agent.
      if (this.statusValue === 'terminated') {
        await instance.terminate();
        throw new SandboxError('stopped', `${this.name} was terminated`, { agent: this.name, phase: 'load', fatal: true });
      }
      return (self = instance);
    });
  }

  /** Keeps using whole slices while neighbours wait: the next engine is its own, started beside the current one as a hot-swap does. */
  private async moveBetweenCalls(): Promise<void> {
    this.isolation = 'dedicated';
    await this.swapIn(this.code);
    this.opts.host.log('info', `${this.name} moved to a sandbox worker of its own: it kept using whole CPU slices while other agents waited`);
  }

  private markCrashed(error: SandboxError): void {
    this.statusValue = 'crashed';
    this.opts.host.log('error', `${this.name} crashed: ${error.message}`);
    for (const listener of this.crashListeners) listener(error);
  }

  private applyState(state: Record<string, unknown>, interval: number): void {
    this.stateValue = state;
    this.interval = interval;
    this.opts.host.saveState(state);
  }

  private assertNotTerminated(what: string): void {
    if (this.statusValue === 'terminated') throw new SandboxError('stopped', `${what}: ${this.name} was terminated`, { agent: this.name, phase: what, fatal: true });
  }
}

interface CompiledCode {
  js: string;
  map?: PositionMap;
}

/** TypeScript → JavaScript + position map (syntax errors become `bad_code` with line/column); JavaScript as is. */
function compile(code: string, language: AgentLanguage, agent: string): CompiledCode {
  if (language !== 'typescript') return { js: code };
  const { js, diagnostics, map } = transpileAgentCode(code, 'typescript');
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new SandboxError('bad_code', `the code does not compile: ${formatDiagnostics(errors)}`, { agent, phase: 'load', fatal: false, diagnostics: errors });
  }
  return map ? { js, map } : { js };
}

function refused(agent: string, e: unknown): SandboxError {
  const err = e instanceof SandboxError ? e : new SandboxError('crash', String(e), { agent, phase: 'setup', fatal: false });
  const phase = err.detail.phase === 'load' ? 'the new version does not load' : `setup of the new version failed`;
  return new SandboxError(err.kind, `hot-swap refused, the previous version keeps running: ${phase}: ${err.message}`, {
    ...err.detail,
    fatal: false,
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
