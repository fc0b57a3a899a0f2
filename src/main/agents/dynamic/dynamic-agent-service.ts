/**
 * The DynamicAgent service: the spawn registry (SQLite: name, kind, code, version history, config)
 * and everything that changes it — create, hot-swap, rollback, delete, spawns from `<spawn>` blocks
 * (dynamic, manual, llm, ha_actuator) — plus restoring every registered agent at hub start with its
 * latest code and state. One operation per agent name at a time.
 *
 * Invariants:
 * - code is checked (syntax, exports, TypeScript types) and tried (loaded, setup run) before it is
 *   stored or takes over a name; a failure leaves the registry and the running agent untouched;
 * - every accepted code change is a new version; a rollback is a new version with old code;
 * - agents run supervised: their factory rebuilds them from the registry's latest entry;
 * - an agent deleted any way (REST, a `delete` command over MQTT) leaves the registry with its state.
 */
import type { Actor } from '../../core/actor.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { SupervisionOptions } from '../../core/supervisor.js';
import { toError } from '../../core/errors.js';
import type { CostTracker } from '../../llm/cost-tracker.js';
import type { LlmProvider } from '../../llm/provider.js';
import type { HubLogger } from '../../hub/logger.js';
import { summarize } from '../../hub/actor-hub-api.js';
import { SpawnRegistry, type SpawnEntry } from '../../persistence/stores/spawn-registry.js';
import type { AgentCodeResponse, AgentSummary } from '../../../shared/rest.js';
import { createLlmAgent } from '../llm/create-llm-agent.js';
import { closeEnginePool, DEFAULT_LIMITS, SandboxError, type AgentExports, type AgentLanguage, type CodeDiagnostic, type SandboxLimits } from './sandbox/index.js';
import { DynamicAgent } from './dynamic-agent.js';
import { checkAgentCode, describeDiagnostics, type CodeCheck } from './code-check.js';
import { dynamicSpecFrom, publicConfig, readStoredConfig, supervisionFor, type ServiceDefaults, type StoredConfig } from './agent-config.js';
import { DynamicAgentError, type DynamicAgentErrorDetail, type DynamicAgentErrorKind } from './errors.js';
import { actorIdFor } from '../../core/actor-id.js';
import { TopicObserver, type TopicObserverOptions } from './topic-observer.js';
import type { SpawnSpec } from './spawn-spec.js';
import { AGENT_NAME_PATTERN } from './spawn-spec.js';

/** The Home Assistant part, as far as spawning actuators goes (see agents/home-assistant). */
export interface HomeAssistantSpawner {
  /** Null when Home Assistant is not configured (`reason` says why). */
  readonly connection: unknown;
  readonly reason?: string | undefined;
  createActuator(spec: unknown): Actor;
}

/** A code agent for another machine: the spawn spec's fields (snake_case) plus `node`. */
export interface RemoteSpawnRequest {
  name: string;
  node: string;
  code: string;
  language: AgentLanguage;
  type: 'dynamic' | 'manual';
  description?: string;
  capabilities?: string[];
  publishes?: string[];
  input_schema?: unknown;
  output_schema?: unknown;
  poll_interval?: number;
  env?: string[];
  config?: Record<string, unknown>;
  replace?: boolean;
}

/**
 * The fleet, as far as DynamicAgents go (src/main/nodes' NodeRegistry implements it): code agents
 * with a `node` are placed there; it records them in the spawn registry (with `node`) and brings
 * them back on its own. Its errors carry `kind` (bad_input, conflict, not_found, unavailable).
 */
export interface RemoteNodes {
  spawnOnNode(input: RemoteSpawnRequest, opts?: { source?: string }): Promise<{ ok: boolean; status: string; message: string; version?: number }>;
  removeFromNode(name: string): Promise<{ ok: boolean; message: string }>;
  isRemote(name: string): boolean;
  askRemote<T = unknown>(name: string, payload: unknown, timeoutMs?: number, from?: string): Promise<T>;
}

export interface DynamicAgentServiceOptions {
  system: ActorSystem;
  /** The raw provider (each agent's calls are billed to it). */
  llm: LlmProvider;
  costs: CostTracker;
  homeAssistant?: HomeAssistantSpawner | null;
  /** Default limits per agent (an agent's config may override them). */
  limits?: Partial<SandboxLimits>;
  /** Default restart policy of code agents. */
  supervision?: SupervisionOptions;
  /** Values of declared secrets (`agent.env`). Default: `WACTORZ_SECRET_<NAME>` from the environment. */
  secrets?: (name: string) => string | undefined;
  log?: HubLogger;
  fetchImpl?: typeof fetch;
  observer?: TopicObserverOptions;
  /** How long `restore()` waits for the registered agents to start (default 10 s). */
  restoreWaitMs?: number;
  /**
   * Installed npm packages as sources the sandbox can import (`{name: source}`), for the packages
   * an agent declares (`install`); e.g. the installer's `modulesFor(packagesDir, specs)`. Without
   * it an agent that imports a package is refused by the check.
   */
  resolveModules?: (packages: readonly string[]) => Promise<Record<string, string>>;
  /** Remote nodes; without them a spawn with a `node` other than this hub is refused. */
  nodes?: RemoteNodes;
}

