/**
 * The DynamicAgent service: the spawn registry (SQLite: name, kind, code, version history, config)
 * and everything that changes it — create, hot-swap, rollback, delete, spawns from spawn specs —
 * plus restoring every registered agent at hub start with its latest code and state. One
 * operation per agent name at a time. Jobs kept elsewhere: how a code agent is built, tried and
 * swapped (code-agents.ts); what each spawn type does (spawn-types.ts here, and whatever other
 * integrations register: Home Assistant's ha_actuator); placement on remote nodes
 * (remote-placement.ts); the spec ↔ input mappings (spec-mapping.ts).
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
import { summarizeActor } from '../../core/actor-summary.js';
import { SpawnTypes, type SpawnContext } from '../../integration/spawn-types.js';
import type { SpawnRegistry, SpawnEntry } from '../../persistence/stores/spawn-registry.js';
import { AgentEnvSecrets } from '../../secrets/agent-env.js';
import { AgentEnvRegistry } from '../../secrets/agent-env-registry.js';
import type { AgentCodeResponse } from '../../../shared/rest.js';
import { declaredInput, sayRefused } from './agent-grants.js';
import type { RestoreProgress } from '../../../shared/mqtt-payloads.js';
import { closeEnginePool, DEFAULT_LIMITS, type AgentLanguage } from './sandbox/index.js';
import { DynamicAgent } from './dynamic-agent.js';
import { checkAgentCode, describeDiagnostics, type CodeCheck } from './code-check.js';
import { publicConfig, readStoredConfig, supervisionFor, type ServiceDefaults } from './agent-config.js';
import { CodeAgents } from './code-agents.js';
import { DynamicAgentError, SpawnWaitsError } from './errors.js';
import type { Asker, GrantAsk } from '../../../shared/approvals.js';
import { admitSpawn, askerFromSource, askerOf, configWithGrant, inputWithGrant, pendingApproval, settleSpawn } from './spawn-grants.js';
import { TopicObserver } from './topic-observer.js';
import { AGENT_NAME_PATTERN, type SpawnSpec } from './spawn-spec.js';
import { installForSpec } from './spec-install.js';
import { isRemoteNode, nodeCall, placeOnNode } from './remote-placement.js';
import { remoteRedeployRequest, remoteRequestFromInput, storedConfigFrom } from './spec-mapping.js';
import { dynamicSpawnTypes } from './spawn-types.js';
import { RestoreQueue, type RestoreOutcome, type RestoreReport } from './restore-queue.js';
import { definedOnly, isCodeKind } from './service-helpers.js';
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
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Names this service is removing itself (replace, delete): not a user's delete. */
  private readonly removing = new Set<string>();
  private offDeleted: (() => void) | undefined;
  /** The restore under way, and what the last one came to. */
  private restoring: RestoreQueue | undefined;
  private lastProgress: RestoreProgress | undefined;
  private progressSentAt = 0;
  private progressTimer: NodeJS.Timeout | undefined;

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
    this.stopRestoring();
    clearTimeout(this.progressTimer);
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
  async restore(): Promise<RestoreReport> {
    while (this.restoring) await this.restoring.finished;
    const t0 = Date.now();
    const names = this.registry
      .list()
      .filter((entry) => !(entry.node && this.opts.nodes) && !this.isUp(entry.name))
      .map((entry) => entry.name);
    const queue = new RestoreQueue(names, {
      start: (name) => this.restoreOne(name),
      concurrency: this.opts.restoreConcurrency,
      onProgress: (p) => this.reportProgress(p),
    });
    this.restoring = queue;
    const offResolver = names.length ? this.system.addRemote(queue.resolver(this.system)) : undefined;
    const finished = queue.run().finally(() => {
      offResolver?.();
      if (this.restoring === queue) this.restoring = undefined;
      const r = queue.report();
      if (r.restored.length) this.log('info', `restored ${r.restored.length} agent(s) from the spawn registry in ${Date.now() - t0} ms${r.restored.length <= 20 ? `: ${r.restored.join(', ')}` : ''}`);
      for (const f of r.failed) this.log('warning', `could not restore ${f.name}: ${f.error}`);
    });
    const waitMs = this.opts.restoreWaitMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    const report = queue.report();
    if (report.pending.length) this.log('warning', `${report.pending.length} agent(s) still starting after ${waitMs} ms (they come up on their own)${report.pending.length <= 20 ? `: ${report.pending.join(', ')}` : ''}`);
    return report;
  }

  /** How far the last restore is (a restore with nothing to do when none ran). */
  restoreProgress(): RestoreProgress {
    if (this.restoring) return this.restoring.progress();
    if (this.lastProgress) return this.lastProgress;
    const now = Date.now() / 1000;
    return { state: 'done', total: 0, restored: 0, failed: 0, pending: 0, started_at: now, finished_at: now, timestamp: now };
  }

  /** Starts nothing more from the restore under way (hub shutdown): what waits comes back at the next start. */
  stopRestoring(): void {
    this.restoring?.stop();
  }

  private isUp(name: string): boolean {
    const running = this.system.get(name);
    return Boolean(running && running.state !== 'stopped' && running.state !== 'failed');
  }

  /** One agent of a restore, under its name's lock, from the registry as it is now (it may have been deleted or redeployed meanwhile). */
  private restoreOne(name: string): Promise<RestoreOutcome> {
    return this.withLock(name, async () => {
      const entry = this.registry.get(name);
      if (!entry || this.isUp(name) || (entry.node && this.opts.nodes)) return 'skipped';
      if (entry.node) throw new Error(`it runs on node "${entry.node}" (remote nodes are not wired in this hub)`);
      const actor = await this.spawnEntry(entry);
      if (actor.state === 'failed') throw new Error('it crashed while starting (see its logs)');
      return 'restored';
    });
  }

  /** Progress to `onRestoreProgress`: at most every `restoreProgressMs`, and always the final one. */
  private reportProgress(p: RestoreProgress): void {
    this.lastProgress = p;
    const send = this.opts.onRestoreProgress;
    if (!send) return;
    const every = this.opts.restoreProgressMs ?? 250;
    const now = Date.now();
    if (p.state === 'done' || now - this.progressSentAt >= every) {
      clearTimeout(this.progressTimer);
      this.progressTimer = undefined;
      this.progressSentAt = now;
      send(p);
    } else if (!this.progressTimer) {
      this.progressTimer = setTimeout(() => {
        this.progressTimer = undefined;
        this.progressSentAt = Date.now();
        send(this.restoreProgress());
      }, every - (now - this.progressSentAt));
      this.progressTimer.unref();
    }
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
    return this.withLock(input.name, () => this.createLocked(input));
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
    return this.withLock(name, async () => {
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
    return this.withLock(name, async () => {
      const entry = this.requireCodeEntry(name);
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
    return this.withLock(name, async () => {
      const entry = this.requireCodeEntry(name);
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
    return this.withLock(name, async () => {
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
        subscribes: cfg.subscribes ?? [],
        send_to: [...cfg.send_to, ...cfg.hub_actors],
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

  /** Spawns what a validated spawn spec asks for, by its type. Never throws: the report says what happened. */
  async spawnFromSpec(spec: SpawnSpec, source = 'llm', asker: Asker = askerFromSource(source)): Promise<SpawnReport> {
    const base = { name: spec.name, type: spec.type };
    try {
      const type = this.spawnTypes.get(spec.type);
      if (!type) throw new DynamicAgentError('bad_input', `there is no "${spec.type}" agent type in this hub (types: ${this.spawnTypes.names().join(', ')})`);
      if (isRemoteNode(spec.node) && !type.runsOnNodes) {
        throw new DynamicAgentError('bad_input', `a ${spec.type} agent cannot run on a node (nodes run code agents); leave "node" out`);
      }
      const notes = await installForSpec(this.system, spec);
      const outcome = await type.spawn(spec, this.spawnContext(spec, source, asker));
      return { ok: true, ...base, ...outcome, message: [outcome.message, ...notes].join(' ') };
    } catch (e) {
      if (e instanceof SpawnWaitsError) return { ok: true, ...base, message: e.approval.message, approval: e.approval };
      const err = toError(e);
      const detail = e instanceof DynamicAgentError && e.detail?.diagnostics?.length ? `\n${describeDiagnostics(e.detail.diagnostics, 5)}` : '';
      return { ok: false, ...base, message: `${spec.name} was not spawned: ${err.message}${detail}`, ...(e instanceof DynamicAgentError ? { kind: e.kind } : {}) };
    }
  }

  /** `place` for spawn types whose agent is an actor built from a stored config (llm, ha_actuator…). */
  private spawnContext(spec: SpawnSpec, source: string, asker: Asker): SpawnContext {
    const name = spec.name;
    return {
      source,
      asker,
      place: ({ kind, config, build, replace }) =>
        this.withLock(name, async () => {
          const existing = this.system.get(name);
          if (existing?.isProtected) throw new DynamicAgentError('protected', `"${name}" is a protected core actor`);
          if ((existing || this.registry.get(name)) && !replace) throw new DynamicAgentError('conflict', `an agent named "${name}" already exists (set "replace": true to replace it)`);
          const stored = readStoredConfig(config);
          const admission = admitSpawn(this.opts.gate, 
            { name, code: '', description: stored.description, capabilities: stored.capabilities, asker, source },
            kind,
            !(existing || this.registry.get(name)),
            { ...spec },
          );
          if (admission?.waiting) {
            const waits = pendingApproval(admission.commit()!);
            throw new SpawnWaitsError(waits.message, { ...waits, waiting: true });
          }
          const granted = admission ? { ...stored, capabilities: admission.grant.capabilities } : stored;
          const first = build(); // validates (an invalid spec throws here, before anything changes)
          if (existing) await this.removeQuietly(name);
          this.registry.upsert({ name, kind, code: null, language: null, config: granted, node: '' });
          let pending: Actor | undefined = first;
          await this.system.spawnSupervised(name, () => (pending ? ((pending = undefined), first) : build()), this.supervision);
          admission?.commit();
        }),
    };
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

  private requireCodeEntry(name: string): SpawnEntry {
    const entry = this.registry.get(this.system.get(name)?.name ?? name);
    if (!entry) throw new DynamicAgentError('not_found', `no dynamic agent named "${name}"`);
    if (!isCodeKind(entry.kind) || entry.code === null) throw new DynamicAgentError('bad_input', `${entry.name} is a ${entry.kind} agent: it has no code`);
    return entry;
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

