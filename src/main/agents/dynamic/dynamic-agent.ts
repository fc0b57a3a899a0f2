/**
 * DynamicAgent: the actor around one agent's code, which runs in its own sandbox (a QuickJS engine
 * in a worker thread: ./sandbox). The actor gives it a name, a mailbox, heartbeats and supervision:
 * - start: the sandbox is created with the agent's last `state` and `setup(agent)` runs; then
 *   `process(agent)` is called every `agent.interval` seconds when the module exports it;
 * - TASK → `handleTask(agent, payload)` → RESULT; failures are typed ERRORs (timeout,
 *   out_of_memory, crash, bad_code, stopped). Tasks are handed to the sandbox as they come
 *   (up to MAX_IN_FLIGHT), so a slow task does not hold the mailbox and throughput is the engine's;
 * - the sandbox dying (out of memory, engine failure) or `process` running past its time limit
 *   crashes this actor alone: the supervisor restarts it from the registry's latest code, and
 *   gives up after its limit;
 * - hot-swap: the new version is set up beside the old one, then replaces it (state and
 *   subscriptions follow; a version that fails is refused and the old one keeps running);
 * - stop: `cleanup(agent)` (bounded), the engine is terminated, the state flushed;
 * - as the original did: failures of its code are published on `agents/{id}/errors`
 *   (error-events.ts), and a contract it declares (`agent.declareContract`) goes into its manifest.
 *
 * `prepare()` can run before the actor is spawned, so a new agent is tried (code loaded, setup run)
 * before it takes its name: a create or replace that fails leaves nothing behind.
 */
import type { Message } from '../../../shared/message.js';
import { Actor } from '../../core/actor.js';
import { ActorCrashError, toError } from '../../core/errors.js';
import { createSandboxedAgent, SandboxError, type AgentLanguage, type SandboxedAgent, type SandboxLimits } from './sandbox/index.js';
import type { BusGrant } from '../../../shared/grants.js';
import { createAgentHost, type AgentHostDeps, type AgentHostHandle } from './agent-host.js';
import { AgentPermissions } from './agent-permissions.js';
import { StateSaver } from './state-saver.js';
import { ErrorEvents, type ErrorPhase } from './error-events.js';
import type { AgentContract } from '../../../shared/agent-api.js';

/** What the registry knows about a code agent, as the actor needs it. */
export interface DynamicAgentSpec {
  name: string;
  /** `dynamic` (generated), `manual` (hand-written) or `catalog` (a recipe): the registry's kind. */
  registryKind: 'dynamic' | 'manual' | 'catalog';
  code: string;
  language: AgentLanguage;
  version: number;
  description: string;
  /** Effective capabilities (approvals' grant). */
  capabilities: string[];
  publishes: string[];
  /** Topics it declared it subscribes to (its manifest). */
  subscribes: string[];
  /** What it may do on the bus (src/shared/grants.ts), checked on every call by its host. */
  grant: BusGrant;
  inputSchema: unknown;
  outputSchema: unknown;
  /** Seconds between `process` calls (the original's poll_interval); the agent may change it. */
  pollInterval: number | undefined;
  limits: SandboxLimits;
  /** `agent.env`: declared secrets with their values. */
  env: Record<string, string>;
  /** Configuration the agent reads as `agent.state.config` (set at every start). */
  config: Record<string, unknown> | undefined;
  /** `dedicated`: a sandbox worker of its own (the manifest's `config.isolation`); default shared. */
  isolation?: 'shared' | 'dedicated';
  /** What its LLM calls may cost in total, USD (approvals: an LLM-made agent's is bounded). */
  llmBudgetUsd?: number;
}

export interface DynamicAgentDeps extends AgentHostDeps {
  /** Sources of the packages the agent may import (resolved at each start). */
  modules?: () => Promise<Record<string, string>>;
}

/** Tasks handed to the sandbox at once; past this the mailbox waits (backpressure). */
const MAX_IN_FLIGHT = 64;
/** The longest `cleanup(agent)` may hold a stop. */
const CLEANUP_GRACE_MS = 2_000;

/** Upper bound of a declared contract (JSON characters): it rides in the retained manifest. */
const MAX_CONTRACT_CHARS = 16_384;

export class DynamicAgent extends Actor {
  private specValue: DynamicAgentSpec;
  private sandbox: SandboxedAgent | undefined;
  private hostHandle: AgentHostHandle | undefined;
  private readonly saver: StateSaver;
  private preparing: Promise<void> | undefined;
  private loopTimer: NodeJS.Timeout | undefined;
  private loopActive = false;
  private inFlight = 0;
  private slotFreed: (() => void) | undefined;
  private readonly errors: ErrorEvents;
  private contract: AgentContract | undefined;

