/**
 * The stable handle the DynamicAgent actor holds: one agent across engine instances. It owns what
 * must outlive an instance — the code, the last state the agent reported, the process loop, the
 * crash listeners — and swaps instances for hot-swap and restart.
 */
import { SandboxError, formatDiagnostics } from './errors.js';
import { SandboxInstance, type HookName } from './sandbox-instance.js';
import type { PositionMap } from './source-map.js';
import { transpileAgentCode } from './transpile.js';
import {
  DEFAULT_LIMITS,
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

  constructor(private readonly opts: SandboxedAgentOptions) {
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

  async start(): Promise<void> {
    this.current = await this.spawn(this.code);
  }

  async setup(): Promise<void> {
    await this.invoke('setup');
    if (this.statusValue === 'loaded') this.statusValue = 'running';
  }

  async handleTask(payload: unknown): Promise<unknown> {
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
    const compiled = compile(code, language, this.name);
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

  async terminate(): Promise<void> {
    this.stopProcessLoop();
    this.statusValue = 'terminated';
    await Promise.all([this.current?.terminate(), this.candidate?.instance.terminate()]);
  }

  onCrash(listener: (error: SandboxError) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  private async invoke(fn: HookName, payload?: unknown): Promise<unknown> {
    while (this.gate) await this.gate;
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

  private spawn(code: CompiledCode): Promise<SandboxInstance> {
    let self: SandboxInstance | undefined;
    const started = SandboxInstance.start({
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
        this.statusValue = 'crashed';
        this.opts.host.log('error', `${this.name} crashed: ${error.message}`);
        for (const listener of this.crashListeners) listener(error);
      },
    });
    return started.then((instance) => (self = instance));
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
