/**
 * The DynamicAgent service: the spawn registry (SQLite: name, kind, code, version history, config)
 * and everything that changes it — create, hot-swap, rollback, delete, spawns from spawn specs —
 * plus restoring every registered agent at hub start with its latest code and state. One
 * operation per agent name at a time (name-locks.ts). This file decides what happens to a name;
 * jobs kept elsewhere: how a code agent is built, tried and swapped (code-agents.ts); the restore
 * (service-restore.ts, restore-queue.ts); spawn specs by type (spec-spawner.ts; what each type does:
 * spawn-types.ts here, and whatever other integrations register: Home Assistant's ha_actuator);
 * what is read about an agent (agent-views.ts); placement on remote nodes (remote-placement.ts);
 * the spec ↔ input mappings (spec-mapping.ts).
 *
 * Invariants:
 * - code is checked and tried before it is stored or takes over a name (code-agents.ts);
 * - every accepted code change is a new version; a rollback is a new version with old code;
 * - agents run supervised: their factory rebuilds them from the registry's latest entry;
 * - an agent deleted any way (REST, a `delete` command over MQTT) leaves the registry with its state.
 */
import type { Actor } from '../../core/actor.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { SupervisionOptions } from '../../core/supervisor.js';
import { toError } from '../../core/errors.js';
import { SpawnTypes } from '../../integration/spawn-types.js';
import type { SpawnRegistry, SpawnEntry } from '../../persistence/stores/spawn-registry.js';
import { AgentEnvSecrets } from '../../secrets/agent-env.js';
import { AgentEnvRegistry } from '../../secrets/agent-env-registry.js';
import type { AgentCodeResponse } from '../../../shared/rest.js';
import { declaredInput, sayRefused } from './agent-grants.js';
import type { RestoreProgress } from '../../../shared/mqtt-payloads.js';
import { closeEnginePool, DEFAULT_LIMITS, type AgentLanguage } from './sandbox/index.js';
import { DynamicAgent } from './dynamic-agent.js';
import { checkAgentCode, type CodeCheck } from './code-check.js';
import { readStoredConfig, supervisionFor, type ServiceDefaults } from './agent-config.js';
import { CodeAgents } from './code-agents.js';
import { DynamicAgentError } from './errors.js';
import type { Asker, GrantAsk } from '../../../shared/approvals.js';
import { admitSpawn, askerFromSource, askerOf, configWithGrant, inputWithGrant, settleSpawn } from './spawn-grants.js';
import { TopicObserver } from './topic-observer.js';
import { AGENT_NAME_PATTERN, type SpawnSpec } from './spawn-spec.js';
import { isRemoteNode, nodeCall, placeOnNode } from './remote-placement.js';
import { remoteRedeployRequest, remoteRequestFromInput, storedConfigFrom } from './spec-mapping.js';
import { dynamicSpawnTypes } from './spawn-types.js';
import type { RestoreReport } from './restore-queue.js';
import { definedOnly, isCodeKind } from './service-helpers.js';
import { NameLocks } from './name-locks.js';
import { ServiceRestore } from './service-restore.js';
import { SpecSpawner } from './spec-spawner.js';
import { AgentViews } from './agent-views.js';
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
export type { RestoreReport } from './restore-queue.js';

export class DynamicAgentService {
  readonly registry: SpawnRegistry;
  readonly agentEnv: AgentEnvSecrets;
  readonly observer: TopicObserver;
  /** What spawn specs may ask for (this service's types and those of other integrations). */
  readonly spawnTypes: SpawnTypes;
  private readonly system: ActorSystem;
  private readonly supervision: SupervisionOptions;
  private readonly codeAgents: CodeAgents;
  private readonly locks = new NameLocks();
  private readonly restorer: ServiceRestore;
  private readonly specs: SpecSpawner;
  private readonly views: AgentViews;
  /** Names this service is removing itself (replace, delete): not a user's delete. */
  private readonly removing = new Set<string>();
  private offDeleted: (() => void) | undefined;

