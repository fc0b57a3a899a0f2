/**
 * The catalog: recipes loaded from `catalogue_agents/` (and any extra folders), listed and spawned
 * with a config. A spawn validates the config against the recipe's schema, installs the recipe's
 * npm dependencies through the installer, and creates the agent through the DynamicAgent service
 * (kind `catalog`), so it lands in the spawn registry with versions and comes back after a
 * restart like any other agent.
 *
 * Who asks matters for dependencies: a person spawning from the dashboard or REST approves the
 * packages the recipe card shows; a spawn from LLM output (the planner) installs only packages
 * already on the installer's allowlist.
 */
import { existsSync } from 'node:fs';
import { toError } from '../../core/errors.js';
import type { DeployResult, DynamicAgentService } from '../dynamic/dynamic-agent-service.js';
import { DynamicAgentError } from '../dynamic/errors.js';
import { parseSpawnSpec } from '../dynamic/spawn-spec.js';
import { actorIdFor } from '../../core/actor-id.js';
import { AGENT_NAME_PATTERN } from '../../../shared/agent-name.js';
import type { PackageInstaller } from '../installer/install-types.js';
import { CatalogError } from './catalog-errors.js';
import { checkConfig, describeConfigIssues } from './recipe-config.js';
import { loadRecipes, recipeSummary, type Recipe, type RecipeProblem } from './recipe-loader.js';
import type { Logger } from '../../base/logger.js';
import type { Asker } from '../../../shared/approvals.js';

export interface CatalogSpawnRequest {
  name?: string | undefined;
  config?: Record<string, unknown> | undefined;
  /** Optional capabilities (from the recipe's `optional_capabilities`) the user grants. */
  capabilities?: string[] | undefined;
  /** Replace an agent of that name (its state is kept). */
  replace?: boolean | undefined;
}

export type SpawnOrigin = 'user' | 'llm' | 'agent';

export interface CatalogSpawnResult {
  status: 'spawned';
  name: string;
  agent: string;
  id: string;
  recipe: string;
  version: number;
  installed: string[];
  message: string;
  /** What the recipe declares beyond the safe default, waiting for a person (spawns by an LLM or agent). */
  approval?: DeployResult['approval'];
}

export interface CatalogServiceOptions {
  dirs: string[];
  /** Folders read when they exist (e.g. the user's own recipes under the state dir). */
  optionalDirs?: string[];
  dynamic: () => DynamicAgentService | undefined;
  installer?: () => PackageInstaller | undefined;
  log?: Logger<'info' | 'warning' | 'error'>;
}

export class CatalogService {
  private recipes = new Map<string, Recipe>();
  private problemList: RecipeProblem[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly opts: CatalogServiceOptions) {
    this.reload();
  }