  constructor(
    spec: DynamicAgentSpec,
    private readonly deps: DynamicAgentDeps,
  ) {
    super({
      name: spec.name,
      kind: spec.registryKind === 'catalog' ? 'catalog' : 'dynamic',
      description: spec.description,
      capabilities: spec.capabilities,
      publishes: spec.publishes,
      subscribes: spec.subscribes,
      inputSchema: spec.inputSchema ?? null,
      outputSchema: spec.outputSchema ?? null,
    });
    this.specValue = spec;
    this.saver = new StateSaver(deps.system.persistence, spec.name, (m) => this.log('error', m));
    this.errors = new ErrorEvents(this, (m) => deps.system.telemetry.alert(this, m, 'critical'));
  }

  get spec(): Readonly<DynamicAgentSpec> {
    return this.specValue;
  }

  /** The agent's state as last reported by its code. */
  get agentState(): Record<string, unknown> {
    return this.sandbox?.state ?? {};
  }

  /**
   * Loads the code in a fresh sandbox and runs setup. Rejects with a SandboxError (bad_code with
   * line/column, crash, timeout…) and leaves nothing running when it fails.
   * `initialState` defaults to the state saved under this name.
   */
  prepare(initialState?: Record<string, unknown>): Promise<void> {
    this.preparing ??= this.doPrepare(initialState).catch(async (e: unknown) => {
      this.preparing = undefined;
      await this.teardown(false);
      throw e;
    });
    return this.preparing;
  }

  private async doPrepare(initialState?: Record<string, unknown>): Promise<void> {
    const spec = this.specValue;
    const saved = initialState ?? (await StateSaver.load(this.deps.system.persistence, spec.name)) ?? {};
    const state = spec.config && Object.keys(spec.config).length ? { ...saved, config: spec.config } : saved;
    const modules = this.deps.modules ? await this.deps.modules() : {};
    const permissions = new AgentPermissions({ system: this.deps.system, ...(this.deps.node ? { node: this.deps.node } : {}), ...(this.deps.log ? { log: this.deps.log } : {}), ...(this.deps.refusals ? { refusals: this.deps.refusals } : {}) }, this, spec.grant);
    this.hostHandle = createAgentHost(this.deps, {
      actor: this,
      permissions,
      state: this.saver,
      isCodeAgent: (a) => a instanceof DynamicAgent,
      declareContract: (c) => this.declareContract(c),
      ...(spec.llmBudgetUsd !== undefined ? { llmBudgetUsd: spec.llmBudgetUsd } : {}),
    });
    this.sandbox = await createSandboxedAgent({
      name: spec.name,
      actorId: this.actorId,
      code: spec.code,
      language: spec.language,
      limits: spec.limits,
      host: this.hostHandle.host,
      initialState: state,
      ...(spec.pollInterval !== undefined ? { intervalSeconds: spec.pollInterval } : {}),
      env: spec.env,
      modules,
      ...(spec.isolation ? { isolation: spec.isolation } : {}),
    });
    this.sandbox.onCrash((e) => this.crash(new ActorCrashError(`${e.kind}: ${e.message}`, { cause: e })));
    await this.sandbox.setup();
  }

  protected override async onStart(): Promise<void> {
    try {
      await this.prepare();
    } catch (e) {
      this.errors.report(e instanceof SandboxError && e.kind === 'bad_code' ? 'compile' : 'setup', e, true);
      throw e;
    }
    this.saver.activate();
    this.syncLoop();
  }

  /** What `agent.declareContract` said: kept for the manifest, published again once running. */
  private declareContract(c: AgentContract): void {
    // The manifest is retained and published by the hub (outside the agent's publish limits): a
    // contract is bounded, and one declared again unchanged is not republished.
    const text = JSON.stringify(c);
    if (text.length > MAX_CONTRACT_CHARS) throw new Error(`agent.declareContract: the contract is ${text.length} characters; at most ${MAX_CONTRACT_CHARS}`);
    if (this.contract && JSON.stringify(this.contract) === text) return;
    this.contract = c;
    if (this.state === 'running' || this.state === 'paused') this.deps.system.telemetry.manifest(this);
  }

  override manifestExtras(): Record<string, unknown> {
    const c = this.contract;
    if (!c) return {};
    return {
      publishes: [...new Set([...this.publishes, ...(c.publishes ?? [])])],
      subscribes: c.subscribes ?? [],
      triggers_when: c.triggers_when ?? {},
      produces_schema: c.produces_schema ?? {},
      consumes_schema: c.consumes_schema ?? {},
    };
  }

  private failed(phase: ErrorPhase, e: unknown): void {
    if (e instanceof SandboxError && e.kind === 'stopped') return; // the agent is going: not its code's failure
    this.errors.report(phase, e, e instanceof SandboxError && e.fatal);
  }