  constructor(private readonly opts: DynamicAgentServiceOptions) {
    this.system = opts.system;
    // Agents' env values live in the secret store, never in the registry's SQLite rows.
    this.agentEnv = opts.agentEnv ?? new AgentEnvSecrets();
    this.registry = new AgentEnvRegistry(opts.system.persistence.db, this.agentEnv, (level, message) => this.log(level, message));
    this.observer = new TopicObserver(opts.observer);
    const env = process.env;
    const defaults: ServiceDefaults = {
      limits: { ...DEFAULT_LIMITS, ...definedOnly(opts.limits ?? {}) },
      supervision: { ...DEFAULT_DYNAMIC_SUPERVISION, ...opts.supervision },
      secret: opts.secrets ?? ((name) => env[`WACTORZ_SECRET_${name}`]),
    };
    this.supervision = defaults.supervision;
    this.codeAgents = new CodeAgents({ system: this.system, registry: this.registry, observer: this.observer, opts, defaults, removeQuietly: (n) => this.removeQuietly(n) });
    this.spawnTypes = opts.spawnTypes ?? new SpawnTypes();
    for (const t of dynamicSpawnTypes(this, opts.llm, opts.costs)) this.spawnTypes.register(t);
    const { system, registry, locks } = this;
    const removeQuietly = (n: string): Promise<void> => this.removeQuietly(n);
    this.restorer = new ServiceRestore({ system, registry, opts, locks, spawnEntry: (e) => this.spawnEntry(e), log: (l, m) => this.log(l, m) });
    this.specs = new SpecSpawner({ system, registry, spawnTypes: this.spawnTypes, gate: opts.gate, locks, supervision: this.supervision, removeQuietly });
    this.views = new AgentViews({ system, registry, costs: opts.costs });
  }

  /** Starts watching the bus (for `agent.topics()` / `agent.window()`) and user deletes. */
  start(): void {
    this.observer.start(this.system.bus);
    if (this.offDeleted) return;
    const onDeleted = (actor: Actor): void => {
      if (this.removing.has(actor.name) || !this.registry.get(actor.name)) return;
      this.registry.remove(actor.name);
      this.opts.gate?.forget(actor.name);
      void this.system.persistence.forgetActor(actor.name).catch(() => undefined);
      this.log('info', `${actor.name} was deleted: removed from the spawn registry`);
    };
    this.offDeleted = this.system.events.on('deleted', onDeleted);
  }

  async close(): Promise<void> {
    this.restorer.close();
    this.offDeleted?.();
    this.offDeleted = undefined;
    this.observer.stop();
    await closeEnginePool();
  }

  // ── restore ───────────────────────────────────────────────────────────────

  /**
   * Brings every registered agent back (latest code, saved state), each by its spawn type, a
   * window at a time (restore-queue.ts: why, and how a task for an agent still waiting waits for
   * it). Failures are logged, never thrown. Resolves when all are back or at most `restoreWaitMs`
   * later (an agent whose setup hangs must not hold a caller): agents still starting then are
   * listed as `pending` and come up on their own. The hub does not await it at all (it serves
   * meanwhile, and says how far it is: `restoreProgress()`). One restore at a time: a second call
   * waits for the one under way, then brings back what is still down. Agents placed on nodes are
   * the node registry's to bring back.
   */
  restore(): Promise<RestoreReport> {
    return this.restorer.restore();
  }

  /** How far the last restore is (a restore with nothing to do when none ran). */
  restoreProgress(): RestoreProgress {
    return this.restorer.progress();
  }

  /** Starts nothing more from the restore under way (hub shutdown): what waits comes back at the next start. */
  stopRestoring(): void {
    this.restorer.stop();
  }

  private spawnEntry(entry: SpawnEntry): Promise<Actor> {
    // Any entry with code is a code agent, whatever kind an older hub wrote.
    const type = this.spawnTypes.forKind(entry.kind) ?? (entry.code ? this.spawnTypes.get('dynamic') : undefined);
    if (!type) throw new DynamicAgentError('unavailable', `no spawn type brings back a "${entry.kind}" agent in this hub (known: ${this.spawnTypes.names().join(', ')})`);
    const { build, supervision } = type.restore(entry);
    return this.system.spawnSupervised(entry.name, build, supervision ?? this.supervision);
  }

  /** The supervisor's factory and policy for a registered code agent (the code spawn types' restore). */
  codeFactory(name: string): { build: () => Actor; supervision: SupervisionOptions } {
    const entry = this.registry.get(name);
    if (!entry?.code) throw new DynamicAgentError('bad_input', `registry entry of ${name} has no code`);
    return { build: () => this.codeAgents.buildFromRegistry(name), supervision: this.codeAgents.supervision(entry, this.supervision) };
  }

  // ── code agents ───────────────────────────────────────────────────────────

  check(code: string, language: AgentLanguage = 'javascript'): CodeCheck {
    return checkAgentCode(code, language);
  }

  /** Checks, tries and starts a new code agent (or replaces one with `replace`), then registers it. */
  create(input: CreateAgentInput): Promise<DeployResult> {
    return this.locks.run(input.name, () => this.createLocked(input));
  }

