/**
 * Code agents for the DynamicAgent service (the deploy job): checking code, building a
 * DynamicAgent from a registry entry, trying a new one out before it takes a name, hot-swapping
 * code into a running one, and running it supervised. The service decides *what* happens to a name
 * (locks, the registry, conflicts); this file knows *how* a code agent is built and swapped.
 *
 * Invariants kept here: code is checked (syntax, exports, types) and tried (loaded, setup run)
 * before it is stored or takes over a name — a failure leaves the running agent untouched; a
 * supervised restart rebuilds the agent from the registry's latest entry.
 */
import type { Actor } from '../../core/actor.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { SupervisionOptions } from '../../core/supervisor.js';
import type { SpawnEntry, SpawnRegistry } from '../../persistence/stores/spawn-registry.js';
import { validateAgentCode, type AgentLanguage } from './sandbox/index.js';
import { DynamicAgent } from './dynamic-agent.js';
import { checkAgentCode, describeDiagnostics, type CodeCheck } from './code-check.js';
import { dynamicSpecFrom, readStoredConfig, supervisionFor, type ServiceDefaults, type StoredConfig } from './agent-config.js';
import { DynamicAgentError } from './errors.js';
import { packageName, refusal } from './service-helpers.js';
import type { CodeAgentKind, DeployResult, DynamicAgentServiceOptions } from './service-types.js';
import type { TopicObserver } from './topic-observer.js';

export interface CodeAgentsDeps {
  system: ActorSystem;
  registry: SpawnRegistry;
  observer: TopicObserver;
  opts: Pick<DynamicAgentServiceOptions, 'llm' | 'costs' | 'fetchImpl' | 'resolveModules' | 'node' | 'log' | 'refusals' | 'directory'>;
  defaults: ServiceDefaults;
  /** Removes whatever runs under `name` (the service's own removal, not a user's delete). */
  removeQuietly(name: string): Promise<void>;
}

export class CodeAgents {
  constructor(private readonly d: CodeAgentsDeps) {}

  /** The static check; errors refuse the code (bad_code with diagnostics). */
  checkOrThrow(code: string, language: AgentLanguage, install: readonly string[] = []): CodeCheck {
    const check = checkAgentCode(code, language, this.d.opts.resolveModules && install.length ? { modules: install.map(packageName) } : {});
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

  /** A DynamicAgent for a registry entry (its config holds its grant: agent-config.ts busGrantOf). */
  build(e: { name: string; kind: CodeAgentKind | string; code: string; language: AgentLanguage; version: number }, cfg: StoredConfig): DynamicAgent {
    const spec = dynamicSpecFrom(e, cfg, this.d.defaults);
    const { opts } = this.d;
    return new DynamicAgent(spec, {
      system: this.d.system,
      observer: this.d.observer,
      llm: opts.llm,
      costs: opts.costs,
      ...(opts.node ? { node: opts.node } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.refusals ? { refusals: opts.refusals } : {}),
      ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
      ...(opts.directory ? { directory: opts.directory } : {}),
      ...(opts.resolveModules && cfg.install.length ? { modules: () => this.modulesFor(e.code, e.language, cfg.install) } : {}),
    });
  }

  /** The supervisor's factory: the registry's latest code and config, each time. */
  buildFromRegistry(name: string): DynamicAgent {
    const entry = this.d.registry.get(name);
    if (!entry?.code) throw new Error(`${name} is no longer in the spawn registry`);
    return this.build({ name, kind: entry.kind, code: entry.code, language: entry.language === 'typescript' ? 'typescript' : 'javascript', version: entry.version }, readStoredConfig(entry.config));
  }

  /** The restart policy of a registered code agent (its config may tighten the service's default). */
  supervision(entry: SpawnEntry, defaults: SupervisionOptions): SupervisionOptions {
    return supervisionFor(readStoredConfig(entry.config), defaults);
  }

  /** Loads the code and runs setup outside the actor system; a failure is a bad_code refusal. */
  async tryOut(actor: DynamicAgent, initialState?: Record<string, unknown>): Promise<void> {
    try {
      await actor.prepare(initialState);
    } catch (e) {
      await actor.discard();
      throw refusal(e, 'the agent did not start');
    }
  }

  /** Spawns `first` (already tried) supervised; restarts rebuild it from the registry. */
  async spawnSupervised(name: string, supervision: SupervisionOptions, first: DynamicAgent): Promise<void> {
    let pending: DynamicAgent | undefined = first;
    await this.d.system.spawnSupervised(name, (): Actor => (pending ? ((pending = undefined), first) : this.buildFromRegistry(name)), supervision);
  }

  /** Swaps `code` into a running agent, or (when it is down) tries it in a fresh one; then `store()`s it. */
  async swapIn(entry: SpawnEntry, code: string, language: AgentLanguage, supervision: SupervisionOptions, store: () => SpawnEntry): Promise<DynamicAgent> {
    const name = entry.name;
    const actor = this.d.system.get(name);
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
    const fresh = this.build({ name, kind: entry.kind, code, language, version: nextVersion }, cfg);
    await this.tryOut(fresh);
    if (actor) await this.d.removeQuietly(name);
    const stored = store();
    fresh.setVersion(stored.version);
    await this.spawnSupervised(name, supervisionFor(cfg, supervision), fresh);
    return fresh;
  }

  result(actor: DynamicAgent, check: CodeCheck): DeployResult {
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

  /**
   * Sources of the declared packages the code really imports (a declared package that is not
   * imported need not be installed for the agent to run).
   */
  private async modulesFor(code: string, language: AgentLanguage, install: readonly string[]): Promise<Record<string, string>> {
    const imported = new Set(validateAgentCode(code, language, { modules: install.map(packageName) }).imports);
    const needed = install.filter((spec) => imported.has(packageName(spec)));
    return needed.length ? this.d.opts.resolveModules!(needed) : {};
  }
}