  protected override handleMessage(msg: Message): Promise<void> | void {
    if (msg.type !== 'TASK') return super.handleMessage(msg);
    this.inFlight++;
    this.currentTask = `task (${this.inFlight} in flight)`;
    this.sandbox!.handleTask(msg.payload).then(
      (result) => {
        this.counters.tasksCompleted++;
        this.errors.ok();
        this.reply(msg, result);
      },
      (e: unknown) => {
        this.counters.tasksFailed++;
        this.counters.errors++;
        this.replyError(msg, e);
        this.failed('handle_task', e);
        const err = e as SandboxError;
        if (!(err instanceof SandboxError) || !err.fatal) this.log('warning', `task from ${msg.sender} failed: ${toError(e).message}`);
      },
    ).finally(() => {
      this.inFlight--;
      if (this.inFlight === 0) this.currentTask = null;
      this.slotFreed?.();
    });
    // Backpressure: past MAX_IN_FLIGHT the mailbox waits for a slot.
    if (this.inFlight >= MAX_IN_FLIGHT) return new Promise<void>((r) => (this.slotFreed = () => ((this.slotFreed = undefined), r())));
  }

  /**
   * Replaces the running code: the new version is loaded and set up beside the old one, then takes
   * over (state kept; the old version's cleanup runs and its subscriptions end). Rejects with a
   * SandboxError when the new version fails — the old one keeps running.
   */
  async hotSwap(code: string, language: AgentLanguage, version: number): Promise<void> {
    if (!this.sandbox) throw new Error(`${this.name} is not running`);
    await this.sandbox.hotSwap(code, language);
    this.specValue = { ...this.specValue, code, language, version };
    this.log('info', `hot-swapped to version ${version}`);
    this.deps.system.telemetry.beat(this);
    this.syncLoop();
  }

  /** The registry's version number for the running code (known once it is stored). */
  setVersion(version: number): void {
    this.specValue = { ...this.specValue, version };
  }

  override heartbeatExtras(): Record<string, unknown> {
    return { code_version: this.specValue.version, language: this.specValue.language };
  }

  override metricsExtras(): Record<string, unknown> {
    // Its LLM spend, once it has any (the original's DynamicAgent metrics carried it): the final metrics keep it after a delete.
    const llm = this.deps.costs.forAgent(this.name);
    const spent = llm.calls > 0 ? { tokens_in: llm.inputTokens, tokens_out: llm.outputTokens, cost_usd: llm.costUsd } : {};
    return { code_version: this.specValue.version, tasks_in_flight: this.inFlight, ...spent };
  }

  protected override async onStop(): Promise<void> {
    await this.teardown(true);
  }

  /** Not accepted after all (a refused create or replace): stop the engine, keep no state. */
  async discard(): Promise<void> {
    this.saver.discard();
    await this.teardown(false);
  }

  private async teardown(runCleanup: boolean): Promise<void> {
    this.stopLoop();
    const sandbox = this.sandbox;
    this.sandbox = undefined;
    if (sandbox) {
      if (runCleanup && sandbox.status === 'running' && sandbox.exports.cleanup) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          sandbox.cleanup().catch((e: unknown) => this.log('warning', `cleanup failed: ${toError(e).message}`)),
          new Promise<void>((r) => (timer = setTimeout(r, CLEANUP_GRACE_MS))),
        ]);
        clearTimeout(timer);
      }
      await sandbox.terminate();
    }
    this.hostHandle?.close();
    this.hostHandle = undefined;
    this.slotFreed?.();
    await this.saver.flush();
  }

  // ── the process loop ──────────────────────────────────────────────────────

  /** Runs the loop when (and only while) the current version exports `process`. */
  private syncLoop(): void {
    const wanted = Boolean(this.sandbox?.exports.process);
    if (wanted && !this.loopActive) {
      this.loopActive = true;
      this.scheduleTick(0);
    } else if (!wanted) this.stopLoop();
  }

  private stopLoop(): void {
    this.loopActive = false;
    clearTimeout(this.loopTimer);
    this.loopTimer = undefined;
  }

  private scheduleTick(delayMs: number): void {
    this.loopTimer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    this.loopTimer = undefined;
    const sandbox = this.sandbox;
    if (!this.loopActive || !sandbox) return;
    if (this.state === 'running' && sandbox.exports.process) {
      try {
        await sandbox.runProcessTick();
        this.errors.ok();
      } catch (e) {
        this.failed('process', e);
        const err = e as SandboxError;
        if (err instanceof SandboxError && err.kind === 'timeout') {
          // A process call that never ends is a broken agent, not a slow one: let the supervisor decide.
          this.crash(new ActorCrashError(`process did not finish within ${this.specValue.limits.callTimeoutMs} ms: ${err.message}`, { cause: err }));
          return;
        }
        if (!(err instanceof SandboxError) || !err.fatal) this.log('error', `process failed: ${toError(e).message}`);
      }
    }
    if (this.loopActive && this.sandbox === sandbox) this.scheduleTick(Math.max(0.05, sandbox.intervalSeconds) * 1000);
  }
}