/** Code agents crash for reasons a restart rarely fixes: give up sooner than core actors do. */
export const DEFAULT_DYNAMIC_SUPERVISION: SupervisionOptions = { strategy: 'ONE_FOR_ONE', maxRestarts: 3, windowMs: 60_000, restartDelayMs: 1_000, backoffFactor: 2 };

/** `node` values that mean this hub. */
const LOCAL_NODE_NAMES = ['', 'local', 'localhost', 'hub', 'main'];

function isRemoteNode(node: string | undefined): boolean {
  return node !== undefined && !LOCAL_NODE_NAMES.includes(node.trim().toLowerCase());
}

function lowerFirst(s: string): string {
  return s ? `${s[0]!.toLowerCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}` : '';
}

export type CodeAgentKind = 'dynamic' | 'manual' | 'catalog';

export interface CreateAgentInput {
  name: string;
  code: string;
  language?: AgentLanguage;
  kind?: CodeAgentKind;
  description?: string;
  capabilities?: string[];
  publishes?: string[];
  inputSchema?: unknown;
  outputSchema?: unknown;
  /** Limits, supervision and poll interval (snake_case keys, see agent-config.ts) merged into the stored config. */
  tuning?: Partial<Pick<StoredConfig, 'memory_mb' | 'call_timeout_ms' | 'poll_interval' | 'max_restarts' | 'restart_delay_ms'>>;
  /** Secret values for `agent.env` (given by the user). */
  env?: Record<string, string>;
  /** Secret names the agent declares (values from the hub's secrets). */
  envNames?: string[];
  /** The agent's own configuration (`agent.state.config`). */
  config?: Record<string, unknown>;
  install?: string[];
  /** Replace an agent of that name instead of answering 409 (its state is kept). */
  replace?: boolean;
  /** Another machine's node to run it on ('' or absent: this hub). */
  node?: string;
  /** Who asks: rest, llm, writer, catalog, planner… (stored). */
  source?: string;
}

export interface DeployResult {
  name: string;
  id: string;
  kind: string;
  version: number;
  language: AgentLanguage;
  state: string;
  exports: AgentExports;
  /** Warnings of the static check (errors refuse the code). */
  diagnostics: CodeDiagnostic[];
  /** The code was the current version already: nothing changed. */
  unchanged?: boolean;
  /** The node it runs on (remote agents only). */
  node?: string;
  /** What happened, in a sentence (remote agents: running, or queued until the node answers). */
  message?: string;
}

export interface AgentDescription extends Partial<AgentSummary> {
  name: string;
  /** Whether the spawn registry knows it (it comes back after a restart). */
  registered: boolean;
  spec: {
    type: string;
    language: string | null;
    version: number;
    description: string;
    capabilities: string[];
    publishes: string[];
    input_schema: unknown;
    output_schema: unknown;
    poll_interval: number | null;
    node: string;
    created_at: number;
    updated_at: number;
    versions: number;
    config: Record<string, unknown>;
  } | null;
}

export interface SpawnReport {
  ok: boolean;
  name: string;
  type: string;
  /** One sentence for the user: what was spawned and what it does, or why not. */
  message: string;
  version?: number;
}

export class DynamicAgentService {
  readonly registry: SpawnRegistry;
  readonly observer: TopicObserver;
  private readonly system: ActorSystem;
  private readonly defaults: ServiceDefaults;
  private readonly supervision: SupervisionOptions;
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Names this service is removing itself (replace, delete): not a user's delete. */
  private readonly removing = new Set<string>();
  private offDeleted: (() => void) | undefined;

  constructor(private readonly opts: DynamicAgentServiceOptions) {
    this.system = opts.system;
    this.registry = new SpawnRegistry(opts.system.persistence.db);
    this.observer = new TopicObserver(opts.observer);
    const env = process.env;
    this.defaults = {
      limits: { ...DEFAULT_LIMITS, ...definedOnly(opts.limits ?? {}) },
      supervision: { ...DEFAULT_DYNAMIC_SUPERVISION, ...opts.supervision },
      secret: opts.secrets ?? ((name) => env[`WACTORZ_SECRET_${name}`]),
    };
    this.supervision = this.defaults.supervision;
  }

