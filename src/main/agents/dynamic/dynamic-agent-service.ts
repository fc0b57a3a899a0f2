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
import { summarizeActor } from '../../core/actor-summary.js';
import { SpawnRegistry, type SpawnEntry } from '../../persistence/stores/spawn-registry.js';
import type { AgentCodeResponse } from '../../../shared/rest.js';
import { createLlmAgent } from '../llm/create-llm-agent.js';
import { closeEnginePool, DEFAULT_LIMITS, validateAgentCode, type AgentLanguage } from './sandbox/index.js';
import { DynamicAgent } from './dynamic-agent.js';
import { checkAgentCode, describeDiagnostics, type CodeCheck } from './code-check.js';
import { dynamicSpecFrom, publicConfig, readStoredConfig, supervisionFor, type ServiceDefaults, type StoredConfig } from './agent-config.js';
import { DynamicAgentError } from './errors.js';
import { TopicObserver } from './topic-observer.js';
import { AGENT_NAME_PATTERN, type SpawnSpec } from './spawn-spec.js';
import { installForSpec } from './spec-install.js';
import { isRemoteNode, nodeCall, placeOnNode, remoteCreateRequest, remoteRedeployRequest } from './remote-placement.js';
import { definedOnly, isCodeKind, lowerFirst, omitKeys, packageName, pickTuning, refusal } from './service-helpers.js';
import {
  DEFAULT_DYNAMIC_SUPERVISION,
  type AgentDescription,
  type CodeAgentKind,
  type CreateAgentInput,
  type DeployResult,
  type DynamicAgentServiceOptions,
  type SpawnReport,
} from './service-types.js';

export * from './service-types.js';

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
    if (isRemoteNode(input.node)) return placeOnNode(this.opts.nodes, remoteCreateRequest(input, input.node!), this.checkOrThrow(input.code, input.language ?? 'javascript'), input.source ?? 'rest', () => this.registry.get(name)?.version);
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
      if (!actor && entry?.node && this.opts.nodes) {
        const r = await nodeCall('remove', () => this.opts.nodes!.removeFromNode(key));
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

  /** A TASK to any actor (by name or id, wherever it runs), answered with its RESULT; rejects with AskError (typed kind). */
  task(nameOrId: string, payload: unknown, timeoutMs = 60_000): Promise<unknown> {
    return this.system.ask(nameOrId, payload, timeoutMs, 'rest');
  }

  // ── reading ───────────────────────────────────────────────────────────────

  describe(nameOrId: string): AgentDescription | undefined {
    const actor = this.system.get(nameOrId);
    const name = actor?.name ?? nameOrId;
    const entry = this.registry.get(name);
    if (!actor && !entry) return undefined;
    const summary = actor ? summarizeActor(this.system, actor, this.opts.costs.forAgent(actor.name)) : {};
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
      const notes = await installForSpec(this.system, spec);
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

  // ── internals ─────────────────────────────────────────────────────────────

  private redeployRemote(entry: SpawnEntry, code: string, language: AgentLanguage): Promise<DeployResult> {
    const check = this.checkOrThrow(code, language);
    return placeOnNode(this.opts.nodes, remoteRedeployRequest(entry, code, language), check, readStoredConfig(entry.config).source, () => this.registry.get(entry.name)?.version);
  }

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
      ...(this.opts.resolveModules && cfg.install.length ? { modules: () => this.modulesFor(e.code, e.language, cfg.install) } : {}),
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

  /**
   * Sources of the declared packages the code really imports (a declared package that is not
   * imported need not be installed for the agent to run).
   */
  private async modulesFor(code: string, language: AgentLanguage, install: readonly string[]): Promise<Record<string, string>> {
    const imported = new Set(validateAgentCode(code, language, { modules: install.map(packageName) }).imports);
    const needed = install.filter((spec) => imported.has(packageName(spec)));
    return needed.length ? this.opts.resolveModules!(needed) : {};
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