  private async createLocked(requested: CreateAgentInput): Promise<DeployResult> {
    const { name } = requested;
    if (!AGENT_NAME_PATTERN.test(name)) throw new DynamicAgentError('bad_input', `invalid agent name "${name}": letters, digits, - and _ only`);
    const language = requested.language ?? 'javascript';
    // Its declared topics and send_to, less what agent code can never have (src/main/grants).
    const { input: asked, refused } = declaredInput(requested, { system: this.system, registry: this.registry });
    const tell = (n: string, l: 'info' | 'warning', m: string): void => this.tellAgent(n, l, m);
    if (isRemoteNode(asked.node)) {
      const admission = admitSpawn(this.opts.gate, asked, asked.kind ?? 'dynamic', !this.registry.get(name));
      const input = admission ? inputWithGrant(asked, admission.grant, askerOf(asked)) : asked;
      const placed = await placeOnNode(this.opts.nodes, remoteRequestFromInput(input, input.node!), this.codeAgents.checkOrThrow(input.code, language), input.source ?? 'rest', () => this.registry.get(name)?.version);
      sayRefused(name, refused, { log: (l, m) => this.log(l, m), tell, refusals: this.opts.refusals });
      return settleSpawn(placed, admission, tell);
    }
    const existing = this.system.get(name);
    const entry = this.registry.get(name);
    if (existing?.isProtected) throw new DynamicAgentError('protected', `"${name}" is a protected core actor`);
    if ((existing || entry) && !asked.replace) throw new DynamicAgentError('conflict', `an agent named "${name}" already exists`);
    const admission = admitSpawn(this.opts.gate, asked, asked.kind ?? 'dynamic', !(existing || entry));
    const input = admission ? inputWithGrant(asked, admission.grant, askerOf(asked)) : asked;
    const cfg = storedConfigFrom(input, entry ? readStoredConfig(entry.config) : undefined);
    const check = this.codeAgents.checkOrThrow(input.code, language, cfg.install);
    const kind = input.kind ?? (entry && isCodeKind(entry.kind) ? (entry.kind as CodeAgentKind) : 'dynamic');
    // Tried under its name before it takes it: state carries over from a replaced agent.
    const carried = existing instanceof DynamicAgent && existing.state !== 'failed' ? existing.agentState : undefined;
    const actor = this.codeAgents.build({ name, kind, code: input.code, language, version: entry ? entry.version + 1 : 1 }, cfg);
    await this.codeAgents.tryOut(actor, carried);
    if (existing) await this.removeQuietly(name);
    await this.agentEnv.replace(name, cfg.env); // on disk before the registry points at it
    const stored = this.registry.upsert({ name, kind, code: input.code, language, config: cfg, node: '', note: entry ? 'replaced' : 'created' });
    actor.setVersion(stored.version);
    await this.codeAgents.spawnSupervised(name, supervisionFor(cfg, this.supervision), actor);
    this.log('info', `${entry ? 'replaced' : 'created'} ${name} (version ${stored.version})`);
    sayRefused(name, refused, { log: (l, m) => this.log(l, m), tell, refusals: this.opts.refusals });
    return settleSpawn(this.codeAgents.result(actor, check), admission, tell);
  }

  /** A line in an agent's own log (the dashboard shows it), when it runs here. */
  tellAgent(name: string, level: 'info' | 'warning', message: string): void {
    const actor = this.system.get(name);
    if (actor) this.system.telemetry.log(actor, level, message);
  }

  /**
   * Gives an agent a new grant (approvals: approved or revoked items): stored in its registry entry,
   * then the agent restarts with it (state kept); on a node it is redeployed there.
   */
  regrant(name: string, grant: GrantAsk, note: string): Promise<void> {
    return this.locks.run(name, async () => {
      const entry = this.registry.get(name);
      if (!entry) throw new DynamicAgentError('not_found', `no agent named "${name}"`);
      const config = configWithGrant(readStoredConfig(entry.config), grant);
      const updated = this.registry.upsert({ name, kind: entry.kind, config });
      this.log('info', `${name}: ${note}`);
      if (updated.node) {
        if (updated.code) await this.redeployRemote(updated, updated.code, updated.language === 'typescript' ? 'typescript' : 'javascript');
        return;
      }
      const actor = this.system.get(name);
      if (!actor) return; // not running here: it gets the grant when it starts
      await this.removeQuietly(name);
      await this.spawnEntry(updated);
    });
  }