  /** Starts watching the bus (for `agent.topics()` / `agent.window()`) and user deletes. */
  start(): void {
    this.observer.start(this.system.bus);
    if (this.offDeleted) return;
    const onDeleted = (actor: Actor): void => {
      if (this.removing.has(actor.name) || !this.registry.get(actor.name)) return;
      this.registry.remove(actor.name);
      void this.system.persistence.forgetActor(actor.name).catch(() => undefined);
      this.log('info', `${actor.name} was deleted: removed from the spawn registry`);
    };
    this.offDeleted = this.system.events.on('deleted', onDeleted);
  }

  async close(): Promise<void> {
    this.offDeleted?.();
    this.offDeleted = undefined;
    this.observer.stop();
    await closeEnginePool();
  }

  // ── restore ───────────────────────────────────────────────────────────────

  /**
   * Spawns every registered agent again (latest code, saved state), all at once. Failures are
   * logged, never thrown. Waits at most `restoreWaitMs` (an agent whose setup hangs must not hold
   * the hub's start): agents still starting then are listed as `pending` and come up on their own.
   */
  async restore(): Promise<{ restored: string[]; failed: { name: string; error: string }[]; pending: string[] }> {
    const restored: string[] = [];
    const failed: { name: string; error: string }[] = [];
    const started = new Set<string>();
    const all = Promise.all(
      this.registry.list().map((entry) =>
        this.withLock(entry.name, async () => {
          const running = this.system.get(entry.name);
          if (running && running.state !== 'stopped' && running.state !== 'failed') return;
          if (entry.node && this.opts.nodes) return; // the node registry brings its agents back
          started.add(entry.name);
          if (entry.node) {
            failed.push({ name: entry.name, error: `it runs on node "${entry.node}" (remote nodes are not wired in this hub)` });
            return;
          }
          try {
            const actor = await this.spawnEntry(entry);
            if (actor.state === 'failed') throw new Error('it crashed while starting (see its logs)');
            restored.push(entry.name);
          } catch (e) {
            failed.push({ name: entry.name, error: toError(e).message });
          }
        }),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, this.opts.restoreWaitMs ?? 10_000)))]);
    clearTimeout(timer);
    const done = new Set([...restored, ...failed.map((f) => f.name)]);
    const pending = [...started].filter((n) => !done.has(n));
    if (pending.length) this.log('warning', `still starting after ${this.opts.restoreWaitMs ?? 10_000} ms (they come up on their own): ${pending.join(', ')}`);
    if (restored.length) this.log('info', `restored ${restored.length} agent(s) from the spawn registry: ${restored.join(', ')}`);
    for (const f of failed) this.log('warning', `could not restore ${f.name}: ${f.error}`);
    return { restored: [...restored], failed: [...failed], pending };
  }

  // ── code agents ───────────────────────────────────────────────────────────

  check(code: string, language: AgentLanguage = 'javascript'): CodeCheck {
    return checkAgentCode(code, language);
  }

  /** Checks, tries and starts a new code agent (or replaces one with `replace`), then registers it. */
  create(input: CreateAgentInput): Promise<DeployResult> {
    return this.withLock(input.name, () => this.createLocked(input));
  }

  private async createLocked(input: CreateAgentInput): Promise<DeployResult> {
    const { name } = input;
    if (!AGENT_NAME_PATTERN.test(name)) throw new DynamicAgentError('bad_input', `invalid agent name "${name}": letters, digits, - and _ only`);
    if (isRemoteNode(input.node)) return this.createRemote(input, input.node!);
    const existing = this.system.get(name);
    const entry = this.registry.get(name);
    if (existing?.isProtected) throw new DynamicAgentError('protected', `"${name}" is a protected core actor`);
    if ((existing || entry) && !input.replace) throw new DynamicAgentError('conflict', `an agent named "${name}" already exists`);
    const language = input.language ?? 'javascript';
    const cfg = this.storedConfigFor(input, entry);
    const check = this.checkOrThrow(input.code, language, cfg.install);
    const kind = input.kind ?? (entry && isCodeKind(entry.kind) ? (entry.kind as CodeAgentKind) : 'dynamic');
    // Tried under its name before it takes it: state carries over from a replaced agent.
    const carried = existing instanceof DynamicAgent && existing.state !== 'failed' ? existing.agentState : undefined;
    const version = entry ? entry.version + 1 : 1;
    const actor = this.buildDynamic({ name, kind, code: input.code, language, version }, cfg);
    await this.tryOut(actor, carried);
    if (existing) await this.removeQuietly(name);
    const stored = this.registry.upsert({ name, kind, code: input.code, language, config: cfg, node: '', note: entry ? 'replaced' : 'created' });
    actor.setVersion(stored.version);
    await this.spawnSupervised(name, cfg, actor, () => this.buildFromRegistry(name));
    this.log('info', `${entry ? 'replaced' : 'created'} ${name} (version ${stored.version})`);
    return this.result(actor, check);
  }

  /** Hot-swaps new code in (PUT /agents/{name}/code): checked, set up beside the old version, then swapped. */
  deploy(name: string, code: string, language?: AgentLanguage, note = 'deploy'): Promise<DeployResult> {
    return this.withLock(name, async () => {
      const entry = this.requireCodeEntry(name);
      const lang = language ?? (entry.language === 'typescript' ? 'typescript' : 'javascript');
      if (entry.node) return this.redeployRemote(entry, code, lang);
      const check = this.checkOrThrow(code, lang, readStoredConfig(entry.config).install);
      if (entry.code === code && entry.language === lang) {
        const actor = this.system.get(name);
        if (actor instanceof DynamicAgent && (actor.state === 'running' || actor.state === 'paused')) return { ...this.result(actor, check), unchanged: true };
      }
      const stored = await this.swapIn(entry, code, lang, () => this.registry.upsert({ name, kind: entry.kind, code, language: lang, note }));
      return this.result(stored, check);
    });
  }

  /** Makes an earlier version current again (as a new version), hot-swapped like a deploy. */
  rollback(name: string, version: number): Promise<DeployResult & { rolled_back_to: number }> {
    return this.withLock(name, async () => {
      const entry = this.requireCodeEntry(name);
      const target = this.registry.codeVersion(name, version);
      if (!target) throw new DynamicAgentError('not_found', `${name} has no version ${version} (versions: ${this.registry.versions(name).map((v) => v.version).join(', ')})`);
      const lang: AgentLanguage = target.language === 'typescript' ? 'typescript' : 'javascript';
      if (entry.node) return { ...(await this.redeployRemote(entry, target.code, lang)), rolled_back_to: version };
      const check = this.checkOrThrow(target.code, lang, readStoredConfig(entry.config).install);
      const actor = await this.swapIn(entry, target.code, lang, () => this.registry.rollback(name, version));
      return { ...this.result(actor, check), rolled_back_to: version };
    });
  }

  /** Stops an agent and forgets it: registry, code history and everything it stored. Protected actors are refused. */
  remove(name: string): Promise<{ name: string; removed: true }> {
    return this.withLock(name, async () => {
      const actor = this.system.get(name);
      const key = actor?.name ?? name;
      const entry = this.registry.get(key);
      if (!actor && entry?.node && this.opts.nodes?.isRemote(key)) {
        const r = await this.remote('remove', () => this.opts.nodes!.removeFromNode(key));
        this.log('info', r.message);
        return { name: key, removed: true as const };
      }
      if (!actor && !entry) throw new DynamicAgentError('not_found', `no agent named "${name}"`);
      if (actor?.isProtected) throw new DynamicAgentError('protected', `${actor.name} is protected: refusing to delete it`);
      if (actor) await this.removeQuietly(key);
      this.registry.remove(key);
      await this.system.persistence.forgetActor(key).catch((e: unknown) => this.log('warning', `could not remove ${key}'s stored data: ${toError(e).message}`));
      this.log('info', `deleted ${key}`);
      return { name: key, removed: true as const };
    });
  }

  /** A TASK to any actor (by name or id), answered with its RESULT; rejects with AskError (typed kind). */
  task(nameOrId: string, payload: unknown, timeoutMs = 60_000): Promise<unknown> {
    if (!this.system.get(nameOrId) && this.opts.nodes?.isRemote(nameOrId)) return this.opts.nodes.askRemote(nameOrId, payload, timeoutMs, 'rest');
    return this.system.ask(nameOrId, payload, timeoutMs, 'rest');
  }

  // ── reading ───────────────────────────────────────────────────────────────

  describe(nameOrId: string): AgentDescription | undefined {
    const actor = this.system.get(nameOrId);
    const name = actor?.name ?? nameOrId;
    const entry = this.registry.get(name);
    if (!actor && !entry) return undefined;
    const summary = actor ? summarize(this.system, this.opts.costs, actor) : {};
    let spec: AgentDescription['spec'] = null;
    if (entry) {
      const cfg = readStoredConfig(entry.config);
      spec = {
        type: entry.kind,
        language: entry.language,
        version: entry.version,
        description: cfg.description,
        capabilities: cfg.capabilities,
        publishes: cfg.publishes,
        input_schema: cfg.input_schema ?? null,
        output_schema: cfg.output_schema ?? null,
        poll_interval: cfg.poll_interval ?? null,
        node: entry.node,
        created_at: entry.createdAt,
        updated_at: entry.updatedAt,
        versions: this.registry.versions(name).length,
        config: publicConfig(cfg),
      };
    }
    return { ...summary, name, registered: Boolean(entry), spec };
  }

  /** The current code (or version `version`'s) with the version list, newest first. */
  code(name: string, version?: number): AgentCodeResponse {
    const entry = this.requireCodeEntry(name);
    const versions = this.registry.versions(name).map((v) => ({ version: v.version, created_at: v.createdAt, ...(v.note ? { note: v.note } : {}) }));
    if (version !== undefined && version !== entry.version) {
      const v = this.versionCode(name, version);
      return { name, code: v.code, language: v.language, version: v.version, versions };
    }
    return { name, code: entry.code ?? '', language: entry.language === 'typescript' ? 'typescript' : 'javascript', version: entry.version, versions };
  }

  versionCode(name: string, version: number): { name: string; version: number; code: string; language: AgentLanguage; created_at: number; note: string } {
    this.requireCodeEntry(name);
    const v = this.registry.codeVersion(name, version);
    if (!v) throw new DynamicAgentError('not_found', `${name} has no version ${version}`);
    return { name, version: v.version, code: v.code, language: v.language === 'typescript' ? 'typescript' : 'javascript', created_at: v.createdAt, note: v.note };
  }

  // ── spawn specs (<spawn> blocks, the agent writer, the planner) ──────────

  /** Spawns what a validated spawn spec asks for. Never throws: the report says what happened. */
  async spawnFromSpec(spec: SpawnSpec, source = 'llm'): Promise<SpawnReport> {
    const base = { name: spec.name, type: spec.type };
    try {
      if (isRemoteNode(spec.node) && spec.type !== 'dynamic' && spec.type !== 'manual') {
        throw new DynamicAgentError('bad_input', `a ${spec.type} agent cannot run on a node (nodes run code agents); leave "node" out`);
      }
      const notes = await this.install(spec);
      const message = await this.spawnByType(spec, source);
      return { ok: true, ...base, ...message, message: [message.message, ...notes].join(' ') };
    } catch (e) {
      const err = toError(e);
      const detail = e instanceof DynamicAgentError && e.detail?.diagnostics?.length ? `\n${describeDiagnostics(e.detail.diagnostics, 5)}` : '';
      return { ok: false, ...base, message: `${spec.name} was not spawned: ${err.message}${detail}` };
    }
  }

  private async spawnByType(spec: SpawnSpec, source: string): Promise<{ message: string; version?: number }> {
    const what = spec.description ? `: ${spec.description}` : '';
    switch (spec.type) {
      case 'dynamic':
      case 'manual': {
        const config = spec.config ?? {};
        const tuning = pickTuning(config);
        const r = await this.create({
          name: spec.name,
          code: spec.code ?? '',
          language: spec.language ?? 'javascript',
          kind: spec.type,
          description: spec.description,
          capabilities: spec.capabilities,
          ...(spec.publishes ? { publishes: spec.publishes } : {}),
          inputSchema: spec.input_schema,
          outputSchema: spec.output_schema,
          tuning: { ...tuning, ...(spec.poll_interval !== undefined ? { poll_interval: spec.poll_interval } : {}) },
          envNames: spec.env ?? [],
          config: omitKeys(config, Object.keys(tuning)),
          install: spec.install,
          replace: spec.replace,
          ...(spec.node ? { node: spec.node } : {}),
          source,
        });
        if (r.node) return { message: `${r.message ?? `Spawned ${r.name} on node ${r.node}.`}${what ? ` It ${lowerFirst(spec.description)}` : ''}`, version: r.version };
        return { message: `Spawned ${r.name} (version ${r.version})${what}.`, version: r.version };
      }
      case 'llm':
        return this.withLock(spec.name, async () => {
          const cfg = readStoredConfig({ description: spec.description, capabilities: spec.capabilities, system_prompt: spec.system_prompt ?? spec.prompt, source });
          await this.replaceWith(spec.name, spec.replace, 'llm', cfg, () => this.buildLlm(spec.name, cfg));
          return { message: `Spawned ${spec.name}, an LLM agent${what}. Talk to it with @${spec.name}.` };
        });
      case 'ha_actuator': {
        const ha = this.opts.homeAssistant;
        if (!ha || !ha.connection) {
          throw new DynamicAgentError('unavailable', `Home Assistant is not configured (${ha?.reason ?? 'set HA_URL and HA_TOKEN'}), so the actuator was not created`);
        }
        return this.withLock(spec.name, async () => {
          const cfg = readStoredConfig({ description: spec.description, spec: { ...spec, name: spec.name }, source });
          await this.replaceWith(spec.name, spec.replace, 'ha_actuator', cfg, () => ha.createActuator(cfg.spec));
          return { message: `Spawned ${spec.name}, a Home Assistant actuator${what}.` };
        });
      }
    }
  }

  /** npm packages a spec declares: the installer's business, when there is one. */
  private async install(spec: SpawnSpec): Promise<string[]> {
    if (!spec.install.length) return [];
    const list = spec.install.join(', ');
    const installer = this.system.get('installer');
    if (!installer || installer.state !== 'running') {
      return [`It asked for npm packages (${list}); they were not installed: packages need the installer agent, which is not running.`];
    }
    try {
      // Never `approvedByUser`: this list comes from LLM output; the installer's allowlist decides.
      const outcome = (await this.system.ask('installer', { packages: spec.install, agent: spec.name }, 300_000, 'dynamic-agents')) as { status?: unknown; message?: unknown } | null;
      const said = typeof outcome?.message === 'string' ? outcome.message : '';
      if (outcome?.status === 'installed') return [said || `Installed ${list}.`];
      return [`${list} ${outcome?.status === 'needs_approval' ? 'need your approval before they can be installed' : 'were not installed'}${said ? `: ${said}` : '.'}`];
    } catch (e) {
      return [`Installing ${list} failed: ${toError(e).message}.`];
    }
  }

  // ── remote nodes ──────────────────────────────────────────────────────────

  private async createRemote(input: CreateAgentInput, node: string): Promise<DeployResult> {
    const language = input.language ?? 'javascript';
    const check = this.checkOrThrow(input.code, language);
    const request: RemoteSpawnRequest = {
      name: input.name,
      node,
      code: input.code,
      language,
      type: input.kind === 'manual' ? 'manual' : 'dynamic',
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.capabilities ? { capabilities: input.capabilities } : {}),
      ...(input.publishes ? { publishes: input.publishes } : {}),
      ...(input.inputSchema !== undefined ? { input_schema: input.inputSchema } : {}),
      ...(input.outputSchema !== undefined ? { output_schema: input.outputSchema } : {}),
      ...(input.tuning?.poll_interval !== undefined ? { poll_interval: input.tuning.poll_interval } : {}),
      ...(input.envNames?.length ? { env: input.envNames } : {}),
      config: { ...(input.config ?? {}), ...omitKeys(input.tuning ?? {}, ['poll_interval']) },
      replace: input.replace ?? false,
    };
    return this.placeRemote(request, check, input.source ?? 'rest');
  }

  private async redeployRemote(entry: SpawnEntry, code: string, language: AgentLanguage): Promise<DeployResult> {
    const cfg = readStoredConfig(entry.config);
    const check = this.checkOrThrow(code, language);
    const tuning = Object.fromEntries(Object.entries(cfg).filter(([k, v]) => ['memory_mb', 'call_timeout_ms', 'max_restarts', 'restart_delay_ms'].includes(k) && v !== undefined));
    return this.placeRemote(
      {
        name: entry.name,
        node: entry.node,
        code,
        language,
        type: entry.kind === 'manual' ? 'manual' : 'dynamic',
        description: cfg.description,
        capabilities: cfg.capabilities,
        publishes: cfg.publishes,
        ...(cfg.input_schema !== undefined ? { input_schema: cfg.input_schema } : {}),
        ...(cfg.output_schema !== undefined ? { output_schema: cfg.output_schema } : {}),
        ...(cfg.poll_interval !== undefined ? { poll_interval: cfg.poll_interval } : {}),
        env: cfg.env_names,
        config: { ...cfg.config, ...tuning },
        replace: true,
      },
      check,
      cfg.source,
    );
  }

  private async placeRemote(request: RemoteSpawnRequest, check: CodeCheck, source: string): Promise<DeployResult> {
    const nodes = this.opts.nodes;
    if (!nodes) throw new DynamicAgentError('unavailable', `${request.name} should run on node "${request.node}", and remote nodes are not wired in this hub`);
    const r = await this.remote('spawn', () => nodes.spawnOnNode(request, { source }));
    if (!r.ok) throw new DynamicAgentError('unavailable', r.message);
    const entry = this.registry.get(request.name);
    return {
      name: request.name,
      id: actorIdFor(request.name),
      kind: request.type,
      version: r.version ?? entry?.version ?? 1,
      language: request.language,
      state: r.status,
      exports: check.exports,
      diagnostics: check.diagnostics,
      node: request.node,
      message: r.message,
    };
  }

  /** A node registry call, its errors as DynamicAgentErrors of the same kind. */
  private async remote<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      const err = toError(e) as Error & { kind?: unknown; detail?: unknown };
      const kind = typeof err.kind === 'string' && ['bad_input', 'conflict', 'not_found', 'unavailable'].includes(err.kind) ? (err.kind as DynamicAgentErrorKind) : 'unavailable';
      const detail = err.detail && typeof err.detail === 'object' ? (err.detail as DynamicAgentErrorDetail) : undefined;
      throw new DynamicAgentError(kind === 'bad_input' && detail?.diagnostics ? 'bad_code' : kind, `${what} on a node: ${err.message}`, detail);
    }
  }

  // ── internals ─────────────────────────────────────────────────────────────

  private async spawnEntry(entry: SpawnEntry): Promise<Actor> {
    const cfg = readStoredConfig(entry.config);
    switch (entry.kind) {
      case 'llm':
        return this.system.spawnSupervised(entry.name, () => this.buildLlm(entry.name, cfg), this.supervision);
      case 'ha_actuator': {
        const ha = this.opts.homeAssistant;
        if (!ha) throw new DynamicAgentError('unavailable', 'Home Assistant is not part of this hub');
        return this.system.spawnSupervised(entry.name, () => ha.createActuator(cfg.spec), this.supervision);
      }
      default:
        if (!entry.code) throw new DynamicAgentError('bad_input', `registry entry of kind "${entry.kind}" has no code`);
        return this.system.spawnSupervised(entry.name, () => this.buildFromRegistry(entry.name), supervisionFor(cfg, this.supervision));
    }
  }

  /** Swaps `code` into a running agent, or (when it is down) tries it in a fresh one; then `store()`s it. */
  private async swapIn(entry: SpawnEntry, code: string, language: AgentLanguage, store: () => SpawnEntry): Promise<DynamicAgent> {
    const name = entry.name;
    const actor = this.system.get(name);
    const nextVersion = entry.version + 1;
    if (actor instanceof DynamicAgent && (actor.state === 'running' || actor.state === 'paused')) {
      try {
        await actor.hotSwap(code, language, nextVersion);
      } catch (e) {
        throw refusal(e, 'hot-swap refused, the previous version keeps running');
      }
      const stored = store();
      actor.setVersion(stored.version);
      return actor;
    }
    // Down (crashed, given up, stopped): the new version gets a fresh start.
    const cfg = readStoredConfig(entry.config);
    const fresh = this.buildDynamic({ name, kind: entry.kind as CodeAgentKind, code, language, version: nextVersion }, cfg);
    await this.tryOut(fresh);
    if (actor) await this.removeQuietly(name);
    const stored = store();
    fresh.setVersion(stored.version);
    await this.spawnSupervised(name, cfg, fresh, () => this.buildFromRegistry(name));
    return fresh;
  }

  /** Replaces (or refuses to replace) whatever holds `name` with a non-code agent, then registers it. */
  private async replaceWith(name: string, replace: boolean, kind: string, cfg: StoredConfig, build: () => Actor): Promise<void> {
    const existing = this.system.get(name);
    if (existing?.isProtected) throw new DynamicAgentError('protected', `"${name}" is a protected core actor`);
    if ((existing || this.registry.get(name)) && !replace) throw new DynamicAgentError('conflict', `an agent named "${name}" already exists (set "replace": true to replace it)`);
    const first = build(); // validates (an invalid actuator spec throws here, before anything changes)
    if (existing) await this.removeQuietly(name);
    this.registry.upsert({ name, kind, code: null, language: null, config: cfg, node: '' });
    let pending: Actor | undefined = first;
    await this.system.spawnSupervised(name, () => (pending ? ((pending = undefined), first) : build()), this.supervision);
  }

  private buildFromRegistry(name: string): DynamicAgent {
    const entry = this.registry.get(name);
    if (!entry?.code) throw new Error(`${name} is no longer in the spawn registry`);
    return this.buildDynamic({ name, kind: entry.kind as CodeAgentKind, code: entry.code, language: entry.language === 'typescript' ? 'typescript' : 'javascript', version: entry.version }, readStoredConfig(entry.config));
  }

  private buildDynamic(e: { name: string; kind: CodeAgentKind | string; code: string; language: AgentLanguage; version: number }, cfg: StoredConfig): DynamicAgent {
    const spec = dynamicSpecFrom({ ...e, kind: e.kind }, cfg, this.defaults);
    return new DynamicAgent(spec, {
      system: this.system,
      observer: this.observer,
      llm: this.opts.llm,
      costs: this.opts.costs,
      ...(this.opts.fetchImpl ? { fetchImpl: this.opts.fetchImpl } : {}),
      ...(this.opts.resolveModules && cfg.install.length ? { modules: () => this.opts.resolveModules!(cfg.install) } : {}),
    });
  }

  private buildLlm(name: string, cfg: StoredConfig): Actor {
    return createLlmAgent({
      name,
      systemPrompt: cfg.system_prompt ?? `You are ${name}.`,
      ...(cfg.description ? { description: cfg.description } : {}),
      ...(cfg.capabilities.length ? { capabilities: cfg.capabilities } : {}),
      llm: this.opts.llm,
      costs: this.opts.costs,
    });
  }

  /** Loads the code and runs setup outside the actor system; a failure is a bad_code refusal. */
  private async tryOut(actor: DynamicAgent, initialState?: Record<string, unknown>): Promise<void> {
    try {
      await actor.prepare(initialState);
    } catch (e) {
      await actor.discard();
      throw refusal(e, 'the agent did not start');
    }
  }

  private async spawnSupervised(name: string, cfg: StoredConfig, first: DynamicAgent, build: () => Actor): Promise<void> {
    let pending: DynamicAgent | undefined = first;
    await this.system.spawnSupervised(name, () => (pending ? ((pending = undefined), first) : build()), supervisionFor(cfg, this.supervision));
  }

  private async removeQuietly(name: string): Promise<void> {
    this.removing.add(name);
    try {
      await this.system.remove(name);
    } finally {
      this.removing.delete(name);
    }
  }

  private checkOrThrow(code: string, language: AgentLanguage, install: readonly string[] = []): CodeCheck {
    const check = checkAgentCode(code, language, this.opts.resolveModules && install.length ? { modules: install.map(packageName) } : {});
    if (!check.ok) {
      const errors = check.diagnostics.filter((d) => d.severity === 'error');
      throw new DynamicAgentError('bad_code', `the code has ${errors.length} error${errors.length === 1 ? '' : 's'}: ${describeDiagnostics(errors, 3).replace(/\n/g, '; ')}`, {
        kind: 'bad_code',
        phase: 'check',
        diagnostics: check.diagnostics,
      });
    }
    return check;
  }

  private storedConfigFor(input: CreateAgentInput, entry: SpawnEntry | undefined): StoredConfig {
    const previous = entry ? readStoredConfig(entry.config) : undefined;
    return readStoredConfig({
      ...(previous ?? {}),
      description: input.description ?? previous?.description ?? '',
      capabilities: input.capabilities ?? previous?.capabilities ?? [],
      publishes: input.publishes ?? previous?.publishes ?? [],
      ...(input.inputSchema !== undefined ? { input_schema: input.inputSchema } : {}),
      ...(input.outputSchema !== undefined ? { output_schema: input.outputSchema } : {}),
      ...(input.tuning ?? {}),
      ...(input.env ? { env: input.env } : {}),
      ...(input.envNames ? { env_names: input.envNames } : {}),
      ...(input.config ? { config: input.config } : {}),
      ...(input.install ? { install: input.install } : {}),
      source: input.source ?? previous?.source ?? 'unknown',
    });
  }

  private requireCodeEntry(name: string): SpawnEntry {
    const entry = this.registry.get(this.system.get(name)?.name ?? name);
    if (!entry) throw new DynamicAgentError('not_found', `no dynamic agent named "${name}"`);
    if (!isCodeKind(entry.kind) || entry.code === null) throw new DynamicAgentError('bad_input', `${entry.name} is a ${entry.kind} agent: it has no code`);
    return entry;
  }

  private result(actor: DynamicAgent, check: CodeCheck): DeployResult {
    return {
      name: actor.name,
      id: actor.actorId,
      kind: actor.spec.registryKind,
      version: actor.spec.version,
      language: actor.spec.language,
      state: actor.state,
      exports: check.exports,
      diagnostics: check.diagnostics,
    };
  }

  private async withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.locks.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    }
  }

  private log(level: 'debug' | 'info' | 'warning' | 'error', message: string): void {
    this.opts.log?.(level, `dynamic agents: ${message}`);
  }
}