  /** Reads the folders again (new, changed or removed recipes). */
  reload(): { recipes: number; problems: RecipeProblem[] } {
    const recipes = new Map<string, Recipe>();
    const problems: RecipeProblem[] = [];
    const dirs = [...this.opts.dirs, ...(this.opts.optionalDirs ?? []).filter((d) => existsSync(d))];
    for (const dir of dirs) {
      const loaded = loadRecipes(dir);
      problems.push(...loaded.problems);
      for (const r of loaded.recipes) {
        if (recipes.has(r.manifest.name)) problems.push({ recipe: r.manifest.name, error: `a recipe of that name was already loaded from another folder; ${r.dir} is ignored` });
        else recipes.set(r.manifest.name, r);
      }
    }
    this.recipes = recipes;
    this.problemList = problems;
    for (const p of problems) this.opts.log?.('warning', `recipe ${p.recipe}: ${p.error}`);
    for (const l of this.listeners) l();
    return { recipes: recipes.size, problems };
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get problems(): readonly RecipeProblem[] {
    return this.problemList;
  }

  list(): Recipe[] {
    return [...this.recipes.values()];
  }

  summaries(): Record<string, unknown>[] {
    return this.list().map(recipeSummary);
  }

  get(name: string): Recipe | undefined {
    return this.recipes.get(name);
  }

  require(name: string): Recipe {
    const r = this.recipes.get(name);
    if (!r) throw new CatalogError('not_found', `no recipe named "${name}" (recipes: ${[...this.recipes.keys()].join(', ') || 'none'})`);
    return r;
  }

  /** Validates a config without spawning: the config with defaults, or the problems. */
  checkConfig(recipeName: string, config: unknown): ReturnType<typeof checkConfig> {
    const r = this.require(recipeName);
    return checkConfig(r.validator, r.secrets, config);
  }

  /**
   * Spawns a recipe. `asker` is who asks, for approvals (default: a person for origin `user`, the
   * planner's LLM for `llm`, an unnamed agent for `agent`): what a recipe declares beyond the safe
   * default waits for a person unless a person asked.
   */
  async spawn(recipeName: string, req: CatalogSpawnRequest, origin: SpawnOrigin, asker: Asker = defaultAsker(origin)): Promise<CatalogSpawnResult> {
    const recipe = this.require(recipeName);
    const m = recipe.manifest;
    const name = req.name?.trim() || m.default_name || m.name;
    if (!AGENT_NAME_PATTERN.test(name)) throw new CatalogError('bad_input', `invalid agent name "${name}": letters, digits, - and _ only`);
    const checked = checkConfig(recipe.validator, recipe.secrets, req.config ?? {});
    if (!checked.ok) throw new CatalogError('bad_config', `invalid config for ${m.name}: ${describeConfigIssues(checked.issues)}`, checked.issues);
    const grants = req.capabilities ?? [];
    const refused = grants.filter((c) => !m.optional_capabilities.includes(c) && !m.capabilities.includes(c));
    if (refused.length) {
      throw new CatalogError('bad_input', `${m.name} cannot be granted ${refused.join(', ')} (optional capabilities: ${m.optional_capabilities.join(', ') || 'none'})`);
    }
    if (origin !== 'user' && grants.length) throw new CatalogError('bad_input', 'only a person can grant optional capabilities');
    const dynamic = this.opts.dynamic();
    if (!dynamic) throw new CatalogError('spawn_failed', 'the DynamicAgent service is not running');
    if (m.runtime === 'host') return this.spawnHost(recipe, dynamic, { name, config: checked.config, capabilities: [...new Set([...m.capabilities, ...grants])], replace: req.replace ?? false }, asker);

    const installed = await this.installDependencies(recipe, name, origin);
    const placeholders = (s: string): string => fillPlaceholders(s, name, checked.config);
    const publishes = [...new Set(m.publishes.map(placeholders).filter((t) => t !== ''))];
    // Topics a person set in the config form may hold retained messages (src/main/grants); an LLM's or agent's may not.
    const retained = asker.kind === 'person' ? [...new Set(m.publishes.filter((t) => t.includes('{config.')).map(placeholders).filter((t) => t !== ''))] : [];
    let deployed: DeployResult;
    try {
      deployed = await dynamic.create({
        name,
        code: recipe.code,
        language: recipe.language,
        kind: 'catalog',
        description: `${m.title ?? m.name}: ${m.description}`,
        capabilities: [...new Set([...m.capabilities, ...grants])],
        publishes,
        subscribes: [...new Set(m.subscribes.flatMap((s) => expandPlaceholders(s, name, checked.config)))],
        ...(retained.length ? { retained } : {}),
        inputSchema: m.inputs.length ? m.inputs : undefined,
        outputSchema: m.outputs.length ? m.outputs : undefined,
        tuning: {
          ...(m.poll_interval !== null ? { poll_interval: m.poll_interval } : {}),
          ...(m.call_timeout_ms !== undefined ? { call_timeout_ms: m.call_timeout_ms } : {}),
          ...(m.memory_mb !== undefined ? { memory_mb: m.memory_mb } : {}),
        },
        env: checked.secrets,
        config: checked.config,
        install: m.dependencies,
        replace: req.replace ?? false,
        source: `catalog:${m.name}@${m.version}`,
        asker,
      });
    } catch (e) {
      if (e instanceof DynamicAgentError) {
        const kind = e.kind === 'conflict' || e.kind === 'protected' ? 'conflict' : e.kind === 'rate_limited' || e.kind === 'too_many_agents' ? e.kind : 'spawn_failed';
        throw new CatalogError(kind, `${name} was not spawned from ${m.name}: ${e.message}`, e.detail);
      }
      throw new CatalogError('spawn_failed', `${name} was not spawned from ${m.name}: ${toError(e).message}`);
    }
    this.opts.log?.('info', `spawned ${name} from recipe ${m.name} (version ${deployed.version})`);
    return {
      status: 'spawned',
      name,
      agent: name,
      id: deployed.id,
      recipe: m.name,
      version: deployed.version,
      installed,
      message: `Spawned ${name} from the ${m.title ?? m.name} recipe${installed.length ? ` (installed ${installed.join(', ')})` : ''}.${deployed.approval ? ` ${deployed.approval.message}` : ''}`,
      ...(deployed.approval ? { approval: deployed.approval } : {}),
    };
  }

  /**
   * A host recipe (manifest `runtime: host`): the hub builds the agent through the recipe's spawn
   * type, placed by the DynamicAgent service (name lock, spawn registry, approvals, restore).
   */
  private async spawnHost(recipe: Recipe, dynamic: DynamicAgentService, s: { name: string; config: Record<string, unknown>; capabilities: string[]; replace: boolean }, asker: Asker): Promise<CatalogSpawnResult> {
    const m = recipe.manifest;
    const spec = parseSpawnSpec({ name: s.name, type: m.spawn_type, description: `${m.title ?? m.name}: ${m.description}`, capabilities: s.capabilities, replace: s.replace, config: s.config });
    if (!spec.ok) throw new CatalogError('spawn_failed', `${s.name} was not spawned from ${m.name}: ${spec.error}`);
    const report = await dynamic.spawnFromSpec(spec.spec, `catalog:${m.name}@${m.version}`, asker);
    if (!report.ok) {
      const kind = report.kind === 'conflict' || report.kind === 'protected' ? 'conflict' : report.kind === 'rate_limited' || report.kind === 'too_many_agents' ? report.kind : 'spawn_failed';
      throw new CatalogError(kind, report.message);
    }
    this.opts.log?.('info', `spawned ${s.name} from recipe ${m.name} (built into the hub)`);
    return {
      status: 'spawned',
      name: s.name,
      agent: s.name,
      id: actorIdFor(s.name),
      recipe: m.name,
      version: report.version ?? 1,
      installed: [],
      message: report.message,
      ...(report.approval ? { approval: report.approval } : {}),
    };
  }

  private async installDependencies(recipe: Recipe, agent: string, origin: SpawnOrigin): Promise<string[]> {
    const deps = recipe.manifest.dependencies;
    if (!deps.length) return [];
    const installer = this.opts.installer?.();
    if (!installer) throw new CatalogError('install_failed', `${recipe.manifest.name} needs ${deps.join(', ')}, and the installer is not running`);
    const outcome = await installer.install({ packages: deps, agent, recipe: recipe.manifest.name, approvedByUser: origin === 'user' });
    if (outcome.status === 'needs_approval') throw new CatalogError('needs_approval', outcome.message, { packages: outcome.packages });
    if (outcome.status === 'failed') throw new CatalogError('install_failed', outcome.message, { packages: outcome.packages, error: outcome.error });
    return outcome.installed.map((p) => `${p.name}@${p.version}`);
  }
}

function defaultAsker(origin: SpawnOrigin): Asker {
  if (origin === 'user') return { kind: 'person', name: 'rest', via: 'catalog' };
  if (origin === 'llm') return { kind: 'llm', name: 'planner', via: 'planner' };
  return { kind: 'agent', name: 'unknown', via: 'catalog' };
}

/** `{name}` → the agent's name, `{config.key}` → that config value. */
/** Like fillPlaceholders, one string per value of a list-valued field (`{config.topics}`); empty ones dropped. */
export function expandPlaceholders(s: string, name: string, config: Record<string, unknown>): string[] {
  const list = /\{config\.([A-Za-z0-9_]+)\}/.exec(s);
  const v = list ? config[list[1]!] : undefined;
  if (list && Array.isArray(v)) return v.flatMap((item) => expandPlaceholders(s.replace(list[0], String(item)), name, config));
  const filled = fillPlaceholders(s, name, config);
  return filled === '' ? [] : [filled];
}

export function fillPlaceholders(s: string, name: string, config: Record<string, unknown>): string {
  return s.replace(/\{(name|config\.([A-Za-z0-9_]+))\}/g, (_all, what: string, key: string | undefined) => {
    if (what === 'name') return name;
    const v = config[key!];
    return v === undefined || v === null ? '' : String(v);
  });
}