  /** Hot-swaps new code in (PUT /agents/{name}/code): checked, set up beside the old version, then swapped. */
  deploy(name: string, code: string, language?: AgentLanguage, note = 'deploy'): Promise<DeployResult> {
    return this.locks.run(name, async () => {
      const entry = this.views.requireCodeEntry(name);
      const lang = language ?? (entry.language === 'typescript' ? 'typescript' : 'javascript');
      if (entry.node) return this.redeployRemote(entry, code, lang);
      const check = this.codeAgents.checkOrThrow(code, lang, readStoredConfig(entry.config).install);
      if (entry.code === code && entry.language === lang) {
        const actor = this.system.get(name);
        if (actor instanceof DynamicAgent && (actor.state === 'running' || actor.state === 'paused')) return { ...this.codeAgents.result(actor, check), unchanged: true };
      }
      const stored = await this.codeAgents.swapIn(entry, code, lang, this.supervision, () => this.registry.upsert({ name, kind: entry.kind, code, language: lang, note }));
      return this.codeAgents.result(stored, check);
    });
  }

  /** Makes an earlier version current again (as a new version), hot-swapped like a deploy. */
  rollback(name: string, version: number): Promise<DeployResult & { rolled_back_to: number }> {
    return this.locks.run(name, async () => {
      const entry = this.views.requireCodeEntry(name);
      const target = this.registry.codeVersion(name, version);
      if (!target) throw new DynamicAgentError('not_found', `${name} has no version ${version} (versions: ${this.registry.versions(name).map((v) => v.version).join(', ')})`);
      const lang: AgentLanguage = target.language === 'typescript' ? 'typescript' : 'javascript';
      if (entry.node) return { ...(await this.redeployRemote(entry, target.code, lang)), rolled_back_to: version };
      const check = this.codeAgents.checkOrThrow(target.code, lang, readStoredConfig(entry.config).install);
      const actor = await this.codeAgents.swapIn(entry, target.code, lang, this.supervision, () => this.registry.rollback(name, version));
      return { ...this.codeAgents.result(actor, check), rolled_back_to: version };
    });
  }

  /** Stops an agent and forgets it: registry, code history and everything it stored. Protected actors are refused. */
  remove(name: string): Promise<{ name: string; removed: true }> {
    return this.locks.run(name, async () => {
      const actor = this.system.get(name);
      const key = actor?.name ?? name;
      const entry = this.registry.get(key);
      if (!actor && entry?.node && this.opts.nodes) {
        // Placed on a node: the node registry stops it there and forgets it.
        const r = await nodeCall('remove', () => this.opts.nodes!.removeFromNode(key));
        this.log('info', r.message);
        return { name: key, removed: true as const };
      }
      if (!actor && !entry) throw new DynamicAgentError('not_found', `no agent named "${name}"`);
      if (actor?.isProtected) throw new DynamicAgentError('protected', `${actor.name} is protected: refusing to delete it`);
      if (actor) await this.removeQuietly(key);
      this.registry.remove(key);
      this.opts.gate?.forget(key);
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
    return this.views.describe(nameOrId);
  }

  /** The current code (or version `version`'s) with the version list, newest first. */
  code(name: string, version?: number): AgentCodeResponse {
    return this.views.code(name, version);
  }

  versionCode(name: string, version: number): ReturnType<AgentViews['versionCode']> {
    return this.views.versionCode(name, version);
  }

  // ── spawn specs (<spawn> blocks, the agent writer, the planner) ──────────

  /** Spawns what a validated spawn spec asks for, by its type. Never throws: the report says what happened. */
  spawnFromSpec(spec: SpawnSpec, source = 'llm', asker: Asker = askerFromSource(source)): Promise<SpawnReport> {
    return this.specs.spawn(spec, source, asker);
  }

  // ── internals ─────────────────────────────────────────────────────────────

  private redeployRemote(entry: SpawnEntry, code: string, language: AgentLanguage): Promise<DeployResult> {
    const check = this.codeAgents.checkOrThrow(code, language);
    return placeOnNode(this.opts.nodes, remoteRedeployRequest(entry, code, language), check, readStoredConfig(entry.config).source, () => this.registry.get(entry.name)?.version);
  }

  private async removeQuietly(name: string): Promise<void> {
    this.removing.add(name);
    try {
      await this.system.remove(name);
    } finally {
      this.removing.delete(name);
    }
  }

  private log(level: 'debug' | 'info' | 'warning' | 'error', message: string): void {
    this.opts.log?.(level, `dynamic agents: ${message}`);
  }
}