/** `@scope/pkg@^1.2` → `@scope/pkg`, `pkg@2` → `pkg`: what the code imports. */
function packageName(spec: string): string {
  return /^(@[^/@]+\/[^@]+|[^@]+)/.exec(spec.trim())?.[1] ?? spec;
}

function isCodeKind(kind: string): boolean {
  return kind === 'dynamic' || kind === 'manual' || kind === 'catalog';
}

/** A SandboxError from loading/setup as a bad_code refusal with diagnostics (line/column) when known. */
function refusal(e: unknown, what: string): DynamicAgentError {
  if (e instanceof DynamicAgentError) return e;
  if (!(e instanceof SandboxError)) return new DynamicAgentError('bad_code', `${what}: ${toError(e).message}`);
  const diagnostics = e.diagnostics.length ? e.diagnostics : diagnosticFromStack(e);
  const message = e.message.startsWith('hot-swap refused') ? e.message : `${what}: ${e.message}`;
  return new DynamicAgentError('bad_code', message, { kind: e.kind, phase: e.detail.phase, ...(diagnostics.length ? { diagnostics } : {}) });
}

/** `(agent.js:3:11)` in a guest error → a diagnostic at that place. */
function diagnosticFromStack(e: SandboxError): CodeDiagnostic[] {
  const m = /agent\.js:(\d+):(\d+)/.exec(`${e.message}\n${e.detail.stack ?? ''}`);
  if (!m) return [];
  return [{ message: e.message.replace(/\s*\(agent\.js:\d+:\d+\)\s*$/, ''), line: Number(m[1]), column: Number(m[2]), severity: 'error' }];
}

function pickTuning(config: Record<string, unknown>): Partial<Pick<StoredConfig, 'memory_mb' | 'call_timeout_ms' | 'poll_interval' | 'max_restarts' | 'restart_delay_ms'>> {
  const out: Record<string, unknown> = {};
  for (const k of ['memory_mb', 'call_timeout_ms', 'poll_interval', 'max_restarts', 'restart_delay_ms']) if (typeof config[k] === 'number') out[k] = config[k];
  return out;
}

function omitKeys(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
